#!/usr/bin/env bash
# `make run`: the whole pipeline natively, no Docker. Builds the services (release), starts the
# embedded emulator (moto, strict SigV4) on 127.0.0.1:4566, creates buckets and queues, starts the
# services, prints where to look, and on Ctrl-C stops everything it started.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
run="$root/.run"
logs="$run/logs"
lock="$run/run.pid"
mkdir -p "$logs"

# name:package path:executable:port
services=(
  "upload-api:services/upload-api:upload-api:8081"
  "processor:services/processor:processor:8082"
  "notifier:services/notifier:notifier:8080"
)

if [ -f "$lock" ] && kill -0 "$(cat "$lock")" 2>/dev/null; then
  echo "make run: the pipeline is already running (PID $(cat "$lock")); press Ctrl-C in its terminal to stop it." >&2
  exit 1
fi
for entry in "${services[@]}"; do
  port=${entry##*:}
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "make run: port $port is already in use; stop whatever listens there first." >&2
    exit 1
  fi
done
echo $$ >"$lock"

pids=()
started_emulator=0
stop_all() {
  # Runs once, and to the end: a second Ctrl-C (or a TERM) while the services drain, up to 10 s
  # each, would kill this script half-way (services, emulator and lock left behind; make printing
  # "*** [...] Interrupt"). The commands below inherit the ignored signals.
  trap - EXIT
  trap '' INT TERM
  echo
  echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [ "$started_emulator" = 1 ]; then scripts/emulator.sh stop; fi
  rm -f "$lock"
  echo "stopped."
}
trap stop_all EXIT
# Ctrl-C reaches make, this script and what it runs alike. This script must exit 0 then: make
# reports a non-zero status ("*** [...] Error N") or death by the signal ("Interrupt"). make
# itself, after waiting for this script, re-raises the SIGINT on itself, so the shell still sees
# status 130 from `make run` (GNU make does so whatever its recipe returns).
trap 'exit 0' INT TERM

echo "== building (release; the first build takes several minutes)"
scripts/swiftpm.sh build shared/Pipeline -c release --product pipeline-setup >"$logs/build-setup.log" 2>&1 \
  || { echo "build of pipeline-setup failed; see ${logs#$root/}/build-setup.log" >&2; tail -20 "$logs/build-setup.log" >&2; exit 1; }
for entry in "${services[@]}"; do
  IFS=: read -r name package executable port <<<"$entry"
  scripts/swiftpm.sh build "$package" -c release --product "$executable" >"$logs/build-$name.log" 2>&1 \
    || { echo "build of $name failed; see ${logs#$root/}/build-$name.log" >&2; tail -20 "$logs/build-$name.log" >&2; exit 1; }
done
bin="$root/.build/release"

if ! scripts/emulator.sh status >/dev/null 2>&1; then
  scripts/emulator.sh start || exit 1
  started_emulator=1
fi
set -a; . "$run/emulator.env"; set +a
"$bin/pipeline-setup" || exit 1

for entry in "${services[@]}"; do
  IFS=: read -r name package executable port <<<"$entry"
  HTTP_PORT=$port "$bin/$executable" >"$logs/$name.log" 2>&1 &
  pids+=($!)
done
for entry in "${services[@]}"; do
  IFS=: read -r name package executable port <<<"$entry"
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" \
    || { echo "$name did not come up on port $port; see ${logs#$root/}/$name.log" >&2; tail -20 "$logs/$name.log" >&2; exit 1; }
done

cat <<TXT

The pipeline is running.
  page        http://127.0.0.1:8080/     (drop PNGs there)
  upload API  http://127.0.0.1:8081/upload   e.g. curl -F image=@photo.png http://127.0.0.1:8081/upload
  ops ports   http://127.0.0.1:9081/readyz, :9080/metrics, ... (readiness details and metrics; the processor's on :8082)
  emulator    $AWS_ENDPOINT_URL (moto, strict SigV4; keys in .run/emulator.env)
  logs        .run/logs/  (upload-api.log, processor.log, notifier.log), emulator: .run/moto.log
Press Ctrl-C to stop everything.
TXT

# Wait until Ctrl-C, or until a service dies.
while true; do
  for index in "${!pids[@]}"; do
    if ! kill -0 "${pids[$index]}" 2>/dev/null; then
      entry=${services[$index]}
      echo "${entry%%:*} exited; see .run/logs/${entry%%:*}.log" >&2
      exit 1
    fi
  done
  sleep 1
done
