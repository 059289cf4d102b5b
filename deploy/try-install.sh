#!/usr/bin/env bash
# Installs fedreg from its Debian packages on this (Debian 12) machine and
# runs it end to end, as a hospital and the centre on one host: install-deps,
# package, `apt-get install ./*.deb`, a dev PKI in /etc/fedreg/pki,
# --check-config of both packaged configs, both daemons started as their
# packaged users (under systemd when it is PID 1, else with setpriv and the
# units' ExecStart), one synthetic export dropped into the agent's drop folder,
# waits until the centre shows its cases, then purges the three packages and
# lists what is left. For a throwaway machine or a fresh root
# (../shared/tools/fresh/run.sh . -- deploy/try-install.sh): it changes
# /etc/fedreg and the packages' users and directories.
# Usage (as root): deploy/try-install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "try-install.sh: run as root (it installs packages)" >&2; exit 1; }
step() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }

step "install-deps"
deploy/install-deps.sh
step "package"
deploy/package.sh build-pkg
step "apt-get install ./build-pkg/*.deb"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq ./build-pkg/fedreg-agent_*.deb ./build-pkg/fedreg-aggregator_*.deb ./build-pkg/fedregctl_*.deb
dpkg -l 'fedreg*' | grep '^ii'
getent passwd fedreg-agent fedreg-aggregator
ls -ld /var/lib/fedreg-agent /var/lib/fedreg-aggregator /var/spool/fedreg-agent/drop /etc/fedreg

step "dev PKI in /etc/fedreg/pki"
deploy/pki/make-dev-pki.sh /etc/fedreg/pki >/dev/null
# Each daemon reads its own key (mode 0600, owned by its user); certificates are public.
chmod 0755 /etc/fedreg/pki
chown fedreg-aggregator: /etc/fedreg/pki/aggregator.key
chown fedreg-agent: /etc/fedreg/pki/site-ncch.key /etc/fedreg/pki/linkage.key
# One host plays both roles: the agent dials the local centre.
sed -i 's/^server = .*/server = "127.0.0.1:7443"/' /etc/fedreg/agent.toml

step "--check-config (as the packaged users)"
runuser -u fedreg-aggregator -- fedreg-aggregator --config /etc/fedreg/aggregator.toml --check-config
runuser -u fedreg-agent -- fedreg-agent --config /etc/fedreg/agent.toml --check-config

step "start both daemons"
exec_start() { sed -n 's/^ExecStart=//p' "/lib/systemd/system/$1.service"; }
pids=()
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  systemctl start fedreg-aggregator fedreg-agent
  systemctl --no-pager status fedreg-aggregator fedreg-agent | grep -E 'Active|Status' || true
else
  echo "PID 1 is $(cat /proc/1/comm 2>/dev/null || echo '?'), not systemd: each unit's ExecStart as its user"
  for unit in fedreg-aggregator fedreg-agent; do
    # setpriv execs the daemon itself (runuser would stay as its parent), so $!
    # is the daemon's pid for the SIGHUP and SIGTERM below.
    # shellcheck disable=SC2046 # ExecStart is a plain word list
    setpriv --reuid="$unit" --regid="$unit" --init-groups -- $(exec_start "$unit") >"/tmp/$unit.log" 2>&1 &
    pids+=($!)
    sleep 1
  done
fi

step "one synthetic export into the drop folder"
fedregctl synth --seed 1 --cases 20 --sites ncch --out /tmp/fedreg-synth
ls -l /tmp/fedreg-synth
install -o fedreg-agent -g fedreg-agent -m 0640 /tmp/fedreg-synth/ncch.* /var/spool/fedreg-agent/drop/

step "wait for the cases at the centre (fedregctl sites, operator certificate)"
export FEDREG_SERVER=127.0.0.1:7443 FEDREG_CA=/etc/fedreg/pki/ca.pem
export FEDREG_CERT=/etc/fedreg/pki/operator-admin.pem FEDREG_KEY=/etc/fedreg/pki/operator-admin.key
ok=0
for _ in $(seq 1 60); do
  if out=$(fedregctl sites 2>&1) && grep -Eq '[1-9][0-9]* cases$' <<<"$out"; then
    ok=1
    break
  fi
  sleep 1
done
echo "$out"
fedregctl --agent-socket /var/lib/fedreg-agent/agent.sock agent status || true
ls -R /var/spool/fedreg-agent/drop
if [ "$ok" -ne 1 ]; then
  echo "try-install.sh: the centre shows no cases after 60 s" >&2
  tail -n 30 /tmp/fedreg-*.log 2>/dev/null || journalctl -u fedreg-agent -u fedreg-aggregator --no-pager | tail -n 30
  exit 1
fi

step "SIGHUP reload of the packaged aggregator (log-level info -> debug)"
sed -i 's/^log-level = "info"/log-level = "debug"/' /etc/fedreg/aggregator.toml
if [ ${#pids[@]} -gt 0 ]; then
  kill -HUP "${pids[0]}"
  sleep 1
  grep 'SIGHUP' /tmp/fedreg-aggregator.log
else
  systemctl reload fedreg-aggregator
  journalctl -u fedreg-aggregator --no-pager | grep SIGHUP
fi

step "stop and purge"
if [ ${#pids[@]} -gt 0 ]; then
  kill -TERM "${pids[@]}"
  wait "${pids[@]}" || true
fi
apt-get purge -y -qq fedreg-agent fedreg-aggregator fedregctl
step "what is left"
ls -la /etc/fedreg /var/lib/fedreg-agent /var/lib/fedreg-aggregator /var/spool/fedreg-agent 2>&1 || true
getent passwd fedreg-agent fedreg-aggregator || true
echo "try-install.sh: ok"
