#!/usr/bin/env bash
# fedreg benchmark (not part of CI). Builds in Release and prints one table:
# the baselines of this machine, then fedreg's backfill, catch-up, freshness
# and footprint. See bench/README.md.
# Usage: bench/run.sh [--sites S] [--cases N] [--catchup N] [--rate R] [--seconds T] [--compression zstd|gzip|none] [--swarm HOSPITALS] [--pg-rounds N]
# --pg-rounds 0 leaves out baseline (d), PostgreSQL 15 logical replication.
# FEDREG_BENCH_AGENT_ARGS adds flags to every agent (for experiments);
# FEDREG_BENCH_SHOW_HISTOGRAMS=1 prints the centre's apply and freshness histograms.
set -euo pipefail
cd "$(dirname "$0")/.."
SITES_N=11 CASES=20000 CATCHUP=100000 RATE=100 SECONDS_T=10 COMPRESSION=zstd SWARM=1000 PG_ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --sites) SITES_N=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    --catchup) CATCHUP=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --seconds) SECONDS_T=$2; shift 2 ;;
    --compression) COMPRESSION=$2; shift 2 ;;
    --swarm) SWARM=$2; shift 2 ;;
    --pg-rounds) PG_ROUNDS=$2; shift 2 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
done
# curl reads the aggregator's /metrics; postgresql-15 and libpq-dev are baseline (d)'s.
deploy/install-deps.sh curl postgresql-15 libpq-dev
FEDREG_BUILD_TYPE=Release deploy/build.sh >/dev/null
RUN=$(mktemp -d /tmp/fedreg-bench.XXXXXX)
cp -r build/bin "$RUN/bin"
B=$RUN/bin
PIDS=()
cleanup() {
  kill "${PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  bench/pg_clusters.sh stop "$RUN/pg"
  rm -rf "$RUN"
}
trap cleanup EXIT
ALL_SITES=(ncch kyoto hokkaido kyushu tohoku ncchd aichi komagome toyama okayama kindai)
SITES=("${ALL_SITES[@]:0:$SITES_N}")
deploy/pki/make-dev-pki.sh "$RUN/pki" >/dev/null
P=$RUN/pki
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rss() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
cpu() { awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$1/stat"; }  # seconds of CPU (assumes 100 Hz ticks)
# Waits (up to 60 s) until the given processes together use under 5% of a
# core: background compactions left by one scenario must not be charged to the next.
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo $t; }
settle() {
  for _ in $(seq 1 120); do
    local before; before=$(ticks "$@")
    sleep 0.5
    [ $(( $(ticks "$@") - before )) -le 2 ] && return 0
  done
}
ROWS=()
row() { ROWS+=("$(printf '%-44s %s' "$1" "$2")"); }
# CPU ticks (1/100 s) of every thread of the given processes, summed by thread
# name ("fedreg-writer", "rocksdb:low", gRPC's pollers, ...), one "name<TAB>ticks"
# per line; threads gone between two readings are missing from the later one.
thread_ticks() {
  for p in "$@"; do cat /proc/"$p"/task/*/stat 2>/dev/null; done |
    sed 's/^[0-9]* (\(.*\)) /\1\t/' |
    awk -F'\t' '{ split($2, f, " "); t[$1] += f[12] + f[13] } END { for (n in t) print n "\t" t[n] }' | sort
}
# "name=us" per case between two thread_ticks readings, for the names matching
# each of the awk patterns given as "label=regex" (the rest counted as "other").
per_case() {
  local before=$1 after=$2 n=$3; shift 3
  awk -F'\t' -v n="$n" -v groups="$*" '
    NR == FNR { b[$1] = $2; next }
    { d = $2 - b[$1]; if (d < 0) d = 0; g = "other"
      k = split(groups, G, " "); for (i = 1; i <= k; i++) { split(G[i], kv, "="); if ($1 ~ kv[2]) { g = kv[1]; break } }
      t[g] += d; all += d }
    END { printf "%.1f us", all * 10000 / n; for (g in t) if (t[g] > 0) printf ", %s %.1f", g, t[g] * 10000 / n }' \
    <(echo "$before") <(echo "$after")
}
# The thread name that used the most CPU between two thread_ticks readings,
# with its CPU as a share of the seconds given (100% = one core all along).
busiest() {
  awk -F'\t' -v s="$3" 'NR == FNR { b[$1] = $2; next }
    { d = $2 - b[$1]; if (d > best) { best = d; name = $1 } }
    END { printf "%s %.0f%%", name, best / s }' <(echo "$1") <(echo "$2")
}
# FEDREG_BENCH_PERF=DIR: a system-wide perf profile (call graphs) of the
# backfill's drain, the catch-up and the trickle into DIR/<stage>.data (`perf report -i`).
perf_start() {
  [ -n "${FEDREG_BENCH_PERF:-}" ] || return 0
  mkdir -p "$FEDREG_BENCH_PERF"
  perf record -a -g -F 499 -o "$FEDREG_BENCH_PERF/$1.data" >/dev/null 2>&1 &
  PERF_PID=$!
  sleep 0.5
}
perf_stop() { [ -n "${PERF_PID:-}" ] || return 0; kill -INT "$PERF_PID"; wait "$PERF_PID" || true; PERF_PID=; }

echo "bench: machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "bench: parameters: sites $SITES_N, cases per site $CASES, catch-up backlog $CATCHUP, trickle $RATE cases/s for $SECONDS_T s, agents' compression $COMPRESSION, simulated hospitals $SWARM"

# The same exports feed baseline (d) and fedreg: backfill, catch-up, trickle.
FILES=$((RATE * SECONDS_T / 10))
"$B/fedregctl" synth --seed 11 --cases $((SITES_N * CASES)) --sites "${SITES[@]}" --malformed-rate 0 --out "$RUN/exports" >/dev/null
"$B/fedregctl" synth --seed 12 --cases "$CATCHUP" --sites ncch --malformed-rate 0 --out "$RUN/catchup" >/dev/null
"$B/fedregctl" synth --seed 13 --cases $((FILES * 10)) --sites "${SITES[@]}" --malformed-rate 0 --out "$RUN/trickle" >/dev/null
# Exact percentiles (nearest rank) of a file of samples, one per line: "p50 / p99 / max".
exact() {
  sort -g "$1" | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a"; exit }
    split("0.5 0.99 1", q, " ");
    for (i = 1; i <= 3; i++) { r = q[i] * NR; r = (r > int(r)) ? int(r) + 1 : int(r); if (r < 1) r = 1;
      printf "%s%.2f%s", (i > 1 ? " / " : ""), v[r], (i == 3 ? " ms" : "") } print "" }'
}

# --- baselines, on records the size of a serialized case --------------------
NREC=$((SITES_N * CASES))
[ $NREC -gt 300000 ] && NREC=300000
for m in rocksdb grpc pipeline; do
  line=$("$B/fedreg_baselines" $m --records $NREC --size 1500 --batch 500 --window 8 --pki "$P" --dir "$RUN/baseline")
  echo "bench: $line"
  rate=$(echo "$line" | sed -n 's/.*: \([0-9]*\) records\/s.*/\1/p')
  case $m in rocksdb) BASE_B=$rate ;; grpc) BASE_A=$rate ;; pipeline) BASE_C=$rate ;; esac
