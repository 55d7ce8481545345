"""The task entrypoint of deploy/aws/pipeline.yaml (Mappings/TaskEntrypoint), run with bash as ECS runs
it (`bash -c SCRIPT NAME COMMAND ARGS...`) against a stand-in for the ECS agent. The services read their
credentials once at start, so the entrypoint gives them the task role's and restarts them before those
expire."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cfn_template import entrypoint_script
from ecs_agent import FakeECSAgent, expiration_in

# A stand-in service: writes one line per start (its argv and credentials), then waits for SIGTERM.
FAKE_SERVICE = """
import json, os, signal, sys, time
record = sys.argv[1]
def write(event):
    with open(record, "a") as file:
        file.write(json.dumps(event) + "\\n")
write({"event": "start", "args": sys.argv[2:], "key": os.environ.get("AWS_ACCESS_KEY_ID"),
       "secret": os.environ.get("AWS_SECRET_ACCESS_KEY"), "token": os.environ.get("AWS_SESSION_TOKEN")})
exit_status = int(os.environ.get("FAKE_EXIT_STATUS", "-1"))
if exit_status >= 0:
    sys.exit(exit_status)
def stop(*_):
    write({"event": "stop"})
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    time.sleep(0.1)
"""


@pytest.fixture
def agent():
    agent = FakeECSAgent()
    yield agent
    agent.close()


@pytest.fixture
def service(tmp_path):
    script = tmp_path / "service.py"
    script.write_text(FAKE_SERVICE)
    return script


def credentials(n: int, expires_in: float = 3600) -> dict:
    # Secrets and tokens carry '/', '+' and '=' (base64), which must arrive unchanged.
    return {"AccessKeyId": f"ASIATEST{n:04d}", "SecretAccessKey": f"se/cr+et={n}", "Token": f"to+ken/{n}==",
            "Expiration": expiration_in(expires_in), "RoleArn": "arn:aws:iam::123456789012:role/test"}


def start(service: Path, record: Path, env: dict[str, str]) -> subprocess.Popen:
    base = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    return subprocess.Popen(
        ["bash", "-c", entrypoint_script(), "fake-service", sys.executable, str(service), str(record), "serve", "--flag"],
        env=base | env, stderr=subprocess.PIPE, text=True,
    )


def events(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_starts_the_service_with_the_task_role_credentials_and_passes_sigterm_on(agent, service, tmp_path):
    agent.providers["svc"] = credentials
    record = tmp_path / "record.jsonl"
    process = start(service, record, agent.environment("svc") | {"AWS_ACCESS_KEY_ID": "static-key-to-be-replaced"})
    started = wait_for(lambda: events(record), 10, "the service to start")[0]
    assert started == {"event": "start", "args": ["serve", "--flag"], "key": "ASIATEST0001",
                       "secret": "se/cr+et=1", "token": "to+ken/1=="}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert [event["event"] for event in events(record)] == ["start", "stop"]
    assert agent.unauthorized == 0 and agent.requests["svc"] == 1


def test_restarts_the_service_with_fresh_credentials_before_they_expire(agent, service, tmp_path):
    margin = 60
    # The first credentials expire right after the margin: the entrypoint restarts at once (5 s at the least).
    agent.providers["svc"] = lambda n: credentials(n, expires_in=margin + 1 if n == 1 else 3600)
    record = tmp_path / "record.jsonl"
    process = start(service, record, agent.environment("svc") | {"CREDENTIALS_REFRESH_MARGIN_SECONDS": str(margin)})
    try:
        wait_for(lambda: len(events(record)) >= 3, 15, "a restart")
        assert [(event["event"], event.get("key")) for event in events(record)] == [
            ("start", "ASIATEST0001"), ("stop", None), ("start", "ASIATEST0002")]
        assert agent.requests["svc"] == 2
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert "restarting with fresh task role credentials" in process.stderr.read()


def test_exits_with_the_service_status(agent, service, tmp_path):
    agent.providers["svc"] = credentials
    process = start(service, tmp_path / "record.jsonl", agent.environment("svc") | {"FAKE_EXIT_STATUS": "3"})
    assert process.wait(timeout=10) == 3


def test_waits_for_the_agent(agent, service, tmp_path):
    agent.providers["svc"] = lambda n: None if n == 1 else credentials(n)
    record = tmp_path / "record.jsonl"
    process = start(service, record, agent.environment("svc"))
    try:
        assert wait_for(lambda: events(record), 10, "the service to start")[0]["key"] == "ASIATEST0002"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert "credentials endpoint answered: HTTP/1.0 500" in process.stderr.read()


def test_without_a_task_role_the_service_runs_as_it_is(service, tmp_path):
    """docker compose and make run give static credentials and no credentials endpoint."""
    record = tmp_path / "record.jsonl"
    process = start(service, record, {"AWS_ACCESS_KEY_ID": "static", "AWS_SECRET_ACCESS_KEY": "secret", "FAKE_EXIT_STATUS": "0"})
    assert process.wait(timeout=10) == 0
    assert events(record)[0]["key"] == "static"
