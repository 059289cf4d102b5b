#!/usr/bin/env bash
# Installs missing packages, builds fedreg and its tests, and runs every test
# under ctest (unit and integration: real RocksDB, real gRPC over loopback
# mutual TLS with certificates made by deploy/pki/make-dev-pki.sh).
# Usage: tests/run.sh [--sanitize]   (--sanitize: ASan+UBSan build in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."

"deploy/install-deps.sh"

extra=()
if [ "${1:-}" = "--sanitize" ]; then
  export FEDREG_BUILD_DIR=build-asan FEDREG_BUILD_TYPE=RelWithDebInfo
  extra=(-DFEDREG_SANITIZE=ON)
fi
BUILD_DIR=${FEDREG_BUILD_DIR:-build}
deploy/build.sh "${extra[@]}"
cd "$BUILD_DIR"
# Sanitizer reports end the process with a non-zero status (agents and the
# aggregator started by the integration tests too), so a report fails a test.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure --timeout 300 -j "${FEDREG_TEST_JOBS:-2}"
