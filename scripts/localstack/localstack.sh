#!/usr/bin/env bash
# LocalStack 4.14.0 (S3 and SQS) natively, no Docker: the emulator docker compose runs, as a second
# opinion beside moto (real SQS's FIFO semantics: a message group waits while one of its messages
# is in flight). Used by the conformance run (scripts/test-localstack.sh, tests/localstack).
#
#   scripts/localstack/localstack.sh install  make .venv-localstack (Python 3.12+, from pyenv) when
#                                             missing or its requirements changed
#   scripts/localstack/localstack.sh start    install, start on 127.0.0.1:4567 (LOCALSTACK_PORT),
#                                             wait until S3 and SQS answer a real call, write the
#                                             settings to .run/localstack.env
#   scripts/localstack/localstack.sh stop     stop the server this script started (by PID)
#   scripts/localstack/localstack.sh status
#
# Each start gets a fresh folder of its own (.run/localstack/): LocalStack's files and its S3 data.
# Its health endpoint says "available" even when every call would fail (as on Python 3.11), so
# only an answered ListBuckets and ListQueues count as up.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/scripts/localstack"
run="$root/.run"
venv="$root/.venv-localstack"
requirements="$here/requirements.txt"
host=127.0.0.1
port=${LOCALSTACK_PORT:-4567}
folder="$run/localstack"
pidfile="$run/localstack.pid"
logfile="$run/localstack.log"
envfile="$run/localstack.env"
mkdir -p "$run"
. "$root/scripts/lib/server.sh"

running() { server_running "$pidfile"; }

# A Python of 3.12 or later: LOCALSTACK_PYTHON, else pyenv's newest 3.13 or 3.12, else python3.13 or
# python3.12 on PATH.
find_python() {
  local candidate
  if [ -n "${LOCALSTACK_PYTHON:-}" ]; then echo "$LOCALSTACK_PYTHON"; return; fi
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in $(ls -d "$(pyenv root)"/versions/3.13* "$(pyenv root)"/versions/3.12* 2>/dev/null | sort -rV); do
      [ -x "$candidate/bin/python3" ] && { echo "$candidate/bin/python3"; return; }
    done
  fi
  for candidate in python3.13 python3.12; do
    command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c '' 2>/dev/null && { command -v "$candidate"; return; }
  done
  return 1
}

install() {
  local stamp="$venv/.requirements.sha256" wanted python
  wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  python=$(find_python) || { echo "localstack: needs Python 3.12 or later (pyenv install 3.13, or set LOCALSTACK_PYTHON)" >&2; return 1; }
  echo "localstack: installing LocalStack 4.14.0 into .venv-localstack with $("$python" --version)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" >"$stamp"
}

answers() {
  "$venv/bin/python" - "http://$host:$port" <<'EOF' >/dev/null 2>&1
import sys, boto3
from botocore.config import Config
settings = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test",
                aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=5, connect_timeout=2))
boto3.client("s3", **settings).list_buckets()
boto3.client("sqs", **settings).list_queues()
EOF
}

case "${1:-}" in
install)
  install
  ;;
start)
  if running; then
    echo "localstack: already running (PID $(cat "$pidfile")) on http://$host:$port"
    exit 0
  fi
  if curl -s -o /dev/null --max-time 2 "http://$host:$port/" 2>/dev/null; then
    echo "localstack: something else already answers on $host:$port; stop it first" >&2
    exit 1
  fi
  install
  rm -rf "$folder"
  mkdir -p "$folder/s3" "$folder/tmp"
  trap 'status=$?; if [ $status -ne 0 ]; then running && kill "$(cat "$pidfile")"; rm -f "$pidfile" "$envfile"; fi; exit $status' EXIT
  # SERVICES: only S3 and SQS; DNS_ADDRESS=0: no DNS server; FILESYSTEM_ROOT and TMPDIR: this run's
  # folder; EAGER_SERVICE_LOADING: the first call does not wait for a service to load.
  (
    cd "$folder"
    GATEWAY_LISTEN="$host:$port" SERVICES=s3,sqs DNS_ADDRESS=0 EAGER_SERVICE_LOADING=1 \
      FILESYSTEM_ROOT="$folder" TMPDIR="$folder/tmp" LOCALSTACK_S3_DIR="$folder/s3" \
      AWS_DEFAULT_REGION=us-east-1 SKIP_SSL_CERT_DOWNLOAD=1 DISABLE_EVENTS=1 \
      nohup "$venv/bin/python" "$here/serve.py" >"$logfile" 2>&1 &
    echo $! >"$pidfile"
  )
  server_wait localstack "$pidfile" "$logfile" 120 0.5 answers \
    || { echo "localstack: S3 and SQS did not answer on $host:$port within 60 s; see $logfile" >&2; exit 1; }
  printf 'AWS_ENDPOINT_URL=http://%s:%s\nAWS_REGION=us-east-1\nAWS_ACCESS_KEY_ID=test\nAWS_SECRET_ACCESS_KEY=test\n' \
    "$host" "$port" >"$envfile"
  echo "localstack: LocalStack 4.14.0 on http://$host:$port, PID $(cat "$pidfile"), settings in ${envfile#$root/}, log in ${logfile#$root/}"
  ;;
stop)
  server_stop localstack "$pidfile" "$envfile"
  ;;
status)
  server_status localstack "$pidfile" "http://$host:$port"
  ;;
*)
  echo "usage: $0 install|start|stop|status" >&2
  exit 2
  ;;
esac
