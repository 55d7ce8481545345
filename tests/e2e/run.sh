#!/usr/bin/env bash
# The Python suites (pytest): container-file checks, end to end, and the real-browser test of the
# page, against the services' debug binaries (.build/debug) on the emulator scripts/test.sh started.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mkdir -p tests/output
for package in shared/Pipeline services/upload-api services/processor services/notifier; do
  scripts/swiftpm.sh build "$package" >tests/output/build.log 2>&1 \
    || { grep -E 'error' tests/output/build.log; exit 1; }
done
suites=(tests/containers tests/api tests/e2e tests/aws)
[ -d tests/browser ] && suites+=(tests/browser)
exec "$root/.venv/bin/python" -m pytest -p no:cacheprovider -q -rs "${suites[@]}" "$@"
