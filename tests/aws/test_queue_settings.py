"""The template's queues and image table have pipeline-setup's settings (the one source of truth in
code): the template read as data against QueuePolicy.swift, and, on the emulator, the queues and the
table the deployed stack created against those pipeline-setup creates, setting by setting."""
from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from cfn_template import load, queue_policy
from pipeline_testing.aws import dlq_name

POLICY = queue_policy()
RESOURCES = load()["Resources"]
PAIRS = {"InputQueue": "InputDeadLetterQueue", "ProcessedQueue": "ProcessedDeadLetterQueue"}
# Attributes that name or count a queue, not configure it.
IDENTITY = {"QueueArn", "CreatedTimestamp", "LastModifiedTimestamp", "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible", "RedrivePolicy"}
# The template asks for SSE-SQS explicitly; pipeline-setup leaves it to SQS, whose default for new
# queues is SSE-SQS on AWS (the emulator's default is off).
TEMPLATE_ONLY = {"SqsManagedSseEnabled"}


def test_template_queues_match_queue_policy_swift():
    for queue, dead_letters in PAIRS.items():
        properties = RESOURCES[queue]["Properties"]
        assert properties["FifoQueue"] is True
        assert properties["ContentBasedDeduplication"] is True
        assert properties["VisibilityTimeout"] == POLICY["visibilityTimeoutSeconds"]
        assert properties["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]}, "maxReceiveCount": POLICY["maxReceiveCount"]}
        assert properties["SqsManagedSseEnabled"] is True
        dlq = RESOURCES[dead_letters]["Properties"]
        assert dlq["FifoQueue"] is True
        assert dlq["MessageRetentionPeriod"] == POLICY["deadLetterRetentionSeconds"]
        assert dlq["SqsManagedSseEnabled"] is True
        assert dlq["QueueName"]["Fn::Sub"] == dlq_name(properties["QueueName"]["Fn::Sub"])
    names = {RESOURCES[queue]["Properties"]["QueueName"]["Fn::Sub"] for queue in PAIRS}
    assert names == {"${AWS::StackName}-new-image-input.fifo", "${AWS::StackName}-new-image-processed.fifo"}


def attributes(sqs, name: str) -> dict[str, str]:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


@pytest.fixture(scope="module")
def setup_queues(deployed, bin_dir):
    """pipeline-setup's resources under fresh names, on the same emulator."""
    suffix = uuid.uuid4().hex[:8]
    names = {"INPUT_BUCKET": f"setup-in-{suffix}", "PROCESSED_BUCKET": f"setup-out-{suffix}",
             "INPUT_QUEUE": f"setup-{suffix}-new-image-input.fifo", "PROCESSED_QUEUE": f"setup-{suffix}-new-image-processed.fifo",
             "IMAGE_TABLE": f"setup-{suffix}-images"}
    result = subprocess.run([str(bin_dir / "pipeline-setup")], env=deployed.env | {"PATH": "/usr/bin:/bin"} | names,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return names


def test_stack_queues_have_the_attributes_pipeline_setup_gives(deployed, setup_queues):
    sqs = deployed.client("sqs")
    stack = {"InputQueue": deployed.outputs["InputQueueName"], "ProcessedQueue": deployed.outputs["ProcessedQueueName"]}
    setup = {"InputQueue": setup_queues["INPUT_QUEUE"], "ProcessedQueue": setup_queues["PROCESSED_QUEUE"]}
    compared = []
    for queue in PAIRS:
        for source, name in (("stack", stack[queue]), ("pipeline-setup", setup[queue])):
            # Both follow QueuePolicy.deadLetterQueueName: <stem>-dlq.fifo.
            assert attributes(sqs, dlq_name(name))["FifoQueue"] == "true", source
        main = {source: attributes(sqs, name) for source, name in (("stack", stack[queue]), ("setup", setup[queue]))}
        dlq = {source: attributes(sqs, dlq_name(name)) for source, name in (("stack", stack[queue]), ("setup", setup[queue]))}
        for source in ("stack", "setup"):
            redrive = json.loads(main[source]["RedrivePolicy"])
            assert redrive["deadLetterTargetArn"] == dlq[source]["QueueArn"], source
            assert int(redrive["maxReceiveCount"]) == POLICY["maxReceiveCount"], source
        # The named settings first, for a readable failure …
        for key in ("VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication"):
            assert main["stack"][key] == main["setup"][key], f"{queue} {key}"
        assert main["stack"]["VisibilityTimeout"] == str(POLICY["visibilityTimeoutSeconds"])
        assert dlq["stack"]["MessageRetentionPeriod"] == dlq["setup"]["MessageRetentionPeriod"] == str(POLICY["deadLetterRetentionSeconds"])
        # … then every other configuring attribute, of the queue and of its dead-letter queue.
        for kind, pair in (("queue", main), ("dead-letter queue", dlq)):
            keys = (set(pair["stack"]) | set(pair["setup"])) - IDENTITY - TEMPLATE_ONLY
            different = {key: (pair["stack"].get(key), pair["setup"].get(key)) for key in keys
                         if pair["stack"].get(key) != pair["setup"].get(key)}
            assert not different, f"{queue} {kind}: stack vs pipeline-setup {different}"
            assert pair["stack"]["SqsManagedSseEnabled"] == "true"
            compared.append(len(keys))
    print(f"queue settings: stack = pipeline-setup on {sum(compared)} attributes over the 4 queues "
          f"(VisibilityTimeout {POLICY['visibilityTimeoutSeconds']}, maxReceiveCount {POLICY['maxReceiveCount']}, "
          f"dead letters kept {POLICY['deadLetterRetentionSeconds']} s)")


def test_stack_buckets_exist_encrypted(deployed, setup_queues):
    s3 = deployed.client("s3")
    for key in ("InputBucketName", "ProcessedBucketName"):
        rules = s3.get_bucket_encryption(Bucket=deployed.outputs[key])["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    for key in ("INPUT_BUCKET", "PROCESSED_BUCKET"):
        s3.head_bucket(Bucket=setup_queues[key])


def table_settings(dynamodb, name: str) -> dict:
    """What configures a table (not its name, size or times), in a comparable form."""
    table = dynamodb.describe_table(TableName=name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    return {
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "BillingMode": table.get("BillingModeSummary", {}).get("BillingMode"),
        "Stream": (table["StreamSpecification"]["StreamEnabled"], table["StreamSpecification"]["StreamViewType"]),
        "Indexes": sorted((index["IndexName"], json.dumps(index["KeySchema"]), index["Projection"]["ProjectionType"])
                          for index in table.get("GlobalSecondaryIndexes", [])),
        "TimeToLive": (ttl.get("TimeToLiveStatus"), ttl.get("AttributeName")),
    }


def test_stack_table_has_the_settings_pipeline_setup_gives(deployed, setup_queues):
    dynamodb = deployed.client("dynamodb")
    stack = table_settings(dynamodb, deployed.outputs["ImageTableName"])
    setup = table_settings(dynamodb, setup_queues["IMAGE_TABLE"])
    # moto's CloudFormation does not apply TimeToLiveSpecification: expiry is compared with the
    # template read as data instead.
    different = {key: (stack[key], setup[key]) for key in stack if stack[key] != setup[key] and key != "TimeToLive"}
    assert not different, f"image table: stack vs pipeline-setup {different}"
    assert stack["Stream"] == (True, "NEW_AND_OLD_IMAGES") and stack["BillingMode"] == "PAY_PER_REQUEST"
    declared = RESOURCES["ImageTable"]["Properties"]["TimeToLiveSpecification"]
    assert setup["TimeToLive"] == ("ENABLED", declared["AttributeName"]) and declared["Enabled"] is True
    print(f"image table: stack = pipeline-setup on {len(stack)} settings (key, attributes, billing, stream, index, expiry)")
