#!/usr/bin/env bash
# make bench-upload: wrk posting a real ~100 KB PNG to the upload API on the emulator at 8 and 32
# connections for 10 s each, beside a raw boto3 PutObject + SendMessage loop against the same
# emulator in the same run (the limit the emulator allows). Prints a table.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export SWIFT_DETERMINISTIC_HASHING=1
seconds=${BENCH_SECONDS:-10}
port=18091
out="$root/.run/bench"
mkdir -p "$out"

command -v wrk >/dev/null || { echo "installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }
scripts/venv.sh
scripts/swiftpm.sh build shared/Pipeline -c release --product pipeline-setup >"$out/build.log" 2>&1
scripts/swiftpm.sh build services/upload-api -c release --product upload-api >>"$out/build.log" 2>&1

started_emulator=0
scripts/emulator.sh status >/dev/null 2>&1 || { scripts/emulator.sh start; started_emulator=1; }
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ "$started_emulator" = 1 ]; then scripts/emulator.sh stop >/dev/null; fi
}
trap cleanup EXIT
set -a; . .run/emulator.env; set +a
suffix=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
export INPUT_BUCKET="bench-in-$suffix" PROCESSED_BUCKET="bench-out-$suffix"
export INPUT_QUEUE="bench-in-$suffix.fifo" PROCESSED_QUEUE="bench-out-$suffix.fifo"
export IMAGE_TABLE="bench-images-$suffix" OPS_PORT=0
# The benchmark measures the service, not its limits: allowances no run reaches.
export UPLOADS_PER_OWNER_PER_DAY=100000000 UPLOAD_BYTES_PER_OWNER_PER_DAY=1125899906842624 PIXELS_PER_OWNER_PER_DAY=1125899906842624
export MAX_UPLOADS_IN_PROGRESS=100000
.build/release/pipeline-setup >/dev/null
.venv/bin/python -c 'import sys; from pipeline_testing.pngs import noise_png
open(sys.argv[1], "wb").write(noise_png(int(sys.argv[2])))' "$out/bench.png" 100000
HTTP_PORT=$port LOG_LEVEL=warning .build/release/upload-api >"$out/upload-api.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done

printf "\nupload benchmark: %s-byte PNG, %s s per run, emulator %s\n\n" "$(stat -c %s "$out/bench.png")" "$seconds" "$AWS_ENDPOINT_URL"
printf "%-12s %-18s %10s %9s %9s %8s\n" connections client "uploads/s" "p50 ms" "p99 ms" errors
for connections in 8 32; do
  line=$(BENCH_PNG="$out/bench.png" wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency -s scripts/bench/upload.lua \
    "http://127.0.0.1:$port/upload" | grep '^RESULT')
  read -r _ api_rate api_p50 api_p99 api_status api_socket api_count <<<"$line"
  base=$(.venv/bin/python scripts/bench/upload_baseline.py .run/emulator.env "$out/bench.png" "$connections" "$seconds" "$INPUT_BUCKET" "$INPUT_QUEUE")
  read -r base_rate base_p50 base_p99 base_errors < <(.venv/bin/python -c "import json,sys; d=json.loads(sys.argv[1]); print(d['rate'], d['p50_ms'], d['p99_ms'], d['errors'])" "$base")
  printf "%-12s %-18s %10.1f %9.1f %9.1f %8d\n" "$connections" "upload-api (wrk)" "$api_rate" "$api_p50" "$api_p99" "$((api_status + api_socket))"
  printf "%-12s %-18s %10.1f %9.1f %9.1f %8d\n" "$connections" "boto3 put+send" "$base_rate" "$base_p50" "$base_p99" "$base_errors"
  printf "%-12s %-18s %10.2f\n" "$connections" "ratio api/limit" "$(.venv/bin/python -c "print($api_rate / $base_rate)")"
done

printf "\nmemory: concurrent 40 MiB uploads streamed to S3 (peak resident memory of the upload API)\n\n"
scripts/swiftpm.sh build shared/Pipeline -c release >>"$out/build.log" 2>&1
.venv/bin/python scripts/bench/upload_memory.py --concurrency 8 --rounds 2
