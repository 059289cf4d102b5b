#!/usr/bin/env bash
# Installs the Debian 12 packages fedreg needs to build, test and run, when
# missing. As root it runs apt-get; otherwise it prints the exact command and
# fails, so nothing is half-installed behind the operator's back.
# Usage: deploy/install-deps.sh [EXTRA_PACKAGE...]   (e.g. clang-14 for tests/fuzz.sh)
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates openssl procps
  libgrpc++-dev libabsl-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  librocksdb-dev libzstd-dev libssl-dev libicu-dev
  libgtest-dev libgmock-dev libtinyxml2-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libcpp-httplib-dev libyaml-cpp-dev
  libsystemd-dev
  # Packaging (deploy/package.sh: dpkg-shlibdeps) and its checks in tests/package_test.sh:
  # lintian, systemd-analyze (package systemd; in a chroot or container it is only a
  # tool, nothing starts) and promtool (package prometheus: on a machine with systemd
  # its postinst starts a Prometheus server on :9090; stop or mask it if unwanted).
  dpkg-dev lintian systemd prometheus
  "$@"
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "fedreg: missing packages: ${missing[*]}" >&2
  echo "fedreg: install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "fedreg: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "fedreg: packages installed"
