"""The image table away, and one of two notifiers killed.

docs/design.md (Notifier): a notifier deletes an event only after the table took it, so while the
table throttles or cannot be reached the events wait on the queue and apply when it is back, and
the page says the list is unavailable (503 on the list, `image_list_available: false` on the panel)
instead of showing an empty or stale one. Notifiers are replicas: each follows the table's stream
for its own browsers, so when one dies (kill -9) nothing is lost (its events come back to the
queue within their 10 s visibility) and the other's browsers miss no change.
"""
import time
from urllib.parse import urlparse

import pytest
import requests

from pipeline_testing.aws import queue_counts
from pipeline_testing.notifier import EventStream, list_images, wait_for_states
from pipeline_testing.pngs import small_png
from pipeline_testing.proxy import FaultProxy
from pipeline_testing.stack import emulator_environment
from pipeline_testing.stacks import free_port, kill9
from pipeline_testing.uploads import post_image
from pipeline_testing.waiting import wait_until


def upload(stack, seeds, prefix):
    results = [post_image(stack.upload_url, small_png(seed), f"{prefix}{seed}.png", seed) for seed in seeds]
    refused = [r for r in results if r.status != 202]
    assert not refused, f"uploads refused: {[(r.status, r.body or r.error) for r in refused]}"
    return [r.image_id for r in results]


def panel(stack) -> dict:
    return requests.get(f"{stack.notifier_url}/api/pipeline", timeout=5).json()


@pytest.mark.case("image table throttled, then unreachable")
@pytest.mark.parametrize("fault", ["throttle", "reset"])
def test_events_wait_on_the_queue_while_the_table_is_away(stacks, report, fault):
    emulator = urlparse(emulator_environment()["AWS_ENDPOINT_URL"])
    with FaultProxy(upstream=(emulator.hostname, emulator.port)) as proxy:
        stack = stacks.new({"AWS_ENDPOINT_URL_DYNAMODB": proxy.url, "PROCESSOR_EVENT_BATCH_MS": "0"})
        # The notifier's table is away; the upload API counts the owners' allowances in the same
        # table and would refuse uploads meanwhile (503, tested in its Swift suite): it keeps its
        # own connection, so that the case is the notifier's.
        stack.env_of["upload-api"] = {"AWS_ENDPOINT_URL_DYNAMODB": emulator_environment().get("AWS_ENDPOINT_URL_DYNAMODB")
                                      or emulator.geturl()}
        stack.start("upload-api", "processor", "notifier")
        before = upload(stack, range(2), f"{fault}-before-")
        assert all((r or {}).get("state") == "processed" for r in wait_for_states(stack.notifier_url, before, timeout=30).values())

        proxy.mode(fault)
        during = upload(stack, range(10, 14), f"{fault}-during-")
        sqs = stack.client("sqs")
        # The processor finishes them; their events reach the queue and stay there.
        waiting = wait_until(lambda: (lambda c: c if c["visible"] + c["invisible"] >= len(during) else None)(
            queue_counts(sqs, stack.env["PROCESSED_QUEUE"])), timeout=30, interval=0.2)
        unavailable = wait_until(lambda: panel(stack).get("image_list_available") is False, timeout=30, interval=0.2)
        listing = requests.get(f"{stack.notifier_url}/api/images", timeout=60)
        single = requests.get(f"{stack.notifier_url}/api/images/{during[0]}", timeout=60)
        ready = requests.get(f"{stack.ops_url(stack.notifier_url)}/readyz", timeout=60).status_code

        proxy.mode("pass")
        records = wait_for_states(stack.notifier_url, before + during, timeout=60, done=("processed",))
        recovered = wait_until(lambda: panel(stack).get("image_list_available") is True, timeout=20, interval=0.2)
        left = wait_until(lambda: (lambda c: c if c["visible"] + c["invisible"] == 0 else None)(
            queue_counts(sqs, stack.env["PROCESSED_QUEUE"])), timeout=30, interval=0.2)
        _, counts = list_images(stack.notifier_url)
        stack.stop()  # before the proxy it talks to goes

    processed = [i for i in before + during if (records.get(i) or {}).get("state") == "processed"]
    lost = len(before) + len(during) - len(processed)
    report.add(requests=len(before) + len(during), held=len(processed), lost=lost,
               note=f"{fault}: {waiting and waiting['visible'] + waiting['invisible']} events waited on the queue; "
                    f"list {listing.status_code}, image {single.status_code}, /readyz {ready} meanwhile; "
                    f"proxy {fault} {proxy.stats.throttled if fault == 'throttle' else proxy.stats.reset}")
    assert waiting, f"the events did not wait on the queue: {queue_counts(sqs, stack.env['PROCESSED_QUEUE'])}"
    assert unavailable, "the panel did not say the list is unavailable"
    assert listing.status_code == 503 and listing.json()["error"] == "unavailable", (listing.status_code, listing.text)
    assert single.status_code == 503, (single.status_code, single.text)
    assert ready == 503
    assert lost == 0, {i: (records.get(i) or {}).get("state") for i in before + during if i not in processed}
    assert recovered, "the panel still says the list is unavailable"
    assert left, f"events left on the queue: {queue_counts(sqs, stack.env['PROCESSED_QUEUE'])}"
    assert set(counts) == set(before + during) and all(n == 1 for n in counts.values())


