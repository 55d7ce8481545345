#!/usr/bin/env bash
# make bench-pipeline [COUNT=200 CONCURRENCY=8]: uploads through the whole stack with 1 and 3 processors.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export SWIFT_DETERMINISTIC_HASHING=1
mkdir -p .run/bench
scripts/venv.sh
for package in shared/Pipeline services/upload-api services/processor services/notifier; do
  scripts/swiftpm.sh build "$package" -c release >>.run/bench/build.log 2>&1 \
    || { echo "release build of $package failed; see .run/bench/build.log" >&2; exit 1; }
done
started_emulator=0
scripts/emulator.sh status >/dev/null 2>&1 || { scripts/emulator.sh start; started_emulator=1; }
trap 'if [ "$started_emulator" = 1 ]; then scripts/emulator.sh stop >/dev/null; fi' EXIT
.venv/bin/python scripts/bench/pipeline.py --count "${COUNT:-200}" --concurrency "${CONCURRENCY:-8}"
