#!/usr/bin/env bash
# Differential test of the image engine: the C engine (CImageEngine) of the working tree against the one of a git
# revision (by default the last commit of the libpng-only engine), in one process, on every PNG of the test data and on thousands of
# damaged and re-encoded variants of each (see diff.c). Compiles C only (gcc -O2), no Swift.
#
#   bash services/processor/EngineDiff/run.sh [-q] [-v] [--base REV] [--sample N] [--sanitize] [EXTRA.png ...]
#
# --sample N takes every Nth distinct file (with all its variants): the short run make test makes.
# --sanitize builds the new engine with AddressSanitizer and UndefinedBehaviorSanitizer: any
# out-of-bounds read or undefined operation on these inputs stops the run with a report.
#
# Inputs: tests/data/pngsuite, tests/data/photos, $SHARED_TESTDATA (default ../shared/testdata beside the checkout,
# skipped when absent; files identical to one already listed are left out), the synthetic files of
# gen-synthetic.py, and any EXTRA files. Exit status 1 on any mismatch.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$root/services/processor/EngineDiff"
# The reference: the last commit whose engine decoded everything with libpng and zlib.
base=721b539708ca4f06becc06974e881298cb245da7
flags=()
extra=()
sanitize=()
sample=1
while [ $# -gt 0 ]; do
    case "$1" in
        -q|-v) flags+=("$1"); shift ;;
        --base) base="$2"; shift 2 ;;
        --sample) sample="$2"; shift 2 ;;
        --sanitize) sanitize=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer); shift ;;
        *) extra+=("$1"); shift ;;
    esac
done

if ! git -C "$root" cat-file -e "$base^{commit}" 2>/dev/null; then
    echo "engine-diff: revision $base is not in this clone (a shallow clone?); fetch the history to run it" >&2
    exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Counts of images the fast decoder accepted and left to libpng.
new_cflags=(-DCPS_DECODE_STATS ${sanitize[@]+"${sanitize[@]}"})
source "$here/build.sh"
gcc "${cflags[@]}" ${sanitize[@]+"${sanitize[@]}"} -I"$root/$engine/include" "$here/diff.c" "$work/old.o" "$work"/new-obj/*.o "${libs[@]}" \
    -o "$work/engine-diff"

python3 "$here/gen-synthetic.py" "$work/synthetic"

# Inputs, each content once.
shared="${SHARED_TESTDATA:-$root/../shared/testdata}"
listed=()
declare -A seen=()
add() {
    local sum
    sum="$(sha256sum "$1" | cut -d' ' -f1)"
    if [ -z "${seen[$sum]:-}" ]; then
        seen[$sum]=1
        listed+=("$1")
    fi
}
total=0
for folder in "$root/tests/data/pngsuite" "$root/tests/data/photos" "$shared" "$work/synthetic"; do
    [ -d "$folder" ] || continue
    while IFS= read -r -d '' file; do
        add "$file"
        total=$((total + 1))
    done < <(find "$folder" -name '*.png' -print0 | sort -z)
done
for file in "${extra[@]}"; do
    add "$file"
    total=$((total + 1))
done
if [ "$sample" -gt 1 ]; then
    sampled=()
    for index in "${!listed[@]}"; do
        [ $((index % sample)) -eq 0 ] && sampled+=("${listed[$index]}")
    done
    echo "engine-diff: a sample of every ${sample}th file: ${#sampled[@]} of ${#listed[@]}"
    listed=("${sampled[@]}")
fi
echo "engine-diff: ${#listed[@]} distinct files ($total found); old engine from $base"
"$work/engine-diff" ${flags[@]+"${flags[@]}"} "${listed[@]}"
