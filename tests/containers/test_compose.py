"""The container wiring, checked without a Docker engine: Compose's own validation, hadolint on
every Dockerfile, and the compose file's environment, ports, queues and buckets against DESIGN.md."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVICES = {"upload-api": 8081, "processor": 8082, "notifier": 8080}


@pytest.fixture(scope="module")
def compose():
    """`docker compose config`: validates the file and prints it normalised (anchors merged)."""
    result = subprocess.run(
        [str(BIN / "docker-compose"), "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def design_defaults(testdata):
    """Variable → default, from DESIGN.md's configuration table ("A / B | x / y" rows split)."""
    text = (testdata.parent / "DESIGN.md").read_text()
    defaults = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.fullmatch(r"[A-Z0-9_ /,()a-z-]+", cells[0]) or not cells[0][:1].isupper():
            continue
        names = [name.strip() for name in cells[0].split("/")]
        values = [value.strip() for value in cells[1].split("/")]
        if len(names) == len(values):
            defaults.update(zip(names, values))
    return defaults


def test_compose_file_is_valid_compose_v2(compose):
    assert set(compose["services"]) == {"localstack", *SERVICES}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_dockerfiles_are_lint_clean(service):
    result = subprocess.run([str(BIN / "hadolint"), "--config", str(ROOT / ".hadolint.yaml"), f"services/{service}/Dockerfile"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_localstack_is_pinned_and_healthchecked(compose):
    localstack = compose["services"]["localstack"]
    assert localstack["image"] == "localstack/localstack:4.14.0"
    assert localstack["environment"]["SERVICES"] == "s3,sqs"
    assert "/_localstack/init/ready" in " ".join(localstack["healthcheck"]["test"])
    hook = [volume for volume in localstack["volumes"] if volume["target"].startswith("/etc/localstack/init/ready.d/")]
    assert hook and (ROOT / "deploy/localstack/init-resources.sh").exists()


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_services_agree_with_the_design(compose, design_defaults, service):
    spec = compose["services"][service]
    env = spec["environment"]
    assert env["AWS_ENDPOINT_URL"] == "http://localstack:4566"
    for name in ("INPUT_BUCKET", "PROCESSED_BUCKET", "INPUT_QUEUE", "PROCESSED_QUEUE", "MAX_UPLOAD_BYTES", "MAX_PIXELS"):
        assert env[name] == design_defaults[name], name
    assert env["HTTP_HOST"] == "0.0.0.0"
    assert env["HTTP_PORT"] == str(SERVICES[service])
    assert spec["build"]["dockerfile"] == f"services/{service}/Dockerfile"
    assert spec["build"]["context"] == str(ROOT)
    assert spec["depends_on"]["localstack"]["condition"] == "service_healthy"
    assert spec["healthcheck"]["test"]
    published = {port.get("published") for port in spec.get("ports", [])}
    if service == "processor":
        assert not published, "a published port would stop --scale processor=3"
        assert "container_name" not in spec
    else:
        assert published == {str(SERVICES[service])}


def test_design_defaults_match_the_services_ports(design_defaults):
    assert "8081 upload-api, 8080 notifier, 8082 processor" in design_defaults["HTTP_PORT"]


def test_init_hook_creates_what_the_services_expect(compose, design_defaults):
    env = compose["services"]["localstack"]["environment"]
    for name in ("INPUT_BUCKET", "PROCESSED_BUCKET", "INPUT_QUEUE", "PROCESSED_QUEUE"):
        assert env[name] == design_defaults[name]
    script = (ROOT / "deploy/localstack/init-resources.sh").read_text()
    assert "FifoQueue" in script and "ContentBasedDeduplication" in script
    assert "maxReceiveCount" in script and "-dlq.fifo" in script
