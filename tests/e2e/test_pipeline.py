"""End to end: real uploads through the running services on the strict emulator, checked with boto3.

The stages run in file order: upload with the notifier stopped (so the processed events can be
read from the queue here without taking them from it), then start the notifier and check what it
shows, then the metrics.
"""
import hashlib
import io
import json
import time
import uuid

import pytest
import requests
from PIL import Image

GOOD_SAMPLE_STEP = 5  # every fifth decodable PngSuite file, plus every photo and every corrupt file


def expected_table(testdata):
    return json.loads((testdata / "expected-opencv.json").read_text())["files"]


def pixels_sha256(png_bytes: bytes) -> str:
    """SHA-256 of the binary image's raw pixels: height*width bytes, each 0 or 255."""
    image = Image.open(io.BytesIO(png_bytes))
    gray = image.convert("L")
    data = gray.tobytes()
    assert set(data) <= {0, 255}, "a binary image has only black and white pixels"
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def run(stack, testdata):
    """Uploads the sample through upload-api, lets the processor work, and records what happened."""
    table = expected_table(testdata)
    good = sorted(name for name, entry in table.items() if entry["decodes"] and name.startswith("pngsuite/"))
    sample = [name for name, entry in table.items() if name.startswith("photos/") and entry["decodes"]]
    sample += good[::GOOD_SAMPLE_STEP]
    sample += sorted(name for name, entry in table.items() if not entry["decodes"])
    stack.start("upload-api", "processor")

    accepted, refused = {}, {}
    for name in sample:
        data = (testdata / name).read_bytes()
        response = requests.post(f"{stack.upload_url}/upload", files={"image": (name.split("/")[-1], data, "image/png")}, timeout=30)
        if response.status_code == 202:
            accepted[name] = response.json()
        else:
            refused[name] = (response.status_code, response.json())

    # The original Python route's message: only image_id and object_key.
    s3, sqs = stack.client("s3"), stack.client("sqs")
    env = stack.env
    legacy_id = str(uuid.uuid4())
    legacy_key = f"{legacy_id}_legacy.png"
    s3.put_object(Bucket=env["INPUT_BUCKET"], Key=legacy_key, Body=(testdata / "photos/kodim23.png").read_bytes(), ContentType="image/png")
    queue_url = sqs.get_queue_url(QueueName=env["INPUT_QUEUE"])["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"image_id": legacy_id, "object_key": legacy_key}),
                     MessageGroupId=legacy_id, MessageDeduplicationId=legacy_id)

    # Wait until every accepted image has a processed object or a failure marker.
    keys = {answer["object_key"] for answer in accepted.values()} | {legacy_key}
    deadline = time.monotonic() + 180
    done = set()
    while time.monotonic() < deadline:
        listed = set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=env["PROCESSED_BUCKET"]):
            listed |= {entry["Key"] for entry in page.get("Contents", [])}
        done = {key for key in keys if f"processed_{key}" in listed or f"failed_{key}.json" in listed}
        if done == keys:
            break
        time.sleep(0.5)
    assert done == keys, f"not finished in time: {sorted(keys - done)[:5]}"
    return {"table": table, "accepted": accepted, "refused": refused, "legacy": (legacy_id, legacy_key), "sample": sample}


def test_every_photo_and_good_image_was_accepted(run):
    for name in run["sample"]:
        if run["table"][name]["decodes"]:
            assert name in run["accepted"], f"{name} was refused: {run['refused'].get(name)}"


def test_input_objects_are_stored_as_sent(run, stack, testdata):
    s3 = stack.client("s3")
    for name, answer in run["accepted"].items():
        head = s3.head_object(Bucket=stack.env["INPUT_BUCKET"], Key=answer["object_key"])
        assert head["ContentType"] == "image/png"
        assert head["ContentLength"] == (testdata / name).stat().st_size
        assert answer["object_key"].startswith(answer["image_id"] + "_")


def test_processed_objects_have_exactly_the_reference_pixels(run, stack):
    s3 = stack.client("s3")
    checked = 0
    for name, answer in run["accepted"].items():
        entry = run["table"][name]
        if not entry["decodes"]:
            continue
        body = s3.get_object(Bucket=stack.env["PROCESSED_BUCKET"], Key=f"processed_{answer['object_key']}")
        assert body["ContentType"] == "image/png"
        png = body["Body"].read()
        image = Image.open(io.BytesIO(png))
        assert image.size == (entry["width"], entry["height"]), name
        assert pixels_sha256(png) == entry["binary_sha256"], name
        checked += 1
    assert checked >= 30


def test_corrupt_files_fail_with_a_reason_or_are_refused(run, stack):
    s3 = stack.client("s3")
    corrupt = [name for name in run["sample"] if not run["table"][name]["decodes"]]
    assert len(corrupt) == 14
    for name in corrupt:
        if name in run["refused"]:
            status, body = run["refused"][name]
            assert status in (400, 415, 422), name
            assert body["error"] and body["message"], name
            continue
        key = run["accepted"][name]["object_key"]
        marker = json.loads(s3.get_object(Bucket=stack.env["PROCESSED_BUCKET"], Key=f"failed_{key}.json")["Body"].read())
        assert marker["image_id"] == run["accepted"][name]["image_id"]
        assert marker["error"].endswith("."), marker
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket=stack.env["PROCESSED_BUCKET"], Key=f"processed_{key}")


