#!/usr/bin/env bash
# .ci/pg.sh start|stop [STATE_DIR]: a throwaway PostgreSQL for the tests.
#
# `start` prints the URL of a fresh database on a server listening on
# 127.0.0.1 only, on a free port, with its data, socket and logs in STATE_DIR
# (default: $TMPDIR/audit-pg); it is idempotent while the server runs. `stop`
# stops that server and removes STATE_DIR. As root, the server runs as the
# `postgres` user, since initdb refuses root. PostgreSQL is installed with apt
# only when no version is (see docs: shared/notes/storage-and-web.md, section 3).
set -euo pipefail
cmd=${1:?usage: .ci/pg.sh start|stop [STATE_DIR]}
state=${2:-${TMPDIR:-/tmp}/audit-pg}
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $cmd in
start)
  if [ -z "$(pg_bin)" ]; then
    # Install only when missing: after `apt-get update`, an unguarded install
    # would also upgrade an installed postgresql to a newer candidate.
    [ "$(id -u)" = 0 ] || { echo "no PostgreSQL under /usr/lib/postgresql, and not root to install it" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  bin=$(pg_bin)
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then cat "$state/url"; exit 0; fi
  rm -rf "$state"; mkdir -p "$state"; chmod 700 "$state"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$state"; fi
  as_pg "$bin/initdb" -D "$state/data" -U postgres -A trust -E UTF8 --no-sync --no-instructions >"$state/initdb.log"
  port=""
  for p in $(seq 54320 54400); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { port=$p; break; }
  done
  [ -n "$port" ] || { echo "no free port in 54320-54400" >&2; exit 1; }
  # fsync off: a test server holds nothing worth a crash-safe disk.
  as_pg "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port \
    -k $state -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres audit_test
  head -n1 "$state/data/postmaster.pid" >"$state/pid"
  echo "postgres://postgres@127.0.0.1:$port/audit_test" | tee "$state/url" ;;
stop)
  if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    as_pg "$(pg_bin)/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$state" ;;
*) echo "usage: .ci/pg.sh start|stop [STATE_DIR]" >&2; exit 2 ;;
esac
