#!/usr/bin/env bash
# make test-faults: the fault suite (tests/faults) against the release binaries on the strict
# emulator: a processor killed with -9, restarts, connection resets and a black hole between the
# services and S3/SQS, a permanently unreadable object, SIGTERM mid-work, the bad-input matrix,
# Idempotency-Key. Builds nothing: it needs .build/release (make release) or PIPELINE_BIN_DIR.
# Starts the emulator unless one runs, and stops it again if it started it. Extra arguments go
# to pytest (e.g. scripts/test-faults.sh -k sigterm).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin_dir=${PIPELINE_BIN_DIR:-$root/.build/release}
missing=()
for name in upload-api processor notifier pipeline-setup; do
  [ -x "$bin_dir/$name" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-faults: missing in $bin_dir: ${missing[*]}" >&2
  echo "test-faults: build the release binaries first (make release), or set PIPELINE_BIN_DIR" >&2
  exit 1
fi
scripts/venv.sh || exit 1
. scripts/use-emulator.sh
export PIPELINE_BIN_DIR=$bin_dir
mkdir -p tests/output/faults
# The whole suite unless a test path is given (e.g. tests/faults/test_network.py).
paths=(tests/faults)
for arg in "$@"; do case $arg in tests/*) paths=();; esac; done
"$root/.venv/bin/python" -m pytest -p no:cacheprovider -q -rfE --durations=0 --durations-min=1 "${paths[@]}" "$@"
