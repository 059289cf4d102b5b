#!/usr/bin/env bash
# Checks fedreg's Debian packages (deploy/package.sh) as an installer and
# Debian's tools see them: each package's files, conffiles and maintainer
# scripts, Depends from the linked libraries plus adduser, the systemd units
# (systemd-analyze verify, and security with a ceiling on the exposure),
# lintian with no error or warning left, and the Prometheus alert rules
# (promtool check rules). Run by ctest (label package) on the build it is in.
# Usage: tests/package_test.sh BUILD_DIR
# Needs dpkg-dev, lintian, systemd and prometheus (deploy/install-deps.sh);
# a missing tool fails the test.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath "${1:?usage: package_test.sh BUILD_DIR}")
for tool in dpkg-deb dpkg-shlibdeps lintian systemd-analyze promtool cpack; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not found (deploy/install-deps.sh installs it)"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# --- build the packages from the binaries already built -----------------------
FEDREG_BUILD_DIR="$BUILD" FEDREG_PACKAGE_PREBUILT=1 "$SRC/deploy/package.sh" "$work/debs" >/dev/null
deb() { ls "$work"/debs/"$1"_*.deb; }
for pkg in fedreg-agent fedreg-aggregator fedregctl; do
  [ -f "$(deb $pkg)" ] || { fail "no $pkg .deb"; exit 1; }
done

# --- files --------------------------------------------------------------------
check_files() {  # PKG PATH... ; a PATH starting with ! must be absent
  local pkg=$1; shift
  local list; list=$(dpkg-deb -c "$(deb "$pkg")" | awk '{print $6}')
  for p in "$@"; do
    if [ "${p#!}" != "$p" ]; then
      grep -qx "./${p#!}" <<<"$list" && fail "$pkg holds ${p#!}" || pass "$pkg lacks ${p#!}"
    else
      grep -qx "./$p" <<<"$list" && pass "$pkg holds $p" || fail "$pkg lacks $p"
    fi
  done
}
check_files fedreg-agent usr/sbin/fedreg-agent etc/fedreg/agent.toml lib/systemd/system/fedreg-agent.service \
  usr/share/doc/fedreg-agent/copyright usr/share/doc/fedreg-agent/changelog.gz \
  '!usr/sbin/fedreg-aggregator' '!usr/bin/fedregctl' '!etc/fedreg/aggregator.toml'
check_files fedreg-aggregator usr/sbin/fedreg-aggregator etc/fedreg/aggregator.toml \
  lib/systemd/system/fedreg-aggregator.service usr/share/doc/fedreg-aggregator/copyright \
  '!usr/sbin/fedreg-agent' '!etc/fedreg/agent.toml'
check_files fedregctl usr/bin/fedregctl usr/share/fedreg/trials/ntrk.yaml usr/share/doc/fedregctl/copyright \
  '!usr/sbin/fedreg-agent' '!usr/sbin/fedreg-aggregator'
# Stripped: no debug sections in a packaged binary.
dpkg-deb -x "$(deb fedreg-aggregator)" "$work/root"
dpkg-deb -x "$(deb fedreg-agent)" "$work/root"
dpkg-deb -x "$(deb fedregctl)" "$work/root"
if readelf -S "$work/root/usr/sbin/fedreg-aggregator" | grep -q '\.debug_'; then
  fail "fedreg-aggregator is not stripped"
else
  pass "binaries stripped"
fi

# --- control: conffiles, scripts, Depends -------------------------------------
for pkg in fedreg-agent fedreg-aggregator; do
  dpkg-deb -e "$(deb "$pkg")" "$work/ctrl-$pkg"
  conf=$(cat "$work/ctrl-$pkg/conffiles" 2>/dev/null || true)
  [ "$conf" = "/etc/fedreg/${pkg#fedreg-}.toml" ] && pass "$pkg conffiles: $conf" || fail "$pkg conffiles: '$conf'"
  for s in postinst prerm postrm; do
    f="$work/ctrl-$pkg/$s"
    if [ -x "$f" ] && sh -n "$f"; then pass "$pkg $s present, sh -n clean"; else fail "$pkg $s missing or broken"; fi
  done
  grep -q "adduser --system" "$work/ctrl-$pkg/postinst" && pass "$pkg postinst adds its user" ||
    fail "$pkg postinst adds no user"
  depends=$(dpkg-deb -f "$(deb "$pkg")" Depends)
  for d in adduser librocksdb7.8 'libgrpc++1.51' libsystemd0 libprotobuf32; do
    grep -qE "(^|, )${d//+/\\+}( |,|$)" <<<"$depends" && pass "$pkg Depends: $d" || fail "$pkg Depends lacks $d: $depends"
  done
done
depends=$(dpkg-deb -f "$(deb fedregctl)" Depends)
grep -q 'libgrpc++1.51' <<<"$depends" && pass "fedregctl Depends: libgrpc++1.51" || fail "fedregctl Depends: $depends"
grep -q 'libsystemd0' <<<"$depends" && fail "fedregctl depends on libsystemd0" || pass "fedregctl needs no libsystemd0"
for field in Maintainer Section Version Description; do
  v=$(dpkg-deb -f "$(deb fedreg-agent)" "$field")
  [ -n "$v" ] && pass "fedreg-agent $field: ${v%%$'\n'*}" || fail "fedreg-agent has no $field"
done
version=$(dpkg-deb -f "$(deb fedreg-agent)" Version)
project_version=$(sed -n 's/^project(fedreg VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ "${version%-*}" = "$project_version" ] && pass "Version $version from project()" ||
  fail "Version $version, project() says $project_version"

# --- systemd units ------------------------------------------------------------
for unit in fedreg-agent fedreg-aggregator; do
  # verify wants ExecStart's binary to exist: the unit as installed, pointed at the extracted one.
  sed "s#/usr/sbin/#$work/root/usr/sbin/#" "$work/root/lib/systemd/system/$unit.service" >"$work/$unit.service"
  if out=$(systemd-analyze verify "$work/$unit.service" 2>&1) && [ -z "$out" ]; then
    pass "systemd-analyze verify $unit.service"
  else
    fail "systemd-analyze verify $unit.service: $out"
  fi
  # --threshold is on the 0-100 scale: 20 = an exposure of 2.0 (the units score 1.2 here).
  if out=$(systemd-analyze security --offline=yes --threshold=20 "$work/$unit.service" 2>&1); then
    pass "$unit.service: $(grep -o 'Overall exposure level.*' <<<"$out")"
  else
    fail "$unit.service exposure above 2.0: $(grep -o 'Overall exposure level.*' <<<"$out")"
  fi
done

# --- lintian ------------------------------------------------------------------
if out=$(lintian --fail-on error,warning --no-tag-display-limit "$work"/debs/*.deb 2>&1); then
  pass "lintian: no error or warning"
else
  fail "lintian:"$'\n'"$out"
fi

# --- alert rules --------------------------------------------------------------
if out=$(promtool check rules "$SRC/deploy/monitoring/fedreg-alerts.yml" 2>&1); then
  pass "promtool check rules: $(grep -o '[0-9]* rules found' <<<"$out")"
else
  fail "promtool check rules: $out"
fi

echo "package_test: $failures failure(s)"
[ "$failures" -eq 0 ]
