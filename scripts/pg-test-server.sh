#!/usr/bin/env bash
# Start (installing it first if needed) a throw-away PostgreSQL + PostGIS on 127.0.0.1 for the tests.
# Prints the SQLAlchemy URL on stdout. Idempotent: a server already running on the port is reused.
#   PG_PORT (default 54329), PG_DIR (default /tmp/datdai-pg), PG_VERSION (default: newest installed, else 15)
#   PG_DURABLE=1: PostgreSQL's own durability settings (fsync, synchronous commit), for benchmarks;
#   by default the throw-away test server turns them off.
set -euo pipefail
PG_PORT="${PG_PORT:-54329}"
PG_DIR="${PG_DIR:-/tmp/datdai-pg}"
log() { echo "pg-test-server: $*" >&2; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bindir() {
  local v
  v="${PG_VERSION:-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)}"
  [ -n "$v" ] && [ -x "/usr/lib/postgresql/$v/bin/postgres" ] && echo "/usr/lib/postgresql/$v/bin"
}

need_install=0
bindir="$(pg_bindir || true)"
if [ -z "$bindir" ]; then need_install=1; fi
if [ -n "$bindir" ]; then
  v="$(basename "$(dirname "$bindir")")"
  ls "/usr/share/postgresql/$v/extension/postgis.control" >/dev/null 2>&1 || need_install=1
fi
if [ "$need_install" = 1 ]; then
  log "installing PostgreSQL + PostGIS from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  v="${PG_VERSION:-$(apt-cache search --names-only '^postgresql-[0-9]+-postgis-3$' | sed -E 's/^postgresql-([0-9]+)-.*/\1/' | sort -n | tail -n 1)}"
  apt-get install -y -qq "postgresql-$v" "postgresql-$v-postgis-3" >&2
  bindir="/usr/lib/postgresql/$v/bin"
fi

if ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

URL="postgresql+psycopg://datdai:datdai@127.0.0.1:${PG_PORT}/datdai_test"
if "$bindir/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
  log "reusing the server on 127.0.0.1:$PG_PORT"
else
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"; chown postgres: "$PG_DIR"; chmod 700 "$PG_DIR"
    as_postgres "$bindir/initdb" -D "$PG_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >&2
  fi
  opts="-h 127.0.0.1 -p $PG_PORT -k /tmp"
  [ "${PG_DURABLE:-0}" = 1 ] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_postgres "$bindir/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w -o "$opts" start >&2
fi
psql_() { "$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_ -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname='datdai'" | grep -q 1 \
  || psql_ -d postgres -c "CREATE ROLE datdai LOGIN SUPERUSER PASSWORD 'datdai'"
# a clean test database every run: nothing left over from an earlier run can hide a missing migration
psql_ -d postgres -c "DROP DATABASE IF EXISTS datdai_test WITH (FORCE)"
psql_ -d postgres -c "CREATE DATABASE datdai_test OWNER datdai"
echo "$URL"
