"""A permanently unreadable input object: s3:GetObject denied on that one key (an explicit IAM
Deny on the emulator's user; moto enforces it).

docs/design.md (Processor): such a failure is transient to the processor (it cannot know the denial is
permanent) and leaves the message for redelivery; the queue's redrive policy (maxReceiveCount 5)
moves it to the dead-letter queue. On the last receive the policy allows, a message that fails
again publishes `failed` (the reason names the attempts and the last error), leaves the marker
`failed_{key}.json`, and is left to move to the dead-letter queue: no image stays queued forever.
"""
import json
import re
import time

import pytest

from pipeline_testing.aws import dlq_name, queue_counts, queue_url
from pipeline_testing.pngs import small_png
from pipeline_testing.stacks import service_url
from pipeline_testing.uploads import post_image
from pipeline_testing.waiting import metric, wait_until

MAX_RECEIVES = 5
VISIBILITY = 6


def iam_user_name(stack) -> str:
    """The emulator's IAM user (scripts/emulator_bootstrap.py makes it), from the keys in use."""
    arn = stack.client("sts").get_caller_identity()["Arn"]
    return arn.rsplit("/", 1)[-1]


@pytest.mark.case("unreadable object -> DLQ")
def test_denied_object_goes_to_the_dead_letter_queue_and_fails_with_a_reason(stacks, report):
    stack = stacks.new({"PROCESSOR_VISIBILITY_SECONDS": str(VISIBILITY)})
    env = stack.env
    stack.start("upload-api", "notifier")
    result = post_image(stack.upload_url, small_png(7), "denied.png")
    assert result.status == 202, result.body or result.error
    key, image_id = result.object_key, result.image_id

    iam, s3, sqs = stack.client("iam"), stack.client("s3"), stack.client("sqs")
    user = iam_user_name(stack)
    policy = f"deny-get-{stack.suffix}"
    iam.put_user_policy(UserName=user, PolicyName=policy, PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{env['INPUT_BUCKET']}/{key}"}],
    }))
    try:
        with pytest.raises(Exception, match="AccessDenied|Forbidden|403"):
            s3.get_object(Bucket=env["INPUT_BUCKET"], Key=key)  # the denial is in force

        started = time.monotonic()
        stack.start("processor")
        processor = service_url(stack, "processor")
        dlq = dlq_name(env["INPUT_QUEUE"])
        # Receives come about every 5-6 s; the sixth receive attempt moves it (moto moves a message
        # whose receive count reached maxReceiveCount when it would be received again).
        moved = wait_until(lambda: queue_counts(sqs, dlq)["visible"] + queue_counts(sqs, dlq)["invisible"] >= 1,
                           timeout=MAX_RECEIVES * (VISIBILITY + 2) + 25, interval=1)
        moved_after = time.monotonic() - started

        def failed_state():
            response = stack_get(stack, f"/api/images/{image_id}")
            return response if response and response.get("state") == "failed" else None

        record = wait_until(failed_state, timeout=15, interval=0.5) or stack_get(stack, f"/api/images/{image_id}") or {}
        transient = metric(processor, "processor_transient_errors_total")
        input_counts = queue_counts(sqs, env["INPUT_QUEUE"])

        marker = None
        try:
            marker = json.loads(s3.get_object(Bucket=env["PROCESSED_BUCKET"], Key=f"failed_{key}.json")["Body"].read())
        except Exception:  # noqa: BLE001 - reported below
            pass
        dlq_body, dlq_receives = None, None
        if moved:
            url = queue_url(sqs, dlq)
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1, VisibilityTimeout=5,
                                           MessageSystemAttributeNames=["All"]).get("Messages", [])
            for message in messages:
                dlq_body = json.loads(message["Body"])
                dlq_receives = int(message["Attributes"].get("ApproximateReceiveCount", 0))
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    finally:
        iam.delete_user_policy(UserName=user, PolicyName=policy)

    error = record.get("error") or ""
    ok = bool(moved) and record.get("state") == "failed" and marker is not None
    report.add(requests=1, held=1 if ok else 0, lost=0 if record.get("state") in ("failed", "processed") else 1,
               note=f"in DLQ after {moved_after:.0f} s" if moved else "never reached the DLQ")

    problems = []
    if not moved:
        problems.append(f"the message did not reach {dlq} within {moved_after:.0f} s (input queue now {input_counts})")
    elif (dlq_body or {}).get("image_id") != image_id:
        problems.append(f"the dead-letter queue holds another message: {dlq_body}")
    if input_counts["visible"] + input_counts["invisible"] != 0:
        problems.append(f"the input queue still holds the message: {input_counts}")
    if transient < MAX_RECEIVES - 1:
        problems.append(f"the processor counted {transient:.0f} transient errors, not {MAX_RECEIVES - 1}+: it did not retry")
    if record.get("state") != "failed":
        problems.append(f"the image is {record.get('state')!r}, not 'failed' (record: {record})")
    if not error:
        problems.append("the failed image has no reason")
    elif not (re.search(rf"\b{MAX_RECEIVES}\b", error) and re.search(r"attempt|tries|tried|times|receive", error, re.I)):
        problems.append(f"the reason does not name the {MAX_RECEIVES} attempts: {error!r}")
    if marker is None:
        problems.append(f"no failure marker failed_{key}.json in {env['PROCESSED_BUCKET']}")
    elif marker.get("image_id") != image_id or not marker.get("error"):
        problems.append(f"the failure marker is incomplete: {marker}")
    if dlq_receives is not None and dlq_receives < MAX_RECEIVES:
        problems.append(f"the message reached the DLQ after {dlq_receives} receives, not {MAX_RECEIVES}")
    assert not problems, "\n".join(problems)


def stack_get(stack, path: str) -> dict | None:
    import requests
    try:
        response = requests.get(stack.notifier_url + path, timeout=5)
        return response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None
