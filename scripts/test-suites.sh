#!/usr/bin/env bash
# The Python suites on the debug binaries (.build/debug), with the emulator scripts/test.sh started:
# tests/containers (the compose file and Dockerfiles), tests/api (schemathesis on the OpenAPI
# document), tests/e2e (the pipeline end to end), tests/aws (the AWS template, linted and deployed on
# the emulator) and tests/browser (the page in headless Chromium). Extra arguments go to pytest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p tests/output
for package in shared/Pipeline services/upload-api services/processor services/notifier; do
  scripts/swiftpm.sh build "$package" >tests/output/build.log 2>&1 \
    || { grep -E 'error' tests/output/build.log; exit 1; }
done
suites=(tests/containers tests/api tests/e2e tests/aws)
[ -d tests/browser ] && suites+=(tests/browser)
exec "$root/.venv/bin/python" -m pytest -p no:cacheprovider -q -rs "${suites[@]}" "$@"
