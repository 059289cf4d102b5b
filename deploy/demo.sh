#!/usr/bin/env bash
# The 11-hospital demo on loopback, from a fresh Debian 12 machine:
# installs missing packages, builds, makes a development PKI, starts the
# aggregator and one agent per hospital, imports ~5,000 generated cases,
# waits until every backlog is zero, prints the national view, and stops
# every process it started (also on Ctrl-C).
# Usage: deploy/demo.sh [--cases N] [--seed S] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CASES=5000
SEED=42
KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) CASES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $1" >&2; exit 2 ;;
  esac
done

t0=$(date +%s.%N)
deploy/install-deps.sh
deploy/build.sh
t_built=$(date +%s.%N)
BIN=$ROOT/build/bin

if [ -n "$KEEP" ]; then
  RUN=$KEEP
  rm -rf "$RUN"
  mkdir -p "$RUN"
else
  RUN=$(mktemp -d /tmp/fedreg-demo.XXXXXX)
fi
PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ ${#PIDS[@]} -gt 0 ]; then
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    for _ in $(seq 1 100); do
      alive=0
      for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ $alive -eq 0 ] && break
      sleep 0.1
    done
    kill -KILL "${PIDS[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
  fi
  if [ -z "$KEEP" ]; then rm -rf "$RUN"; fi
  exit $rc
}
trap cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT TERM

SITES=(ncch kyoto hokkaido kyushu tohoku ncchd aichi komagome toyama okayama kindai)
echo "== development PKI in $RUN/pki"
deploy/pki/make-dev-pki.sh "$RUN/pki" >/dev/null
PKI=$RUN/pki

echo "== generating $CASES synthetic cases (seed $SEED) for ${#SITES[@]} hospitals"
"$BIN/fedregctl" synth --seed "$SEED" --cases "$CASES" --out "$RUN/exports" | tail -1

echo "== starting the aggregator"
"$BIN/fedreg-aggregator" --listen 127.0.0.1:0 --port-file "$RUN/aggregator.port" --data-dir "$RUN/centre" \
  --ca "$PKI/ca.pem" --cert "$PKI/aggregator.pem" --key "$PKI/aggregator.key" 2>"$RUN/aggregator.log" &
PIDS+=($!)
for _ in $(seq 1 200); do [ -s "$RUN/aggregator.port" ] && break; sleep 0.05; done
[ -s "$RUN/aggregator.port" ] || { echo "demo: aggregator did not start:" >&2; tail -5 "$RUN/aggregator.log" >&2; exit 1; }
PORT=$(cat "$RUN/aggregator.port")
echo "   listening on 127.0.0.1:$PORT (mutual TLS)"

echo "== starting ${#SITES[@]} agents"
for s in "${SITES[@]}"; do
  "$BIN/fedreg-agent" --site "$s" --data-dir "$RUN/agent-$s" --server "127.0.0.1:$PORT" \
    --ca "$PKI/ca.pem" --cert "$PKI/site-$s.pem" --key "$PKI/site-$s.key" \
    --linkage-key "$PKI/linkage.key" 2>"$RUN/agent-$s.log" &
  PIDS+=($!)
done
for s in "${SITES[@]}"; do
  for _ in $(seq 1 200); do [ -S "$RUN/agent-$s/agent.sock" ] && break; sleep 0.05; done
  [ -S "$RUN/agent-$s/agent.sock" ] || { echo "demo: agent $s did not start:" >&2; tail -5 "$RUN/agent-$s.log" >&2; exit 1; }
done

export FEDREG_SERVER=127.0.0.1:$PORT FEDREG_CA=$PKI/ca.pem FEDREG_CERT=$PKI/operator-admin.pem FEDREG_KEY=$PKI/operator-admin.key
t_import=$(date +%s.%N)
echo "== importing each hospital's export through its agent"
for s in "${SITES[@]}"; do
  f=$(ls "$RUN/exports/$s".* | head -1)
  "$BIN/fedregctl" --agent-socket "$RUN/agent-$s/agent.sock" agent import "$f" | grep -v '^quarantined \|^(' | sed "s|$RUN/exports/|   |"
done

echo "== waiting until every backlog is zero"
for _ in $(seq 1 600); do
  pending=0
  for s in "${SITES[@]}"; do
    b=$("$BIN/fedregctl" --agent-socket "$RUN/agent-$s/agent.sock" --json agent status | sed -n 's/.*"backlog": "\{0,1\}\([0-9]*\)"\{0,1\}.*/\1/p')
    [ "$b" = "0" ] || pending=$((pending + 1))
  done
  [ $pending -eq 0 ] && break
  sleep 0.1
done
[ $pending -eq 0 ] || { echo "demo: $pending agents still have a backlog" >&2; exit 1; }
t_synced=$(date +%s.%N)

