"""The upload API's memory under large uploads (part of make bench-upload): N concurrent uploads of
a 40 MiB PNG (a valid header, then filler) against the release binary on the emulator, printing
its peak resident memory (VmHWM from /proc) and the throughput. Uploads stream to S3 in 5 MiB
parts, so the peak should not grow with the body: the goal is at most 100 MB at 8 concurrent."""
from __future__ import annotations

import argparse
import concurrent.futures
import sys
import time
from pathlib import Path

import requests

from pipeline_testing.pngs import png_header
from pipeline_testing.stack import ROOT, Stack


def png(size: int) -> bytes:
    header = png_header(4000, 3000)
    return header + b"\x5a" * (size - len(header))


def status(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mib", type=int, default=40)
    args = parser.parse_args()
    stack = Stack(bin_dir=ROOT / ".build" / "release", upload_port=18581, extra_env={"LOG_LEVEL": "warning"})
    stack.log_dir = ROOT / ".run" / "bench" / "logs"
    stack.setup_resources()
    stack.start("upload-api")
    body = png(args.mib << 20)
    try:
        pid = stack.processes["upload-api"].pid
        idle = status(pid, "VmRSS")

        def upload(n: int) -> int:
            response = requests.post(f"{stack.upload_url}/upload?filename=big-{n}.png", data=body,
                                     headers={"Content-Type": "image/png"}, timeout=300)
            return response.status_code

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            codes = list(pool.map(upload, range(args.concurrency * args.rounds)))
        elapsed = time.monotonic() - started
        peak = status(pid, "VmHWM")
    finally:
        stack.stop()
    count = len(codes)
    errors = sum(code != 202 for code in codes)
    print(f"{'concurrent':>10} {'uploads':>8} {'MiB each':>9} {'idle MB':>8} {'peak MB':>8} {'MiB/s':>7} {'uploads/s':>10} {'errors':>7}")
    print(f"{args.concurrency:>10} {count:>8} {args.mib:>9} {idle:>8.1f} {peak:>8.1f} {count * args.mib / elapsed:>7.1f} "
          f"{count / elapsed:>10.2f} {errors:>7}")
    verdict = "PASS" if peak <= 100 and errors == 0 else "FAIL"
    print(f"{verdict} peak resident memory {peak:.1f} MB (goal <= 100 MB at 8 concurrent {args.mib} MiB uploads), {errors} errors")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
