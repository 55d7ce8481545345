"""The emulator's own limit for an upload: a raw boto3 PutObject + SendMessage loop, at a given
concurrency for a given time, printed as JSON (uploads/s, p50/p99 latency in ms, errors)."""
import json
import sys
import threading
import time
import uuid

import boto3
from botocore.config import Config


def main(env_file: str, png_path: str, connections: int, seconds: float, bucket: str, queue: str) -> None:
    env = dict(line.split("=", 1) for line in open(env_file).read().splitlines() if "=" in line)
    config = Config(max_pool_connections=connections * 2, retries={"max_attempts": 1})
    session = boto3.session.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                                    region_name=env.get("AWS_REGION", "us-east-1"))
    s3 = session.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], config=config)
    sqs = session.client("sqs", endpoint_url=env["AWS_ENDPOINT_URL"], config=config)
    queue_url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    body = open(png_path, "rb").read()
    latencies, errors = [], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            image_id = str(uuid.uuid4())
            key = f"{image_id}_bench.png"
            started = time.monotonic()
            try:
                s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="image/png")
                sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"image_id": image_id, "object_key": key}),
                                 MessageGroupId=image_id, MessageDeduplicationId=image_id)
                elapsed = time.monotonic() - started
                with lock:
                    latencies.append(elapsed)
            except Exception:  # counted, like wrk's non-2xx
                with lock:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()

    def percentile(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    print(json.dumps({"rate": len(latencies) / wall, "p50_ms": percentile(0.50), "p99_ms": percentile(0.99),
                      "errors": errors[0], "count": len(latencies)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6])
