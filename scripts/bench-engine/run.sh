#!/usr/bin/env bash
# Benchmark of the image engine against the OpenCV reference, on the photos of the shared test data.
#
#   bash scripts/bench-engine/run.sh [runs]      (from the repository root; `make bench-engine`)
#
# Builds the processor CLI in release, makes sure .venv has opencv-python-headless, then runs
# bench.py: both tools, file in and file out, side by side on every photo.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
testdata="$root/tests/data"
if [ ! -d "$testdata/photos" ]; then
    echo "bench-engine: no photos in $testdata (set TESTDATA_DIR)" >&2
    exit 1
fi

echo "== building the processor CLI (release)"
scripts/swiftpm.sh build services/processor -c release --product processor
cli="$root/.build/release/processor"

scripts/venv.sh
# The reference (benchmarks only, so not in tests/requirements.txt): the version IMAGE-RULES.md was checked on.
if ! .venv/bin/python -c 'import cv2, numpy' 2>/dev/null; then
    echo "== installing opencv-python-headless into .venv"
    .venv/bin/pip install --quiet opencv-python-headless==5.0.0.93 numpy==2.4.6
fi
# Peak memory of each run comes from GNU time.
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null

exec .venv/bin/python scripts/bench-engine/bench.py --cli "$cli" --photos "$testdata/photos" --runs "${1:-7}"
