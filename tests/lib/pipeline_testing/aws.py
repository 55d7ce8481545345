"""S3 and SQS seen directly with boto3 (a test's own clients never go through a fault proxy), and
the project's resource naming."""
from __future__ import annotations


def dlq_name(queue: str) -> str:
    """`x.fifo` -> `x-dlq.fifo`, as QueuePolicy.deadLetterQueueName(for:) names it in Swift
    (tests/aws/test_queue_settings.py finds pipeline-setup's queues by this name)."""
    return queue[:-5] + "-dlq.fifo" if queue.endswith(".fifo") else queue + "-dlq"


def list_keys(s3, bucket: str, prefix: str = "") -> list[str]:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [entry["Key"] for entry in page.get("Contents", [])]
    return keys


def queue_url(sqs, name: str) -> str:
    return sqs.get_queue_url(QueueName=name)["QueueUrl"]


def queue_counts(sqs, name: str) -> dict[str, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url(sqs, name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return {"visible": int(attributes["ApproximateNumberOfMessages"]),
            "invisible": int(attributes["ApproximateNumberOfMessagesNotVisible"])}


def make_dead_letter(stack, png: bytes, name: str, error: str) -> str:
    """An image as it is after failing on every receive the queue allows: its original stored
    (readable now, so that a redrive succeeds), `failed` with `error` in the table (through its
    event, as the processor sends it), and its work message in the input dead-letter queue.
    Returns its id."""
    import json
    import uuid

    image_id = str(uuid.uuid4())
    key = f"{image_id}_{name}"
    env = stack.env
    stack.client("s3").put_object(Bucket=env["INPUT_BUCKET"], Key=key, Body=png, ContentType="image/png", Metadata={"owner": "local"})
    sqs = stack.client("sqs")
    event = {"image_id": image_id, "original_key": key, "processed_key": f"processed_{key}", "status": "failed", "error": error,
             "filename": name}
    sqs.send_message(QueueUrl=queue_url(sqs, env["PROCESSED_QUEUE"]), MessageBody=json.dumps(event),
                     MessageGroupId=image_id, MessageDeduplicationId=f"failed_{image_id}")
    work = {"image_id": image_id, "object_key": key, "filename": name, "owner": "local"}
    sqs.send_message(QueueUrl=queue_url(sqs, dlq_name(env["INPUT_QUEUE"])), MessageBody=json.dumps(work),
                     MessageGroupId=image_id, MessageDeduplicationId=image_id)
    return image_id
