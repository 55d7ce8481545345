#!/usr/bin/env bash
# make fuzz: libFuzzer on the C engine's entry point (services/processor/Fuzz/fuzz_engine.c), with
# AddressSanitizer and UndefinedBehaviorSanitizer, for a bounded time: FUZZ_SECONDS (default 60).
# The corpus starts from the test data's PNGs (PngSuite and the photos under 1 MB) and grows in
# .build/fuzz/corpus across runs; a crashing input is kept in .build/fuzz/ and named in the output
# (add it to services/processor/Fuzz/regressions once fixed: every run replays those first).
# Needs clang with libFuzzer (the Swift toolchain's), libpng, ISA-L, zlib. Exit status 1 on a finding.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
engine="$root/services/processor/Sources/CImageEngine"
work="$root/.build/fuzz"
seconds=${FUZZ_SECONDS:-60}
mkdir -p "$work/corpus" "$work/seeds"

echo "fuzz: building with libFuzzer, ASan and UBSan"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$engine/include" \
    "$root/services/processor/Fuzz/fuzz_engine.c" "$engine"/*.c -lpng16 -lisal -lz -lm -o "$work/fuzz-engine" 2>"$work/build.log" \
    || { cat "$work/build.log" >&2; exit 1; }
find "$root/tests/data/pngsuite" "$root/tests/data/photos" -name '*.png' -size -1024k -exec cp -n {} "$work/seeds/" \;

# Inputs that once found a fault (services/processor/Fuzz/regressions) run first, each alone.
regressions="$root/services/processor/Fuzz/regressions"
if ! "$work/fuzz-engine" "$regressions"/* >"$work/regressions.log" 2>&1; then
    grep -E 'runtime error|ERROR|SUMMARY' "$work/regressions.log" >&2 || true
    echo "fuzz: a regression input fails again; see ${work#"$root"/}/regressions.log" >&2
    exit 1
fi
echo "fuzz: $(ls "$regressions" | wc -l) regression input(s) pass"

echo "fuzz: $seconds s on $(nproc) core(s); corpus in ${work#"$root"/}/corpus"
cd "$work"
status=0
./fuzz-engine -max_total_time="$seconds" -max_len=1048576 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    corpus seeds >"$work/fuzz.log" 2>&1 || status=$?
grep -E '^(#[0-9]+\s+DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|ERROR|SUMMARY|Test unit written' "$work/fuzz.log" || true
if [ "$status" -ne 0 ]; then
    echo "fuzz: FOUND a failure (exit $status); the full log is ${work#"$root"/}/fuzz.log" >&2
    exit 1
fi
echo "fuzz: no failure in $seconds s; corpus $(ls corpus | wc -l) inputs"
