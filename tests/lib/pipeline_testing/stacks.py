"""Stacks on fresh resources for one test or one benchmark: the three services on free 127.0.0.1
ports, their own buckets and queues, stopped by PID and deleted at the end; and what a test does to
a running service (SIGTERM, kill -9)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from .aws import dlq_name, list_keys
from .stack import ROOT, Stack

LOG_DIR = ROOT / "tests" / "output" / "faults" / "logs"
BINARIES = ("upload-api", "processor", "notifier", "pipeline-setup")


def release_binaries() -> Path:
    """The folder of the release binaries (PIPELINE_BIN_DIR, default .build/release); raises
    FileNotFoundError, saying how to build them, when one is missing."""
    path = Path(os.environ.get("PIPELINE_BIN_DIR", ROOT / ".build" / "release"))
    missing = [name for name in BINARIES if not (path / name).exists()]
    if missing:
        raise FileNotFoundError(f"missing in {path}: {', '.join(missing)}; build the release binaries first (make release)")
    return path


def find_testdata() -> Path | None:
    """TESTDATA_DIR, else the project's tests/data, else ../shared/testdata beside the checkout."""
    for candidate in (os.environ.get("TESTDATA_DIR"), ROOT / "tests" / "data", ROOT.parent / "shared" / "testdata"):
        if candidate and (Path(candidate) / "photos").is_dir():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StackFactory:
    """Makes stacks on fresh resources (pipeline-setup, a random suffix) and free ports, and at
    close stops every process they started (by PID) and deletes their buckets and queues, so the
    emulator (which keeps everything in memory) does not grow from run to run."""

    def __init__(self, bin_dir: Path, log_dir: Path = LOG_DIR) -> None:
        self.bin_dir = bin_dir
        self.log_dir = log_dir
        self.stacks: list[Stack] = []

    def new(self, service_env: dict[str, str] | None = None, suffix: str | None = None, setup: bool = True) -> Stack:
        kwargs = {"suffix": suffix} if suffix else {}
        stack = Stack(bin_dir=self.bin_dir, upload_port=free_port(), notifier_port=free_port(),
                      processor_port=free_port(), log_dir=self.log_dir, service_env=dict(service_env or {}), **kwargs)
        if setup:
            stack.setup_resources()
        self.stacks.append(stack)
        return stack

    def close(self, grace: float = 3.0) -> None:
        """Stops every process still running: SIGTERM to all at once, SIGKILL to those still
        running after `grace` s (graceful exits are what test_sigterm checks; an idle processor
        may finish its 20 s long poll first, which would only slow the suite down here)."""
        processes = [p for stack in self.stacks for p in stack.processes.values()]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        suffixes = set()
        for stack in self.stacks:
            stack.processes.clear()
            suffixes.add(stack.suffix)
        for stack in self.stacks:
            if stack.suffix in suffixes:
                suffixes.discard(stack.suffix)
                delete_resources(stack)
        self.stacks.clear()


def delete_resources(stack: Stack) -> None:
    """Deletes the stack's buckets (with their objects) and its four queues; errors are ignored."""
    env = stack.env
    try:
        s3 = stack.client("s3")
        for bucket in (env["INPUT_BUCKET"], env["PROCESSED_BUCKET"]):
            try:
                keys = list_keys(s3, bucket)
                for start in range(0, len(keys), 1000):
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})
                s3.delete_bucket(Bucket=bucket)
            except Exception:  # noqa: BLE001
                pass
        sqs = stack.client("sqs")
        for queue in (env["INPUT_QUEUE"], env["PROCESSED_QUEUE"]):
            for name in (queue, dlq_name(queue)):
                try:
                    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])
                except Exception:  # noqa: BLE001
                    pass
    except Exception:  # noqa: BLE001
        pass


def service_port(stack: Stack, name: str) -> int:
    return {"upload-api": stack.upload_port, "notifier": stack.notifier_port, "processor": stack.processor_port}[name]


def service_url(stack: Stack, name: str) -> str:
    return f"http://127.0.0.1:{service_port(stack, name)}"


def kill9(stack: Stack, name: str) -> None:
    process = stack.processes.pop(name)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def sigterm_and_wait(stack: Stack, name: str, limit: float = 30.0) -> tuple[int | None, float]:
    """SIGTERM, then wait up to `limit` s: (exit status or None if still running, seconds).
    A process still running after the limit is killed (SIGKILL) so that nothing outlives the test."""
    process = stack.processes.pop(name)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        return None, time.monotonic() - started
    return status, time.monotonic() - started
