"""deploy/aws/pipeline.yaml deployed with CloudFormation on the emulator (conftest.py), and images run
through the pipeline on the resources that stack created: the three services started as its ECS tasks
would start them (each task definition's environment as CloudFormation resolved it, the image's own
ENTRYPOINT and CMD, no keys in the environment but a container credentials endpoint, a stand-in ECS
agent, serving the task role's credentials), with the emulator enforcing each role's policies. ECS,
the load balancer and autoscaling do not run here: the emulator models them (task definitions,
listener rules) but runs no containers.

What the emulator cannot do, and what stands in for it (every other request is checked as AWS would):
- Its CloudFormation has no model for AWS::S3::BucketPolicy, AWS::EC2::SecurityGroupEgress,
  AWS::ApplicationAutoScaling::*, AWS::CloudWatch::Alarm: it skips them (test_template.py reads them).
- It stores a role's inline policies from CloudFormation as a Python dict, which its own policy
  evaluation cannot read (KeyError, HTTP 500): the test writes each back unchanged, as JSON.
- AssumeRole into a role that trusts a service principal (ecs-tasks.amazonaws.com) fails with HTTP 500:
  the test lets its own IAM user assume the roles instead; ECS is who assumes them on AWS.
- It names some actions differently from IAM: HeadBucket is `s3:HeadBucket` (IAM: s3:ListBucket), the
  batch calls are `sqs:*Batch` (IAM: the single call's action), and it checks sqs:GetQueueUrl against
  resource "*" (it cannot tell the queue): the test adds, per role, those names for exactly the
  resources its s3:ListBucket / sqs:DeleteMessage / … statements name, and GetQueueUrl on "*" to the
  roles that have GetQueueUrl.
"""
from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from PIL import Image

from cfn_template import ROOT
from ecs_agent import FakeECSAgent, expiration_in
from pipeline_testing.pngs import noise_png
from pipeline_testing.stack import Stack

SERVICES = {"upload-api": "UploadApi", "processor": "Processor", "notifier": "Notifier"}
# Resource types the emulator's CloudFormation has no model for (it skips them with a warning).
EMULATOR_SKIPS = {"AWS::S3::BucketPolicy", "AWS::EC2::SecurityGroupEgress", "AWS::ApplicationAutoScaling::ScalableTarget",
                  "AWS::ApplicationAutoScaling::ScalingPolicy", "AWS::CloudWatch::Alarm",
                  "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation", "AWS::WAFv2::LoggingConfiguration"}
MOTO_ACTION_NAMES = {
    "s3:ListBucket": ["s3:HeadBucket"],
    "sqs:SendMessage": ["sqs:SendMessageBatch"],
    "sqs:DeleteMessage": ["sqs:DeleteMessageBatch"],
    "sqs:ChangeMessageVisibility": ["sqs:ChangeMessageVisibilityBatch"],
}
PHOTOS = ["photos/kodim02.png", "photos/kodim07.png", "photos/kodim17.png", "photos/kodim23.png"]
# ContainerCredentialsProvider's refreshMargin: credentials are fetched again this long before they expire.
REFRESH_MARGIN = 300
# How long each service's first credentials are used before they come within the margin.
FIRST_CREDENTIALS_SECONDS = 5
STATIC_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def listify(value):
    return value if isinstance(value, list) else [value]


def image_command(service: str) -> list[str]:
    """The ENTRYPOINT and CMD (exec form) of services/<service>/Dockerfile, what ECS runs when the task
    definition overrides neither."""
    entrypoint, command = [], []
    for line in (ROOT / "services" / service / "Dockerfile").read_text().splitlines():
        if line.startswith("ENTRYPOINT "):
            entrypoint, command = json.loads(line.split(" ", 1)[1]), []  # a later ENTRYPOINT resets CMD
        elif line.startswith("CMD "):
            command = json.loads(line.split(" ", 1)[1])
    return entrypoint + command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_emulator_created_every_resource_it_models(deployed):
    print(f"stack {deployed.name}: {len(deployed.resources)} resources created; "
          f"skipped by the emulator (no model): {', '.join(deployed.skipped_types)}")
    assert set(deployed.skipped_types) <= EMULATOR_SKIPS
    types = {kind for kind, _ in deployed.resources.values()}
    for kind in ("AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::IAM::Role", "AWS::ECS::Cluster", "AWS::ECS::TaskDefinition",
                 "AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::ListenerRule",
                 "AWS::Logs::LogGroup", "AWS::EC2::VPC"):
        assert kind in types
    assert deployed.outputs["PageUrl"] == f"http://{deployed.outputs['LoadBalancerDnsName']}/"
    assert deployed.outputs["UploadUrl"] == f"http://{deployed.outputs['LoadBalancerDnsName']}/upload"
    # A lower-case name, so that the origin built from it is what browsers send.
    assert deployed.outputs["LoadBalancerDnsName"] == deployed.outputs["LoadBalancerDnsName"].lower()


