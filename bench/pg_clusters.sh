#!/usr/bin/env bash
# Baseline (d)'s two PostgreSQL 15 clusters for bench/run.sh: a publisher and
# a subscriber made with initdb under DIR (not the system's service), joined
# by logical replication over TLS with client-certificate authentication,
# durable on both sides (fsync, synchronous_commit on; the subscription's
# synchronous_commit on). Certificates come from fedreg's development PKI: the
# servers present aggregator.pem (SAN 127.0.0.1), clients site-ncch.pem, and
# pg_ident maps any CN the CA signed to the role `bench`.
#
#   bench/pg_clusters.sh start DIR PKI PUB_PORT SUB_PORT   # prints the two conninfo strings
#   bench/pg_clusters.sh stop DIR
#
# As root the clusters run as the `postgres` user (initdb refuses root), so
# DIR's parents must be searchable by it.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
PGBIN=/usr/lib/postgresql/15/bin
cmd=$1 dir=$2
as_db_user() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "$cmd" = stop ]; then
  for c in pub sub; do
    [ -f "$dir/$c/postmaster.pid" ] && as_db_user "$PGBIN/pg_ctl" -D "$dir/$c" -m fast -w stop >/dev/null 2>&1 || true
  done
  exit 0
fi
pki=$3 pub_port=$4 sub_port=$5
[ -x "$PGBIN/initdb" ] || { echo "pg_clusters: $PGBIN/initdb missing (apt-get install postgresql-15)" >&2; exit 1; }
mkdir -p "$dir/tls"
cp "$pki/ca.pem" "$pki/aggregator.pem" "$pki/aggregator.key" "$pki/site-ncch.pem" "$pki/site-ncch.key" "$dir/tls/"
chmod 600 "$dir"/tls/*.key
[ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
conninfo() {  # conninfo of the cluster on port $1, as a client with the site certificate
  echo "host=127.0.0.1 port=$1 dbname=bench user=bench sslmode=verify-full sslrootcert=$dir/tls/ca.pem sslcert=$dir/tls/site-ncch.pem sslkey=$dir/tls/site-ncch.key"
}
for c in pub sub; do
  port=$pub_port; [ $c = sub ] && port=$sub_port
  as_db_user "$PGBIN/initdb" -D "$dir/$c" -U postgres --auth-local=trust --no-instructions >"$dir/$c.initdb.log" 2>&1
  cat >> "$dir/$c/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/$c'
fsync = on
synchronous_commit = on
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
max_connections = 40
shared_buffers = 256MB
max_wal_size = 4GB
ssl = on
ssl_cert_file = '$dir/tls/aggregator.pem'
ssl_key_file = '$dir/tls/aggregator.key'
ssl_ca_file = '$dir/tls/ca.pem'
EOF
  cat > "$dir/$c/pg_hba.conf" <<EOF
local all postgres trust
hostssl all bench 127.0.0.1/32 cert map=fedreg
hostssl replication bench 127.0.0.1/32 cert map=fedreg
EOF
  echo 'fedreg /^.*$ bench' > "$dir/$c/pg_ident.conf"
  as_db_user "$PGBIN/pg_ctl" -D "$dir/$c" -l "$dir/$c.log" -w start >/dev/null
  as_db_user "$PGBIN/psql" -h "$dir/$c" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 -d postgres <<EOF
CREATE ROLE bench LOGIN REPLICATION SUPERUSER;
CREATE DATABASE bench OWNER bench;
\c bench
CREATE TABLE cases (site text NOT NULL, case_id text NOT NULL, body bytea NOT NULL, PRIMARY KEY (site, case_id));
ALTER TABLE cases OWNER TO bench;
EOF
done
as_db_user "$PGBIN/psql" -h "$dir/pub" -p "$pub_port" -U postgres -q -v ON_ERROR_STOP=1 -d bench \
  -c "CREATE PUBLICATION fedreg_bench FOR TABLE cases"
as_db_user "$PGBIN/psql" -h "$dir/sub" -p "$sub_port" -U postgres -q -v ON_ERROR_STOP=1 -d bench \
  -c "CREATE SUBSCRIPTION fedreg_bench CONNECTION '$(conninfo "$pub_port")' PUBLICATION fedreg_bench WITH (synchronous_commit = 'on')"
conninfo "$pub_port"
conninfo "$sub_port"
