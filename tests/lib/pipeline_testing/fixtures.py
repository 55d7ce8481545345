"""pytest fixtures of the suites that drive the release binaries on an emulator (tests/faults,
tests/localstack): `bin_dir`, `testdata`, and `stacks` (fresh resources for one test, stopped and
deleted after it). A suite's conftest imports them, and overrides `stack_log_dir` to keep its
services' logs apart."""
from __future__ import annotations

from pathlib import Path

import pytest

from .stack import emulator_environment
from .stacks import LOG_DIR, StackFactory, find_testdata, release_binaries


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    """The release binaries, with an emulator to run them on; a clear failure when either is missing."""
    if "AWS_ENDPOINT_URL" not in emulator_environment():
        pytest.fail("no emulator: run the suite through make (make test-faults, make test-localstack)")
    try:
        return release_binaries()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="session")
def testdata() -> Path:
    path = find_testdata()
    if path is None:
        pytest.fail("test data not found (tests/data, ../shared/testdata, or TESTDATA_DIR)")
    return path


@pytest.fixture(scope="session")
def stack_log_dir() -> Path:
    """Where the services' logs go."""
    return LOG_DIR


@pytest.fixture
def stacks(bin_dir, stack_log_dir):
    """A factory of stacks for one test; everything is stopped and deleted after it."""
    factory = StackFactory(bin_dir, log_dir=stack_log_dir)
    yield factory
    factory.close()