@pytest.fixture(scope="module")
def task_definitions(deployed) -> dict[str, dict]:
    ecs = deployed.client("ecs")
    definitions = {}
    for service, prefix in SERVICES.items():
        arn = deployed.resources[f"{prefix}TaskDefinition"][1]
        (container,) = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"]
        definitions[service] = container
    return definitions


def test_task_definitions_name_the_stacks_own_resources(deployed, task_definitions):
    outputs = deployed.outputs
    origin = outputs["PageUrl"].rstrip("/")
    for service, container in task_definitions.items():
        env = {entry["name"]: entry["value"] for entry in container["environment"]}
        assert env["INPUT_BUCKET"] == outputs["InputBucketName"]
        assert env["PROCESSED_BUCKET"] == outputs["ProcessedBucketName"]
        assert env["INPUT_QUEUE"] == outputs["InputQueueName"]
        assert env["PROCESSED_QUEUE"] == outputs["ProcessedQueueName"]
        assert env["AWS_REGION"] == deployed.env.get("AWS_REGION", "us-east-1")
        assert "AWS_ENDPOINT_URL" not in env and not set(STATIC_KEYS) & env.keys()
        # No override: the container runs its image's own ENTRYPOINT and CMD.
        assert not container.get("entryPoint") and not container.get("command")
    assert {e["name"]: e["value"] for e in task_definitions["notifier"]["environment"]}["PUBLIC_UPLOAD_URL"] == outputs["UploadUrl"]
    assert {e["name"]: e["value"] for e in task_definitions["upload-api"]["environment"]}["CORS_ALLOWED_ORIGINS"] == origin


def test_the_load_balancer_sends_upload_to_the_api_and_the_rest_to_the_notifier(deployed):
    elb = deployed.client("elbv2")
    ports = {group["TargetGroupArn"]: group["Port"] for group in elb.describe_target_groups(
        LoadBalancerArn=deployed.resources["LoadBalancer"][1])["TargetGroups"]}
    (listener,) = elb.describe_listeners(LoadBalancerArn=deployed.resources["LoadBalancer"][1])["Listeners"]
    routes = {}
    for rule in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
        paths = tuple(rule["Conditions"][0]["PathPatternConfig"]["Values"]) if rule["Conditions"] else "default"
        action = rule["Actions"][0]
        routes[paths] = ports[action["TargetGroupArn"]] if action["Type"] == "forward" else action["Type"]
    assert routes == {("/upload",): 8081, ("/openapi.yaml",): 8081, ("/metrics*", "/readyz*", "//*"): "fixed-response", "default": 8080}


@pytest.fixture(scope="module")
def roles(deployed) -> dict[str, str]:
    """service → role ARN, each role usable on the emulator (see the module's docstring)."""
    iam, sts = deployed.client("iam"), deployed.client("sts")
    caller = sts.get_caller_identity()["Arn"]
    arns = {}
    for service, prefix in SERVICES.items():
        arn = deployed.outputs[f"{prefix}TaskRoleArn"]
        name = arn.rsplit("/", 1)[-1]
        statements = []
        for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
            if isinstance(document, str):  # the emulator answers with the dict's Python repr
                document = ast.literal_eval(document)
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
            statements += document["Statement"]
        aliases = []
        for statement in statements:
            extra = [alias for action in listify(statement["Action"]) for alias in MOTO_ACTION_NAMES.get(action, [])]
            if extra:
                aliases.append({"Effect": statement["Effect"], "Action": extra, "Resource": statement["Resource"]})
        if any("sqs:GetQueueUrl" in listify(statement["Action"]) for statement in statements):
            aliases.append({"Effect": "Allow", "Action": "sqs:GetQueueUrl", "Resource": "*"})
        iam.put_role_policy(RoleName=name, PolicyName="emulator-action-names",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": aliases}))
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "sts:AssumeRole"}]}))
        arns[service] = arn
    return arns


