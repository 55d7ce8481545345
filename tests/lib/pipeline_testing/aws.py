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
