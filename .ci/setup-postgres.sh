#!/usr/bin/env bash
# A throwaway PostgreSQL for the cluster tests (the shared journal of tests/MwgActors.Cluster.Tests).
# Idempotent and quiet: installs Debian's postgresql when missing, starts one server of its own on loopback
# (port $MWG_PG_PORT, default 54329, data in $MWG_PG_DIR, default /tmp/mwg-postgres) as the postgres user with
# trust authentication, creates the database named by $1 (default "mwg") and prints its connection string
# (Npgsql form) as the last line of stdout. Everything else goes to stderr. Needs root for the install only.
set -euo pipefail

port="${MWG_PG_PORT:-54329}"
data="${MWG_PG_DIR:-/tmp/mwg-postgres}"
db="${1:-mwg}"
log() { echo "setup-postgres: $*" >&2; }

if [[ ! "$db" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
  log "database name must be lower-case letters, digits and _: '$db'"
  exit 2
fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  log "installing postgresql (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || true
  apt-get install -y -qq --no-install-recommends postgresql >&2
  bin="$(find_bin)"
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  log "no initdb found after installing postgresql"
  exit 1
fi

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  if [ ! -s "$data/PG_VERSION" ]; then
    log "creating a server in $data"
    mkdir -p "$data"
    chown postgres:postgres "$data"
    chmod 700 "$data"
    as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  # Loopback only; fsync off: a test database that need not survive a power loss, and starts fast.
  as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { log "the server did not start; its log:"; tail -n 20 "$data/server.log" >&2; exit 1; }
  log "server started on 127.0.0.1:$port"
fi

psql_() { PGCONNECT_TIMEOUT=10 "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_ -d postgres -c "select 1 from pg_database where datname = '$db'")" != "1" ]; then
  psql_ -d postgres -c "create database \"$db\"" >/dev/null
fi

echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=$db"
