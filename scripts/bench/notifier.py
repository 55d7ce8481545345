"""make bench-notifier: the notifier with 0, 10,000, 100,000 and 1,000,000 images already in its
DynamoDB table, seeded directly (BatchWriteItem, not through uploads).

For each size, on fresh resources: the table seeded, the notifier (and the upload API) started, and
measured: start to ready (process spawned → /readyz 200), RSS once warm; p50 of the first page
(GET /api/images?limit=50), of the same query sent straight to the emulator, and of get-by-id (a
random seeded id); and upload to listed, two ways: POST /upload →
the image's first frame on an open event stream (what an open page shows), and → the image first in
a first page read again and again (what a page loaded afterwards shows).
The goals (docs/performance.md): start to ready ≤ 2 s and RSS within +10 MB of the empty table at
every size; first page and upload-to-listed p50 within 1.3× of the empty table at the largest.

The emulator is part of what is measured: moto answers an index query by scanning and sorting the
whole table, so its query time, printed beside the page's, grows with the table where DynamoDB's
does not. Series stop early past --budget seconds (one sample at least), and each waits for the
emulator to finish what earlier requests left it. When seeding a size fails
or takes longer than --seed-limit, the benchmark says where it stopped and why.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import random
import statistics
import sys
import time
import uuid

import requests
from botocore.config import Config

from benchlib import cpu_ms, rss_kib  # cpu_ms: the emulator's, to wait until it is idle
from pipeline_testing.notifier import EventStream
from pipeline_testing.pngs import small_png
from pipeline_testing.stack import BENCH_LIMITS, ROOT, Stack
from pipeline_testing.stacks import free_port
from pipeline_testing.uploads import post_image

BASE = 1_700_000_000.0  # seeded uploads: one a second from here on (2023-11), all before the benchmark's own


def item(index: int) -> dict:
    image_id = str(uuid.UUID(int=random.getrandbits(128), version=4))
    key = f"{image_id}_seed-{index}.png"
    uploaded = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(BASE + index)) + ".000Z"
    return {
        "image_id": {"S": image_id}, "owner": {"S": "local"}, "listing": {"S": "all"}, "filename": {"S": f"seed-{index}.png"},
        "original_key": {"S": key}, "processed_key": {"S": f"processed_{key}"}, "state": {"S": "processed"},
        "state_rank": {"N": "2"}, "uploaded_at": {"S": uploaded}, "updated_at": {"S": uploaded},
        "original_size": {"N": "68"}, "processed_size": {"N": "60"}, "width": {"N": "48"}, "height": {"N": "48"},
    }


def seed(stack: Stack, count: int, limit: float) -> tuple[list[str], float, str | None]:
    """Writes `count` items, 25 a call from 8 threads; returns some of their ids, the time taken,
    and why it stopped short (None when it did not)."""
    dynamodb = stack.client("dynamodb")
    table = stack.env["IMAGE_TABLE"]
    started = time.monotonic()
    sample: list[str] = []

    def write(start: int) -> None:
        batch = [item(index) for index in range(start, min(count, start + 25))]
        if start % 2500 == 0:
            sample.append(batch[0]["image_id"]["S"])
        requests_left = [{"PutRequest": {"Item": entry}} for entry in batch]
        while requests_left:
            answer = dynamodb.batch_write_item(RequestItems={table: requests_left})
            requests_left = answer.get("UnprocessedItems", {}).get(table, [])

    stopped = None
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(write, start) for start in range(0, count, 25)]
        for done, future in enumerate(concurrent.futures.as_completed(futures)):
            try:
                future.result()
            except Exception as error:  # noqa: BLE001 - reported as where it stopped
                stopped = f"a write failed after about {done * 25:,} items: {type(error).__name__}: {error}"
            if stopped is None and time.monotonic() - started > limit:
                stopped = f"seeding passed --seed-limit {limit:.0f} s after about {done * 25:,} items"
            if stopped:
                for pending in futures:
                    pending.cancel()
                break
    return sample, time.monotonic() - started, stopped


def p50_ms(samples: list[float]) -> float | None:
    return statistics.median(samples) * 1000 if samples else None


def sampled(row: dict, label: str, action, want: int, budget_s: float) -> list[float]:
    """Times `action` up to `want` times, fewer once `budget_s` is spent (at least once): on the
    emulator one query of a large table takes seconds. A failure ends the series and is noted in
    the row's problems; either way the emulator is left to finish what it was asked first."""
    samples: list[float] = []
    started = time.monotonic()
    while len(samples) < want and (not samples or time.monotonic() - started < budget_s):
        before = time.perf_counter()
        try:
            action()
        except Exception as error:  # noqa: BLE001 - reported beside the figures
            row["problems"].append(f"{label}: {type(error).__name__}: {str(error)[:160]} after {time.perf_counter() - before:.1f} s")
            break
        samples.append(time.perf_counter() - before)
    wait_for_idle_emulator()
    return samples


