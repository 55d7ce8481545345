"""The LocalStack conformance run's fixtures.

Runs the release binaries (PIPELINE_BIN_DIR, default .build/release) on LocalStack 4.14.0, the
emulator docker compose runs (scripts/test-localstack.sh starts it natively and points AWS_* at
it). Every test gets fresh buckets and queues and stops what it starts (faultlib.StackFactory).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))  # stack.py
sys.path.insert(0, str(TESTS / "faults"))  # faultlib.py

from stack import ROOT  # noqa: E402

from faultlib import StackFactory  # noqa: E402

BINARIES = ("upload-api", "processor", "notifier", "pipeline-setup")


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if os.environ.get("PIPELINE_EMULATOR") != "localstack" or not endpoint:
        pytest.fail("no LocalStack: run scripts/test-localstack.sh (make test does)")
    path = Path(os.environ.get("PIPELINE_BIN_DIR", ROOT / ".build" / "release"))
    missing = [name for name in BINARIES if not (path / name).exists()]
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
