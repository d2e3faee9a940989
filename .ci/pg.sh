#!/usr/bin/env bash
# .ci/pg.sh start|tls-url|stop [STATE_DIR]: a throwaway PostgreSQL for the tests.
#
# `start` prints the URL of a fresh database on a server listening on
# 127.0.0.1 only, on a free port, with its data, socket and logs in STATE_DIR
# (default: $TMPDIR/audit-pg); it is idempotent while the server runs. The
# server also speaks TLS, with a certificate for localhost and 127.0.0.1
# signed by a CA made for it, `STATE_DIR/ca.crt`. `tls-url` prints the URL of
# the same database for the role `audit_tls`, which the server accepts over
# TLS only, with `sslmode=verify-full` and that CA: a client that does not
# speak TLS, or falls back to plain TCP, is refused. `stop` stops that server
# and removes STATE_DIR. As root, the server runs as the `postgres` user,
# since initdb refuses root. PostgreSQL and openssl are installed with apt
# only when missing (see docs: shared/notes/storage-and-web.md, section 3).
set -euo pipefail
cmd=${1:?usage: .ci/pg.sh start|tls-url|stop [STATE_DIR]}
state=${2:-${TMPDIR:-/tmp}/audit-pg}
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $cmd in
start)
  missing=""
  [ -n "$(pg_bin)" ] || missing="postgresql"
  command -v openssl >/dev/null || missing="$missing openssl"
  if [ -n "$missing" ]; then
    # Install only what is missing: after `apt-get update`, an unguarded install
    # would also upgrade an installed postgresql to a newer candidate.
    [ "$(id -u)" = 0 ] || { echo "missing:$missing (PostgreSQL under /usr/lib/postgresql), and not root to install it" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086 # one word per package
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null
  fi
  bin=$(pg_bin)
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then cat "$state/url"; exit 0; fi
  rm -rf "$state"; mkdir -p "$state"; chmod 700 "$state"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$state"; fi
  as_pg "$bin/initdb" -D "$state/data" -U postgres -A trust -E UTF8 --no-sync --no-instructions >"$state/initdb.log"
  # A CA, and the server's certificate for the names a test connects to.
  # P-256 keys: quick to make, and what rustls and OpenSSL both verify.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=audit test CA" -keyout "$state/ca.key" -out "$state/ca.crt" 2>"$state/openssl.log"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout "$state/server.key" -out "$state/server.csr" 2>>"$state/openssl.log"
  printf '%s\n' "basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature" \
    "extendedKeyUsage = serverAuth" "subjectAltName = DNS:localhost, IP:127.0.0.1" >"$state/server.ext"
  openssl x509 -req -in "$state/server.csr" -CA "$state/ca.crt" -CAkey "$state/ca.key" -CAcreateserial \
    -days 30 -extfile "$state/server.ext" -out "$state/server.crt" 2>>"$state/openssl.log"
  rm -f "$state/ca.key" "$state/ca.srl" "$state/server.csr" "$state/server.ext"
  # The server refuses a key that others can read, or that is not its own.
  chmod 600 "$state/server.key"; chmod 644 "$state/ca.crt" "$state/server.crt"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$state/server.key" "$state/server.crt"; fi
  # First match wins: `audit_tls` over TLS only, ahead of initdb's trust lines.
  { printf '%s\n' "hostnossl all audit_tls all reject" "hostssl all audit_tls 127.0.0.1/32 trust"
    cat "$state/data/pg_hba.conf"; } >"$state/pg_hba.conf"
  as_pg cp "$state/pg_hba.conf" "$state/data/pg_hba.conf"; rm -f "$state/pg_hba.conf"
  port=""
  for p in $(seq 54320 54400); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { port=$p; break; }
  done
  [ -n "$port" ] || { echo "no free port in 54320-54400" >&2; exit 1; }
  # fsync off: a test server holds nothing worth a crash-safe disk.
  as_pg "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port \
    -k $state -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
    -c ssl=on -c ssl_cert_file=$state/server.crt -c ssl_key_file=$state/server.key" start >/dev/null
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres audit_test
  # CREATEDB and CREATE: the tests make schemas and databases of their own.
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d audit_test -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE audit_tls LOGIN CREATEDB" -c "GRANT CREATE ON DATABASE audit_test TO audit_tls"
  head -n1 "$state/data/postmaster.pid" >"$state/pid"
  echo "postgres://audit_tls@localhost:$port/audit_test?sslmode=verify-full&sslrootcert=$state/ca.crt" >"$state/tls-url"
  echo "postgres://postgres@127.0.0.1:$port/audit_test" | tee "$state/url" ;;
tls-url)
  [ -f "$state/tls-url" ] || { echo "no server started in $state" >&2; exit 1; }
  cat "$state/tls-url" ;;
stop)
  if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    as_pg "$(pg_bin)/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$state" ;;
*) echo "usage: .ci/pg.sh start|tls-url|stop [STATE_DIR]" >&2; exit 2 ;;
esac
