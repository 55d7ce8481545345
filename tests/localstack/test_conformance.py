"""The whole pipeline on LocalStack 4.14.0, the emulator docker compose gives users.

LocalStack keeps real SQS's FIFO semantics where moto does not: a message group delivers nothing
more while one of its messages is in flight. So a message that a stopping service takes and
leaves invisible holds every later message of its image back for the visibility timeout, and
the page shows nothing of that image. The restart and SIGTERM cases here catch exactly that:
every image must be listed with its final state within 5 s of a restart, and nothing may stay in
flight once a service has stopped.
"""
from __future__ import annotations

import hashlib
import io
import json
import socket
import threading
import time
from urllib.parse import urlparse

import numpy as np
import pytest
import requests
from PIL import Image

from pipeline_testing.aws import dlq_name, list_keys, make_dead_letter, queue_counts
from pipeline_testing.notifier import wait_for_states
from pipeline_testing.pngs import corrupt_idat, noise_png, small_png
from pipeline_testing.proxy import FaultProxy
from pipeline_testing.stacks import free_port, kill9, sigterm_and_wait
from pipeline_testing.uploads import post_image
from pipeline_testing.waiting import metric, wait_until

LISTED_WITHIN = 5.0   # seconds from a restart to every image listed with its final state
EXIT_LIMIT = 30.0     # a service stops within its 20 s long poll, plus its work in hand
PART = 5 << 20        # the upload API's multipart part size
POLL_SECONDS = 20     # the notifier's long poll
EVENT_VISIBILITY = 10 # seconds an event the notifier received stays invisible


def gray_pixels_sha256(png: bytes) -> str:
    """SHA-256 of the binary image's raw pixels (0 or 255 each), as the processor's result holds them."""
    data = Image.open(io.BytesIO(png)).convert("L").tobytes()
    assert set(data) <= {0, 255}, "a binary image has only black and white pixels"
    return hashlib.sha256(data).hexdigest()


def expected_sha256(rgb: np.ndarray) -> str:
    """The reference's result for 8-bit RGB (docs/image-rules.md: OpenCV's 15-bit gray, then > 127)."""
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    gray = (r * 9798 + g * 19235 + b * 3735 + 16384) >> 15
    return hashlib.sha256(np.where(gray > 127, 255, 0).astype(np.uint8).tobytes()).hexdigest()


def large_png() -> tuple[bytes, str]:
    """A noise PNG of about 6 MB (over one 5 MiB part: a multipart upload), with its expected result."""
    png = noise_png(6 << 20, seed=22)
    return png, expected_sha256(np.asarray(Image.open(io.BytesIO(png)).convert("RGB")))


def processed_png(stack, image_id: str) -> bytes:
    response = requests.get(f"{stack.notifier_url}/api/images/{image_id}/processed", timeout=30)
    assert response.status_code == 200, f"{image_id}: GET processed answered {response.status_code}"
    return response.content


def wait_listed(stack, ids, timeout: float, done=("processed",)) -> tuple[bool, dict[str, str | None]]:
    """Waits (bounded) until the notifier lists every id in one of the `done` states."""
    records = wait_for_states(stack.notifier_url, ids, timeout=timeout, done=done, interval=0.2)
    found = {i: (r or {}).get("state") for i, r in records.items()}
    return all(state in done for state in found.values()), found


def in_flight(stack) -> dict[str, int]:
    sqs, env = stack.client("sqs"), stack.env
    return {name: queue_counts(sqs, env[name])["invisible"] for name in ("INPUT_QUEUE", "PROCESSED_QUEUE")}


def upload_all(stack, pngs: list[tuple[str, bytes]]) -> list[str]:
    ids = []
    for name, png in pngs:
        result = post_image(stack.upload_url, png, name)
        assert result.status == 202, f"{name}: {result.status} {result.body or result.error}"
        ids.append(result.image_id)
    return ids


def test_uploads_are_pixel_exact_including_a_multipart_one(stacks, testdata):
    stack = stacks.new()
    stack.start("upload-api", "notifier", "processor")
    table = json.loads((testdata / "expected-opencv.json").read_text())["files"]
    photos = ["kodim02.png", "kodim23.png", "lorem_ipsum_screenshot.png", "transparency.png"]
    big, big_expected = large_png()
    assert len(big) > PART
    uploads = [(name, (testdata / "photos" / name).read_bytes()) for name in photos] + [("noise-large.png", big)]
    ids = upload_all(stack, uploads)
    done, found = wait_listed(stack, ids, timeout=90)
    assert done, f"not all processed: {found}"
    expected = [table[f"photos/{name}"]["binary_sha256"] for name in photos] + [big_expected]
    for (name, _), image_id, want in zip(uploads, ids, expected):
        assert gray_pixels_sha256(processed_png(stack, image_id)) == want, f"{name}: pixels differ from the reference"
    # The large one went up as a multipart upload and was completed whole.
    key = next(k for k in list_keys(stack.client("s3"), stack.env["INPUT_BUCKET"]) if k.startswith(ids[-1]))
    head = stack.client("s3").head_object(Bucket=stack.env["INPUT_BUCKET"], Key=key)
    assert head["ContentLength"] == len(big)
    assert "-" in head["ETag"], f"a multipart object's ETag names its parts, not {head['ETag']}"


