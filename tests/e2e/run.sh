#!/usr/bin/env bash
# The end-to-end and browser tests (pytest), against the services built by `swift test`
# (debug binaries in .build/debug) on the emulator that scripts/test.sh started.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export SWIFT_DETERMINISTIC_HASHING=1
mkdir -p tests/output
for package in shared/AWSClient services/upload-api services/processor services/notifier; do
  swift build --package-path "$package" --scratch-path "$root/.build" >tests/output/build.log 2>&1 \
    || { grep -E 'error' tests/output/build.log; exit 1; }
done
exec "$root/.venv/bin/python" -m pytest -p no:cacheprovider -q -rs tests/e2e "$@"