def assume(deployed, arn: str) -> dict:
    credentials = deployed.client("sts").assume_role(RoleArn=arn, RoleSessionName=f"test-{uuid.uuid4().hex[:8]}")["Credentials"]
    return {"AccessKeyId": credentials["AccessKeyId"], "SecretAccessKey": credentials["SecretAccessKey"],
            "Token": credentials["SessionToken"], "Expiration": expiration_in(3600), "RoleArn": arn}


class TaskStack(Stack):
    """The three services as the stack's ECS tasks start them, on this machine: the task definition's
    environment, the image's ENTRYPOINT and CMD, the emulator's endpoint, no keys but the stand-in
    agent's credentials endpoint (each service's own task role); ports and the page's origin are local."""

    def __init__(self, bin_dir: Path, deployed, task_definitions: dict, agent: FakeECSAgent):
        super().__init__(bin_dir=bin_dir, upload_port=free_port(), notifier_port=free_port(), processor_port=free_port())
        self.deployed, self.task_definitions, self.agent = deployed, task_definitions, agent

    @property
    def env(self) -> dict[str, str]:
        """For the test's own clients (Stack.client): the emulator's keys and the stack's names."""
        outputs = self.deployed.outputs
        return self.deployed.env | {"INPUT_BUCKET": outputs["InputBucketName"], "PROCESSED_BUCKET": outputs["ProcessedBucketName"],
                                    "INPUT_QUEUE": outputs["InputQueueName"], "PROCESSED_QUEUE": outputs["ProcessedQueueName"]}

    def start(self, *names: str) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        ports = {"upload-api": self.upload_port, "processor": self.processor_port, "notifier": self.notifier_port}
        base = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        for name in names:
            container = self.task_definitions[name]
            env = base | {entry["name"]: str(entry["value"]) for entry in container["environment"]} | self._ops_env(name, ports[name]) | {
                "AWS_ENDPOINT_URL": self.deployed.env["AWS_ENDPOINT_URL"],
                "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(ports[name]),
                "CORS_ALLOWED_ORIGINS": self.notifier_url, "PUBLIC_UPLOAD_URL": f"{self.upload_url}/upload",
                "LOG_FORMAT": "text",
            } | self.agent.environment(name)
            assert not set(STATIC_KEYS) & env.keys(), "a task gets no keys, only the credentials endpoint"
            command = [str(self.bin_dir / name) if part == f"/app/{name}" else part for part in image_command(name)]
            log = open(self.log_dir / f"aws-{name}-{self.suffix}.log", "w")
            self.processes[name] = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        for name in names:
            self.wait_healthy(name, ports[name])

    def stop(self, *names: str) -> None:
        """SIGTERM to every service, then, after a few seconds, SIGKILL to those still running: the
        long polls that a graceful stop waits for (up to 20 s) are not what this suite tests."""
        stopping = {name: self.processes.pop(name) for name in (names or list(self.processes)) if name in self.processes}
        for process in stopping.values():
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 3
        for process in stopping.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log(self, name: str) -> str:
        return (self.log_dir / f"aws-{name}-{self.suffix}.log").read_text()


def upload(stack: TaskStack, name: str, data: bytes) -> str:
    response = requests.post(f"{stack.upload_url}/upload", files={"image": (name, data, "image/png")}, timeout=60)
    assert response.status_code == 202, response.text
    return response.json()["image_id"]


def wait_states(stack: TaskStack, image_ids, timeout: float = 60) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    records = {}
    while time.monotonic() < deadline:
        for image_id in image_ids:
            response = requests.get(f"{stack.notifier_url}/api/images/{image_id}", timeout=10)
            if response.ok:
                records[image_id] = response.json()
        if all(records.get(image_id, {}).get("state") in ("processed", "failed") for image_id in image_ids):
            break
        time.sleep(0.3)
    return records


