#!/usr/bin/env bash
# Builds fedreg's three Debian packages with CPack: fedreg-agent,
# fedreg-aggregator and fedregctl (cmake/packaging.cmake says what goes in
# each; docs/install.md how to install them).
# Usage: deploy/package.sh [OUTDIR]   (default build-pkg/; the .deb files land there)
# Builds only the three binaries, in Release, in $FEDREG_BUILD_DIR (default
# build/, shared with deploy/build.sh and tests/run.sh, so nothing is built
# twice); cpack installs and strips them into the packages, it compiles nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${FEDREG_BUILD_DIR:-build}
OUT=${1:-build-pkg}
JOBS=${FEDREG_JOBS:-$(nproc)}

for tool in cpack dpkg-deb dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "package.sh: $tool not found: run deploy/install-deps.sh (as root) first" >&2
    exit 1
  fi
done
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# A sanitizer or debug build must not become a package.
cache="$BUILD_DIR/CMakeCache.txt"
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$cache" || grep -q '^FEDREG_SANITIZE:BOOL=ON$' "$cache"; then
  echo "package.sh: $BUILD_DIR is not a plain Release build: use FEDREG_BUILD_DIR=build-pkg-release (a new dir)" >&2
  exit 1
fi
# Reconfigure so that the packages carry the current packaging files.
# FEDREG_PACKAGE_PREBUILT=1 (tests/package_test.sh, run by ctest inside the
# build) packages the binaries as they are, without touching the build.
if [ "${FEDREG_PACKAGE_PREBUILT:-0}" != 1 ]; then
  cmake "$BUILD_DIR" >/dev/null
  ninja -C "$BUILD_DIR" -j "$JOBS" fedreg-agent fedreg-aggregator fedregctl
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.deb
cpack -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$(realpath "$OUT")" >"$OUT/cpack.log" 2>&1 || {
  cat "$OUT/cpack.log" >&2
  exit 1
}
rm -rf "$OUT/_CPack_Packages"
ls -1 "$OUT"/*.deb