def test_an_original_is_never_overwritten(stacks):
    """Originals are written with If-None-Match: * (a single PUT and a multipart completion): on
    LocalStack's S3 the refusal is real, and the upload API turns it into a retry (same bytes: the
    same image, 202) or 422 idempotency_key_reused (other bytes), the first original untouched."""
    stack = stacks.new()
    stack.start("upload-api")
    s3, bucket = stack.client("s3"), stack.env["INPUT_BUCKET"]
    s3.put_object(Bucket=bucket, Key="probe.png", Body=b"first", ContentType="image/png", IfNoneMatch="*")
    with pytest.raises(s3.exceptions.ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="probe.png", Body=b"second", ContentType="image/png", IfNoneMatch="*")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert s3.get_object(Bucket=bucket, Key="probe.png")["Body"].read() == b"first"
    s3.delete_object(Bucket=bucket, Key="probe.png")
    big, _ = large_png()
    for name, png, other in (("small.png", small_png(5), small_png(6)), ("large.png", big, noise_png(6 << 20, seed=23))):
        key = {"Idempotency-Key": f"conformance-{name}"}
        first = post_image(stack.upload_url, png, name, headers=key)
        again = post_image(stack.upload_url, png, name, headers=key)
        reused = post_image(stack.upload_url, other, name, headers=key)
        assert first.status == again.status == 202 and first.object_key == again.object_key, (first.body, again.body)
        assert reused.status == 422 and (reused.body or {}).get("error") == "idempotency_key_reused", reused.body
        assert s3.get_object(Bucket=bucket, Key=first.object_key)["Body"].read() == png, f"{name} was overwritten"


def test_competing_processors_take_each_image_once(stacks, testdata):
    """Two processors on one input queue, one FIFO group per image: every image processed once, by
    one of them, and the pipeline panel reads the queues' depths."""
    stack = stacks.new({"PROCESSOR_CONCURRENCY": "2"})
    stack.start("upload-api", "notifier", "processor")
    port = free_port()
    stack.start_extra("processor", 2, port)
    second = f"http://127.0.0.1:{port}"
    photos = sorted((testdata / "photos").glob("kodim*.png"))
    ids = upload_all(stack, [(f"c{i}-{p.name}", p.read_bytes()) for i in range(4) for p in photos])
    done, found = wait_listed(stack, ids, timeout=90)
    assert done, f"not all processed: {[i for i, s in found.items() if s != 'processed']}"
    counts = [metric(url, "processor_images_processed_total") for url in (stack.processor_url, second)]
    assert sum(counts) == len(ids), f"processed {counts} times in all for {len(ids)} images"
    assert all(counts), f"one processor did all the work: {counts}"
    panel = requests.get(f"{stack.notifier_url}/api/pipeline", timeout=5).json()
    assert panel["input"].get("error") is None and panel["input"]["visible"] is not None, panel["input"]
    assert all(queue.get("error") is None for queue in panel["dead_letter"]), panel["dead_letter"]


def test_an_upload_cut_mid_body_leaves_nothing(stacks):
    stack = stacks.new()
    stack.start("upload-api")
    big, _ = large_png()
    body = big + bytes(3 * PART)
    s3, bucket = stack.client("s3"), stack.env["INPUT_BUCKET"]
    with socket.create_connection(("127.0.0.1", stack.upload_port)) as sock:
        sock.sendall(f"POST /upload?filename=cut.png HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n".encode())
        sent = 0
        while sent < 2 * PART + 1000:  # two parts' worth: a multipart upload is under way
            sent += sock.send(body[sent:sent + 65536])
        underway = wait_until(lambda: s3.list_multipart_uploads(Bucket=bucket).get("Uploads"), timeout=10)
        assert underway, "a multipart upload is under way while the body streams"
    # Hung up: the multipart upload is aborted, nothing stored, nothing queued.
    clean = wait_until(lambda: not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")
                       and not list_keys(s3, bucket), timeout=10)
    assert clean, f"left behind: {list_keys(s3, bucket)} {s3.list_multipart_uploads(Bucket=bucket).get('Uploads')}"
    assert queue_counts(stack.client("sqs"), stack.env["INPUT_QUEUE"]) == {"visible": 0, "invisible": 0}


