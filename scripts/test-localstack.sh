#!/usr/bin/env bash
# The conformance run (tests/localstack): the release binaries on LocalStack 4.14.0, the emulator
# docker compose runs, started natively here (scripts/localstack/localstack.sh) unless one already
# runs, and stopped again if started here. Builds nothing: it needs .build/release (make release) or
# PIPELINE_BIN_DIR. Extra arguments go to pytest (e.g. -k restart).
#
# S3 and SQS are LocalStack's. Its DynamoDB downloads a JDK and DynamoDB Local at first use, which a
# machine without internet cannot, so the image table and its stream are moto's
# (AWS_ENDPOINT_URL_DYNAMODB, the embedded emulator, started here if it is not running), and every
# client signs with moto's keys, which LocalStack accepts like any others.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin_dir=${PIPELINE_BIN_DIR:-$root/.build/release}
for name in upload-api processor notifier pipeline-setup; do
  [ -x "$bin_dir/$name" ] || { echo "test-localstack: $bin_dir/$name is missing; build the release binaries first (make release)" >&2; exit 1; }
done
scripts/venv.sh || exit 1
started_here=0
moto_here=0
stop_started() {
  [ "$started_here" = 1 ] && scripts/localstack/localstack.sh stop >/dev/null
  [ "$moto_here" = 1 ] && scripts/emulator.sh stop >/dev/null
  return 0
}
trap stop_started EXIT
if ! scripts/localstack/localstack.sh status >/dev/null 2>&1; then
  scripts/localstack/localstack.sh start || exit 1
  started_here=1
fi
if ! scripts/emulator.sh status >/dev/null 2>&1; then
  scripts/emulator.sh start || exit 1
  moto_here=1
fi
set -a; . .run/localstack.env; set +a
moto() { grep "^$1=" .run/emulator.env | cut -d= -f2-; }
AWS_ENDPOINT_URL_DYNAMODB=$(moto AWS_ENDPOINT_URL)
AWS_ACCESS_KEY_ID=$(moto AWS_ACCESS_KEY_ID)
AWS_SECRET_ACCESS_KEY=$(moto AWS_SECRET_ACCESS_KEY)
export AWS_ENDPOINT_URL_DYNAMODB AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export PIPELINE_EMULATOR=localstack PIPELINE_BIN_DIR=$bin_dir
unset AWS_SESSION_TOKEN
mkdir -p tests/output/localstack
"$root/.venv/bin/python" -m pytest -p no:cacheprovider -q -rfE --durations=0 --durations-min=1 tests/localstack "$@"
