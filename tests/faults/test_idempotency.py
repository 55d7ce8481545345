"""Idempotency-Key on POST /upload.

docs/design.md: a retry with the same Idempotency-Key (any client-chosen string up to 255 characters)
within 24 h gets the same image_id and object key (derived from the key, e.g. a name-based UUID,
v5), so a client that lost the answer and retries never creates a duplicate image.
"""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline_testing.aws import list_keys
from pipeline_testing.notifier import list_images, wait_for_states
from pipeline_testing.pngs import small_png
from pipeline_testing.uploads import post_image


@pytest.mark.case("Idempotency-Key retries")
def test_the_same_key_gives_the_same_image_once(stacks, report):
    stack = stacks.new({"PROCESSOR_VISIBILITY_SECONDS": "6"})
    stack.start("upload-api", "processor", "notifier")
    png = small_png(21)
    key_a = f"fault-suite-{uuid.uuid4()}"
    key_b = f"fault-suite-{uuid.uuid4()}"

    first = post_image(stack.upload_url, png, "retry.png", 0, headers={"Idempotency-Key": key_a})
    second = post_image(stack.upload_url, png, "retry.png", 1, headers={"Idempotency-Key": key_a})
    # Two at once with another key (a double click, or a retry racing a slow first try).
    with ThreadPoolExecutor(2) as pool:
        racing = list(pool.map(lambda i: post_image(stack.upload_url, png, "race.png", i, headers={"Idempotency-Key": key_b}), (2, 3)))
    plain = [post_image(stack.upload_url, png, "plain.png", i) for i in (4, 5)]
    results = [first, second, *racing, *plain]

    problems = []
    for result in results:
        if result.status not in (200, 202):
            problems.append(f"upload #{result.index} answered {result.status}: {result.body or result.error}")
    if problems:
        report.add(requests=len(results), held=0, lost=0, note="uploads refused")
        pytest.fail("\n".join(problems))

    if (first.image_id, first.object_key) != (second.image_id, second.object_key):
        problems.append(f"the same key gave two images: {first.body} then {second.body}")
    if (racing[0].image_id, racing[0].object_key) != (racing[1].image_id, racing[1].object_key):
        problems.append(f"the same key, sent twice at once, gave two images: {racing[0].body} and {racing[1].body}")
    if first.image_id == racing[0].image_id:
        problems.append("two different keys gave the same image")
    if plain[0].image_id == plain[1].image_id:
        problems.append("two uploads without a key gave the same image")
    if uuid.UUID(first.image_id).version != 5:
        problems.append(f"an image id derived from an Idempotency-Key should be a name-based UUID (v5): {first.image_id}")

    expected_ids = {first.image_id, racing[0].image_id, plain[0].image_id, plain[1].image_id}
    records = wait_for_states(stack.notifier_url, expected_ids, timeout=45, done=("processed",))
    listed, counts = list_images(stack.notifier_url)
    s3 = stack.client("s3")
    inputs = list_keys(s3, stack.env["INPUT_BUCKET"])
    for image_id in (first.image_id, racing[0].image_id):
        objects = [k for k in inputs if k.startswith(image_id)]
        if len(objects) != 1:
            problems.append(f"{len(objects)} objects in the input bucket for image {image_id}: {objects}")
        if counts.get(image_id) != 1:
            problems.append(f"image {image_id} is listed {counts.get(image_id, 0)} times")
    if set(listed) != expected_ids:
        problems.append(f"the notifier lists {len(listed)} images, want {len(expected_ids)}: extra {sorted(set(listed) - expected_ids)}")
    if len(inputs) != len(expected_ids):
        problems.append(f"{len(inputs)} objects in the input bucket, want {len(expected_ids)}: {inputs}")
    not_processed = [i for i in expected_ids if (records.get(i) or {}).get("state") != "processed"]
    if not_processed:
        problems.append(f"not processed: {not_processed}")

    report.add(requests=len(results), held=len(expected_ids) - len(not_processed), lost=len(not_processed),
               note=f"{len(results)} uploads, {len(expected_ids)} images expected, {len(listed)} listed")
    assert not problems, "\n".join(problems)


@pytest.mark.case("Idempotency-Key retries")
def test_a_key_longer_than_255_characters_is_refused(stacks, report):
    stack = stacks.new()
    stack.start("upload-api")
    result = post_image(stack.upload_url, small_png(22), "long-key.png", headers={"Idempotency-Key": "k" * 256})
    stored = list_keys(stack.client("s3"), stack.env["INPUT_BUCKET"])
    report.add(requests=1, held=1 if result.status == 400 and not stored else 0, lost=len(stored))
    assert result.status == 400, f"a 256-character Idempotency-Key answered {result.status}: {result.body or result.error}"
    assert isinstance((result.body or {}).get("error"), str) and (result.body or {}).get("message"), result.body
    assert not stored, f"a refusal stored {stored}"
