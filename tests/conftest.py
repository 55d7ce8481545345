"""Shared fixtures: one pipeline stack per test session, on the emulator."""
import os
from pathlib import Path

import pytest

from pipeline_testing.stack import ExternalStack, ROOT, Stack, emulator_environment

TESTDATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The repository's test data; missing, it is a failure (it is part of the repository)."""
    if not TESTDATA.is_dir():
        pytest.fail(f"test data not found at {TESTDATA}")
    return TESTDATA


@pytest.fixture(scope="session")
def stack():
    """Resources and binaries ready; services are started by the tests that need them.

    With E2E_NOTIFIER_URL set, the tests run against that running stack instead (docker compose).
    """
    if os.environ.get("E2E_NOTIFIER_URL"):
        yield ExternalStack()
        return
    if "AWS_ENDPOINT_URL" not in emulator_environment():
        pytest.fail("no emulator: run scripts/emulator.sh start (make test does)")
    bin_dir = Path(os.environ.get("PIPELINE_BIN_DIR", ROOT / ".build" / "debug"))
    for name in ("upload-api", "processor", "notifier", "pipeline-setup"):
        if not (bin_dir / name).exists():
            pytest.fail(f"{bin_dir / name} is missing: build the packages first (make build)")
    stack = Stack(bin_dir=bin_dir)
    stack.setup_resources()
    yield stack
    stack.stop()