def wait_for_idle_emulator(limit_s: float = 900) -> None:
    """Waits until the emulator's CPU use falls below a tenth of a core: a request that timed out
    is still being answered there, and would slow what is measured next."""
    try:
        pid = int((ROOT / ".run" / "moto.pid").read_text().strip())
    except (OSError, ValueError):
        return
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            before = cpu_ms(pid)
            time.sleep(1)
            if cpu_ms(pid) - before < 100:
                return
        except OSError:
            return


def ready(ops_url: str) -> bool:
    try:
        return requests.get(f"{ops_url}/readyz", timeout=30).status_code == 200
    except requests.RequestException:
        return False


def get_ok(url: str) -> requests.Response:
    response = requests.get(url, timeout=300)
    response.raise_for_status()
    return response


def measure(count: int, uploads: int, requests_each: int, seed_limit: float, budget_s: float) -> dict:
    stack = Stack(bin_dir=ROOT / ".build" / "release", notifier_port=free_port(), upload_port=free_port(),
                  service_env=dict(BENCH_LIMITS))
    stack.log_dir = ROOT / ".run" / "bench" / "logs"
    stack.setup_resources()
    sample, seed_s, stopped = seed(stack, count, seed_limit) if count else ([], 0.0, None)
    row = {"images": count, "seed_s": seed_s, "stopped": stopped, "emulator_rss_mb": emulator_rss_mb(), "problems": []}
    if stopped:
        return row
    dynamodb = stack.client("dynamodb")
    # The same query straight to the emulator, waited for however long it takes, tried once.
    patient = stack.client("dynamodb", config=Config(read_timeout=1800, retries={"total_max_attempts": 1}))
    try:
        spawned = time.monotonic()
        stack.start("notifier")
        while not ready(stack.ops_url(stack.notifier_url)):
            if time.monotonic() - spawned > 600:
                raise RuntimeError(f"the notifier was not ready 600 s after its start at {count:,} images")
            time.sleep(0.02)
        row["ready_s"] = time.monotonic() - spawned
        stack.start("upload-api")
        # The same query the notifier makes for a first page, straight to the emulator: what of the
        # page's time is the emulator's.
        query = dict(
            TableName=stack.env["IMAGE_TABLE"], IndexName="owner-uploaded", KeyConditionExpression="#o = :o",
            ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "local"}},
            ScanIndexForward=False, Limit=50)
        row["emulator_query"] = sampled(row, "emulator query", lambda: patient.query(**query), requests_each, budget_s)
        row["page"] = sampled(row, "first page", lambda: get_ok(f"{stack.notifier_url}/api/images?limit=50"), requests_each, budget_s)
        row["by_id"] = sampled(row, "get by id", lambda: get_ok(f"{stack.notifier_url}/api/images/{random.choice(sample)}"),
                               requests_each, budget_s) if sample else []
        # Upload to listed, two ways, in two separate series (a page read again and again would
        # slow the emulator under the stream): the image's first frame on an open event stream
        # (what an open page shows: the table's stream, fanned out), and the image first in a
        # first page read again and again (what a page loaded afterwards shows), only where a
        # first page could be read at all.
        with EventStream(stack.notifier_url) as stream:
            stream.wait_open()
            on_stream = timed_uploads(stack, uploads, budget_s, lambda image_id: image_id in stream.states)
        wait_for_idle_emulator()
        if row["page"]:
            def first_in_page(image_id: str) -> bool:
                first = get_ok(f"{stack.notifier_url}/api/images?limit=1").json()["images"]
                return bool(first) and first[0]["image_id"] == image_id
            try:
                in_page = timed_uploads(stack, uploads, budget_s, first_in_page, first_index=uploads)
            except Exception as error:  # noqa: BLE001 - reported beside the figures
                in_page = []
                row["problems"].append(f"upload→page: {type(error).__name__}: {str(error)[:160]}")
            wait_for_idle_emulator()
        else:
            in_page = []
            row["problems"].append("upload→page: not measured, as the first page could not be read")
        row |= {"rss_mb": (rss_kib(stack.processes["notifier"].pid) or 0) / 1024, "on_stream": on_stream, "in_page": in_page,
                "emulator_rss_mb": emulator_rss_mb()}
    finally:
        stack.stop()
        # A fresh table per size: drop this one so the emulator holds one size at a time.
        try:
            dynamodb.delete_table(TableName=stack.env["IMAGE_TABLE"])
        except Exception:  # noqa: BLE001 - best effort; the emulator's state goes with it anyway
            pass
    return row


