"""Hostile clients: what one signed-in owner (or anyone on the internet) can do to the others.

docs/design.md (Owners and access): limits hold per owner and per task (uploads at once, uploads,
bytes and pixels per day, event streams), each answering 429 or 503 with Retry-After; a body that
stops arriving for 30 s is cut (408) and undone; readiness details and metrics are on an ops port
the load balancer never routes to; every request log line names the client address (as the load
balancer saw it) and the owner. Each case checks the answers it must get, that the services stay
ready with their memory flat, and that nothing accepted is lost.

The stack runs AUTH_MODE=jwt with an issuer of the test's own (bearer tokens per owner) and
TRUSTED_PROXY_HOPS=1, as behind the load balancer; `RoutingProxy` plays the load balancer's
routing from the AWS template's listener rules.
"""
from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from pipeline_testing.aws import list_keys
from pipeline_testing.identity import KeyServer, TestIssuer
from pipeline_testing.load_balancer import RoutingProxy
from pipeline_testing.notifier import EventStream
from pipeline_testing.pngs import noise_png, pixel_bomb, small_png
from pipeline_testing.stacks import StackFactory
from pipeline_testing.uploads import post_image
from pipeline_testing.waiting import wait_until

BODY_IDLE_SECONDS = 30           # the design's figure, not shortened for the test
PER_OWNER_AT_ONCE = 8            # MAX_UPLOADS_IN_PROGRESS_PER_OWNER's default
STREAMS_PER_OWNER = 10           # EVENT_STREAMS_PER_OWNER's default
UPLOADS_PER_DAY = 150            # small enough for the flood to reach it
BOMB_SIDE = 10_000               # 100 megapixels: MAX_PIXELS's default
BOMBS_PER_DAY = 3
MEMORY_SLACK_MB = 64             # "flat": within this of where it was before the case


@pytest.fixture(scope="module")
def hostile(bin_dir):
    with KeyServer() as keys:
        issuer = TestIssuer(keys)
        factory = StackFactory(bin_dir)
        stack = factory.new({
            "AUTH_MODE": "jwt", **issuer.env, "TRUSTED_PROXY_HOPS": "1",
            "UPLOADS_PER_OWNER_PER_DAY": str(UPLOADS_PER_DAY),
            "PIXELS_PER_OWNER_PER_DAY": str(BOMBS_PER_DAY * BOMB_SIDE * BOMB_SIDE),
        })
        stack.start("upload-api", "processor", "notifier")
        try:
            yield stack, issuer
        finally:
            factory.close()


