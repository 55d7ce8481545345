"""The AWS template (deploy/aws/pipeline.yaml) deployed with CloudFormation on the emulator, once per
test session, under a random stack name; deleted again at the end."""
from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from cfn_template import ROOT, TEMPLATE, load
from pipeline_testing.stack import emulator_environment

# The repository's tests/data, else ../shared/testdata (or TESTDATA_DIR) beside the checkout.
TESTDATA_DIRS = [ROOT / "tests" / "data", Path(os.environ.get("TESTDATA_DIR", ROOT.parent / "shared" / "testdata"))]

IMAGE_PARAMETERS = ("UploadApiImage", "ProcessorImage", "NotifierImage")


@dataclass
class DeployedStack:
    name: str
    outputs: dict[str, str]
    # logical id → (type, physical id), for the resources the emulator created
    resources: dict[str, tuple[str, str]]
    # resource types the emulator's CloudFormation skipped (it has no model for them)
    skipped_types: list[str]
    env: dict[str, str]

    def client(self, service: str, **credentials):
        return boto3.client(
            service,
            endpoint_url=self.env["AWS_ENDPOINT_URL"],
            region_name=self.env.get("AWS_REGION", "us-east-1"),
            aws_access_key_id=credentials.get("aws_access_key_id", self.env["AWS_ACCESS_KEY_ID"]),
            aws_secret_access_key=credentials.get("aws_secret_access_key", self.env["AWS_SECRET_ACCESS_KEY"]),
            aws_session_token=credentials.get("aws_session_token"),
        )


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The photos and expected results (tests/data, or ../shared/testdata)."""
    for directory in TESTDATA_DIRS:
        if (directory / "photos").is_dir():
            return directory
    pytest.fail(f"test data not found at {' or '.join(map(str, TESTDATA_DIRS))}")


@pytest.fixture(scope="session")
def emulator_env() -> dict[str, str]:
    env = emulator_environment()
    if "AWS_ENDPOINT_URL" not in env:
        pytest.fail("no emulator: run scripts/emulator.sh start (make test does)")
    return env


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    """PIPELINE_BIN_DIR, else whichever of .build/debug (what make test builds) and .build/release
    has all the binaries and was built last (a stale build would lack what the other has)."""
    services = ("upload-api", "processor", "notifier")
    names = (*services, "pipeline-setup")
    if os.environ.get("PIPELINE_BIN_DIR"):
        candidates = [Path(os.environ["PIPELINE_BIN_DIR"])]
    else:
        candidates = [ROOT / ".build" / "debug", ROOT / ".build" / "release"]
    complete = [directory for directory in candidates if all((directory / name).exists() for name in names)]
    if complete:
        return max(complete, key=lambda directory: min((directory / name).stat().st_mtime for name in services))
    pytest.fail(f"the services' binaries are missing from {', '.join(map(str, candidates))}: build them first (make build)")


# moto authorizes DynamoDB actions against the resource "*" (it names no table ARN in its check), so
# a statement scoped to the table would deny everything there. On the emulator only, the notifier's
# and the upload API's DynamoDB statements name "*"; their actions are still checked, and test_template.py checks the
# scoping of the real template.
DYNAMODB_RESOURCES = ('Resource: !GetAtt ImageTable.Arn',
                      'Resource: [!Sub "${ImageTable.Arn}/index/owner-uploaded", !Sub "${ImageTable.Arn}/index/everyone-uploaded"]',
                      'Resource: !GetAtt ImageTable.StreamArn')


def emulator_template() -> str:
    text = TEMPLATE.read_text()
    for resource in DYNAMODB_RESOURCES:
        assert text.count(resource) >= 1, resource
        text = text.replace(resource, 'Resource: "*"')
    return text


@pytest.fixture(scope="session")
def deployed(emulator_env) -> DeployedStack:
    stack = DeployedStack(name=f"aws-test-{uuid.uuid4().hex[:8]}", outputs={}, resources={}, skipped_types=[], env=emulator_env)
    cloudformation = stack.client("cloudformation")
    cloudformation.create_stack(
        StackName=stack.name,
        TemplateBody=emulator_template(),
        Capabilities=["CAPABILITY_IAM"],
        # The emulator has no Cognito for CloudFormation and no certificate: the public demo's
        # parameters (test_template.py reads the signed-in wiring from the template itself).
        Parameters=[{"ParameterKey": key, "ParameterValue": f"example.invalid/{key}:test"} for key in IMAGE_PARAMETERS]
        + [{"ParameterKey": "AuthMode", "ParameterValue": "none"}, {"ParameterKey": "AllowPlainHttp", "ParameterValue": "true"}],
    )
    deadline = time.monotonic() + 60
    while True:
        description = cloudformation.describe_stacks(StackName=stack.name)["Stacks"][0]
        if not description["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert description["StackStatus"] == "CREATE_COMPLETE", description.get("StackStatusReason")
    stack.outputs = {output["OutputKey"]: output["OutputValue"] for output in description.get("Outputs", [])}
    template = load()
    created = set()
    for summary in cloudformation.list_stack_resources(StackName=stack.name)["StackResourceSummaries"]:
        if summary.get("LogicalResourceId"):
            stack.resources[summary["LogicalResourceId"]] = (summary["ResourceType"], summary.get("PhysicalResourceId", ""))
            created.add(summary["LogicalResourceId"])
    stack.skipped_types = sorted({
        resource["Type"] for logical_id, resource in template["Resources"].items()
        if logical_id not in created and "Condition" not in resource
    })
    yield stack
    delete(stack, cloudformation)


def delete(stack: DeployedStack, cloudformation) -> None:
    """Deletes the stack, best effort (the emulator keeps nothing across a restart anyway). The
    emulator's DeleteStack leaves the ECS cluster and, failing on the VPC (DependencyViolation), the
    network; those are deleted here one by one."""
    s3 = stack.client("s3")
    for key in ("InputBucketName", "ProcessedBucketName"):
        try:  # CloudFormation deletes only empty buckets
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.outputs[key]):
                for entry in page.get("Contents", []):
                    s3.delete_object(Bucket=stack.outputs[key], Key=entry["Key"])
        except Exception:  # noqa: BLE001
            pass
    physical = {logical_id: physical_id for logical_id, (_, physical_id) in stack.resources.items()}
    ecs, ec2 = stack.client("ecs"), stack.client("ec2")
    steps = [lambda: cloudformation.delete_stack(StackName=stack.name)]
    steps += [lambda name=name: ecs.delete_service(cluster=physical["Cluster"], service=physical[name], force=True)
              for name in ("UploadApiService", "ProcessorService", "NotifierService")]
    steps += [lambda: ecs.delete_cluster(cluster=physical["Cluster"]),
              lambda: ec2.delete_vpc_endpoints(VpcEndpointIds=[physical["S3GatewayEndpoint"]]),
              lambda: ec2.detach_internet_gateway(InternetGatewayId=physical["InternetGateway"], VpcId=physical["Vpc"]),
              lambda: ec2.delete_internet_gateway(InternetGatewayId=physical["InternetGateway"])]
    steps += [lambda name=name: ec2.delete_security_group(GroupId=physical[name])
              for name in ("WebServiceSecurityGroup", "ProcessorSecurityGroup", "LoadBalancerSecurityGroup")]
    steps += [lambda name=name: ec2.delete_subnet(SubnetId=physical[name]) for name in ("PublicSubnetA", "PublicSubnetB")]
    steps += [lambda: ec2.delete_route_table(RouteTableId=physical["PublicRouteTable"]),
              lambda: ec2.delete_vpc(VpcId=physical["Vpc"])]
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001 - already gone, or the emulator refuses; the rest still goes
            pass