def test_a_corrupt_png_ends_failed_and_the_flow_goes_on(stacks, testdata):
    stack = stacks.new()
    stack.start("upload-api", "notifier", "processor")
    photo = (testdata / "photos" / "kodim23.png").read_bytes()
    ids = upload_all(stack, [("corrupt.png", corrupt_idat(photo)), ("after.png", small_png(1))])
    done, found = wait_listed(stack, ids, timeout=60, done=("processed", "failed"))
    assert done, f"not finished: {found}"
    assert [found[i] for i in ids] == ["failed", "processed"]
    record = requests.get(f"{stack.notifier_url}/api/images/{ids[0]}", timeout=5).json()
    assert record["error"], "a failed image says why"
    keys = list_keys(stack.client("s3"), stack.env["PROCESSED_BUCKET"])
    assert any(k.startswith("failed_") and ids[0] in k for k in keys), f"no failure marker in {keys}"


def test_an_unreadable_object_fails_with_its_attempts_and_moves_to_the_dead_letter_queue(stacks):
    """Every read of one object breaks (its answers reset on the way back, through a loopback proxy
    in front of LocalStack's S3): a transient failure, retried on each receive; on the fifth, the
    last the redrive policy allows, the image ends failed with a marker, and the message moves to
    the dead-letter queue while the next upload is processed."""
    endpoint = urlparse(stacks.new(setup=False).env["AWS_ENDPOINT_URL"])
    proxy = FaultProxy(upstream=(endpoint.hostname, endpoint.port)).start()
    try:
        stack = stacks.new({"AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{proxy.port}", "PROCESSOR_VISIBILITY_SECONDS": "3"})
        stack.start("upload-api", "notifier")
        bad = post_image(stack.upload_url, small_png(900), "unreadable.png")
        assert bad.status == 202, bad.body or bad.error
        proxy.mode("lose-answers", only=f"GET /{stack.env['INPUT_BUCKET']}/{bad.object_key}".encode())
        stack.start("processor")
        good = post_image(stack.upload_url, small_png(901), "fine.png")
        assert wait_listed(stack, [good.image_id], timeout=20)[0], "an unreadable image holds up the next"
        done, found = wait_listed(stack, [bad.image_id], timeout=90, done=("failed",))
        assert done, f"the unreadable image is {found}, not failed"
        record = requests.get(f"{stack.notifier_url}/api/images/{bad.image_id}", timeout=5).json()
        assert "5" in record["error"], f"the reason names the attempts: {record['error']}"
        sqs = stack.client("sqs")
        dead = wait_until(lambda: sum(queue_counts(sqs, dlq_name(stack.env["INPUT_QUEUE"])).values()) == 1, timeout=20)
        assert dead, f"not in the dead-letter queue: {queue_counts(sqs, dlq_name(stack.env['INPUT_QUEUE']))}"
        assert queue_counts(sqs, stack.env["INPUT_QUEUE"]) == {"visible": 0, "invisible": 0}
        keys = list_keys(stack.client("s3"), stack.env["PROCESSED_BUCKET"])
        assert f"failed_{bad.object_key}.json" in keys, keys
    finally:
        proxy.stop()


class Uploader:
    """Uploads small PNGs one after another from a thread until stopped (bounded)."""

    def __init__(self, stack, prefix: str, limit: int = 200) -> None:
        self.stack, self.prefix, self.limit = stack, prefix, limit
        self.results = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        index = 0
        while not self._stop.is_set() and index < self.limit:
            self.results.append(post_image(self.stack.upload_url, small_png(index), f"{self.prefix}{index}.png", index))
            index += 1
            self._stop.wait(0.1)

    def __enter__(self) -> "Uploader":
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    @property
    def ids(self) -> list[str]:
        assert all(r.status == 202 for r in self.results), [f"{r.status} {r.body or r.error}" for r in self.results
                                                             if r.status != 202]
        return [r.image_id for r in self.results]


@pytest.mark.parametrize("service", ["notifier", "processor"])
def test_a_restart_hides_nothing(stacks, service):
    """SIGTERM one consumer while uploads go on, start it again, upload 0.3 s later: every image,
    those sent while it stopped and those right after, is listed with its final state within 5 s."""
    stack = stacks.new()
    stack.start("upload-api", "notifier", "processor")
    ids_before = upload_all(stack, [(f"before{i}.png", small_png(100 + i)) for i in range(3)])
    assert wait_listed(stack, ids_before, timeout=30)[0]
    with Uploader(stack, "during") as during:
        time.sleep(0.3)
        status, seconds = sigterm_and_wait(stack, service, EXIT_LIMIT)
    assert status == 0, f"the {service} exited with {status} after {seconds:.1f} s"
    stack.start(service)
    restarted = time.monotonic()
    time.sleep(0.3)
    ids_after = upload_all(stack, [(f"after{i}.png", small_png(300 + i)) for i in range(3)])
    ids = ids_before + during.ids + ids_after
    done, found = wait_listed(stack, ids, timeout=max(0.0, restarted + LISTED_WITHIN - time.monotonic()))
    late = {i: s for i, s in found.items() if s != "processed"}
    assert done, (f"{len(late)} of {len(ids)} images not listed as processed {LISTED_WITHIN:.0f} s after the "
                  f"{service} restarted ({len(during.ids)} uploaded while it stopped in {seconds:.1f} s): {late}; "
                  f"in flight: {in_flight(stack)}")


