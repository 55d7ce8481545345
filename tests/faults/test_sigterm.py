"""SIGTERM to each service in the middle of its work.

docs/design.md: every service stops gracefully on SIGTERM and exits 0. Processor: stop receiving, finish
or release in-flight images, exit 0; no message is left invisible (messages that arrive while
stopping, from an interrupted long poll, are released at once). Nothing accepted is lost: every
202 ends processed once a processor runs again.

The processor's visibility timeout here is long (60 s), so that a message left invisible by the
stopped processor is seen as such instead of coming back by itself within the check.
"""
import threading
import time

import pytest
import requests

from pipeline_testing.aws import list_keys, queue_counts
from pipeline_testing.notifier import wait_for_states
from pipeline_testing.pngs import small_png
from pipeline_testing.stacks import service_url, sigterm_and_wait
from pipeline_testing.uploads import SteadyUploader, post_image
from pipeline_testing.waiting import metric, wait_until

EXIT_LIMIT = 30.0
RELEASED_WITHIN = 3.0


def photos(testdata):
    return [p.read_bytes() for p in sorted((testdata / "photos").glob("*.png"))]


def finish_and_check(stack, results, report, extra_problems, note):
    """Starts a processor if none runs, waits (bounded) for every 202 to end processed, checks
    that every object in the input bucket ended processed, and reports."""
    if not any(name.startswith("processor") for name in stack.processes):
        stack.start("processor")
    accepted = [r for r in results if r.status == 202]
    ids = [r.image_id for r in accepted]
    records = wait_for_states(stack.notifier_url, ids, timeout=90, done=("processed",)) if ids else {}
    not_processed = [i for i in ids if (records.get(i) or {}).get("state") != "processed"]
    s3, env = stack.client("s3"), stack.env
    processed = set(list_keys(s3, env["PROCESSED_BUCKET"], "processed_"))
    orphans = [k for k in list_keys(s3, env["INPUT_BUCKET"]) if f"processed_{k}" not in processed]
    bad = [r for r in results if r.status is not None and r.status not in (202, 503)]
    report.add(requests=len(results), held=len(accepted) - len(not_processed), lost=len(not_processed) + len(orphans),
               note=note)
    problems = list(extra_problems)
    if bad:
        problems.append(f"{len(bad)} answers were neither 202 nor 503: " + "; ".join(f"{r.status} {r.body}" for r in bad[:5]))
    if not_processed:
        problems.append(f"{len(not_processed)} of {len(ids)} accepted images did not end processed: " + ", ".join(
            f"{i}={(records.get(i) or {}).get('state')}" for i in not_processed[:10]))
    if orphans:
        problems.append(f"{len(orphans)} objects in the input bucket never got processed: {orphans[:5]}")
    assert not problems, "\n".join(problems)


@pytest.mark.case("SIGTERM processor mid-work")
def test_sigterm_processor_with_images_in_flight(stacks, testdata, report):
    stack = stacks.new({"PROCESSOR_VISIBILITY_SECONDS": "60", "PROCESSOR_CONCURRENCY": "4"})
    stack.start("upload-api", "notifier", "processor")
    sqs, queue = stack.client("sqs"), stack.env["INPUT_QUEUE"]
    processor = service_url(stack, "processor")
    uploader = SteadyUploader(stack.upload_url, 6.0, photos(testdata), max_uploads=300, pool=32, prefix="term").start()
    try:
        in_flight = wait_until(lambda: metric(processor, "processor_images_in_flight") >= 1
                               or queue_counts(sqs, queue)["invisible"] >= 1, timeout=20, interval=0.02)
        status, seconds = sigterm_and_wait(stack, "processor", EXIT_LIMIT)
        # Uploads keep coming while no processor runs.
        time.sleep(1.0)
        # Nothing left invisible once it has exited: in-flight images finished or released, and
        # whatever an interrupted long poll brought released at once.
        left = wait_until(lambda: queue_counts(sqs, queue)["invisible"] == 0, timeout=RELEASED_WITHIN, interval=0.2)
        invisible = queue_counts(sqs, queue)["invisible"]
        time.sleep(1.0)
    finally:
        results = uploader.stop(drain_timeout=40)
    problems = []
    if not in_flight:
        problems.append("no image was in flight when SIGTERM was sent")
    if status != 0:
        problems.append(f"the processor exited with {status} after {seconds:.1f} s (None: still running after {EXIT_LIMIT:.0f} s)")
    if not left:
        problems.append(f"{invisible} messages were still invisible {RELEASED_WITHIN:.0f} s after the processor exited")
    finish_and_check(stack, results, report, problems,
                     note=f"exit {status} in {seconds:.1f} s, invisible after exit {invisible}")


