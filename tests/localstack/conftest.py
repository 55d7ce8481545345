"""The LocalStack conformance run's fixtures.

Runs the release binaries (PIPELINE_BIN_DIR, default .build/release) on LocalStack 4.14.0, the
emulator docker compose runs (scripts/test-localstack.sh starts it natively and points AWS_* at
it). Every test gets fresh buckets and queues and stops what it starts (pipeline_testing.stacks.StackFactory).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline_testing.stack import ROOT
from pipeline_testing.stacks import StackFactory, release_binaries


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if os.environ.get("PIPELINE_EMULATOR") != "localstack" or not endpoint:
        pytest.fail("no LocalStack: run scripts/test-localstack.sh (make test does)")
    path, missing = release_binaries()
    if missing:
        pytest.fail(f"missing in {path}: {', '.join(missing)}; build the release binaries first (make release)")
    return path


@pytest.fixture(scope="session")
def testdata() -> Path:
    return ROOT / "tests" / "data"


@pytest.fixture
def stacks(bin_dir):
    """A factory of stacks for one test; everything is stopped and deleted after it."""
    factory = StackFactory(bin_dir, log_dir=ROOT / "tests" / "output" / "localstack" / "logs")
    yield factory
    factory.close()
