"""The LocalStack conformance run's fixtures (pipeline_testing.fixtures: bin_dir, testdata, stacks).

Runs the release binaries (PIPELINE_BIN_DIR, default .build/release) on LocalStack 4.14.0, the
emulator docker compose runs (scripts/test-localstack.sh starts it natively and points AWS_* at
it). Every test gets fresh buckets and queues and stops what it starts.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# The shared fixtures: bin_dir, testdata, stacks.
from pipeline_testing.fixtures import bin_dir, stacks, testdata  # noqa: F401
from pipeline_testing.stack import ROOT


@pytest.fixture(scope="session", autouse=True)
def on_localstack() -> None:
    if os.environ.get("PIPELINE_EMULATOR") != "localstack":
        pytest.fail("no LocalStack: run scripts/test-localstack.sh (make test does)")


@pytest.fixture(scope="session")
def stack_log_dir() -> Path:
    return ROOT / "tests" / "output" / "localstack" / "logs"
