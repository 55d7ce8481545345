"""Network faults between every service and S3/SQS, during steady uploads.

The services reach the emulator only through a loopback proxy (AWS_ENDPOINT_URL); the test's
own clients reach it directly. Timeline: pass 3 s, connection resets 10 s, pass 5 s, SendMessage
answers lost 6 s (the messages are queued, their answers reset on the way back), pass 5 s, a 40 s
black hole, pass; uploads run at a few a second throughout and 5 s beyond.

docs/design.md (Upload API): an upload is answered 202, or 503 with Retry-After when S3 or SQS cannot be
reached, never held more than 30 s beyond sending its body, never hung for as long as the outage;
an object stored whose message could not be sent is deleted again, and a 503 (a refusal)
stores and queues nothing, so no image appears that no 202 announced. A send whose answer was
lost is asked again (same deduplication id) until it is answered or the deadline passes; an image
whose message got through only after its 503 ends `failed` (its object deleted), which is
tolerated and noted. Processor: a transient
failure leaves the message for redelivery, so every 202 ends processed. Every service's /readyz
is 200 again by itself once the network is back (and 503, not a hang, during the outage).

The scenario runs once (a module fixture); each test checks one property of it, so the summary
shows which holds.
"""
import threading
import time

import pytest

from pipeline_testing.aws import list_keys
from pipeline_testing.notifier import list_images, wait_for_states
from pipeline_testing.pngs import small_png
from pipeline_testing.proxy import FaultProxy
from pipeline_testing.stack import emulator_environment
from pipeline_testing.stacks import service_url
from pipeline_testing.uploads import SteadyUploader
from pipeline_testing.waiting import readyz, wait_until

RATE = 3.0            # uploads per second
WARMUP = 3.0
RESET = 10.0
BETWEEN = 5.0
LOSE_ANSWERS = 6.0
BLACKHOLE = 40.0
AFTER = 5.0
ANSWER_LIMIT = 30.0   # docs/design.md: never more than 30 s beyond sending the body
SLACK = 1.5           # the body (a few KB on loopback) and the client's own scheduling
READY_WITHIN = 45.0   # /readyz 200 again after the black hole ends
PROCESSED_WITHIN = 120.0


def upstream() -> tuple[str, int]:
    endpoint = emulator_environment()["AWS_ENDPOINT_URL"]
    host, _, port = endpoint.split("://", 1)[1].rstrip("/").partition(":")
    return host, int(port or 80)


@pytest.fixture(scope="module")
def scenario(module_stacks):
    """Runs the timeline once and gathers what every test below checks."""
    with FaultProxy(upstream()) as proxy:
        return run_scenario(module_stacks, proxy)