def timed_uploads(stack: Stack, uploads: int, budget_s: float, listed, first_index: int = 0) -> list[float]:
    """Seconds from each upload's start until `listed(image_id)` holds, polled every 5 ms; up to
    `uploads` of them, fewer once `budget_s` is spent (at least one)."""
    times: list[float] = []
    started_all = time.monotonic()
    for index in range(first_index, first_index + uploads):
        if times and time.monotonic() - started_all > budget_s:
            break
        # A random pause first: the stream is polled every 500 ms, and an upload sent right after
        # the last one was seen would always wait for the whole interval.
        time.sleep(random.uniform(0, 0.5))
        started = time.perf_counter()
        result = post_image(stack.upload_url, small_png(index), f"bench-{index}.png", index)
        assert result.status == 202, result.body or result.error
        while not listed(result.image_id):
            time.sleep(0.005)
        times.append(time.perf_counter() - started)
    return times


def emulator_rss_mb() -> float | None:
    """The emulator's memory, when it runs here (its pid file from scripts/emulator.sh)."""
    try:
        pid = int((ROOT / ".run" / "moto.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    kib = rss_kib(pid)
    return kib / 1024 if kib else None


def ms(samples: list[float]) -> str:
    """A series' p50 in ms, or – when it has no sample."""
    value = p50_ms(samples)
    return f"{value:.1f}" if value is not None else "–"


HEADER = (f"{'images':>10} {'seed s':>7} {'ready s':>8} {'RSS MB':>7} {'page':>9} {'emulator':>9} {'by id':>7} "
          f"{'upload→stream':>14} {'upload→page':>12} {'emulator MB':>12}")


def print_row(row: dict) -> None:
    """One size's line, with how many samples each figure has and what went wrong, if anything."""
    if row["stopped"]:
        print(f"{row['images']:>10,} {row['seed_s']:>7.0f}  stopped: {row['stopped']}", flush=True)
        return
    print(f"{row['images']:>10,} {row['seed_s']:>7.0f} {row['ready_s']:>8.2f} {row['rss_mb']:>7.1f} {ms(row['page']):>9} "
          f"{ms(row['emulator_query']):>9} {ms(row['by_id']):>7} {ms(row['on_stream']):>14} "
          f"{ms(row['in_page']):>12} {row['emulator_rss_mb'] or 0:>12.0f}")
    counts = ", ".join(f"{label} {len(row[key])}" for label, key in (
        ("page", "page"), ("emulator", "emulator_query"), ("by id", "by_id"), ("upload→stream", "on_stream"), ("upload→page", "in_page")))
    print(f"{'':>10}   samples: {counts}")
    for problem in row["problems"]:
        print(f"{'':>10}   {problem}")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0,10000,100000,1000000")
    parser.add_argument("--uploads", type=int, default=20, help="uploads timed to listed, per size")
    parser.add_argument("--requests", type=int, default=50, help="page, get-by-id and emulator-query requests, per size")
    parser.add_argument("--budget", type=float, default=120, help="seconds each of those series may take (at least one sample)")
    parser.add_argument("--seed-limit", type=float, default=1800, help="seconds a size may take to seed")
    args = parser.parse_args()
    print("p50 in ms; 'emulator': the first page's query sent straight to the emulator; 'emulator MB': its memory after the size's run")
    print(HEADER, flush=True)
    rows = []
    for size in (int(text) for text in args.sizes.split(",")):
        row = measure(size, args.uploads, args.requests, args.seed_limit, args.budget)
        rows.append(row)
        print_row(row)
        if row["stopped"]:
            break
    measured = [row for row in rows if not row["stopped"]]
    if len(measured) > 1:
        empty, largest = measured[0], measured[-1]

        def gap(row: dict) -> str:
            return f"{p50_ms(row['page']) - p50_ms(row['emulator_query']):.1f}" if row["page"] and row["emulator_query"] else "–"

        def ratio(key: str) -> str:
            return f"{p50_ms(largest[key]) / p50_ms(empty[key]):.2f}×" if largest[key] and empty[key] else "– (no samples)"

        print(f"goals: ready ≤ 2 s at every size: {all(row['ready_s'] <= 2 for row in measured)}; "
              f"RSS within +10 MB of the empty table: {all(row['rss_mb'] <= empty['rss_mb'] + 10 for row in measured)}")
        print(f"at {largest['images']:,} against the empty table (goal ≤ 1.3×): first page {ratio('page')}, "
              f"upload→stream {ratio('on_stream')}, upload→page {ratio('in_page')}; the emulator's query "
              f"{ratio('emulator_query')}; the page less that query {gap(empty)} → {gap(largest)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