echo
echo "== fedregctl agent status (each hospital's agent)"
sockets=()
for s in "${SITES[@]}"; do sockets+=("$RUN/agent-$s/agent.sock"); done
"$BIN/fedregctl" agent status "${sockets[@]}"
echo
echo "== fedregctl sites"
"$BIN/fedregctl" sites
echo
echo "== fedregctl stats --verify"
"$BIN/fedregctl" stats --verify
echo
echo "== fedregctl trials add deploy/trials/*.yaml (the sample trials; the centre matches every case against each)"
for f in "$ROOT"/deploy/trials/*.yaml; do "$BIN/fedregctl" trials add "$f" | sed 's/^/   /'; done
# Each trial added starts a background pass over every case; wait for them.
for _ in $(seq 1 600); do
  "$BIN/fedregctl" trials list --by-site | grep -q ' \*' || break
  sleep 0.1
done
echo
echo "== fedregctl trials list"
"$BIN/fedregctl" trials list
echo
echo "== fedregctl trials list --by-site (open matches of each trial at each hospital)"
"$BIN/fedregctl" trials list --by-site
echo
# A hospital with a ROAR (BRAF V600E) notice: its coordinator's view, with the local record number.
NOTICE_SITE=""
for s in "${SITES[@]}"; do
  if "$BIN/fedregctl" --agent-socket "$RUN/agent-$s/agent.sock" --json agent notices --trial ROAR --limit 1 | grep -q '"id"'; then
    NOTICE_SITE=$s; break
  fi
done
[ -n "$NOTICE_SITE" ] || { echo "demo: no hospital received a ROAR notice" >&2; exit 1; }
SOCK=$RUN/agent-$NOTICE_SITE/agent.sock
echo "== at $NOTICE_SITE: fedregctl agent notices --trial ROAR --limit 3 (re-identified at the hospital only)"
"$BIN/fedregctl" --agent-socket "$SOCK" agent notices --trial ROAR --limit 3
NOTICE_ID=$("$BIN/fedregctl" --agent-socket "$SOCK" --json agent notices --trial ROAR --limit 1 |
  sed -n 's/.*"id": "\{0,1\}\([0-9]*\)"\{0,1\},\{0,1\}$/\1/p' | head -1)
echo
echo "== at $NOTICE_SITE: fedregctl agent notices set $NOTICE_ID referred --note '...'"
"$BIN/fedregctl" --agent-socket "$SOCK" agent notices set "$NOTICE_ID" referred --note "referred to the ROAR site team"
"$BIN/fedregctl" --agent-socket "$SOCK" --timeout 60 agent wait-drained >/dev/null
echo
echo "== at the centre: fedregctl trials show ROAR (the referral funnel shows it)"
"$BIN/fedregctl" trials show ROAR
echo
echo "== a sponsor's view of the same funnel (small cells suppressed)"
FEDREG_CERT=$PKI/sponsor-novartis.pem FEDREG_KEY=$PKI/sponsor-novartis.key "$BIN/fedregctl" trials show ROAR | sed -n '/referral funnel/,$p'
echo
echo "== fedregctl cohort --gene BRAF --protein V600 --by site (the same criteria as a trial arm; docs/cohorts.md)"
"$BIN/fedregctl" cohort --gene BRAF --protein V600 --by site
echo
echo "== fedregctl cohort --msi-h --oncotree SOFT_TISSUE --by oncotree (MSI-H sarcomas and their kin)"
"$BIN/fedregctl" cohort --msi-h --oncotree SOFT_TISSUE --by oncotree
echo
echo "== the same, as a sponsor sees it (counts only, small cells suppressed)"
FEDREG_CERT=$PKI/sponsor-novartis.pem FEDREG_KEY=$PKI/sponsor-novartis.key "$BIN/fedregctl" cohort --msi-h --oncotree SOFT_TISSUE --by oncotree
echo
echo "== fedregctl persons --multi-site --limit 3"
"$BIN/fedregctl" persons --multi-site --limit 3
echo
# The report folder outlives the demo (its run directory is removed at exit).
OUT=/tmp/fedreg-demo-report
rm -rf "$OUT"
mkdir -p "$OUT"
PNG=()
if command -v rsvg-convert >/dev/null; then PNG=(--png); fi
echo "== charts for the annual report (docs/charts.md)"
"$BIN/fedregctl" chart registrations --out "$OUT/registrations.svg" "${PNG[@]}"
"$BIN/fedregctl" chart registrations --by site --out "$OUT/registrations-by-site.svg" "${PNG[@]}"
"$BIN/fedregctl" chart alterations --out "$OUT/alterations.svg" "${PNG[@]}"
"$BIN/fedregctl" chart funnel ROAR --out "$OUT/funnel-ROAR.svg" "${PNG[@]}"
echo
echo "== fedregctl export cbioportal $OUT/cbioportal (docs/exports.md), and export ndjson"
"$BIN/fedregctl" export cbioportal "$OUT/cbioportal"
"$BIN/fedregctl" export ndjson "$OUT/cases.ndjson"
echo
echo "== the report folder $OUT"
(cd "$OUT" && find . -type f | sort | sed 's|^\./|   |')
echo
awk -v a="$t0" -v b="$t_built" -v i="$t_import" -v s="$t_synced" \
  'BEGIN { printf "demo: install+build %.1f s, import to every backlog zero %.1f s, total %.1f s\n", b - a, s - i, s - a }'
echo "demo: stopping every process it started"
