# Helpers of the scripts that run a server in the background with its PID in a file
# (scripts/emulator.sh, scripts/localstack/localstack.sh). Sourced, not run.

# server_running PIDFILE: whether the process it names is alive.
server_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# server_wait NAME PIDFILE LOGFILE TRIES PAUSE COMMAND...: runs COMMAND until it succeeds, at most
# TRIES times PAUSE seconds apart; fails at once, with the log's tail, if the server exits.
server_wait() {
  local name=$1 pidfile=$2 logfile=$3 tries=$4 pause=$5
  shift 5
  for _ in $(seq 1 "$tries"); do
    "$@" && return 0
    server_running "$pidfile" || { echo "$name: exited; see $logfile" >&2; tail -5 "$logfile" >&2; return 1; }
    sleep "$pause"
  done
  "$@"
}

# server_stop NAME PIDFILE [FILE...]: SIGTERM, up to 10 s, then SIGKILL; removes PIDFILE and FILEs.
server_stop() {
  local name=$1 pidfile=$2 pid
  shift 2
  if server_running "$pidfile"; then
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "$name: stopped (PID $pid)"
  fi
  rm -f "$pidfile" "$@"
}

# server_status NAME PIDFILE URL: says whether it runs; exit status 1 when not.
server_status() {
  if server_running "$2"; then echo "$1: running (PID $(cat "$2")) on $3"; else echo "$1: not running"; return 1; fi
}
