#!/usr/bin/env bash
# CPU per image of the image engine, old (a git revision: the libpng-only engine by default) and new, and of OpenCV, in one process and
# interleaved (bench_cpu.py, medians), then the peak RSS each needs for the image: peak of a run
# on it minus peak of a run on a 16x16 image. Compiles C only (gcc -O2), no Swift.
#
#   bash services/processor/EngineDiff/bench.sh [--runs N] [--base REV] FILE...
#
# Default files: tests/data/photos. OpenCV comes from .venv (scripts/bench-engine/run.sh installs
# it), or $PYTHON. For perf: engine-bench (bench.c) runs one engine alone.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$root/services/processor/EngineDiff"
# The reference: the last commit whose engine decoded everything with libpng and zlib.
base=721b539708ca4f06becc06974e881298cb245da7
runs=9
files=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --base) base="$2"; shift 2 ;;
        *) files+=("$1"); shift ;;
    esac
done
[ ${#files[@]} -gt 0 ] || files=("$root"/tests/data/photos/*.png)
python="${PYTHON:-$root/.venv/bin/python}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source "$here/build.sh"
gcc -shared -o "$work/libengines.so" "$work/old.o" "$work"/new-obj/*.o "${libs[@]}"
gcc "${cflags[@]}" -I"$root/$engine/include" "$here/bench.c" "$work/old.o" "$work"/new-obj/*.o "${libs[@]}" \
    -o "$work/engine-bench"

echo "== CPU ms per image, median of $runs (binary output, 1 bit, threshold 127)"
"$python" "$here/bench_cpu.py" "$work/libengines.so" "$runs" "${files[@]}"

echo "== peak RSS for the image (KiB above a 16x16 image): OpenCV, old, new; new/OpenCV"
"$python" -c "import cv2, numpy; cv2.imwrite('$work/tiny.png', numpy.full((16, 16, 3), 128, numpy.uint8))"
peak() { /usr/bin/time -f %M "$python" "$here/bench_cpu.py" --peak "$1" "$work/libengines.so" "$2" 2>&1 >/dev/null | tail -1; }
for tool in opencv old new; do
    eval "base_$tool=$(peak $tool "$work/tiny.png")"
done
for file in "${files[@]}"; do
    o=$(( $(peak opencv "$file") - base_opencv ))
    a=$(( $(peak old "$file") - base_old ))
    b=$(( $(peak new "$file") - base_new ))
    printf '%-34s %8d %8d %8d   %.2f\n' "$(basename "$file")" "$o" "$a" "$b" "$(echo "$b / $o" | bc -l)"
done
