#!/usr/bin/env bash
# Runs a Python benchmark against the release binaries on the emulator:
#   scripts/bench/stack.sh pipeline.py --count 200 --concurrency 8   (make bench-pipeline)
#   scripts/bench/stack.sh notifier.py                               (make bench-notifier)
#   scripts/bench/stack.sh cost.py --count 60                        (make bench-cost)
# Builds the release binaries, starts the emulator unless one runs (and stops it again after).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
script=$1
shift
export SWIFT_DETERMINISTIC_HASHING=1
mkdir -p .run/bench
scripts/venv.sh
for package in shared/Pipeline services/upload-api services/processor services/notifier; do
  scripts/swiftpm.sh build "$package" -c release >>.run/bench/build.log 2>&1 \
    || { echo "release build of $package failed; see .run/bench/build.log" >&2; exit 1; }
done
. scripts/use-emulator.sh
.venv/bin/python "scripts/bench/$script" "$@"
