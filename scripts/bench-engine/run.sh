#!/usr/bin/env bash
# Benchmark of the image engine against the OpenCV reference and a libvips peer, on the photos of
# the shared test data and on generated large-photo classes (>= 8 MP).
#
#   bash scripts/bench-engine/run.sh [--runs N] [--only PATTERNS] [--no-vips]   (`make bench-engine`)
#   bash scripts/bench-engine/run.sh 7                                          (runs, as before)
#
# Builds the processor CLI in release (unless BENCH_CLI names a processor binary to measure as
# it is), makes sure .venv has opencv-python-headless and pyvips, generates the large images into
# .build/bench-images (once; make_images.py), then runs bench.py: the three tools, file in and
# file out, side by side on every image.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
testdata="${TESTDATA_DIR:-$root/tests/data}"
if [ ! -d "$testdata/photos" ]; then
    echo "bench-engine: no photos in $testdata (set TESTDATA_DIR)" >&2
    exit 1
fi

if [ -n "${BENCH_CLI:-}" ]; then
    cli="$BENCH_CLI"
    echo "== measuring $cli as it is (BENCH_CLI; no build)"
else
    echo "== building the processor CLI (release)"
    scripts/swiftpm.sh build services/processor -c release --product processor
    cli="$root/.build/release/processor"
fi

scripts/venv.sh
# The reference (benchmarks only, so not in tests/requirements.txt): the version docs/image-rules.md was checked on.
if ! .venv/bin/python -c 'import cv2, numpy' 2>/dev/null; then
    echo "== installing opencv-python-headless into .venv"
    .venv/bin/pip install --quiet opencv-python-headless==5.0.0.93 numpy==2.4.6
fi
# The libvips peer: pyvips with its prebuilt libvips wheel (no system libvips needed).
if ! .venv/bin/python -c 'import pyvips' 2>/dev/null; then
    echo "== installing pyvips and pyvips-binary (libvips) into .venv"
    .venv/bin/pip install --quiet pyvips==3.2.0 pyvips-binary==8.18.7
fi
# Peak memory of each run comes from GNU time.
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null

# The large-photo classes, generated once (deterministic; regenerated when make_images.py changes).
.venv/bin/python scripts/bench-engine/make_images.py "$testdata/photos" "$root/.build/bench-images"

if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    set -- --runs "$1" "${@:2}"
fi
exec .venv/bin/python scripts/bench-engine/bench.py --cli "$cli" --photos "$testdata/photos" \
    --large "$root/.build/bench-images" "$@"
