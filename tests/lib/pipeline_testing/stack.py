"""Starts and stops the pipeline's three services natively, for the tests and the benchmarks.

Each test session gets its own buckets and queues (a random suffix) on the emulator, and its own
ports, so it never disturbs a `make run` on the same machine. Everything started is stopped by PID.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests

ROOT = Path(__file__).resolve().parents[3]  # tests/lib/pipeline_testing/ -> the checkout


# Benchmarks measure the pipeline, not its limits: allowances no run reaches (`service_env`).
BENCH_LIMITS = {
    "UPLOADS_PER_OWNER_PER_DAY": "100000000", "UPLOAD_BYTES_PER_OWNER_PER_DAY": str(1 << 50),
    "PIXELS_PER_OWNER_PER_DAY": str(1 << 50), "MAX_UPLOADS_IN_PROGRESS": "100000",
}


def emulator_environment() -> dict[str, str]:
    """The emulator's settings: the process environment, else .run/emulator.env."""
    env = {}
    path = ROOT / ".run" / "emulator.env"
    if "AWS_ENDPOINT_URL" not in os.environ and path.exists():
        for line in path.read_text().splitlines():
            name, _, value = line.partition("=")
            env[name] = value
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


@dataclass
class Stack:
    """The three services on one set of resources."""

    bin_dir: Path
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    upload_port: int = 18081
    notifier_port: int = 18080
    processor_port: int = 18082
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    log_dir: Path = ROOT / "tests" / "output" / "logs"
    # Extra environment for the services only (not pipeline-setup, not the test's own clients),
    # e.g. AWS_ENDPOINT_URL of a fault-injecting proxy, MAX_UPLOAD_BYTES, PROCESSOR_VISIBILITY_SECONDS.
    service_env: dict[str, str] = field(default_factory=dict)
    # Each web service's ops port (readiness details, metrics), by its public port.
    ops_ports: dict[int, int] = field(default_factory=dict)
    # Environment for one service only, over service_env (e.g. a fault proxy for the notifier alone).
    env_of: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(emulator_environment())
        env.update({
            "INPUT_BUCKET": f"e2e-in-{self.suffix}",
            "PROCESSED_BUCKET": f"e2e-out-{self.suffix}",
            "INPUT_QUEUE": f"e2e-in-{self.suffix}.fifo",
            "PROCESSED_QUEUE": f"e2e-out-{self.suffix}.fifo",
            "IMAGE_TABLE": f"e2e-images-{self.suffix}",
            "PUBLIC_UPLOAD_URL": f"http://127.0.0.1:{self.upload_port}/upload",
            "CORS_ALLOWED_ORIGINS": f"http://127.0.0.1:{self.notifier_port},http://localhost:{self.notifier_port}",
            "HTTP_HOST": "127.0.0.1",
            "LOG_LEVEL": "info",
        })
        return env

    @property
    def upload_url(self) -> str:
        return f"http://127.0.0.1:{self.upload_port}"

    @property
    def notifier_url(self) -> str:
        return f"http://127.0.0.1:{self.notifier_port}"

    @property
    def processor_url(self) -> str:
        return f"http://127.0.0.1:{self.processor_port}"

    def setup_resources(self) -> None:
        subprocess.run([str(self.bin_dir / "pipeline-setup")], env=self.env, check=True, capture_output=True)

    def start(self, *names: str) -> None:
        """Starts the named services (upload-api, processor, notifier) and waits for /healthz."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        ports = {"upload-api": self.upload_port, "processor": self.processor_port, "notifier": self.notifier_port}
        for name in names:
            env = self.env | self.service_env | self.env_of.get(name, {}) | {"HTTP_PORT": str(ports[name])} | self._ops_env(name, ports[name])
            log = open(self.log_dir / f"{name}-{self.suffix}.log", "w")
            self.processes[name] = subprocess.Popen([str(self.bin_dir / name)], env=env, stdout=log, stderr=subprocess.STDOUT)
        for name in names:
            self.wait_healthy(name, ports[name])

    def start_extra(self, service: str, index: int, port: int) -> str:
        """Starts one more replica of `service` (a competing consumer) on its own port; returns its
        name in ``processes`` (``{service}-{index}``)."""
        name = f"{service}-{index}"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}-{self.suffix}.log", "w")
        env = self.env | self.service_env | self.env_of.get(service, {}) | {"HTTP_PORT": str(port)} | self._ops_env(service, port)
        self.processes[name] = subprocess.Popen([str(self.bin_dir / service)], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.wait_healthy(name, port)
        return name

    def _ops_env(self, service: str, port: int) -> dict[str, str]:
        """OPS_PORT for a web service: a free port of its own (the processor's one port is its ops port)."""
        if service == "processor":
            return {}
        if port not in self.ops_ports:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.ops_ports[port] = sock.getsockname()[1]
        return {"OPS_PORT": str(self.ops_ports[port])}

    def ops_url(self, url: str) -> str:
        """The ops port's base URL of the service at `url` (readiness details, metrics): the
        upload API and the notifier serve them there only; the processor on its one port."""
        base, _, port = url.rstrip("/").rpartition(":")
        if port.isdigit() and int(port) in self.ops_ports:
            return f"{base}:{self.ops_ports[int(port)]}"
        return url.rstrip("/")

    def wait_healthy(self, name: str, port: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited with {self.processes[name].returncode}; see {self.log_dir}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not answer on port {port} within {timeout} s")

    def stop(self, *names: str) -> None:
        """Stops the named services (all when none is named) with SIGTERM, then SIGKILL."""
        for name in names or list(self.processes):
            process = self.processes.pop(name, None)
            if process is None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                # An idle processor finishes its long poll (up to 20 s) before it exits.
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def client(self, service: str, config=None):
        """A boto3 client of the emulator; `config` (a botocore Config) for timeouts and retries."""
        env = self.env
        return boto3.client(
            service,
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=env.get("AWS_REGION", "us-east-1"),
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            config=config,
        )

    external = False

    def metrics(self, base_url: str) -> dict[str, float]:
        """A service's Prometheus counters and gauges, by series."""
        values = {}
        for line in requests.get(f"{self.ops_url(base_url)}/metrics", timeout=5).text.splitlines():
            if line and not line.startswith("#"):
                series, _, value = line.rpartition(" ")
                values[series] = float(value)
        return values


class ExternalStack(Stack):
    """A stack that is already running (e.g. `docker compose up`), found by its URLs:
    E2E_NOTIFIER_URL (required), E2E_UPLOAD_URL (default http://localhost:8081) and, optionally,
    E2E_PROCESSOR_URL. Resource names and credentials come from the environment, with the
    design's defaults (LocalStack's test/test on http://localhost:4566)."""

    external = True

    def __init__(self) -> None:
        super().__init__(bin_dir=Path("/nonexistent"))

    @property
    def env(self) -> dict[str, str]:
        defaults = {
            "AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "INPUT_BUCKET": "image-input", "PROCESSED_BUCKET": "image-processed",
            "INPUT_QUEUE": "new-image-input.fifo", "PROCESSED_QUEUE": "new-image-processed.fifo",
        }
        return {name: os.environ.get(name, value) for name, value in defaults.items()}

    @property
    def upload_url(self) -> str:
        return os.environ.get("E2E_UPLOAD_URL", "http://localhost:8081").rstrip("/")

    @property
    def notifier_url(self) -> str:
        return os.environ["E2E_NOTIFIER_URL"].rstrip("/")

    @property
    def processor_url(self) -> str | None:
        return os.environ.get("E2E_PROCESSOR_URL", "").rstrip("/") or None

    def ops_url(self, url: str) -> str:
        """Compose publishes each web service's ops port at its port + 1000 (OPS_PORT's default)."""
        base, _, port = url.rstrip("/").rpartition(":")
        if url.rstrip("/") in (self.upload_url, self.notifier_url) and port.isdigit():
            return f"{base}:{int(port) + 1000}"
        return url.rstrip("/")

    def setup_resources(self) -> None:
        pass

    def start(self, *names: str) -> None:
        pass

    def stop(self, *names: str) -> None:
        pass