def rss_mb(stack, name: str) -> float:
    text = open(f"/proc/{stack.processes[name].pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def ready(stack, name: str) -> int | None:
    url = {"upload-api": stack.upload_url, "notifier": stack.notifier_url, "processor": stack.processor_url}[name]
    try:
        return requests.get(f"{stack.ops_url(url)}/readyz", timeout=10).status_code
    except requests.RequestException:
        return None


def wait_processed(stack, issuer, owner: str, ids, timeout: float) -> dict[str, str]:
    """Each id's state as its owner's API tells it, polled until all are processed or failed."""
    headers = issuer.headers(owner)
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while True:
        for image_id in ids:
            if states.get(image_id) in ("processed", "failed"):
                continue
            try:
                answer = requests.get(f"{stack.notifier_url}/api/images/{image_id}", headers=headers, timeout=10)
                if answer.ok:
                    states[image_id] = answer.json()["state"]
            except (requests.RequestException, ValueError):
                pass
        if all(states.get(i) in ("processed", "failed") for i in ids) or time.monotonic() > deadline:
            return states
        time.sleep(0.3)


def read_status(sock: socket.socket, timeout: float) -> tuple[int | None, str]:
    """The status code and the first bytes of an answer on a raw socket (None: no answer)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        if b"\r\n\r\n" in data and b"content-length" in data.lower():
            # The JSON body of a refusal is short; read what is there.
            sock.settimeout(2)
            try:
                data += sock.recv(4096)
            except OSError:
                pass
    except OSError:
        pass
    match = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return (int(match.group(1)) if match else None), data.decode("latin-1")


@pytest.mark.case("hostile: 200 slow bodies")
def test_slow_bodies_are_cut_and_undone_while_others_upload(hostile, report):
    stack, issuer = hostile
    token = issuer.token("slowpoke")
    before = rss_mb(stack, "upload-api")
    png = noise_png(7 << 20, seed=3)  # large enough that its first 6 MiB start a multipart upload
    sockets = []
    started = time.monotonic()
    for index in range(200):
        sock = socket.create_connection(("127.0.0.1", stack.upload_port), timeout=10)
        # The first: 6 MiB of a larger body (a multipart upload under way), then nothing; the
        # others: a PNG's first bytes, then nothing.
        body = png[: 6 << 20] if index == 0 else png[:64]
        head = (f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: image/png\r\nContent-Length: {len(png)}\r\n\r\n").encode()
        sock.sendall(head + body)
        sockets.append(sock)
        if index == 0:
            time.sleep(1)  # the first is under way before the rest come
    # Another owner uploads meanwhile, and is served.
    others = [post_image(stack.upload_url, small_png(500 + i), f"other-{i}.png", i, headers=issuer.headers("patient"))
              for i in range(3)]
    ready_meanwhile = ready(stack, "upload-api")
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(lambda sock: (read_status(sock, BODY_IDLE_SECONDS + 20), time.monotonic() - started), sockets))
    for sock in sockets:
        sock.close()
    time.sleep(3)  # the undoing of the cut uploads (an aborted multipart upload) finishes
    statuses = [status for (status, _), _ in answers]
    cut = [(text, seconds) for (status, text), seconds in answers if status == 408]
    refused = [text for (status, text), _ in answers if status == 429]
    problems = []
    if len(cut) != PER_OWNER_AT_ONCE:
        problems.append(f"{len(cut)} bodies cut with 408, want the {PER_OWNER_AT_ONCE} taken at once: statuses {sorted(set(map(str, statuses)))}")
    if any("body_timeout" not in text for text, _ in cut):
        problems.append("a 408 without body_timeout")
    if cut and not all(BODY_IDLE_SECONDS - 1 <= seconds <= BODY_IDLE_SECONDS + 15 for _, seconds in cut):
        problems.append(f"408s after {[round(s) for _, s in cut]} s, want about {BODY_IDLE_SECONDS}")
    if len(refused) != 200 - PER_OWNER_AT_ONCE or any("too_many_uploads_at_once" not in t or "retry-after" not in t.lower() for t in refused):
        problems.append(f"{len(refused)} refused with 429 too_many_uploads_at_once and Retry-After, want {200 - PER_OWNER_AT_ONCE}")
    if any(result.status != 202 for result in others):
        problems.append(f"another owner's uploads meanwhile: {[(r.status, r.body) for r in others]}")
    if ready_meanwhile != 200:
        problems.append(f"/readyz meanwhile: {ready_meanwhile}")
    s3 = stack.client("s3")
    bucket = stack.env["INPUT_BUCKET"]
    stored = list_keys(s3, bucket)
    other_keys = {result.object_key for result in others}
    if set(stored) - other_keys:
        problems.append(f"objects left by cut uploads: {sorted(set(stored) - other_keys)}")
    open_multipart = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    if open_multipart:
        problems.append(f"multipart uploads left open: {[u['Key'] for u in open_multipart]}")
    after = rss_mb(stack, "upload-api")
    if after > before + MEMORY_SLACK_MB:
        problems.append(f"upload-api memory {before:.0f} → {after:.0f} MB")
    if ready(stack, "upload-api") != 200:
        problems.append("the upload API is not ready after the case")
    states = wait_processed(stack, issuer, "patient", [r.image_id for r in others if r.image_id], timeout=60)
    lost = sum(1 for r in others if states.get(r.image_id) != "processed")
    report.add(requests=200 + len(others), held=len(cut) + len(refused) + len(others) - lost, lost=lost,
               note=f"408 {len(cut)}, 429 {len(refused)}; upload-api RSS {before:.0f} → {after:.0f} MB")
    assert not problems, "\n".join(problems)


@pytest.mark.case("hostile: 300 unread event streams")
def test_event_streams_that_never_read(hostile, report):
    stack, issuer = hostile
    token = issuer.token("watcher")
    before = rss_mb(stack, "notifier")
    sockets, statuses = [], []
    for _ in range(300):
        sock = socket.create_connection(("127.0.0.1", stack.notifier_port), timeout=10)
        sock.sendall(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
        sockets.append(sock)
    for sock in sockets:
        # The status line only; the stream itself is never read.
        status, text = read_status(sock, 10)
        statuses.append((status, text))
    accepted = sum(1 for status, _ in statuses if status == 200)
    refused = [text for status, text in statuses if status == 429]
    problems = []
    if accepted != STREAMS_PER_OWNER:
        problems.append(f"{accepted} streams open for one owner, want {STREAMS_PER_OWNER}")
    if len(refused) != 300 - STREAMS_PER_OWNER or any("too_many_streams" not in t or "retry-after" not in t.lower() for t in refused):
        problems.append(f"{len(refused)} refused with 429 too_many_streams and Retry-After, want {300 - STREAMS_PER_OWNER}")
    # Another owner's stream still opens and tells its owner's changes.
    with EventStream(stack.notifier_url, headers=issuer.headers("viewer")) as stream:
        stream.wait_open()
        upload = post_image(stack.upload_url, small_png(900), "seen.png", headers=issuer.headers("viewer"))
        deadline = time.monotonic() + 30
        while "processed" not in stream.states.get(upload.image_id or "", []) and time.monotonic() < deadline:
            time.sleep(0.2)
        if "processed" not in stream.states.get(upload.image_id or "", []):
            problems.append(f"another owner's stream did not tell its upload's processing: {stream.states}")
    if ready(stack, "notifier") != 200:
        problems.append("the notifier is not ready with the streams open")
    during = rss_mb(stack, "notifier")
    for sock in sockets:
        sock.close()
    time.sleep(2)
    after = rss_mb(stack, "notifier")
    if max(during, after) > before + MEMORY_SLACK_MB:
        problems.append(f"notifier memory {before:.0f} → {during:.0f} (streams open) → {after:.0f} MB")
    # Closed streams are given back (noticed at the next write, a heartbeat within 15 s): the
    # owner can open one again.
    deadline = time.monotonic() + 30
    while True:
        with requests.get(f"{stack.notifier_url}/api/events", headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=10) as again:
            if again.status_code == 200 or time.monotonic() > deadline:
                break
        time.sleep(1)
    if again.status_code != 200:
        problems.append(f"the owner's closed streams were not given back: {again.status_code}")
    report.add(requests=301, held=accepted + len(refused) + 1, lost=0,
               note=f"200 {accepted}, 429 {len(refused)}; notifier RSS {before:.0f} → {during:.0f} → {after:.0f} MB")
    assert not problems, "\n".join(problems)


def flood(upload_url: str, headers: dict, seconds: float, workers: int, results) -> None:
    """One owner's flood, in a process of its own at the lowest CPU priority: on this two-core
    machine the attacker's own CPU would otherwise be what slows the other owner, which on the
    internet it is not. Each worker keeps its connection (keep-alive) and sends the next upload as
    soon as the last is answered. Puts {"answers": {(status, error): count}, "accepted": [ids]}."""
    os.nice(19)
    answers: dict = {}
    accepted: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    pngs = [small_png(50_000 + i, side=16) for i in range(64)]

    def worker(index: int) -> None:
        session = requests.Session()
        count = 0
        while time.monotonic() < deadline:
            try:
                answer = session.post(f"{upload_url}/upload", files={"image": (f"f-{index}-{count}.png", pngs[count % 64], "image/png")},
                                      headers=headers, timeout=35)
                body = answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else {}
                key = (answer.status_code, body.get("error"), answer.headers.get("Retry-After") is not None)
                with lock:
                    answers[key] = answers.get(key, 0) + 1
                    if answer.status_code == 202:
                        accepted.append(body["image_id"])
            except (requests.RequestException, ValueError) as error:
                with lock:
                    answers[(None, type(error).__name__, False)] = answers.get((None, type(error).__name__, False), 0) + 1
            count += 1
        session.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"answers": answers, "accepted": accepted})


@pytest.mark.case("hostile: flood from one owner")
def test_a_flood_from_one_owner_leaves_another_owners_uploads_as_fast(hostile, report):
    stack, issuer = hostile
    victim = issuer.headers("victim")
    pngs = [small_png(1000 + i) for i in range(40)]
    victim_ids: list[str] = []

    def timed_upload(index: int) -> float:
        result = post_image(stack.upload_url, pngs[index], f"v-{index}.png", index, headers=victim)
        assert result.status == 202, (result.status, result.body, result.error)
        victim_ids.append(result.image_id)
        return result.elapsed

    for index in range(3):  # warm
        timed_upload(index)
    quiet = [timed_upload(index) for index in range(3, 20)]
    before = rss_mb(stack, "upload-api")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    flood_seconds = 60.0
    flood_headers = issuer.headers("flooder", expires_in=3600)
    flooder = context.Process(target=flood, args=(stack.upload_url, flood_headers, flood_seconds, 16, results))
    flood_started = time.monotonic()
    flooder.start()
    # First the flooder's allowance is taken and its images go through the pipeline (its due: the
    # emulator, one Python process for S3, SQS and DynamoDB, is what slows everyone meanwhile);
    # the other owner is timed once that is done and the flood goes on, refused.
    burst = [timed_upload(index) for index in range(20, 25)]

    def flooders_images_processed() -> bool:
        try:
            page = requests.get(f"{stack.notifier_url}/api/images?limit=500", headers=flood_headers, timeout=10).json()["images"]
        except (requests.RequestException, ValueError, KeyError):
            return False
        return sum(1 for image in page if image["state"] == "processed") >= UPLOADS_PER_DAY

    wait_until(flooders_images_processed, timeout=flood_seconds - 20, interval=1)
    allowance_done = time.monotonic() - flood_started
    loud = [timed_upload(index) for index in range(25, 40)]
    loud_done = time.monotonic() - flood_started
    outcome = results.get(timeout=120)
    flooder.join(timeout=30)
    quiet_p50, loud_p50 = statistics.median(quiet), statistics.median(loud)
    answers: dict = outcome["answers"]
    accepted = outcome["accepted"]
    total = sum(answers.values())
    daily = sum(count for (status, error, retry), count in answers.items() if status == 429 and error == "daily_limit_reached" and retry)
    at_once = sum(count for (status, error, retry), count in answers.items() if status == 429 and error == "too_many_uploads_at_once" and retry)
    other = {key: count for key, count in answers.items() if key[0] not in (202, 429) or (key[0] == 429 and not key[2])}
    problems = []
    if loud_done > flood_seconds:
        problems.append(f"the flood ended ({flood_seconds:.0f} s) before the other owner's uploads were timed ({loud_done:.0f} s)")
    if loud_p50 > 2 * quiet_p50:
        problems.append(f"the other owner's p50 rose from {quiet_p50 * 1000:.1f} to {loud_p50 * 1000:.1f} ms (more than 2×)")
    if len(accepted) != UPLOADS_PER_DAY:
        problems.append(f"the flooder got {len(accepted)} uploads accepted, want its allowance of {UPLOADS_PER_DAY}")
    if not daily:
        problems.append("the flood past the allowance was not refused with 429 daily_limit_reached and Retry-After")
    if other:
        problems.append(f"other answers to the flood: {other}")
    if ready(stack, "upload-api") != 200:
        problems.append("the upload API is not ready after the flood")
    after = rss_mb(stack, "upload-api")
    if after > before + MEMORY_SLACK_MB:
        problems.append(f"upload-api memory {before:.0f} → {after:.0f} MB")
    states = wait_processed(stack, issuer, "victim", victim_ids, timeout=120)
    flood_states = wait_processed(stack, issuer, "flooder", accepted, timeout=180)
    lost = sum(1 for i in victim_ids if states.get(i) != "processed") + sum(1 for i in accepted if flood_states.get(i) != "processed")
    if lost:
        problems.append(f"{lost} accepted uploads not processed")
    report.add(requests=total + len(victim_ids), held=total + len(victim_ids) - lost - sum(other.values()), lost=lost,
               note=f"other owner's p50 quiet {quiet_p50 * 1000:.1f} ms, under the refused flood {loud_p50 * 1000:.1f} ms "
                    f"(while the flooder's {UPLOADS_PER_DAY} went through the emulator: {statistics.median(burst) * 1000:.0f} ms, "
                    f"{allowance_done:.0f} s); flood {total} in {flood_seconds:.0f} s ({total / flood_seconds:.0f}/s): "
                    f"202 {len(accepted)}, 429 day {daily}, 429 at once {at_once}")
    assert not problems, "\n".join(problems)


@pytest.mark.case("hostile: bombs ahead of normal images")
def test_pixel_bombs_queued_ahead_of_another_owners_image(hostile, report):
    stack, issuer = hostile
    bomber = issuer.headers("bomber")
    # The costliest kind to decode (16-bit RGBA, Paeth rows), 100 MP in ~0.8 MB each.
    bombs = [pixel_bomb(BOMB_SIDE, BOMB_SIDE, seed) for seed in range(BOMBS_PER_DAY + 1)]
    # Queued while no processor runs, so that the bombs are ahead of the other owner's image (a
    # graceful stop: a process killed in a long poll would leave what the poll brought invisible).
    stack.stop("processor")
    results = [post_image(stack.upload_url, bomb, f"bomb-{i}.png", i, headers=bomber) for i, bomb in enumerate(bombs)]
    normal = post_image(stack.upload_url, small_png(77), "normal.png", headers=issuer.headers("bystander"))
    accepted = [r for r in results if r.status == 202]
    refused = [r for r in results if r.status == 429 and (r.body or {}).get("error") == "daily_limit_reached"]
    problems = []
    if len(accepted) != BOMBS_PER_DAY or len(refused) != len(bombs) - BOMBS_PER_DAY:
        problems.append(f"bombs: {[(r.status, (r.body or {}).get('error')) for r in results]}, want {BOMBS_PER_DAY} accepted, "
                        "the rest 429 daily_limit_reached (pixels)")
    if any("(pixels)" not in (r.body or {}).get("message", "") for r in refused):
        problems.append("the refusal does not say the pixels are spent")
    if normal.status != 202:
        problems.append(f"the other owner's upload: {normal.status} {normal.body}")
    started = time.monotonic()
    stack.start("processor")
    before = rss_mb(stack, "processor")
    states = wait_processed(stack, issuer, "bystander", [normal.image_id], timeout=180)
    normal_seconds = time.monotonic() - started
    bomb_states = wait_processed(stack, issuer, "bomber", [r.image_id for r in accepted], timeout=300)
    all_seconds = time.monotonic() - started
    if states.get(normal.image_id) != "processed":
        problems.append(f"the other owner's image behind the bombs: {states}")
    lost = sum(1 for r in accepted if bomb_states.get(r.image_id) != "processed") + (states.get(normal.image_id) != "processed")
    processing = []
    for r in accepted:
        record = requests.get(f"{stack.notifier_url}/api/images/{r.image_id}", headers=bomber, timeout=10).json()
        processing.append((record.get("timeline") or {}).get("processing_ms") or 0)
    if ready(stack, "processor") != 200:
        problems.append("the processor is not ready after the bombs")
    after = rss_mb(stack, "processor")
    if after > before + MEMORY_SLACK_MB:
        problems.append(f"processor memory {before:.0f} → {after:.0f} MB")
    report.add(requests=len(results) + 1, held=len(accepted) + len(refused) + 1 - lost, lost=lost,
               note=f"{len(accepted)} bombs of {BOMB_SIDE * BOMB_SIDE // 1_000_000} MP (RGBA 16-bit, {len(bombs[0]) // 1024} KiB) accepted, "
                    f"{len(refused)} refused (pixels); each {min(processing) / 1000:.1f}-{max(processing) / 1000:.1f} s to process; "
                    f"the other owner's image queued behind them processed {normal_seconds:.1f} s after the processor started, "
                    f"all {all_seconds:.1f} s; processor RSS {before:.0f} → {after:.0f} MB")
    assert not problems, "\n".join(problems)


@pytest.mark.case("hostile: ops paths through the load balancer")
def test_readiness_and_metrics_never_reach_the_internet(hostile, report):
    stack, issuer = hostile
    # Each refused: by the balancer's own 404, or by the notifier's (which serves none of them); a
    # path the notifier cannot take (`/api/../metrics`) is 400, nothing more.
    paths = ["/metrics", "/metrics/", "//metrics", "/readyz", "/readyz/", "//readyz", "/%6Detrics", "/./metrics",
             "/api/../metrics", "/METRICS"]
    problems = []
    with RoutingProxy(stack.upload_port, stack.notifier_port) as lb:
        for path in paths:
            # requests would normalise the path; http.client sends it as written.
            connection = http.client.HTTPConnection("127.0.0.1", int(lb.url.rsplit(":", 1)[1]), timeout=10)
            connection.request("GET", path, headers=issuer.headers("curious"))
            answer = connection.getresponse()
            body = answer.read().decode("utf-8", "replace")
            connection.close()
            if answer.status not in (400, 404) or "# HELP" in body or "# TYPE" in body or ("s3" in body and "ready" in body):
                problems.append(f"GET {path} through the load balancer: {answer.status} {body[:80]!r}")
    # Nor on the public ports directly.
    for url in (stack.upload_url, stack.notifier_url):
        for path in ("/metrics", "/readyz"):
            if requests.get(f"{url}{path}", timeout=10).status_code != 404:
                problems.append(f"{url}{path} is served on the public port")
    # The ops ports do serve them.
    for url in (stack.upload_url, stack.notifier_url):
        if "# TYPE" not in requests.get(f"{stack.ops_url(url)}/metrics", timeout=10).text:
            problems.append(f"no metrics on {stack.ops_url(url)}")
    report.add(requests=len(paths) + 6, held=len(paths) + 6 - len(problems), lost=0)
    assert not problems, "\n".join(problems)


@pytest.mark.case("hostile: forged X-Forwarded-For")
def test_a_forged_forwarded_for_is_not_the_client(hostile, report):
    stack, issuer = hostile
    forged = "6.6.6.6"
    with RoutingProxy(stack.upload_port, stack.notifier_port) as lb:
        upload = requests.post(f"{lb.url}/upload", files={"image": ("forged.png", small_png(31), "image/png")},
                               headers={**issuer.headers("forger"), "X-Forwarded-For": forged}, timeout=30)
        listing = requests.get(f"{lb.url}/api/images", headers={**issuer.headers("forger"), "X-Forwarded-For": forged}, timeout=30)
    problems = []
    if upload.status_code != 202 or listing.status_code != 200:
        problems.append(f"through the load balancer: upload {upload.status_code}, list {listing.status_code}")
    time.sleep(1)
    for name in ("upload-api", "notifier"):
        log = (stack.log_dir / f"{name}-{stack.suffix}.log").read_text()
        lines = [line for line in log.splitlines() if f"forwarded_for={forged}, 127.0.0.1" in line]
        if not lines:
            problems.append(f"{name} logged no request with the forged chain")
            continue
        for line in lines:
            client = re.search(r"\bclient=(\S+)", line)
            owner = re.search(r"\bowner=(\S+)", line)
            if not client or client.group(1) != "127.0.0.1":
                problems.append(f"{name} named the client {client and client.group(1)!r}, not the address the load balancer saw: {line}")
            if not owner or owner.group(1) != "forger":
                problems.append(f"{name} did not name the owner: {line}")
    report.add(requests=2, held=2 - len(problems), lost=0)
    assert not problems, "\n".join(problems)