def test_the_original_two_field_message_is_processed(run, stack, testdata):
    legacy_id, legacy_key = run["legacy"]
    result = stack.client("s3").get_object(Bucket=stack.env["PROCESSED_BUCKET"], Key=f"processed_{legacy_key}")
    assert pixels_sha256(result["Body"].read()) == run["table"]["photos/kodim23.png"]["binary_sha256"]
    # It names no owner, so it is the one owner's without sign-in (the notifier lists it: below).
    assert result["Metadata"].get("owner") == "local"


def test_events_are_on_the_processed_queue(run, stack):
    """Reads every image's events: the upload API's `queued` (deleted once checked: it comes first
    in the image's FIFO group and would hold the outcome back), then the processor's outcome (left
    for the notifier, released again)."""
    if stack.external:
        pytest.skip("a running notifier consumes the events; the notifier test below checks their effect")
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=stack.env["PROCESSED_QUEUE"])["QueueUrl"]
    wanted = {answer["image_id"]: name for name, answer in run["accepted"].items()}
    wanted[run["legacy"][0]] = "photos/kodim23.png"
    events, queued, handles = {}, set(), []
    deadline = time.monotonic() + 60
    while set(events) != set(wanted) and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       VisibilityTimeout=30, MessageSystemAttributeNames=["All"]).get("Messages", [])
        for message in messages:
            event = json.loads(message["Body"])
            if event["status"] == "queued":
                assert message["Attributes"]["MessageDeduplicationId"] == f"queued_{event['image_id']}"
                assert event["original_key"] == run["accepted"][wanted[event["image_id"]]]["object_key"]
                queued.add(event["image_id"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                continue
            events[event["image_id"]] = (event, message["Attributes"])
            handles.append(message["ReceiptHandle"])
    for handle in handles:  # back to the queue, for the notifier
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert set(events) == set(wanted)
    # Every upload through the API announced itself (the legacy message was queued by hand).
    assert queued == set(wanted) - {run["legacy"][0]}
    for image_id, (event, attributes) in events.items():
        name = wanted[image_id]
        assert event["status"] == ("processed" if run["table"][name]["decodes"] else "failed"), name
        assert event["processed_key"] == "processed_" + event["original_key"]
        assert attributes["MessageGroupId"] == image_id
        # processed_{id} for success (the contract's); failed_{id} for a failure, so that a redrive's
        # success within SQS's five-minute window is not dropped as a repeat of it.
        assert attributes["MessageDeduplicationId"] == f"{event['status']}_{image_id}"
        if event["status"] == "failed":
            assert event["error"]


def test_the_notifier_shows_every_image_in_its_state(run, stack):
    stack.start("notifier")
    wanted = {answer["image_id"]: name for name, answer in run["accepted"].items()}
    wanted[run["legacy"][0]] = "photos/kodim23.png"
    deadline = time.monotonic() + 60
    states = {}
    while time.monotonic() < deadline:
        states, cursor = {}, None
        while True:
            params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
            page = requests.get(f"{stack.notifier_url}/api/images", params=params, timeout=10).json()
            states |= {image["image_id"]: image for image in page["images"]}
            cursor = page["next_cursor"]
            if not cursor:
                break
        finished = {i for i, image in states.items() if image["state"] in ("processed", "failed")}
        if set(wanted) <= finished:
            break
        time.sleep(0.5)
    for image_id, name in wanted.items():
        image = states[image_id]
        assert image["state"] == ("processed" if run["table"][name]["decodes"] else "failed"), name
        if image["state"] == "failed":
            assert image["error"]
        else:
            png = requests.get(stack.notifier_url + image["processed_url"], timeout=10)
            assert png.headers["Content-Type"] == "image/png"
            assert pixels_sha256(png.content) == run["table"][name]["binary_sha256"]


def test_metrics_moved(run, stack):
    upload = stack.metrics(stack.upload_url)
    if stack.external:  # a long-running stack has counted earlier uploads too
        assert upload['upload_requests_total{status="202"}'] >= len(run["accepted"])
    else:
        assert upload['upload_requests_total{status="202"}'] == len(run["accepted"])
    if stack.processor_url is None:
        pytest.skip("the processor's port is not published; set E2E_PROCESSOR_URL to check its metrics")
    processor = stack.metrics(stack.processor_url)
    if stack.external:  # one of possibly several processors: its share only
        assert "processor_images_processed_total" in processor
        return
    good = sum(1 for name in run["accepted"] if run["table"][name]["decodes"]) + 1  # + the legacy message
    assert processor["processor_images_processed_total"] >= good
    failed = sum(value for series, value in processor.items() if series.startswith("processor_images_failed_total"))
    assert failed == len(run["accepted"]) + 1 - good
    deadline = time.monotonic() + 30
    while stack.metrics(stack.notifier_url)["notifier_events_consumed_total"] < len(run["accepted"]) + 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert stack.metrics(stack.notifier_url)["notifier_events_consumed_total"] >= len(run["accepted"]) + 1
