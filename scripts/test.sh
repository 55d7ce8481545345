#!/usr/bin/env bash
# Runs every test: each Swift package's unit and integration tests against the strict emulator
# (started here unless one already runs, and stopped again if started here), then the Python
# suites: container checks, API fuzzing, end to end, real browser, the fault suite on the release
# binaries, and the same binaries on LocalStack (the conformance run). Exit status: non-zero when
# anything failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export REQUIRE_EMULATOR=${REQUIRE_EMULATOR:-1}
packages=(shared/AWSClient shared/Pipeline services/upload-api services/processor services/notifier)

scripts/venv.sh || exit 1
. scripts/use-emulator.sh
set -a; . .run/emulator.env; set +a

failed=()
for package in "${packages[@]}"; do
  [ -f "$package/Package.swift" ] || continue
  echo "== swift test $package"
  # Build progress lines and a dependency's packaging warning are noise; the full log stays in .run/.
  scripts/swiftpm.sh test "$package" 2>&1 | tee "$root/.run/test-$(basename "$package").log" \
    | grep -vE '^\[[0-9]+/[0-9]+\]|^warning: .swift-distributed-tracing|^    /.*CMakeLists.txt'
  [ "${PIPESTATUS[0]}" = 0 ] || failed+=("$package")
done

# The C engine against the last libpng-only engine (git history), on every fourth test file and
# its damaged variants; make engine-diff runs all of them.
echo "== engine differential test (a sample)"
bash services/processor/EngineDiff/run.sh -q --sample 4
case $? in
0) ;;
2) echo "engine-diff: skipped, no git history in this clone" ;;
*) failed+=("engine-diff") ;;
esac

echo "== containers, API fuzzing, end to end, AWS template, browser (pytest)"
scripts/test-suites.sh || failed+=("tests (pytest)")

# The fault suite drives the release binaries, as they run in production.
echo "== fault suite (release binaries)"
release_ok=1
for package in shared/Pipeline services/upload-api services/processor services/notifier; do
  scripts/swiftpm.sh build "$package" -c release >"$root/.run/build-release.log" 2>&1 \
    || { grep -E 'error' "$root/.run/build-release.log"; failed+=("release build of $package"); release_ok=0; break; }
done
if [ "$release_ok" = 1 ]; then
  scripts/test-faults.sh || failed+=("tests/faults")
  # The same binaries on LocalStack 4.14.0, the compose emulator (real SQS's FIFO semantics).
  echo "== LocalStack conformance run (release binaries)"
  scripts/test-localstack.sh || failed+=("tests/localstack")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all tests passed"
