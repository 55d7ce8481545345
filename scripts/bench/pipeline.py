"""N uploads at a given concurrency through the running stack (release binaries on the emulator),
with 1 and with 3 processors: uploads/s, images processed/s, and the end-to-end latency from the
upload's 202 to the processed object being present (p50/p95)."""
import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from pipeline_testing.stack import BENCH_LIMITS, ROOT, Stack


def run(processors: int, count: int, concurrency: int, png: bytes) -> dict:
    stack = Stack(bin_dir=ROOT / ".build" / "release", upload_port=18181, notifier_port=18180, processor_port=18182,
                  log_dir=ROOT / ".run" / "bench" / "logs", service_env=dict(BENCH_LIMITS))
    stack.setup_resources()
    try:
        stack.start("upload-api")
        for index in range(processors):
            stack.start_extra_processor(index, 18190 + index)
        s3 = stack.client("s3")
        bucket = stack.env["PROCESSED_BUCKET"]
        accepted: dict[str, float] = {}
        lock = threading.Lock()
        session = requests.Session()
        session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=concurrency))

        def upload(index: int) -> None:
            response = session.post(f"{stack.upload_url}/upload", files={"image": (f"b{index}.png", png, "image/png")}, timeout=60)
            response.raise_for_status()
            with lock:
                accepted[response.json()["object_key"]] = time.monotonic()

        seen: dict[str, float] = {}
        stop = threading.Event()

        def watch() -> None:
            paginator = s3.get_paginator("list_objects_v2")
            while not stop.is_set():
                now = time.monotonic()
                for page in paginator.paginate(Bucket=bucket, Prefix="processed_"):
                    for entry in page.get("Contents", []):
                        seen.setdefault(entry["Key"][len("processed_"):], now)
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        try:
            with ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(upload, range(count)))
            uploaded = time.monotonic()
            deadline = uploaded + 300
            while len(set(accepted) & set(seen)) < count and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            watcher.join()
        finished = max(seen[key] for key in accepted if key in seen)
        latencies = sorted(seen[key] - accepted[key] for key in accepted if key in seen)
        return {
            "processors": processors, "count": count, "done": len(latencies),
            "uploads_per_s": count / (uploaded - started),
            "processed_per_s": len(latencies) / (finished - started),
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        }
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--png", default=str(ROOT / "tests/data/photos/kodim23.png"))
    args = parser.parse_args()
    png = Path(args.png).read_bytes()
    print(f"\npipeline benchmark: {args.count} uploads of {Path(args.png).name} ({len(png)} bytes), concurrency {args.concurrency}\n")
    print(f"{'processors':>10} {'uploads/s':>10} {'processed/s':>12} {'p50 ms':>9} {'p95 ms':>9} {'done':>6}")
    for processors in (1, 3):
        r = run(processors, args.count, args.concurrency, png)
        print(f"{r['processors']:>10} {r['uploads_per_s']:>10.1f} {r['processed_per_s']:>12.1f} {r['p50_ms']:>9.0f} {r['p95_ms']:>9.0f} {r['done']:>6}")


if __name__ == "__main__":
    main()