def test_a_killed_notifier_hides_an_image_for_at_most_its_event_visibility(stacks):
    """kill -9 gives no chance to release anything. Where the server keeps a dead client's long poll
    open for the rest of its wait (real SQS does for a cancelled one), what it takes stays invisible
    for the notifier's event visibility: 10 s, not the queue's 60 s. Every image is listed within
    that bound of the restart (LocalStack ends the poll when the connection closes: well within)."""
    stack = stacks.new()
    stack.start("upload-api", "notifier", "processor")
    with Uploader(stack, "killed") as during:
        time.sleep(0.5)
        kill9(stack, "notifier")
        time.sleep(0.5)
    stack.start("notifier")
    restarted = time.monotonic()
    time.sleep(0.3)
    ids = during.ids + upload_all(stack, [(f"after{i}.png", small_png(500 + i)) for i in range(3)])
    bound = POLL_SECONDS + EVENT_VISIBILITY + LISTED_WITHIN
    done, found = wait_listed(stack, ids, timeout=max(0.0, restarted + bound - time.monotonic()))
    took = time.monotonic() - restarted
    assert done, f"not listed {bound:.0f} s after the restart: {[i for i, s in found.items() if s != 'processed']}"
    print(f"kill -9 notifier: {len(ids)} images all listed {took:.1f} s after the restart")


def test_sigterm_of_each_service_leaves_nothing_in_flight(stacks):
    """Uploads go on while the upload API, then the processor, then the notifier get SIGTERM; once
    each has exited, nothing it received stays invisible on either queue; started again, every
    accepted image ends processed."""
    stack = stacks.new()
    stack.start("upload-api", "notifier", "processor")
    stopped = {}
    with Uploader(stack, "term") as uploader:
        for service in ("processor", "notifier", "upload-api"):
            time.sleep(0.5)
            stopped[service] = sigterm_and_wait(stack, service, EXIT_LIMIT)
            counts = in_flight(stack)
            # Each queue's only consumer has stopped: nothing it took may stay invisible.
            if service == "processor":
                assert counts["INPUT_QUEUE"] == 0, f"input messages left invisible after the processor stopped: {counts}"
            if service == "notifier":
                assert counts["PROCESSED_QUEUE"] == 0, f"events left invisible after the notifier stopped: {counts}"
        time.sleep(0.3)
    for service, (status, seconds) in stopped.items():
        assert status == 0, f"the {service} exited with {status} after {seconds:.1f} s"
    assert in_flight(stack) == {"INPUT_QUEUE": 0, "PROCESSED_QUEUE": 0}, "a stopped service left messages invisible"
    accepted = [r.image_id for r in uploader.results if r.status == 202]
    refused = [r for r in uploader.results if r.status not in (202, None)]
    assert not refused, [f"{r.status} {r.body}" for r in refused]
    stack.start("upload-api", "notifier", "processor")
    restarted = time.monotonic()
    done, found = wait_listed(stack, accepted, timeout=30)
    assert done, f"not processed after the restart: {[i for i, s in found.items() if s != 'processed']}"
    assert time.monotonic() - restarted < 30


def test_dead_letters_go_back_through_sqs_message_move_task(stacks):
    """LocalStack has SQS's message move tasks (moto has not, and the browser test sends them
    back one by one there): the notifier's redrive starts one, and SQS moves the dead letter
    back to the input queue, where it is processed."""
    stack = stacks.new()
    stack.start("notifier", "processor")
    image_id = make_dead_letter(stack, small_png(5), "dead.png", "Processing failed 5 times (the image store could not be read or written).")
    listed = wait_until(lambda: [i for i in requests.get(f"{stack.notifier_url}/api/dead-letters", timeout=10).json()["images"]
                                 if i["image_id"] == image_id], timeout=30)
    assert listed and listed[0]["state"] == "failed" and listed[0]["filename"] == "dead.png", listed
    answer = requests.post(f"{stack.notifier_url}/api/dead-letters/redrive", json={}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["method"] == "move_task", answer.json()
    done, found = wait_listed(stack, [image_id], timeout=60, done=("processed",))
    assert done, f"the image did not come through: {found}"
    assert queue_counts(stack.client("sqs"), dlq_name(stack.env["INPUT_QUEUE"])) == {"visible": 0, "invisible": 0}