def run_scenario(module_stacks, proxy):
    # One client (`local`) uploading steadily through an outage: the case is the network's, so the
    # limits on uploads at once (test_hostile_clients.py's) are lifted; a 503 `busy` would pass too.
    stack = module_stacks.new({"AWS_ENDPOINT_URL": proxy.url, "PROCESSOR_VISIBILITY_SECONDS": "6",
                               "MAX_UPLOADS_IN_PROGRESS": "1000", "MAX_UPLOADS_IN_PROGRESS_PER_OWNER": "1000"})
    stack.start("upload-api", "processor", "notifier")
    pngs = [small_png(seed) for seed in range(16)]
    uploader = SteadyUploader(stack.upload_url, RATE, pngs, max_uploads=int(RATE * 90), pool=128,
                              timeout=ANSWER_LIMIT + 15, prefix="net").start()
    timeline = []
    names = ("upload-api", "processor", "notifier")
    ready_after: dict[str, float] = {}
    during: dict[str, tuple[int | None, float]] = {}
    try:
        time.sleep(WARMUP)
        proxy.mode("reset")
        timeline.append(("reset", time.monotonic()))
        time.sleep(RESET)
        proxy.mode("pass")
        timeline.append(("between", time.monotonic()))
        time.sleep(BETWEEN)
        proxy.mode("lose-answers", only=b"AmazonSQS.SendMessage")
        timeline.append(("answers lost", time.monotonic()))
        time.sleep(LOSE_ANSWERS)
        proxy.mode("pass")
        timeline.append(("between 2", time.monotonic()))
        time.sleep(BETWEEN)
        proxy.mode("blackhole")
        blackhole_at = time.monotonic()
        timeline.append(("blackhole", blackhole_at))
        # Half-way through, every /readyz answers 503 (S3 and SQS unreachable), without hanging.
        time.sleep(BLACKHOLE / 2)
        for name in names:
            started = time.monotonic()
            during[name] = (readyz(stack.ops_url(service_url(stack, name)), timeout=5), time.monotonic() - started)
        time.sleep(max(0.0, blackhole_at + BLACKHOLE - time.monotonic()))
    except BaseException:
        uploader.stop(drain_timeout=0)
        raise
    finally:
        proxy.mode("pass")
    healed = time.monotonic()
    timeline.append(("after", healed))

    def watch_readiness():
        """Every service's /readyz from the moment the network is back, until all are 200."""
        while len(ready_after) < len(names) and time.monotonic() < healed + READY_WITHIN:
            for name in names:
                if name not in ready_after and readyz(stack.ops_url(service_url(stack, name))) == 200:
                    ready_after[name] = time.monotonic() - healed
            time.sleep(0.5)

    watcher = threading.Thread(target=watch_readiness, daemon=True)
    watcher.start()
    time.sleep(AFTER)
    results = uploader.stop(drain_timeout=ANSWER_LIMIT + 20)
    watcher.join(timeout=READY_WITHIN + 10)

    accepted = [r for r in results if r.status == 202]
    ids = [r.image_id for r in accepted]
    records = wait_for_states(stack.notifier_url, ids, timeout=PROCESSED_WITHIN, done=("processed",))

    # Every object in the input bucket belongs to an image that ends processed (S3 says so,
    # independently of the notifier).
    s3 = stack.client("s3")
    env = stack.env

    def orphans():
        processed = set(list_keys(s3, env["PROCESSED_BUCKET"], "processed_"))
        return [k for k in list_keys(s3, env["INPUT_BUCKET"]) if f"processed_{k}" not in processed]

    left = orphans()
    if left:  # the last redeliveries may still be under way
        wait_until(lambda: not orphans(), timeout=30, interval=1)
        left = orphans()
    try:
        listed, _ = list_images(stack.notifier_url)
    except Exception:  # noqa: BLE001
        listed = {}
    # Answers by the phase their request started in.
    by_phase: dict[str, dict] = {}
    for result in results:
        phase = "before"
        for name, at in timeline:
            if result.started >= at:
                phase = name
        counts = by_phase.setdefault(phase, {})
        counts[result.status or "none"] = counts.get(result.status or "none", 0) + 1
    return {
        "stack": stack, "results": results, "accepted": accepted, "ids": ids, "records": records, "left": left,
        "listed": listed, "names": names, "during": during, "ready_after": ready_after, "by_phase": by_phase,
        "proxy_stats": proxy.stats,
    }


def show(items, n=5):
    return "; ".join(f"#{r.index} {r.status} {r.elapsed:.1f}s {r.error or r.body}" for r in items[:n])


@pytest.mark.case("network: answers 202/503 within 30 s")
def test_every_upload_is_answered_202_or_503_within_30_s(scenario, report):
    results = scenario["results"]
    answered_503 = [r for r in results if r.status == 503]
    slow = [r for r in results if r.elapsed > ANSWER_LIMIT + SLACK]
    bad = [r for r in results if r.status not in (202, 503)]
    no_retry_after = [r for r in answered_503 if not r.retry_after]
    longest = max((r.elapsed for r in results), default=0)
    phases = ", ".join(
        f"{phase} {counts.get(202, 0)}/{counts.get(503, 0)}/{sum(n for s, n in counts.items() if s not in (202, 503))}"
        for phase, counts in scenario["by_phase"].items())
    report.add(requests=len(results), held=len(results) - len(slow) - len(bad) - len(no_retry_after),
               note=f"202×{len(scenario['accepted'])} 503×{len(answered_503)} other×{len(bad)}, longest {longest:.1f} s; "
                    f"202/503/other by phase: {phases}")
    problems = []
    if len(results) < RATE * (WARMUP + RESET + 2 * BETWEEN + LOSE_ANSWERS + BLACKHOLE) * 0.8:
        problems.append(f"only {len(results)} uploads were sent")
    if bad:
        problems.append(f"{len(bad)} answers were neither 202 nor 503 (or no answer at all): {show(bad)}")
    if slow:
        problems.append(f"{len(slow)} answers took more than {ANSWER_LIMIT} s: {show(sorted(slow, key=lambda r: -r.elapsed), 3)}")
    if no_retry_after:
        problems.append(f"{len(no_retry_after)} 503 answers lack Retry-After: {show(no_retry_after)}")
    if not scenario["accepted"]:
        problems.append("no upload was accepted at all")
    assert not problems, "\n".join(problems)


