#!/usr/bin/env bash
# The conformance run (tests/localstack): the release binaries on LocalStack 4.14.0, the emulator
# docker compose runs, started natively here (scripts/localstack/localstack.sh) unless one already
# runs, and stopped again if started here. Builds nothing: it needs .build/release (make release) or
# PIPELINE_BIN_DIR. Extra arguments go to pytest (e.g. -k restart).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin_dir=${PIPELINE_BIN_DIR:-$root/.build/release}
for name in upload-api processor notifier pipeline-setup; do
  [ -x "$bin_dir/$name" ] || { echo "test-localstack: $bin_dir/$name is missing; build the release binaries first (make release)" >&2; exit 1; }
done
scripts/venv.sh || exit 1
started_here=0
if ! scripts/localstack/localstack.sh status >/dev/null 2>&1; then
  scripts/localstack/localstack.sh start || exit 1
  started_here=1
fi
[ "$started_here" = 1 ] && trap 'scripts/localstack/localstack.sh stop >/dev/null' EXIT
set -a; . .run/localstack.env; set +a
export PIPELINE_EMULATOR=localstack PIPELINE_BIN_DIR=$bin_dir
unset AWS_SESSION_TOKEN
mkdir -p tests/output/localstack
"$root/.venv/bin/python" -m pytest -p no:cacheprovider -q -rfE --durations=0 --durations-min=1 tests/localstack "$@"