@pytest.mark.case("SIGTERM upload-api mid-upload")
def test_sigterm_upload_api_during_uploads(stacks, testdata, report):
    stack = stacks.new({"PROCESSOR_VISIBILITY_SECONDS": "6"})
    stack.start("upload-api", "notifier", "processor")
    uploader = SteadyUploader(stack.upload_url, 12.0, photos(testdata), max_uploads=300, pool=32, prefix="up").start()
    try:
        wait_until(lambda: len(uploader.accepted) >= 5, timeout=20, interval=0.05)
        status, seconds = sigterm_and_wait(stack, "upload-api", EXIT_LIMIT)
        time.sleep(0.5)
    finally:
        results = uploader.stop(drain_timeout=40)
    refused = [r for r in results if r.status is None and "refused" in (r.error or "").lower()]
    dropped = [r for r in results if r.status is None and r not in refused]
    problems = []
    if status != 0:
        problems.append(f"the upload API exited with {status} after {seconds:.1f} s (None: still running after {EXIT_LIMIT:.0f} s)")
    finish_and_check(stack, results, report, problems,
                     note=f"exit {status} in {seconds:.1f} s; after it: refused {len(refused)}, "
                          f"cut without an answer {len(dropped)}")


@pytest.mark.case("SIGTERM notifier with SSE client")
def test_sigterm_notifier_with_an_event_stream_open(stacks, report):
    stack = stacks.new({"PROCESSOR_VISIBILITY_SECONDS": "6"})
    stack.start("upload-api", "notifier", "processor")
    stream_state = {"open": False, "events": 0, "ended": None, "error": None}

    def listen():
        try:
            with requests.get(f"{stack.notifier_url}/api/events", stream=True, timeout=(5, 40)) as response:
                stream_state["open"] = response.status_code == 200
                for line in response.iter_lines():
                    if line.startswith(b"data:"):
                        stream_state["events"] += 1
            stream_state["ended"] = time.monotonic()
        except Exception as error:  # noqa: BLE001
            stream_state["error"] = f"{type(error).__name__}: {error}"
            stream_state["ended"] = time.monotonic()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    wait_until(lambda: stream_state["open"], timeout=10, interval=0.05)
    results = [post_image(stack.upload_url, small_png(seed), f"sse{seed}.png", seed) for seed in range(5)]
    wait_until(lambda: stream_state["events"] >= 5, timeout=20, interval=0.1)
    events_before = stream_state["events"]
    status, seconds = sigterm_and_wait(stack, "notifier", EXIT_LIMIT)
    stopped_at = time.monotonic()
    listener.join(timeout=10)
    problems = []
    if not stream_state["open"]:
        problems.append("the event stream did not open")
    if status != 0:
        problems.append(f"the notifier exited with {status} after {seconds:.1f} s with an SSE client connected "
                        f"(None: still running after {EXIT_LIMIT:.0f} s)")
    if listener.is_alive():
        problems.append("the event stream was still open 10 s after the notifier stopped")
    stack.start("notifier")
    finish_and_check(stack, results, report, problems,
                     note=f"exit {status} in {seconds:.1f} s, stream saw {events_before} events"
                          + (f", closed {stream_state['ended'] - stopped_at + seconds:.1f} s after SIGTERM" if stream_state["ended"] else ""))
