#!/usr/bin/env bash
# Static checks the compiler does not make, on every source reachable from the
# network, the admin sockets or an import file (agent/, server/, common/, cli/):
#   bugprone-unchecked-optional-access (clang-tidy 16, Debian 12's newest):
#     a std::optional read without a check first is an error.
# absl::StatusOr has no such check in Debian's clang-tidy; its reads on request
# paths are covered by a test per entry point (tests/unit/sync_protocol_test.cc,
# tests/integration/security_test.cc) and the protocol fuzzer (docs/protocol.md).
# Usage: tests/lint.sh   (uses build/compile_commands.json; configures build/ if needed)
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh clang-tidy-16
BUILD_DIR=${FEDREG_BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/compile_commands.json" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${FEDREG_BUILD_TYPE:-Release}" >/dev/null
fi
# The generated protobuf headers must exist for the sources to parse.
ninja -C "$BUILD_DIR" fedreg_proto >/dev/null

files=$(ls agent/*.cc server/*.cc common/*.cc cli/*.cc)
echo "fedreg-lint: clang-tidy-16 bugprone-unchecked-optional-access on $(echo "$files" | wc -w) files"
# Only fedreg's own headers are checked, not gRPC's, RocksDB's or the generated ones.
if ! run-clang-tidy-16 -quiet -p "$BUILD_DIR" -j "${FEDREG_JOBS:-$(nproc)}" \
    -config="{Checks: '-*,bugprone-unchecked-optional-access', WarningsAsErrors: '*'}" \
    -header-filter='^'"$PWD"'/(agent|server|common|cli)/' $files >"$BUILD_DIR/lint.log" 2>&1; then
  grep -E "error:|warning:|terminated by signal|Stack dump|Processing" "$BUILD_DIR/lint.log" | sort -u | head -50 >&2
  echo "fedreg-lint: FAILED (full log: $BUILD_DIR/lint.log)" >&2
  exit 1
fi
echo "fedreg-lint: clean"
