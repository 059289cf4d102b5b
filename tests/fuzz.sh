#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang-14, ASan and UBSan in
# build-fuzz/ and runs each one for a bounded time.
#
# Usage: tests/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# Environment:
#   FEDREG_FUZZ_TARGETS  targets to run (default: all five)
#   FEDREG_FUZZ_JOBS     ninja jobs (default 1; the build runs under nice)
#   FEDREG_FUZZ_RSS_MB   libFuzzer -rss_limit_mb (default 2048)
#
# The repository's seed corpora (tests/fuzz/corpus/<target>/) are copied into
# build-fuzz/corpus/<target>/, which libFuzzer then grows; the repository's
# copy is never modified. Prints one line per target and exits non-zero when
# any target crashed, with the crash file and the command that reproduces it.
# A crash input belongs in tests/fuzz/regressions/<target>/ once reported.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_PER_TARGET=${1:-60}
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
  echo "usage: tests/fuzz.sh [SECONDS_PER_TARGET]" >&2
  exit 2
fi
TARGETS=(${FEDREG_FUZZ_TARGETS:-csv_import_fuzzer ndjson_import_fuzzer case_validator_fuzzer batch_apply_fuzzer protocol_fuzzer})
JOBS=${FEDREG_FUZZ_JOBS:-1}
RSS_MB=${FEDREG_FUZZ_RSS_MB:-2048}
BUILD=$ROOT/build-fuzz

# --- packages ---------------------------------------------------------------
# The project's packages plus clang's, with the same root / not-root rules.
deploy/install-deps.sh clang-14 libclang-rt-14-dev

# --- build ------------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S tests/fuzz -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
fi
build_start=$(date +%s)
echo "fedreg-fuzz: building $BUILD (ninja -j$JOBS, log: $BUILD/build.log)"
if ! nice ninja -C "$BUILD" -j "$JOBS" "${TARGETS[@]}" fuzz_seed_gen >"$BUILD/build.log" 2>&1; then
  tail -n 40 "$BUILD/build.log" >&2
  echo "fedreg-fuzz: build failed (full log: $BUILD/build.log)" >&2
  exit 1
fi
echo "fedreg-fuzz: build up to date ($(($(date +%s) - build_start)) s)"

# --- corpora ----------------------------------------------------------------
for t in "${TARGETS[@]}"; do
  mkdir -p "$BUILD/corpus/$t" "$BUILD/artifacts/$t" "$BUILD/logs"
  if [ -d "tests/fuzz/corpus/$t" ]; then
    cp -R tests/fuzz/corpus/"$t"/. "$BUILD/corpus/$t/"
  fi
  # Earlier crash inputs are replayed first: they must no longer crash.
  if [ -d "tests/fuzz/regressions/$t" ]; then
    cp -R tests/fuzz/regressions/"$t"/. "$BUILD/corpus/$t/"
  fi
done
# Fresh protobuf seeds from the current schema (same names as the repo's).
"$BUILD/bin/fuzz_seed_gen" "$BUILD/corpus" >/dev/null

# --- run --------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
summary=()
for t in "${TARGETS[@]}"; do
  log=$BUILD/logs/$t.log
  tmp=$BUILD/tmp/$t
  rm -rf "$tmp"
  mkdir -p "$tmp"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="$ROOT/tests/fuzz/$t.dict")
  set +e
  TMPDIR=$tmp FEDREG_FUZZ_TMPDIR=$tmp "$BUILD/bin/$t" \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb="$RSS_MB" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t/" "${dict[@]}" \
    "$BUILD/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  rm -rf "$tmp"; rmdir "$BUILD/tmp" 2>/dev/null || true

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ -z "$runs" ]; then
    runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  fi
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  corpus=$(ls "$BUILD/corpus/$t" | wc -l)
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
    result=ok
  else
    result="CRASH (exit $rc)"
    failed=1
  fi
  line=$(printf '%-22s runs=%-9s cov=%-6s ft=%-6s corpus=%-5s result=%s' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" \
         "$corpus" "$result")
  echo "$line"
  summary+=("$line")
  if [ "$result" != ok ]; then
    reason=$(grep -m1 -E '^(==[0-9]+==ERROR|\*\*\* fedreg fuzz invariant|.*runtime error:|==[0-9]+== ERROR: libFuzzer)' "$log" || true)
    echo "    reason:    ${reason:-see the log}"
    echo "    crash:     ${artifact:-none written (see the log)}"
    echo "    log:       $log"
    if [ -n "$artifact" ]; then
      echo "    reproduce: FEDREG_FUZZ_TMPDIR=\$(mktemp -d) $BUILD/bin/$t $artifact"
      echo "    keep it:   mkdir -p tests/fuzz/regressions/$t && cp $artifact tests/fuzz/regressions/$t/"
    fi
  fi
done

echo
echo "fedreg-fuzz: ${SECONDS_PER_TARGET}s per target"
for line in "${summary[@]}"; do echo "  $line"; done
if [ "$failed" -ne 0 ]; then
  echo "fedreg-fuzz: FAILED: at least one target crashed" >&2
  exit 1
fi
echo "fedreg-fuzz: all targets ok"
