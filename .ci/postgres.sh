#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the API tests (Debian's packages),
# and print the URL the tests read from MATERIEL_TEST_PG_URL. Idempotent: a server
# already running from an earlier call is reused.
set -euo pipefail
PORT="${MATERIEL_PG_PORT:-54329}"
DATA="${MATERIEL_PG_DATA:-/tmp/materiel-test-pg}"
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
as_pg() { runuser -u postgres -- "$@"; }
if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  rm -rf "$DATA"
  install -d -o postgres -g postgres -m 700 "$DATA"
  as_pg "$BIN/initdb" -D "$DATA" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c max_connections=200" >/dev/null
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c \
    "CREATE ROLE materiel LOGIN CREATEDB PASSWORD 'materiel'" >/dev/null
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c \
    "CREATE DATABASE materiel OWNER materiel" >/dev/null
fi
# Tests drop their databases WITH (FORCE), which must be allowed to end an autovacuum
# worker's connection too (a superuser's): without this role it fails now and then.
as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c \
  "GRANT pg_signal_backend TO materiel" >/dev/null
echo "postgresql+psycopg://materiel:materiel@127.0.0.1:$PORT/materiel"
