#!/usr/bin/env bash
# Configures and builds fedreg with Ninja (and ccache when present) into
# build/ (binaries in build/bin/). Usage: deploy/build.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${FEDREG_BUILD_DIR:-build}
JOBS=${FEDREG_JOBS:-$(nproc)}
if [ ! -f "$BUILD_DIR/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${FEDREG_BUILD_TYPE:-Release}" "$@" >/dev/null
fi
ninja -C "$BUILD_DIR" -j "$JOBS"
