"""A processor killed (SIGKILL) with images in flight, then the notifier restarted.

docs/design.md: delivery is at least once and every consumer is idempotent; the processor deletes a
message only after the processed object and event are written, so a killed processor's images
come back after the visibility timeout and end `processed` once, under another processor. The
image index is the DynamoDB table, not the notifier's memory: a restart loses nothing.
"""
import time

import pytest

from pipeline_testing.aws import queue_counts
from pipeline_testing.notifier import list_images, wait_for_states
from pipeline_testing.stacks import kill9, service_url, sigterm_and_wait
from pipeline_testing.uploads import post_image
from pipeline_testing.waiting import metric, wait_until

IMAGES = 30
VISIBILITY = 6


@pytest.fixture(scope="module")
def run(module_stacks, testdata):
    """Uploads 30 photos, starts a processor, kills it with -9 while images are in flight, starts
    another, and waits (bounded) for the outcome."""
    stack = module_stacks.new({"PROCESSOR_VISIBILITY_SECONDS": str(VISIBILITY), "PROCESSOR_CONCURRENCY": "4"})
    stack.start("upload-api", "notifier")
    photos = sorted((testdata / "photos").glob("*.png"))
    # The large diagram makes the work long enough to be caught in flight; the rest are mixed.
    order = [p for p in photos if "3840" in p.name] + [p for p in photos if "3840" not in p.name]
    accepted = []
    for index in range(IMAGES):
        photo = order[index % len(order)]
        result = post_image(stack.upload_url, photo.read_bytes(), f"k{index}-{photo.name}", index)
        assert result.status == 202, f"upload {index} answered {result.status}: {result.body or result.error}"
        accepted.append(result)
    ids = [r.image_id for r in accepted]

    sqs = stack.client("sqs")
    stack.start("processor")
    processor = service_url(stack, "processor")
    # Kill as soon as several images are in flight (received, not yet deleted).
    in_flight = wait_until(lambda: (queue_counts(sqs, stack.env["INPUT_QUEUE"])["invisible"] >= 3
                                    or metric(processor, "processor_images_in_flight") >= 2)
                           and queue_counts(sqs, stack.env["INPUT_QUEUE"]), timeout=30, interval=0.02)
    done_before = metric(processor, "processor_images_processed_total")
    kill9(stack, "processor")
    counts_at_kill = queue_counts(sqs, stack.env["INPUT_QUEUE"])
    killed_at = time.monotonic()

    stack.start("processor")
    records = wait_for_states(stack.notifier_url, ids, timeout=60 + 3 * VISIBILITY, done=("processed",))
    return {"stack": stack, "ids": ids, "accepted": accepted, "in_flight": in_flight, "at_kill": counts_at_kill,
            "done_before": done_before, "records": records, "recovered_s": time.monotonic() - killed_at}


@pytest.mark.case("kill -9 processor, 30 in flight")
def test_killed_processor_loses_nothing(run, report):
    stack, ids, records = run["stack"], run["ids"], run["records"]
    _, listed = list_images(stack.notifier_url)
    processed = [i for i in ids if (records.get(i) or {}).get("state") == "processed"]
    lost = len(ids) - len(processed)
    report.add(requests=len(ids), held=len(processed), lost=lost,
               note=f"in flight at kill {run['at_kill']['invisible']}, done before {int(run['done_before'])}, "
                    f"all done {run['recovered_s']:.0f} s after")
    assert run["in_flight"], "no image was seen in flight before the kill (the processor was too fast or did not start)"
    assert run["at_kill"]["invisible"] > 0, f"nothing was in flight at the kill: {run['at_kill']}"
    assert lost == 0, f"{lost} images did not end processed: " + ", ".join(
        f"{i}={(records.get(i) or {}).get('state')}" for i in ids if i not in processed)
    # Each image listed exactly once, and nothing else listed.
    twice = {i: n for i, n in listed.items() if n != 1}
    assert not twice, f"listed more than once: {twice}"
    assert set(listed) == set(ids), f"unexpected images listed: {sorted(set(listed) - set(ids))}"
    # Each by itself too.
    for image_id in ids:
        assert records[image_id]["processed_key"] == "processed_" + records[image_id]["original_key"]
    # S3 agrees: exactly one processed object per image, no failure marker.
    s3 = stack.client("s3")
    keys = [entry["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.env["PROCESSED_BUCKET"])
            for entry in page.get("Contents", [])]
    assert sorted(keys) == sorted("processed_" + r.object_key for r in run["accepted"]), "processed bucket mismatch"


@pytest.mark.case("notifier restart (SIGTERM)")
def test_notifier_restart_keeps_ids_and_states(run, report):
    stack = run["stack"]
    before, _ = list_images(stack.notifier_url)
    snapshot = {i: (r["state"], r["original_key"], r["processed_key"], r["error"]) for i, r in before.items()}
    status, seconds = sigterm_and_wait(stack, "notifier")
    stack.start("notifier")

    def same():
        after, counts = list_images(stack.notifier_url)
        now = {i: (r["state"], r["original_key"], r["processed_key"], r["error"]) for i, r in after.items()}
        return (now, counts) if now == snapshot else None

    matched = wait_until(same, timeout=20, interval=0.3)
    after, counts = list_images(stack.notifier_url)
    now = {i: (r["state"], r["original_key"], r["processed_key"], r["error"]) for i, r in after.items()}
    kept = sum(1 for i, facts in snapshot.items() if now.get(i) == facts)
    report.add(requests=len(snapshot), held=kept, lost=len(snapshot) - kept,
               note=f"exit {status} after {seconds:.1f} s")
    assert status == 0, f"the notifier exited with {status} after {seconds:.1f} s (None: still running after 30 s)"
    assert len(snapshot) == len(run["ids"])
    assert matched, "after the restart the notifier shows other ids or states: " + ", ".join(
        f"{i}: {snapshot.get(i)} -> {now.get(i)}" for i in set(snapshot) | set(now) if snapshot.get(i) != now.get(i))[:600]
    assert all(n == 1 for n in counts.values())
