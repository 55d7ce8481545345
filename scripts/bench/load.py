"""make bench-load: a steady load through the whole stack (release binaries on the emulator).

For SECONDS (60) s, CONCURRENCY (32) clients upload the real photos (mixed, each client cycling
through them) to the upload API, with PROCESSORS (2) processors and the notifier running. Then it
waits (bounded) until every accepted image is processed, and prints uploads/s, errors (must be 0),
how many accepted images ended processed, and each service's resident memory (VmRSS from
/proc/PID/status, sampled every second from start to end) as min / median / max: flat memory
means the services' memory is bounded by their buffers, not by the work done.

Exit status 1 when an upload failed or an accepted image did not end processed in time.
Resources are fresh (a random suffix) and deleted at the end, so the emulator does not grow.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

from benchlib import photos as read_photos, rss_kib
from pipeline_testing.aws import list_keys
from pipeline_testing.notifier import states_by_id
from pipeline_testing.stack import BENCH_LIMITS, ROOT
from pipeline_testing.stacks import StackFactory, find_testdata, free_port


class RSSSampler:
    """Samples VmRSS of each named process every `interval` s, from a thread, until stopped."""

    def __init__(self, pids: dict[str, int], interval: float = 1.0) -> None:
        self.pids = pids
        self.interval = interval
        self.samples: dict[str, list[int]] = {name: [] for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "RSSSampler":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                value = rss_kib(pid)
                if value is not None:
                    self.samples[name].append(value)
            self._stop.wait(self.interval)

    def stop(self) -> dict[str, list[int]]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.samples


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--processors", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=600, help="longest wait for the backlog, s")
    parser.add_argument("--bin-dir", default=str(ROOT / ".build" / "release"))
    args = parser.parse_args()

    testdata = find_testdata()
    if testdata is None:
        print("bench-load: no photos (tests/data/photos or ../shared/testdata/photos)", file=sys.stderr)
        return 1
    photos = read_photos(testdata)
    print(f"\nload benchmark: {args.seconds:.0f} s at {args.concurrency} concurrent uploads of {len(photos)} photos "
          f"({min(len(b) for _, b in photos) // 1024}-{max(len(b) for _, b in photos) // 1024} KiB), "
          f"{args.processors} processors\n")

    factory = StackFactory(Path(args.bin_dir))
    try:
        stack = factory.new(service_env=BENCH_LIMITS)
        stack.log_dir = ROOT / ".run" / "bench" / "logs"
        stack.start("upload-api", "notifier")
        for index in range(args.processors):
            stack.start_extra_processor(index, free_port())
        pids = {name: process.pid for name, process in stack.processes.items()}
        sampler = RSSSampler(pids).start()

        lock = threading.Lock()
        accepted: dict[str, str] = {}  # object key -> image id
        errors: list[str] = []
        latencies: list[float] = []
        stop_at = time.monotonic() + args.seconds

        def client(number: int) -> None:
            session = requests.Session()
            index = number
            while time.monotonic() < stop_at:
                name, body = photos[index % len(photos)]
                index += args.concurrency
                started = time.monotonic()
                try:
                    response = session.post(f"{stack.upload_url}/upload", files={"image": (f"c{number}-{name}", body, "image/png")},
                                            timeout=(5, 60))
                    elapsed = time.monotonic() - started
                    with lock:
                        latencies.append(elapsed)
                        if response.status_code == 202:
                            answer = response.json()
                            accepted[answer["object_key"]] = answer["image_id"]
                        else:
                            errors.append(f"{response.status_code} {response.text[:120]}")
                except requests.RequestException as error:
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}")

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 90)
        upload_seconds = time.monotonic() - started

        # Wait (bounded) for every accepted image's processed object.
        s3 = stack.client("s3")
        bucket = stack.env["PROCESSED_BUCKET"]
        wanted = {f"processed_{key}" for key in accepted}
        deadline = time.monotonic() + args.drain_timeout
        done: set[str] = set()
        while time.monotonic() < deadline:
            done = wanted & set(list_keys(s3, bucket, "processed_"))
            if done == wanted:
                break
            time.sleep(1)
        drained = time.monotonic() - started
        samples = sampler.stop()

        # The notifier agrees.
        notifier_processed = None
        try:
            notifier_processed = sum(1 for state in states_by_id(stack.notifier_url).values() if state == "processed")
        except (requests.RequestException, ValueError, KeyError):
            pass

        total = len(accepted) + len(errors)
        print(f"uploads        {total} in {upload_seconds:.1f} s = {total / upload_seconds:.1f}/s "
              f"(p50 {1000 * statistics.median(latencies):.0f} ms, p95 {1000 * sorted(latencies)[int(0.95 * (len(latencies) - 1))]:.0f} ms)"
              if latencies else "uploads        none")
        print(f"errors         {len(errors)}" + (f"  e.g. {errors[0]}" if errors else ""))
        print(f"processed      {len(done)}/{len(accepted)} accepted ({drained:.0f} s after the start; "
              f"notifier shows {notifier_processed if notifier_processed is not None else '?'} processed)")
        print(f"\n{'RSS MiB':<14} {'min':>7} {'median':>7} {'max':>7} {'last':>7} {'samples':>8}   (every 1 s, load and drain)")
        for name, values in samples.items():
            if values:
                print(f"{name:<14} {min(values) / 1024:>7.1f} {statistics.median(values) / 1024:>7.1f} "
                      f"{max(values) / 1024:>7.1f} {values[-1] / 1024:>7.1f} {len(values):>8}")
        ok = not errors and done == wanted and len(accepted) > 0
        print("\nresult         " + ("OK" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        factory.close()


if __name__ == "__main__":
    sys.exit(main())
