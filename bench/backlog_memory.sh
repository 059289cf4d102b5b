#!/usr/bin/env bash
# The agent's memory with a large backlog (issue 3): imports N changes while
# the centre is unreachable, reports the agent's resident memory with the
# whole backlog queued, then starts the aggregator and reports the peak while
# the backlog drains and the time to drain it.
# Usage: bench/backlog_memory.sh [N]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
deploy/install-deps.sh
deploy/build.sh >/dev/null
RUN=$(mktemp -d /tmp/fedreg-backlog.XXXXXX)
cp -r build/bin "$RUN/bin"  # a private copy: a rebuild during the run cannot disturb it
B=$RUN/bin
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$RUN"; }
trap cleanup EXIT
deploy/pki/make-dev-pki.sh "$RUN/pki" >/dev/null
P=$RUN/pki
"$B/fedregctl" synth --seed 5 --cases "$N" --sites ncch --malformed-rate 0 --out "$RUN/exports" | tail -1
rss() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%d MiB (peak %d MiB)", r/1024, h/1024}' "/proc/$1/status"; }

# The centre's port is reserved but nothing listens yet: the agent queues everything.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 17443)
"$B/fedreg-agent" --site ncch --data-dir "$RUN/agent" --server "127.0.0.1:$PORT" --ca "$P/ca.pem" \
  --cert "$P/site-ncch.pem" --key "$P/site-ncch.key" --linkage-key "$P/linkage.key" 2>"$RUN/agent.log" &
AGENT=$!
PIDS+=($AGENT)
for _ in $(seq 1 100); do [ -S "$RUN/agent/agent.sock" ] && break; sleep 0.05; done
CTL=("$B/fedregctl" --agent-socket "$RUN/agent/agent.sock")
echo "agent at start: $(rss $AGENT)"
t0=$(date +%s.%N)
"${CTL[@]}" --timeout 3600 agent import "$RUN/exports/ncch.csv" | tail -1
t1=$(date +%s.%N)
"${CTL[@]}" agent status
echo "agent with the backlog queued: $(rss $AGENT)   (import took $(awk -v a=$t0 -v b=$t1 'BEGIN{printf "%.1f", b-a}') s)"
du -sh "$RUN/agent/store" | awk '{print "agent store on disk: " $1}'

"$B/fedreg-aggregator" --listen "127.0.0.1:$PORT" --data-dir "$RUN/centre" --ca "$P/ca.pem" \
  --cert "$P/aggregator.pem" --key "$P/aggregator.key" 2>"$RUN/aggregator.log" &
AGG=$!
PIDS+=($AGG)
t2=$(date +%s.%N)
while true; do
  b=$("${CTL[@]}" --json agent status | sed -n 's/.*"backlog": "\{0,1\}\([0-9]*\)"\{0,1\}.*/\1/p')
  [ "$b" = "0" ] && break
  sleep 0.5
done
t3=$(date +%s.%N)
echo "drained $N changes in $(awk -v a=$t2 -v b=$t3 'BEGIN{printf "%.1f", b-a}') s"
echo "agent after draining: $(rss $AGENT)"
echo "aggregator after applying: $(rss $AGG)"
