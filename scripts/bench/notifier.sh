#!/usr/bin/env bash
# make bench-notifier: the notifier's CPU per image with 100 to 10,000 objects in the buckets.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export SWIFT_DETERMINISTIC_HASHING=1
mkdir -p .run/bench
scripts/venv.sh
for package in shared/Pipeline services/notifier; do
  scripts/swiftpm.sh build "$package" -c release >>.run/bench/build.log 2>&1 \
    || { echo "release build of $package failed; see .run/bench/build.log" >&2; exit 1; }
done
started_emulator=0
scripts/emulator.sh status >/dev/null 2>&1 || { scripts/emulator.sh start; started_emulator=1; }
trap 'if [ "$started_emulator" = 1 ]; then scripts/emulator.sh stop >/dev/null; fi' EXIT
.venv/bin/python scripts/bench/notifier.py "$@"