def wait_ready(stack: TaskStack, timeout: float = 20) -> dict[str, int]:
    urls = {"upload-api": stack.upload_url, "processor": stack.processor_url, "notifier": stack.notifier_url}
    deadline = time.monotonic() + timeout
    while True:
        answers = {}
        for name, url in urls.items():
            try:
                answer = requests.get(f"{stack.ops_url(url)}/readyz", timeout=5)
                answers[name] = (answer.status_code, answer.text)
            except requests.RequestException as error:
                answers[name] = (0, str(error))
        if all(status == 200 for status, _ in answers.values()) or time.monotonic() > deadline:
            return answers
        time.sleep(0.3)


def timestamp(expiration: str) -> float:
    """An Expiration as the agent writes it (2025-01-02T03:04:05Z) → seconds since the epoch."""
    return datetime.fromisoformat(expiration.replace("Z", "+00:00")).timestamp()


def test_images_are_processed_on_the_stacks_resources_with_each_services_task_role(
        deployed, task_definitions, roles, bin_dir, testdata):
    expected = json.loads((testdata / "expected-opencv.json").read_text())["files"]
    agent = FakeECSAgent()
    for service, arn in roles.items():
        # Each service's first credentials come within the refresh margin FIRST_CREDENTIALS_SECONDS after
        # they are served: its next call must fetch new ones (a new session of the role) in place.
        agent.providers[service] = lambda n, arn=arn: assume(deployed, arn) | (
            {"Expiration": expiration_in(REFRESH_MARGIN + FIRST_CREDENTIALS_SECONDS)} if n == 1 else {})
    stack = TaskStack(bin_dir, deployed, task_definitions, agent)
    try:
        stack.start("upload-api", "processor", "notifier")
        pids = {name: process.pid for name, process in stack.processes.items()}
        readiness = wait_ready(stack)
        assert all(status == 200 for status, _ in readiness.values()), readiness

        first = {upload(stack, Path(name).name, (testdata / name).read_bytes()): name for name in PHOTOS[:2]}
        large = noise_png(6 << 20)  # larger than one multipart part
        first[upload(stack, "noise-6mib.png", large)] = None
        records = wait_states(stack, first)

        # Once the first credentials are within the margin, each service's next call fetches new ones:
        # the processor's and the notifier's next poll of their queue (within 20 s), the upload API's
        # readiness check (/readyz), while all three keep running.
        refresh_at = max(timestamp(agent.served[service][0][2]) - REFRESH_MARGIN for service in SERVICES)
        deadline = time.monotonic() + max(0.0, refresh_at - time.time()) + 30
        while not all(agent.requests[service] >= 2 for service in SERVICES) and time.monotonic() < deadline:
            if time.time() > refresh_at:
                wait_ready(stack, timeout=0)
            time.sleep(1)
        refreshed = {service: agent.requests[service] for service in SERVICES}
        assert refreshed == dict.fromkeys(SERVICES, 2), f"credentials fetched per service: {refreshed}\n" + "\n".join(
            f"--- {service}:\n" + "\n".join(stack.log(service).splitlines()[-15:]) for service in SERVICES)

        # Images after the refresh go through on the new credentials.
        second = {upload(stack, Path(name).name, (testdata / name).read_bytes()): name for name in PHOTOS[2:]}
        records |= wait_states(stack, second)

        for image_id, name in (first | second).items():
            record = records.get(image_id, {})
            assert record.get("state") == "processed", (name, record)
            png = requests.get(stack.notifier_url + record["processed_url"], timeout=10)
            assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
            if name:
                pixels = Image.open(io.BytesIO(png.content)).convert("L").tobytes()
                assert hashlib.sha256(pixels).hexdigest() == expected[name]["binary_sha256"], name
        original = requests.get(f"{stack.notifier_url}/api/images/{next(iter(first))}/original", timeout=10)
        assert original.status_code == 200

        # Every service took its credentials from the agent, with the token, exactly twice: at its first
        # call, and again in place when the first ones came within the margin (kept until then, not
        # fetched per call), new keys, the same process all along (never exited, never restarted).
        assert agent.unauthorized == 0
        for service in SERVICES:
            assert agent.requests[service] == 2, (service, agent.requests[service])
            (_, first_key, first_expiration), (fetched_again, second_key, _) = agent.served[service]
            assert second_key != first_key, service
            assert timestamp(first_expiration) - REFRESH_MARGIN - 1 <= fetched_again < timestamp(first_expiration), service
            assert stack.processes[service].pid == pids[service] and stack.processes[service].poll() is None, service
        sqs = deployed.client("sqs")
        for key in ("InputQueueName", "InputDeadLetterQueueName", "ProcessedDeadLetterQueueName"):
            url = sqs.get_queue_url(QueueName=deployed.outputs[key])["QueueUrl"]
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            assert counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}, key
        print(f"{len(first) + len(second)} images processed on stack {deployed.name} under the task roles; "
              f"each service's credentials refreshed in place, no restart ({dict(agent.requests)} fetches)")
    finally:
        stack.stop()
        agent.close()