@pytest.mark.case("network: /readyz 503 during, 200 after")
def test_readiness_follows_the_network(scenario, report):
    names, during, ready_after = scenario["names"], scenario["during"], scenario["ready_after"]
    report.add(requests=len(names), held=sum(1 for n in names if during[n][0] == 503 and n in ready_after),
               note="in the black hole " + ", ".join(f"{n} {during[n][0]}" for n in names) + "; 200 again after "
                    + ", ".join(f"{n} {ready_after[n]:.0f} s" if n in ready_after else f"{n} NEVER" for n in names))
    problems = []
    not_503 = {name: status for name, (status, _) in during.items() if status != 503}
    if not_503:
        problems.append("/readyz during the black hole (want 503 within 5 s): " + ", ".join(
            f"{name} {status or 'no answer'} after {during[name][1]:.1f} s" for name, status in not_503.items()))
    if set(ready_after) != set(names):
        problems.append(f"not ready {READY_WITHIN:.0f} s after the network came back: {sorted(set(names) - set(ready_after))}")
    assert not problems, "\n".join(problems)


@pytest.mark.case("network: every 202 processed, no orphan")
def test_every_accepted_upload_ends_processed_and_nothing_is_left_behind(scenario, report):
    ids, records, left = scenario["ids"], scenario["records"], scenario["left"]
    accepted_keys = {r.object_key for r in scenario["accepted"]}
    not_processed = [i for i in ids if (records.get(i) or {}).get("state") != "processed"]
    unknown_orphans = [k for k in left if k not in accepted_keys]
    report.add(requests=len(ids), held=len(ids) - len(not_processed), lost=len(not_processed) + len(unknown_orphans),
               note=f"objects never processed: {len(left)}")
    problems = []
    if not_processed:
        problems.append(f"{len(not_processed)} accepted images did not end processed: " + ", ".join(
            f"{i}={(records.get(i) or {}).get('state')}" for i in not_processed[:10]))
    if left:
        problems.append(f"{len(left)} objects in the input bucket never got processed "
                        f"({len(unknown_orphans)} of them from uploads not answered 202): {left[:5]}")
    assert not problems, "\n".join(problems)


@pytest.mark.case("network: a 503 stores and queues nothing")
def test_a_503_leaves_no_image_behind(scenario, report):
    """Images the notifier lists that no 202 announced. One that ends `failed` is tolerated: its
    message got through only after the deadline (the send under way, or its answer lost until
    then), so the upload API deleted the object, and the processor then found it gone. One stored,
    queued and processed is a 503 that did not refuse: the client, told to try again, makes a
    duplicate."""
    ids = set(scenario["ids"])
    phantoms = {i: r.get("state") for i, r in scenario["listed"].items() if i not in ids}
    refused_but_done = sorted(i for i, state in phantoms.items() if state != "failed")
    answered_503 = sum(1 for r in scenario["results"] if r.status == 503)
    report.add(requests=answered_503, held=answered_503 - len(refused_but_done),
               note=f"{len(phantoms)} listed images without a 202: "
                    + (", ".join(f"{state} {sum(1 for s in phantoms.values() if s == state)}" for state in sorted(set(phantoms.values()), key=str)) or "none")
                    + f"; answers the proxy lost: {scenario['proxy_stats'].answers_lost}"),
    assert not refused_but_done, (
        f"{len(refused_but_done)} of {answered_503} uploads answered 503 were stored and queued anyway "
        f"({', '.join(sorted({str(phantoms[i]) for i in refused_but_done}))} in the notifier). docs/design.md: a refusal (503 included) "
        f"stores and queues nothing; a client that retries its 503 without an Idempotency-Key makes a duplicate. "
        f"E.g. {refused_but_done[:3]}")
