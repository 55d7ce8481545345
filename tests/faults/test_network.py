"""Network faults between every service and S3/SQS, during steady uploads.

The services reach the emulator only through a loopback proxy (AWS_ENDPOINT_URL); the test's
own clients reach it directly. Timeline: pass 3 s, connection resets 10 s, pass 5 s, a 40 s
black hole, pass; uploads run at a few a second throughout and 5 s beyond.

DESIGN (Upload API): an upload is answered 202, or 503 with Retry-After when S3 or SQS cannot be
reached, never held more than 30 s beyond sending its body, never hung for as long as the outage;
an object stored whose message could not be sent is deleted again. Processor: a transient
failure leaves the message for redelivery, so every 202 ends processed. Every service's /readyz
is 200 again by itself once the network is back.
"""
import time

import pytest

from faultlib import SteadyUploader, list_keys, readyz, service_url, small_png, wait_for_states, wait_until
from proxy import FaultProxy
from stack import emulator_environment

RATE = 3.0            # uploads per second
WARMUP = 3.0
RESET = 10.0
BETWEEN = 5.0
BLACKHOLE = 40.0
AFTER = 5.0
ANSWER_LIMIT = 30.0   # DESIGN: never more than 30 s beyond sending the body
SLACK = 1.5           # the body (a few KB on loopback) and the client's own scheduling
READY_WITHIN = 45.0   # /readyz 200 again after the black hole ends
PROCESSED_WITHIN = 120.0


def upstream() -> tuple[str, int]:
    endpoint = emulator_environment()["AWS_ENDPOINT_URL"]
    host, _, port = endpoint.split("://", 1)[1].rstrip("/").partition(":")
    return host, int(port or 80)


@pytest.fixture
def proxy():
    with FaultProxy(upstream()) as running:
        yield running


@pytest.mark.case("resets 10 s + black hole 40 s")
def test_resets_and_black_hole_during_steady_uploads(stacks, proxy, report):
    stack = stacks.new({"AWS_ENDPOINT_URL": proxy.url, "PROCESSOR_VISIBILITY_SECONDS": "6"})
    stack.start("upload-api", "processor", "notifier")
    pngs = [small_png(seed) for seed in range(16)]
    uploader = SteadyUploader(stack.upload_url, RATE, pngs, max_uploads=int(RATE * 90), pool=128,
                              timeout=ANSWER_LIMIT + 15, prefix="net").start()
    timeline = []
    try:
        time.sleep(WARMUP)
        proxy.mode("reset")
        timeline.append(("reset", time.monotonic()))
        time.sleep(RESET)
        proxy.mode("pass")
        timeline.append(("between", time.monotonic()))
        time.sleep(BETWEEN)
        proxy.mode("blackhole")
        timeline.append(("blackhole", time.monotonic()))
        time.sleep(BLACKHOLE)
    finally:
        proxy.mode("pass")
    healed = time.monotonic()
    timeline.append(("after", healed))
    time.sleep(AFTER)
    results = uploader.stop(drain_timeout=ANSWER_LIMIT + 20)

    # Every service ready again by itself.
    names = ("upload-api", "processor", "notifier")
    ready_after = {}
    for name in names:
        if wait_until(lambda: readyz(service_url(stack, name)) == 200, timeout=max(1.0, healed + READY_WITHIN - time.monotonic()), interval=0.5):
            ready_after[name] = time.monotonic() - healed

    accepted = [r for r in results if r.status == 202]
    ids = [r.image_id for r in accepted]
    records = wait_for_states(stack.notifier_url, ids, timeout=PROCESSED_WITHIN, done=("processed",))

    # Every object in the input bucket belongs to an image that ends processed (S3 says so,
    # independently of the notifier): no orphan of a 503.
    s3 = stack.client("s3")
    env = stack.env

    def orphans():
        processed = set(list_keys(s3, env["PROCESSED_BUCKET"], "processed_"))
        return [k for k in list_keys(s3, env["INPUT_BUCKET"]) if f"processed_{k}" not in processed]

    left = orphans()
    if left:  # the last redeliveries may still be under way
        wait_until(lambda: not orphans(), timeout=30, interval=1)
        left = orphans()
    accepted_keys = {r.object_key for r in accepted}
    unknown_orphans = [k for k in left if k not in accepted_keys]

    answered_503 = [r for r in results if r.status == 503]
    slow = [r for r in results if r.elapsed > ANSWER_LIMIT + SLACK]
    bad = [r for r in results if r.status not in (202, 503)]
    no_retry_after = [r for r in answered_503 if not r.retry_after]
    not_processed = [i for i in ids if (records.get(i) or {}).get("state") != "processed"]
    longest = max((r.elapsed for r in results), default=0)
    # Answers by the phase their request started in.
    phases = []
    for result in results:
        phase = "before"
        for name, at in timeline:
            if result.started >= at:
                phase = name
        phases.append(phase)
    by_phase = {}
    for result, phase in zip(results, phases):
        by_phase.setdefault(phase, {}).setdefault(result.status or "none", 0)
        by_phase[phase][result.status or "none"] += 1
    phase_note = " ".join(f"{phase}:" + "/".join(f"{status}×{n}" for status, n in sorted(counts.items(), key=str))
                          for phase, counts in by_phase.items())
    report.add(requests=len(results), held=len(accepted) - len(not_processed), lost=len(not_processed) + len(unknown_orphans),
               note=f"202×{len(accepted)} 503×{len(answered_503)} other×{len(bad)}, longest {longest:.1f} s, "
                    f"ready after " + ",".join(f"{n} {ready_after[n]:.0f}s" if n in ready_after else f"{n} NEVER" for n in names))
    report.add(note=phase_note)

    def show(items, n=5):
        return "; ".join(f"#{r.index} {r.status} {r.elapsed:.1f}s {r.error or r.body}" for r in items[:n])

    problems = []
    if len(results) < RATE * (WARMUP + RESET + BETWEEN + BLACKHOLE) * 0.8:
        problems.append(f"only {len(results)} uploads were sent")
    if bad:
        problems.append(f"{len(bad)} answers were neither 202 nor 503 (or no answer at all): {show(bad)}")
    if slow:
        problems.append(f"{len(slow)} answers took more than {ANSWER_LIMIT} s: {show(sorted(slow, key=lambda r: -r.elapsed), 3)}")
    if no_retry_after:
        problems.append(f"{len(no_retry_after)} 503 answers lack Retry-After: {show(no_retry_after)}")
    if not accepted:
        problems.append("no upload was accepted at all")
    if set(ready_after) != set(names):
        problems.append(f"not ready {READY_WITHIN} s after the network came back: {sorted(set(names) - set(ready_after))}")
    if not_processed:
        problems.append(f"{len(not_processed)} accepted images did not end processed: " + ", ".join(
            f"{i}={(records.get(i) or {}).get('state')}" for i in not_processed[:10]))
    if left:
        problems.append(f"{len(left)} objects in the input bucket never got processed "
                        f"({len(unknown_orphans)} of them from uploads not answered 202): {left[:5]}")
    assert not problems, "\n".join(problems)