@pytest.mark.case("kill -9 one of two notifiers")
def test_a_killed_notifier_loses_nothing_and_the_others_browsers_miss_nothing(stacks, report):
    stack = stacks.new({"PROCESSOR_EVENT_BATCH_MS": "0"})
    stack.start("upload-api", "processor", "notifier")
    other_port = free_port()
    other = stack.start_extra("notifier", 2, other_port)
    other_url = f"http://127.0.0.1:{other_port}"
    with EventStream(stack.notifier_url) as doomed, EventStream(other_url) as survivor:
        doomed.wait_open()
        survivor.wait_open()
        # Both follow the table's stream from when they started: a probe shows they do.
        probe = upload(stack, [99], "probe-")[0]
        assert wait_until(lambda: "processed" in doomed.states.get(probe, []) and "processed" in survivor.states.get(probe, []),
                          timeout=20, interval=0.1), "the probe did not reach both streams"
        ids = upload(stack, range(0, 6), "early-")
        kill9(stack, "notifier")
        killed_at = time.monotonic()
        ids += upload(stack, range(6, 14), "late-")
        records = wait_for_states(other_url, ids, timeout=60, done=("processed",))
        recovered_s = time.monotonic() - killed_at
        complete = wait_until(lambda: all("processed" in survivor.states.get(i, []) for i in ids), timeout=10, interval=0.1)
        # A browser of the dead notifier reconnects (through the load balancer) to the other: its
        # last id is another replica's, so it is told to read the list again.
        with EventStream(other_url, last_event_id=doomed.last_id) as moved:
            told = wait_until(lambda: any(event == "resync" for event, _, _ in moved.frames), timeout=10, interval=0.1)
    processed = [i for i in ids if (records.get(i) or {}).get("state") == "processed"]
    seen = [i for i in ids if "processed" in survivor.states.get(i, [])]
    lost = len(ids) - len(processed)
    report.add(requests=len(ids), held=len(processed), lost=lost,
               note=f"the other's stream saw {len(seen)}/{len(ids)} outcomes; all processed {recovered_s:.0f} s after the kill; "
                    f"the dead one's client {'told to resync' if told else 'NOT told to resync'}")
    assert lost == 0, {i: (records.get(i) or {}).get("state") for i in ids if i not in processed}
    assert complete, f"the other notifier's stream missed {sorted(set(ids) - set(seen))}"
    assert told, f"a client of the dead notifier was not told to resync: {moved.frames[:5]}"
    _, counts = list_images(other_url)
    assert set(counts) == set(ids) | {probe} and all(n == 1 for n in counts.values())
    assert stack.processes[other].poll() is None