done

# --- baseline (d): PostgreSQL 15 logical replication on the same records ----
# (bench/pg_clusters.sh, bench/pg_baseline.cc); stopped before fedreg starts.
if [ "$PG_ROUNDS" -gt 0 ]; then
  chmod 711 "$RUN"  # the clusters run as user postgres under $RUN/pg
  PGPORT0=$(( 20000 + RANDOM % 20000 ))
  mapfile -t PGCI < <(bench/pg_clusters.sh start "$RUN/pg" "$P" "$PGPORT0" $((PGPORT0 + 1)))
  PGLINE=$("$B/fedreg_pg_baseline" --pub "${PGCI[0]}" --sub "${PGCI[1]}" --backfill "$RUN/exports" --catchup "$RUN/catchup" \
    --trickle "$RUN/trickle" --publishers "$SITES_N" --rounds "$PG_ROUNDS" --rate "$RATE" --seconds "$SECONDS_T" \
    --samples "$RUN/pg-freshness.txt" --scratch "$RUN/pg-scratch")
  bench/pg_clusters.sh stop "$RUN/pg"
  echo "bench: $PGLINE"
  pgval() { echo "$PGLINE" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  PG_BACKFILL=$(pgval backfill_rows_per_s) PG_CATCHUP_S=$(pgval catchup_s)
  PG_FRESH=$(exact "$RUN/pg-freshness.txt")
  row "baseline (d) PostgreSQL 15 logical repl." "backfill $PG_BACKFILL rows/s (median of $PG_ROUNDS: $(pgval backfill_rounds_rows_per_s)), catch-up $PG_CATCHUP_S s, freshness p50 / p99 / max $PG_FRESH"
fi

# --- backfill: import with the centre down, then let it drain ---------------
EXPORT_BYTES=$(du -cb "$RUN"/exports/* | tail -1 | cut -f1)
PORT=$(( 20000 + RANDOM % 20000 ))
declare -A APID
start_agents() {  # every site's agent, with the defaults a hospital runs; returns once their sockets answer
  for s in "${SITES[@]}"; do
    "$B/fedreg-agent" --site "$s" --data-dir "$RUN/agent-$s" --server "127.0.0.1:$PORT" --ca "$P/ca.pem" \
      --cert "$P/site-$s.pem" --key "$P/site-$s.key" --linkage-key "$P/linkage.key" --min-free-mb 64 \
      --compression "$COMPRESSION" ${FEDREG_BENCH_AGENT_ARGS:-} 2>>"$RUN/agent-$s.log" &
    APID[$s]=$!
    PIDS+=($!)
  done
  for s in "${SITES[@]}"; do for _ in $(seq 1 1000); do [ -S "$RUN/agent-$s/agent.sock" ] && break; sleep 0.01; done; done
}
start_agents
IDLE_AGENT_RSS=$(rss ${APID[ncch]})
TT_IMPORT0=$(thread_ticks "${APID[@]}")
t0=$(now)
ipids=()
for s in "${SITES[@]}"; do
  "$B/fedregctl" --agent-socket "$RUN/agent-$s/agent.sock" --timeout 3600 agent import "$(ls "$RUN/exports/$s".*)" >/dev/null &
  ipids+=($!)
done
wait "${ipids[@]}"
t1=$(now)
IMPORT_S=$(dt $t0 $t1)
TT_IMPORT1=$(thread_ticks "${APID[@]}")
AGENT_RSS_BACKLOG=$(rss ${APID[ncch]})
# The centre comes up, then the agents start again with their backlogs, so
# that all 11 begin at once, as (d)'s 11 publishers do. Left running through
# the outage, each would come back at its own point of its reconnect backoff
# (full jitter, up to 10 s by default): their first Hellos spread over 8 s
# of a 8.9 s drain, which measured that wait, not push and apply.
for s in "${SITES[@]}"; do kill -TERM "${APID[$s]}"; done
for s in "${SITES[@]}"; do wait "${APID[$s]}" 2>/dev/null || true; rm -f "$RUN/agent-$s/agent.sock"; done
"$B/fedreg-aggregator" --listen "127.0.0.1:$PORT" --data-dir "$RUN/centre" --ca "$P/ca.pem" --cert "$P/aggregator.pem" \
  --key "$P/aggregator.key" --metrics-listen "127.0.0.1:$((PORT + 1))" --min-free-mb 64 2>"$RUN/aggregator.log" &
AGG=$!
PIDS+=($AGG)
for _ in $(seq 1 500); do curl -sf "127.0.0.1:$((PORT + 1))/metrics" >/dev/null && break; sleep 0.02; done
IDLE_AGG_RSS=$(rss $AGG)
TT_AGG0=$(thread_ticks $AGG)
perf_start drain
start_agents
# The drain counts from here: their opening of the store (replaying the
# import's log: about 0.2 s of CPU each, 1-2 s for all 11 on two cores) is
# left out, like (d)'s cluster start; the few batches a sender may have sent
# before its socket answered (it starts first) are in the drain, uncounted.
t1=$(now)
TT_AGENTS0=$(thread_ticks "${APID[@]}")
wait_drained() {  # one process polling the agents' sockets every 10 ms
  local socks=()
  for s in "$@"; do socks+=("$RUN/agent-$s/agent.sock"); done
  "$B/fedregctl" --timeout 3600 agent wait-drained "${socks[@]}" >/dev/null
}
wait_drained "${SITES[@]}"
t2=$(now)
perf_stop
TT_AGENTS1=$(thread_ticks "${APID[@]}")
TT_AGG1=$(thread_ticks $AGG)
DRAIN_S=$(dt $t1 $t2)
TOTAL=$((SITES_N * CASES))
E2E=$(awk -v n=$TOTAL -v a=$IMPORT_S -v b=$DRAIN_S 'BEGIN { printf "%.0f", n / (a + b) }')
PUSH_RATE=$(awk -v n=$TOTAL -v b=$DRAIN_S 'BEGIN { printf "%.0f", n / b }')
CENTRE_METRICS=$(curl -s "127.0.0.1:$((PORT + 1))/metrics" 2>/dev/null)
BATCH_BYTES=$(awk '/^fedreg_sync_bytes_total/ {print $2}' <<<"$CENTRE_METRICS")
PACKED_BYTES=$(awk '/^fedreg_sync_packed_bytes_total/ {print $2}' <<<"$CENTRE_METRICS")
ROWS_D=("${ROWS[@]}")  # (d)'s row, if any, goes after (a)-(c)
ROWS=()
row "baseline (a) raw mTLS gRPC stream" "$BASE_A records/s"
row "baseline (b) raw RocksDB WriteBatch synced" "$BASE_B records/s"
row "baseline (c) raw durable pipeline (ceiling)" "$BASE_C records/s"
ROWS+=("${ROWS_D[@]}")
row "backfill import ($SITES_N x $CASES, all agents)" "$(awk -v n=$TOTAL -v s=$IMPORT_S -v by=$EXPORT_BYTES 'BEGIN { printf "%.0f cases/s, %.1f MB/s of exports (%.1f s)", n/s, by/s/1e6, s }')"
row "backfill push+apply (drain)" "$PUSH_RATE cases/s ($DRAIN_S s)"
row "backfill end to end (import + drain)" "$E2E cases/s = $(awk -v e=$E2E -v c=$BASE_C 'BEGIN { printf "%.0f%%", 100*e/c }') of ceiling (c)"
row "push+apply vs ceiling (c)" "$(awk -v e=$PUSH_RATE -v c=$BASE_C 'BEGIN { printf "%.0f%%", 100*e/c }')"
row "CPU per case: import (agents)" "$(per_case "$TT_IMPORT0" "$TT_IMPORT1" $TOTAL 'rocksdb=^rocksdb')"
row "CPU per case: send (agents, drain)" "$(per_case "$TT_AGENTS0" "$TT_AGENTS1" $TOTAL 'sender=^fedreg-send$' 'acks=^fedreg-acks$' 'rocksdb=^rocksdb')"
row "CPU per case: centre (drain)" "$(per_case "$TT_AGG0" "$TT_AGG1" $TOTAL 'write=^fedreg-(writer|wal-sync)$' 'rocksdb=^rocksdb' 'build+grpc=.')"

# --- catch-up: one hospital with a backlog after an outage ------------------
settle $AGG "${APID[@]}"
kill -TERM $AGG; wait $AGG 2>/dev/null || true
"$B/fedregctl" --agent-socket "$RUN/agent-ncch/agent.sock" --timeout 3600 agent import "$(ls "$RUN"/catchup/ncch.*)" >/dev/null
settle "${APID[ncch]}"
"$B/fedreg-aggregator" --listen "127.0.0.1:$PORT" --data-dir "$RUN/centre" --ca "$P/ca.pem" --cert "$P/aggregator.pem" \
  --key "$P/aggregator.key" --metrics-listen "127.0.0.1:$((PORT + 1))" --min-free-mb 64 2>>"$RUN/aggregator.log" &
AGG=$!
PIDS+=($AGG)
t3=$(now)
# Catch-up counts from the agent's reconnection (its backoff after the outage is shown apart).
until "$B/fedregctl" --agent-socket "$RUN/agent-ncch/agent.sock" --json agent status | grep -q '"connected": true'; do sleep 0.02; done
t3c=$(now)
TT_CU_AGG0=$(thread_ticks $AGG) TT_CU_AGENT0=$(thread_ticks "${APID[ncch]}")
perf_start catchup
wait_drained ncch
t4=$(now)
perf_stop
TT_CU_AGG1=$(thread_ticks $AGG) TT_CU_AGENT1=$(thread_ticks "${APID[ncch]}")
CATCHUP_S=$(dt $t3c $t4)
row "catch-up of $CATCHUP changes (one hospital)" "$CATCHUP_S s after reconnecting ($(dt $t3 $t3c) s to reconnect)"
# Two cores: the catch-up is bound by the sum of these (CPU) or by its busiest thread (one stream's handler).
row "CPU per case: catch-up, agent / centre" "$(per_case "$TT_CU_AGENT0" "$TT_CU_AGENT1" "$CATCHUP" 'sender=^fedreg-send$' 'rocksdb=^rocksdb') / $(per_case "$TT_CU_AGG0" "$TT_CU_AGG1" "$CATCHUP" 'write=^fedreg-(writer|wal-sync)$' 'rocksdb=^rocksdb' 'build+grpc=.')"
row "catch-up: busiest thread name, CPU share" "$(busiest "$TT_CU_AGG0" "$TT_CU_AGG1" "$CATCHUP_S")"

# --- trials: the sample trials open during the trickle, so its cases make notices
for f in deploy/trials/*.yaml; do "$B/fedregctl" --server "127.0.0.1:$PORT" --ca "$P/ca.pem" --cert "$P/operator-admin.pem" \
  --key "$P/operator-admin.key" trials add "$f" >/dev/null; done
for _ in $(seq 1 600); do
  "$B/fedregctl" --server "127.0.0.1:$PORT" --ca "$P/ca.pem" --cert "$P/operator-admin.pem" --key "$P/operator-admin.key" \
    trials list --by-site | grep -q ' \*' || break
  sleep 0.1
done
notice_samples() {  # the agent's recent notice latencies (ms), one per line, oldest first
  "$B/fedregctl" --agent-socket "$RUN/agent-$1/agent.sock" --json agent status |
    tr -d ' \n' | sed -n 's/.*"recent_notice_latency_ms":\[\([^]]*\)\].*/\1/p' | tr ',' '\n' | grep -v '^$' || true
}
notice_total() { local t=0; for s in "${SITES[@]}"; do t=$((t + $(notice_samples "$s" | wc -l))); done; echo $t; }
# The background passes' notices reach every hospital first (an agent still
# in its reconnect backoff after the catch-up's outage gets them late): only
# the trickle's own notices are timed.
last=-1
for _ in $(seq 1 120); do now_n=$(notice_total); [ "$now_n" = "$last" ] && break; last=$now_n; sleep 1; done
declare -A NOTICES_BEFORE
for s in "${SITES[@]}"; do NOTICES_BEFORE[$s]=$(notice_samples "$s" | wc -l); done

# --- freshness: a steady trickle while the centre serves queries -----------
settle $AGG "${APID[@]}"
fresh_count() { curl -s "127.0.0.1:$((PORT + 1))/metrics" | awk '/^fedreg_freshness_seconds_count/ {print $2}'; }
FRESH_BEFORE=$(fresh_count)
# "arrival_sum arrival_count freshness_sum freshness_count" (seconds): the split of the trickle's mean.
split_sums() { curl -s "127.0.0.1:$((PORT + 1))/metrics" | awk '/^fedreg_arrival_seconds_sum/ {a=$2} /^fedreg_arrival_seconds_count/ {b=$2}
  /^fedreg_freshness_seconds_sum/ {c=$2} /^fedreg_freshness_seconds_count/ {d=$2} END {print a, b, c, d}'; }
SPLIT_BEFORE=$(split_sums)
# A histogram's cumulative bucket counts, space-separated, from the centre's /metrics.
bucket_counts() { curl -s "127.0.0.1:$((PORT + 1))/metrics" | grep "^$1_bucket" | awk '{print $2}' | tr '\n' ' '; }
before=$(bucket_counts fedreg_freshness_seconds)
arrival_before=$(bucket_counts fedreg_arrival_seconds)
# Split each site's trickle export into 10-row files (header kept for CSV).
split_dir=$RUN/trickle-split
mkdir -p "$split_dir"
for f in "$RUN"/trickle/*; do
  base=$(basename "$f"); site=${base%%.*}; ext=${base##*.}
  if [ "$ext" = csv ]; then
    head -1 "$f" > "$split_dir/h.$site"
    tail -n +2 "$f" | split -l 10 -d -a 5 - "$split_dir/$site-"
    for p in "$split_dir/$site-"*; do cat "$split_dir/h.$site" "$p" > "$p.csv"; rm "$p"; done
  else
    split -l 10 -d -a 5 "$f" "$split_dir/$site-"
    for p in "$split_dir/$site-"*; do [ "${p##*.}" = ndjson ] || mv "$p" "$p.ndjson"; done
  fi
done
# Files interleaved across the sites, then imported at the rate by one driver process.
mapfile -t files < <(ls "$split_dir"/*-*.* | awk -F/ '{ n = $NF; sub(/^[^-]*-/, "", n); print n "\t" $0 }' | sort | cut -f2 | head -n "$FILES")
# The same process queries the national view 5 times a second as an operator meanwhile.
perf_start trickle
echo "bench: $("$B/fedreg_trickle" --run-dir "$RUN" --rate "$RATE" --rows-per-file 10 --server "127.0.0.1:$PORT" --pki "$P" --queries-per-s 5 "${files[@]}")"
wait_drained "${SITES[@]}"
perf_stop
curl -s "127.0.0.1:$((PORT + 1))/metrics" | grep -E '^fedreg_(apply_latency|freshness)_seconds_(bucket|sum|count)' > "$RUN/trickle-histograms.txt"
[ -n "${FEDREG_BENCH_SHOW_HISTOGRAMS:-}" ] && cat "$RUN/trickle-histograms.txt"
after=$(bucket_counts fedreg_freshness_seconds)
arrival_after=$(bucket_counts fedreg_arrival_seconds)
BOUNDS="0.25 0.5 0.75 1 1.5 2 3 5 10 25 100 250 1000 5000 60000 600000 inf"
pct() {  # percentile from the cumulative bucket difference, as "<= bound ms" ($2 $3: other readings)
  awk -v b="${2:-$before}" -v a="${3:-$after}" -v bounds="$BOUNDS" -v q="$1" 'BEGIN {
    n = split(b, B, " "); split(a, A, " "); split(bounds, L, " ");
    total = A[n] - B[n]; if (total <= 0) { print "n/a"; exit }
    for (i = 1; i <= n; i++) if ((A[i] - B[i]) >= q * total) { print "<= " L[i] " ms"; exit } }'
}
row "freshness p50 ($RATE cases/s, import->visible)" "$(pct 0.5)"
row "freshness p99" "$(pct 0.99)"
row "freshness max" "$(pct 1.0)"
# Exact: the trickle's own samples, the last ones of the centre's record of
# recent freshness (`fedregctl sites`).
FRESH_N=$(( $(fresh_count) - FRESH_BEFORE ))
"$B/fedregctl" --server "127.0.0.1:$PORT" --ca "$P/ca.pem" --cert "$P/operator-admin.pem" --key "$P/operator-admin.key" \
  --json sites | tr -d ' \n"' | sed -n 's/.*recent_freshness_us:\[\([^]]*\)\].*/\1/p' | tr ',' '\n' | grep -v '^$' |
  tail -n "$FRESH_N" | awk '{ printf "%.3f\n", $1 / 1000 }' > "$RUN/fedreg-freshness.txt"
FRESH_EXACT=$(exact "$RUN/fedreg-freshness.txt")
row "freshness p50 / p99 / max, exact" "$FRESH_EXACT ($(wc -l < "$RUN/fedreg-freshness.txt") changes)"
# Where the trickle's mean freshness goes: received by the centre (the agent's
# send and the link), then the centre's own part (unpack, build, queue, write).
row "freshness mean: received / visible" "$(echo "$SPLIT_BEFORE $(split_sums)" | awk '{
  n = $6 - $2; m = $8 - $4; if (n <= 0 || m <= 0) { print "n/a"; exit }
  a = ($5 - $1) / n * 1000; f = ($7 - $3) / m * 1000
  printf "%.2f / %.2f ms (the agent and the link %.0f%%, the centre %.0f%%)", a, f, 100 * a / f, 100 * (f - a) / f }')"
row "freshness p50: received / visible" "$(pct 0.5 "$arrival_before" "$arrival_after") / $(pct 0.5)"
# Notice latency: from the centre's apply of a matching case to the notice
# stored at the hospital (exact, over the notices the trickle made).
sleep 1
for s in "${SITES[@]}"; do notice_samples "$s" | tail -n +$((NOTICES_BEFORE[$s] + 1)); done | sort -g > "$RUN/notice-latency.txt"
NN=$(wc -l < "$RUN/notice-latency.txt")
if [ "$NN" -gt 0 ]; then
  row "notice latency p50 / p99 / max ($NN notices)" "$(exact "$RUN/notice-latency.txt")"
else
  row "notice latency" "n/a (the trickle made no notice)"
fi

# --- footprint ---------------------------------------------------------------
row "agent RSS idle / with backlog / now" "$IDLE_AGENT_RSS / $AGENT_RSS_BACKLOG / $(rss ${APID[ncch]}) MiB (ncch), CPU $(cpu ${APID[ncch]}) s"
row "aggregator RSS idle / now" "$IDLE_AGG_RSS / $(rss $AGG) MiB, CPU $(cpu $AGG) s since restart"
row "batches: serialized / packed (zstd)" "${BATCH_BYTES:-n/a} / ${PACKED_BYTES:-n/a} bytes"

# --- footprint with many hospitals: one process simulates SWARM of them ------
if [ "$SWARM" -gt 0 ]; then
  t5=$(now)
  for i in $(seq 1 "$SWARM"); do deploy/pki/make-dev-pki.sh "$P" issue site "$(printf sim%04d "$i")" >/dev/null; done
  echo "bench: issued $SWARM hospital certificates in $(dt $t5 "$(now)") s"
  "$B/fedreg_swarm" --server "127.0.0.1:$PORT" --pki "$P" --sites "$SWARM" --batches 5 --cases-per-batch 20 --hold 4 \
    > "$RUN/swarm.out" 2>"$RUN/swarm.err" &
  SWP=$!
  PIDS+=($SWP)
  until grep -q holding "$RUN/swarm.out" || ! kill -0 $SWP 2>/dev/null; do sleep 0.1; done
  sleep 1
  SWARM_RSS=$(rss $AGG)
  SWARM_THREADS=$(awk '/^Threads/ {print $2}' /proc/$AGG/status)
  SWARM_STREAMING=$(curl -s "127.0.0.1:$((PORT + 1))/metrics" | awk '/^fedreg_site_connected/ && $2 == 1 {n++} END {print n + 0}')
  wait $SWP || echo "bench: the swarm reported failures: $(head -3 "$RUN/swarm.err")"
  echo "bench: $(cat "$RUN/swarm.out")"
  row "aggregator with $SWARM hospitals streaming" "$SWARM_RSS MiB RSS ($SWARM_STREAMING streams open incl. the $SITES_N agents, $SWARM_THREADS threads), peak $(awk '/^VmHWM/ { printf "%d", $2 / 1024 }' /proc/$AGG/status) MiB"
fi

# --- trial matching at the centre, in process (bench/matching.cc) ------------
MATCHING=$("$B/fedreg_matching" --cases $((SITES_N * CASES)) --trials-dir deploy/trials --dir "$RUN/matching" --rounds 3)
echo "bench: $MATCHING"
row "backfill with 40 open trials vs none" "$(echo "$MATCHING" | sed -n 's/.*cases\/s without trials, \([0-9]*\) with .* (\([0-9]*%\)); CPU.*/\1 cases\/s, \2 of the rate without trials/p')"
row "a new trial over every stored case" "$(echo "$MATCHING" | sed -n 's/.*a new trial over .* stored cases: \([0-9.]* s\).*/\1/p')"
row "a cohort over every stored case" "$(echo "$MATCHING" | sed -n 's/.*a cohort .* stored cases: \([0-9.]* s\).*/\1/p')"

echo
printf '%-44s %s\n' "SCENARIO" "RESULT"
printf '%s\n' "${ROWS[@]}"
if [ "$PG_ROUNDS" -gt 0 ]; then
  # fedreg beside (d): rates as fedreg/(d) (above 1 is fedreg ahead), the
  # catch-up as time fedreg/(d) (below 1 is fedreg ahead).
  echo
  printf '%-26s %-30s %-30s %s\n' "AGAINST (d)" "PostgreSQL 15 logical repl." "fedreg" "fedreg / (d)"
  printf '%-26s %-30s %-30s %s\n' "backfill, $TOTAL records" "$PG_BACKFILL rows/s" "push+apply $PUSH_RATE cases/s" \
    "$(awk -v a=$PUSH_RATE -v b=$PG_BACKFILL 'BEGIN { printf "%.2fx rate (target >= 1.2x)", a / b }')"
  printf '%-26s %-30s %-30s %s\n' "catch-up of $CATCHUP" "$PG_CATCHUP_S s" "$CATCHUP_S s" \
    "$(awk -v a=$CATCHUP_S -v b=$PG_CATCHUP_S 'BEGIN { printf "%.2fx time (target <= 0.8x)", a / b }')"
  p99() { echo "$1" | awk -F' / ' '{ print $2 + 0 }'; }
  printf '%-26s %-30s %-30s %s\n' "freshness p50/p99/max" "$PG_FRESH" "$FRESH_EXACT" \
    "$(awk -v a="$(p99 "$FRESH_EXACT")" -v b="$(p99 "$PG_FRESH")" 'BEGIN { printf "%.2fx p99 (target p50 < 1 ms, p99 below (d))", a / b }')"
fi
