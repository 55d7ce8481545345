"""The container wiring, checked without a Docker engine: Compose's own validation, hadolint on
every Dockerfile, the one-shot pipeline-setup that the services wait for, and the compose file's
environment, ports, queues and buckets against what the services themselves read
(`pipeline-setup configuration <service>`, on the debug binaries)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SWIFT_BIN = Path(os.environ.get("PIPELINE_DEBUG_BIN_DIR", ROOT / ".build" / "debug"))
SERVICES = {"upload-api": 8081, "processor": 8082, "notifier": 8080}
SETUP_DOCKERFILE = "shared/Pipeline/Dockerfile"
DOCKERFILES = sorted(f"services/{service}/Dockerfile" for service in SERVICES) + [SETUP_DOCKERFILE]
RESOURCE_NAMES = ("INPUT_BUCKET", "PROCESSED_BUCKET", "INPUT_QUEUE", "PROCESSED_QUEUE", "IMAGE_TABLE")


@pytest.fixture(scope="module")
def compose():
    """`docker compose config`: validates the file and prints it normalised (anchors merged)."""
    result = subprocess.run(
        [str(BIN / "docker-compose"), "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def service_configuration(service, environment):
    """Every variable `service` reads and the value it takes in `environment`, as the service's own
    configuration reader says (`pipeline-setup configuration`); fails with the reader's error."""
    result = subprocess.run([str(SWIFT_BIN / "pipeline-setup"), "configuration", service],
                            env={"PATH": os.environ["PATH"], **environment}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def defaults():
    """Service → variable → its default (keys given, nothing else set)."""
    keys = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
    return {service: service_configuration(service, keys) for service in SERVICES}


def test_compose_file_is_valid_compose_v2(compose):
    assert set(compose["services"]) == {"localstack", "pipeline-setup", *SERVICES}


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_dockerfiles_are_lint_clean(dockerfile):
    result = subprocess.run([str(BIN / "hadolint"), "--config", str(ROOT / ".hadolint.yaml"), dockerfile],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_dockerfiles_copy_both_shared_packages_manifests_first(dockerfile):
    """The resolve layer sees only manifests (cached until one changes); the sources come after."""
    lines = [line.strip() for line in (ROOT / dockerfile).read_text().splitlines()]

    def index(line):
        assert line in lines, f"{dockerfile}: missing `{line}`"
        return lines.index(line)

    resolve = next(i for i, line in enumerate(lines) if line.startswith("RUN swift package") and line.endswith(" resolve"))
    for package in ("shared/AWSClient", "shared/Pipeline"):
        assert index(f"COPY {package}/Package.swift {package}/") < resolve < index(f"COPY {package} {package}")


def test_localstack_is_pinned_and_healthchecked(compose):
    localstack = compose["services"]["localstack"]
    assert localstack["image"] == "localstack/localstack:4.14.0"
    assert localstack["environment"]["SERVICES"] == "s3,sqs,dynamodb,dynamodbstreams"
    assert localstack["environment"]["EAGER_SERVICE_LOADING"] == "1"
    check = " ".join(localstack["healthcheck"]["test"])
    assert "/_localstack/health" in check and "for s in s3 sqs dynamodb;" in check
    # Resources are pipeline-setup's alone: no LocalStack init hook, nor the names only it read.
    assert "/_localstack/init" not in check
    assert not [volume for volume in localstack.get("volumes", []) if volume["target"].startswith("/etc/localstack/init")]
    assert not set(RESOURCE_NAMES) & set(localstack["environment"])
    assert not (ROOT / "deploy/localstack").exists()


def test_localstacks_healthcheck_waits_for_every_service(compose):
    """The check itself, run by a shell on health answers (compose's $$ is a literal $)."""
    check = compose["services"]["localstack"]["healthcheck"]["test"][1].replace("$$", "$")
    for states, healthy in ((("running", "available", "running"), True), (("running", "available", "error"), False),
                            (("running", "initializing", "running"), False)):
        health = json.dumps({"services": dict(zip(("s3", "sqs", "dynamodb"), states))})
        command = check.replace("curl -sf http://localhost:4566/_localstack/health", f"echo '{health}'")
        assert (subprocess.run(["sh", "-c", command]).returncode == 0) == healthy, states


def test_pipeline_setup_is_a_one_shot_before_the_services(compose, defaults):
    setup = compose["services"]["pipeline-setup"]
    assert setup["build"]["dockerfile"] == SETUP_DOCKERFILE
    assert setup["build"]["context"] == str(ROOT)
    assert setup["restart"] == "no"
    assert setup["depends_on"] == {"localstack": {"condition": "service_healthy", "required": True}}
    assert not setup.get("ports") and "healthcheck" not in setup
    env = setup["environment"]
    assert env["AWS_ENDPOINT_URL"] == "http://localstack:4566"
    for name in RESOURCE_NAMES:
        assert env[name] == defaults["upload-api"][name], name
    # The same anchor as the services: it creates exactly what they use.
    for service in SERVICES:
        service_env = compose["services"][service]["environment"]
        for name in ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", *RESOURCE_NAMES):
            assert env[name] == service_env[name], (service, name)


def test_pipeline_setup_image():
    text = (ROOT / SETUP_DOCKERFILE).read_text()
    assert re.search(r"^FROM swift:6\.3-noble AS build$", text, re.M)
    assert re.search(r"^RUN swift build -c release --static-swift-stdlib --package-path shared/Pipeline --product pipeline-setup\b", text, re.M)
    assert re.search(r"^FROM ubuntu:noble$", text, re.M)
    assert "--uid 10001" in text and re.search(r"^USER 10001$", text, re.M)
    assert re.search(r'^ENTRYPOINT \["/app/pipeline-setup"\]$', text, re.M)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_services_agree_with_their_configuration(compose, defaults, service):
    spec = compose["services"][service]
    env = spec["environment"]
    # The service starts with this environment, and reads every variable the file sets (a typo
    # would otherwise be ignored in silence).
    read = service_configuration(service, env)
    assert not set(env) - set(read), f"{service} reads no {sorted(set(env) - set(read))}"
    assert env["AWS_ENDPOINT_URL"] == "http://localstack:4566"
    for name in (*RESOURCE_NAMES, "MAX_UPLOAD_BYTES", "MAX_PIXELS"):
        assert env[name] == defaults[service][name], name
    assert env["HTTP_HOST"] == "0.0.0.0"
    assert env["HTTP_PORT"] == str(SERVICES[service]) == defaults[service]["HTTP_PORT"]
    assert spec["build"]["dockerfile"] == f"services/{service}/Dockerfile"
    assert spec["build"]["context"] == str(ROOT)
    assert spec["depends_on"]["localstack"]["condition"] == "service_healthy"
    assert spec["depends_on"]["pipeline-setup"]["condition"] == "service_completed_successfully"
    assert spec["healthcheck"]["test"]
    published = {port.get("published") for port in spec.get("ports", [])}
    if service == "processor":
        assert not published, "a published port would stop --scale processor=3"
        assert "container_name" not in spec
    else:
        # The public port, and the ops port (readiness details, metrics) on this machine only.
        ops = SERVICES[service] + 1000
        assert published == {str(SERVICES[service]), str(ops)}
        assert {port.get("host_ip") for port in spec["ports"] if port.get("published") == str(ops)} == {"127.0.0.1"}
    # The health check asks /readyz where it is served: the ops port (the processor's one port).
    check = " ".join(spec["healthcheck"]["test"])
    assert f"/dev/tcp/127.0.0.1/{SERVICES[service] + (0 if service == 'processor' else 1000)} " in check and "/readyz" in check
