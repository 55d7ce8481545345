"""CPU time each service spends per image, for the README's Fargate cost table.

Starts the three binaries (default .build/release) on the emulator with fresh resources, measures
their idle CPU, pushes N photos through the upload API, waits until the notifier shows every one
processed, and reads each process's utime+stime from /proc/PID/stat before and after. CPU per image is
(CPU during the run - idle rate x run time) / N.

    scripts/emulator.sh start
    .venv/bin/python deploy/aws/measure_cpu.py --count 50
"""
from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from stack import Stack  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
PHOTOS = ["kodim02.png", "kodim07.png", "kodim17.png", "kodim23.png"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15 of stat)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--bin-dir", type=Path, default=ROOT / ".build" / "release")
    parser.add_argument("--photos", type=Path, default=next(
        (path for path in (ROOT / "tests" / "data" / "photos", ROOT.parent / "shared" / "testdata" / "photos") if path.is_dir()), None))
    args = parser.parse_args()
    photos = [(name, (args.photos / name).read_bytes()) for name in PHOTOS]

    stack = Stack(bin_dir=args.bin_dir, upload_port=free_port(), notifier_port=free_port(), processor_port=free_port())
    stack.setup_resources()
    names = ("upload-api", "processor", "notifier")
    try:
        stack.start(*names)
        pids = {name: stack.processes[name].pid for name in names}
        time.sleep(2)
        idle_start = {name: cpu_seconds(pid) for name, pid in pids.items()}
        time.sleep(args.idle_seconds)
        idle_rate = {name: (cpu_seconds(pid) - idle_start[name]) / args.idle_seconds for name, pid in pids.items()}

        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        started = time.monotonic()

        def upload(index: int) -> str:
            name, data = photos[index % len(photos)]
            response = requests.post(f"{stack.upload_url}/upload", files={"image": (name, data, "image/png")}, timeout=60)
            response.raise_for_status()
            return response.json()["image_id"]

        with ThreadPoolExecutor(args.concurrency) as pool:
            image_ids = list(pool.map(upload, range(args.count)))
        waiting = set(image_ids)
        deadline = time.monotonic() + 300
        while waiting and time.monotonic() < deadline:
            time.sleep(0.5)
            page = requests.get(f"{stack.notifier_url}/api/images", params={"limit": 500}, timeout=10).json()
            waiting -= {image["image_id"] for image in page["images"] if image["state"] == "processed"}
        elapsed = time.monotonic() - started
        after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        if waiting:
            raise SystemExit(f"{len(waiting)} images not processed in time")
        # The notifier's share includes answering the list polled above twice a second.
        print(f"{args.count} photos ({', '.join(PHOTOS)}), concurrency {args.concurrency}, {elapsed:.1f} s, "
              f"clock tick {1000 / TICKS:.0f} ms, binaries {args.bin_dir}")
        for name in names:
            busy = after[name] - before[name]
            net = busy - idle_rate[name] * elapsed
            print(f"  {name:10s} {busy:6.2f} s CPU in the run, idle {idle_rate[name] * 1000:5.1f} ms/s, "
                  f"{net / args.count * 1000:6.1f} ms CPU per image")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
