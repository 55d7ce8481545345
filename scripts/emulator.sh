#!/usr/bin/env bash
# The embedded AWS emulator: moto's server on 127.0.0.1:4566 with SigV4 checking on.
#
#   scripts/emulator.sh start   start it (if not running), create an IAM user with an allow-all
#                               policy, write its keys to .run/emulator.env, wait until it answers;
#                               EMULATOR_KEEPALIVE=1: the same moto app on waitress, which keeps
#                               connections open as real AWS does (scripts/emulator_keepalive.py)
#   scripts/emulator.sh stop    stop the server this script started (by PID)
#   scripts/emulator.sh status  say whether it runs
#
# moto lets the first INITIAL_NO_AUTH_ACTION_COUNT requests through unsigned; the bootstrap spends
# exactly those on the IAM user, so every later request must carry a valid signature of its keys
# (a wrong one gets 403 SignatureDoesNotMatch). moto keeps no state across a restart.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/.run"
host=${EMULATOR_HOST:-127.0.0.1}
port=${EMULATOR_PORT:-4566}
pidfile="$run/moto.pid"
logfile="$run/moto.log"
envfile="$run/emulator.env"
mkdir -p "$run"

. "$root/scripts/lib/server.sh"
running() { server_running "$pidfile"; }

answers() { curl -fsS -o /dev/null --max-time 2 "http://$host:$port/moto-api/" 2>/dev/null; }

case "${1:-}" in
start)
  if running; then
    echo "emulator: already running (PID $(cat "$pidfile")) on http://$host:$port"
    exit 0
  fi
  if answers; then
    echo "emulator: something else already answers on $host:$port; stop it first" >&2
    exit 1
  fi
  "$root/scripts/venv.sh"
  # A start that fails half-way leaves nothing running behind.
  trap 'status=$?; if [ $status -ne 0 ]; then running && kill "$(cat "$pidfile")"; rm -f "$pidfile" "$envfile"; fi; exit $status' EXIT
  if [ "${EMULATOR_KEEPALIVE:-0}" = 1 ]; then
    server=(python "$root/scripts/emulator_keepalive.py" "$host" "$port")
  else
    # moto_server itself, with DynamoDB's item writes atomic as DynamoDB's are (emulator_server.py).
    server=(python "$root/scripts/emulator_server.py" -H "$host" -p "$port")
  fi
  INITIAL_NO_AUTH_ACTION_COUNT=3 nohup "$root/.venv/bin/${server[0]}" "${server[@]:1}" >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  server_wait emulator "$pidfile" "$logfile" 100 0.1 answers \
    || { echo "emulator: no answer on $host:$port after 10 s; see $logfile" >&2; exit 1; }
  "$root/.venv/bin/python" "$root/scripts/emulator_bootstrap.py" "http://$host:$port" "$envfile"
  echo "emulator: moto (strict SigV4) on http://$host:$port, PID $(cat "$pidfile"), keys in ${envfile#$root/}, log in ${logfile#$root/}"
  ;;
stop)
  server_stop emulator "$pidfile" "$envfile"
  ;;
status)
  server_status emulator "$pidfile" "http://$host:$port"
  ;;
*)
  echo "usage: $0 start|stop|status" >&2
  exit 2
  ;;
esac