# (service, what, call): calls outside each role's grant, which the emulator must refuse.
def denied_calls(outputs):
    input_bucket, processed_bucket = outputs["InputBucketName"], outputs["ProcessedBucketName"]
    return {
        "upload-api": [
            ("read a result", lambda s3, sqs, q: s3.get_object(Bucket=processed_bucket, Key="x")),
            ("write a result", lambda s3, sqs, q: s3.put_object(Bucket=processed_bucket, Key="x", Body=b"x")),
            ("list results", lambda s3, sqs, q: s3.list_objects_v2(Bucket=processed_bucket)),
            ("take work", lambda s3, sqs, q: sqs.receive_message(QueueUrl=q["InputQueueName"])),
            ("take events", lambda s3, sqs, q: sqs.receive_message(QueueUrl=q["ProcessedQueueName"])),
        ],
        "processor": [
            ("write an upload", lambda s3, sqs, q: s3.put_object(Bucket=input_bucket, Key="x", Body=b"x")),
            ("delete an upload", lambda s3, sqs, q: s3.delete_object(Bucket=input_bucket, Key="x")),
            ("read a result", lambda s3, sqs, q: s3.get_object(Bucket=processed_bucket, Key="x")),
            ("queue work", lambda s3, sqs, q: sqs.send_message(QueueUrl=q["InputQueueName"], MessageBody="{}", MessageGroupId="g")),
            ("take events", lambda s3, sqs, q: sqs.receive_message(QueueUrl=q["ProcessedQueueName"])),
            ("read dead letters", lambda s3, sqs, q: sqs.receive_message(QueueUrl=q["InputDeadLetterQueueName"])),
        ],
        "notifier": [
            ("write an upload", lambda s3, sqs, q: s3.put_object(Bucket=input_bucket, Key="x", Body=b"x")),
            ("write a result", lambda s3, sqs, q: s3.put_object(Bucket=processed_bucket, Key="x", Body=b"x")),
            ("delete a result", lambda s3, sqs, q: s3.delete_object(Bucket=processed_bucket, Key="x")),
            ("take work", lambda s3, sqs, q: sqs.receive_message(QueueUrl=q["InputQueueName"])),
            ("send an event", lambda s3, sqs, q: sqs.send_message(QueueUrl=q["ProcessedQueueName"], MessageBody="{}", MessageGroupId="g")),
            ("read dead letters", lambda s3, sqs, q: sqs.receive_message(QueueUrl=q["ProcessedDeadLetterQueueName"])),
        ],
    }


def test_each_task_role_is_refused_what_its_service_does_not_do(deployed, roles):
    admin_sqs = deployed.client("sqs")
    queues = {key: admin_sqs.get_queue_url(QueueName=deployed.outputs[key])["QueueUrl"] for key in (
        "InputQueueName", "ProcessedQueueName", "InputDeadLetterQueueName", "ProcessedDeadLetterQueueName")}
    allowed = []
    for service, calls in denied_calls(deployed.outputs).items():
        credentials = assume(deployed, roles[service])
        keys = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["Token"]}
        s3, sqs = deployed.client("s3", **keys), deployed.client("sqs", **keys)
        for what, call in calls:
            try:
                call(s3, sqs, queues)
                allowed.append(f"{service}: {what}")
            except ClientError as error:
                assert error.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException", "403"), (service, what, error)
    assert not allowed, f"allowed although outside the role's grant: {allowed}"
