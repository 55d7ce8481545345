"""make bench-notifier: the notifier's CPU per image with 100, 1,000 and 10,000 objects already in
the buckets. It learns of images from events only (no bucket polling), so the figure should stay
flat; idle CPU (no events) is printed too, since polling would show there first.

For each size: fresh buckets and queues, N objects put in the input bucket (with a processed
object for half of them), the notifier started (it lists the buckets once, at start), then EVENTS
new images sent as a `queued` and a `processed` event each; CPU is utime+stime from /proc.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import sys
import time
import uuid
from pathlib import Path

import requests

from benchlib import cpu_ms
from pipeline_testing.stack import ROOT, Stack

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000")  # a header is enough here


def fill(stack: Stack, count: int) -> None:
    s3 = stack.client("s3")
    env = stack.env

    def put(n: int) -> None:
        image_id = str(uuid.uuid4())
        key = f"{image_id}_photo-{n}.png"
        s3.put_object(Bucket=env["INPUT_BUCKET"], Key=key, Body=PNG, ContentType="image/png")
        if n % 2 == 0:
            s3.put_object(Bucket=env["PROCESSED_BUCKET"], Key=f"processed_{key}", Body=PNG, ContentType="image/png")

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(count)))


def send_events(stack: Stack, count: int) -> list[str]:
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=stack.env["PROCESSED_QUEUE"])["QueueUrl"]
    ids = [str(uuid.uuid4()) for _ in range(count)]
    entries = []
    for image_id in ids:
        key = f"{image_id}_new.png"
        entries.append({"image_id": image_id, "original_key": key, "status": "queued", "size": len(PNG)})
        entries.append({"image_id": image_id, "original_key": key, "processed_key": f"processed_{key}", "status": "processed"})
    for start in range(0, len(entries), 10):
        batch = entries[start:start + 10]
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": json.dumps(body), "MessageGroupId": body["image_id"],
             "MessageDeduplicationId": f"{body['status']}_{body['image_id']}"}
            for n, body in enumerate(batch)
        ])
    return ids


def wait_processed(stack: Stack, ids: list[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    for image_id in ids:
        while True:
            response = requests.get(f"{stack.notifier_url}/api/images/{image_id}", timeout=5)
            if response.ok and response.json().get("state") == "processed":
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{image_id} not processed within {timeout} s")
            time.sleep(0.05)


def measure(count: int, events: int, idle_seconds: float) -> dict:
    stack = Stack(bin_dir=ROOT / ".build" / "release", notifier_port=18180)
    stack.log_dir = ROOT / ".run" / "bench" / "logs"
    stack.setup_resources()
    started = time.monotonic()
    fill(stack, count)
    fill_s = time.monotonic() - started
    stack.start("notifier")
    try:
        pid = stack.processes["notifier"].pid
        # Ready once the start-up rebuild has listed the buckets.
        while requests.get(f"{stack.notifier_url}/api/images?limit=1", timeout=5).json().get("images") == []:
            time.sleep(0.1)
        time.sleep(1)
        idle_start = cpu_ms(pid)
        time.sleep(idle_seconds)
        idle = cpu_ms(pid) - idle_start
        before = cpu_ms(pid)
        ids = send_events(stack, events)
        wait_processed(stack, ids)
        spent = cpu_ms(pid) - before
        rss = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS")).split()[1])
    finally:
        stack.stop()
    return {"objects": count, "fill_s": fill_s, "events": events, "cpu_ms": spent, "per_image_ms": spent / events,
            "idle_ms": idle, "idle_s": idle_seconds, "rss_mb": rss / 1024}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--idle", type=float, default=10)
    args = parser.parse_args()
    rows = [measure(int(size), args.events, args.idle) for size in args.sizes.split(",")]
    print(f"{'objects':>8} {'images':>7} {'CPU ms':>8} {'ms/image':>9} {'idle CPU ms':>12} {'RSS MB':>7}")
    for row in rows:
        print(f"{row['objects']:>8} {row['events']:>7} {row['cpu_ms']:>8.0f} {row['per_image_ms']:>9.2f} "
              f"{row['idle_ms']:>8.0f}/{row['idle_s']:.0f}s {row['rss_mb']:>7.1f}")
    first, last = rows[0]["per_image_ms"], rows[-1]["per_image_ms"]
    print(f"ratio ms/image {rows[-1]['objects']} vs {rows[0]['objects']} objects: {last / first:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
