"""The fault suite's fixtures and its one-screen summary.

Runs the release binaries (PIPELINE_BIN_DIR, default .build/release) on the emulator
(.run/emulator.env or the AWS_* environment). Every test gets fresh buckets and queues and stops
what it starts; see pipeline_testing.stacks.StackFactory.
"""
from __future__ import annotations

import textwrap
import time
from dataclasses import dataclass, field
import pytest

# The shared fixtures: bin_dir, testdata, stacks.
from pipeline_testing.fixtures import bin_dir, stack_log_dir, stacks, testdata  # noqa: F401
from pipeline_testing.stacks import StackFactory


@pytest.fixture(scope="module")
def module_stacks(bin_dir):
    """The same, for a module whose tests share one stack."""
    factory = StackFactory(bin_dir)
    yield factory
    factory.close()


# -- the summary -------------------------------------------------------------------------------

@dataclass
class Row:
    case: str
    requests: int = 0
    held: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)
    outcome: str = "passed"
    seconds: float = 0.0
    tests: int = 0
    reported: bool = False


ROWS: dict[str, Row] = {}
SUITE_STARTED = time.monotonic()


def pytest_configure(config):
    config.addinivalue_line("markers", "case(name): the summary row this test counts in (tests may share one)")


def case_name(item) -> str:
    marker = item.get_closest_marker("case")
    return marker.args[0] if marker else getattr(item, "originalname", item.name)


class Report:
    """What a test tells the summary about its case (row). Counts add up, so that several tests
    (the parametrized matrix) can share one row.

    requests: uploads (or cases) sent; held: accepted uploads that reached their expected final
    state, or refusals refused as the contract says; lost: accepted uploads that did not, objects
    left behind by a refusal or a failed upload (must be 0)."""

    def __init__(self, case: str) -> None:
        self.row = ROWS.setdefault(case, Row(case))

    def add(self, requests: int = 0, held: int = 0, lost: int = 0, note: str | None = None) -> None:
        self.row.requests += requests
        self.row.held += held
        self.row.lost += lost
        self.row.reported = True
        if note:
            self.row.notes.append(note)


@pytest.fixture
def report(request) -> Report:
    return Report(case_name(request.node))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    result = outcome.get_result()
    name = case_name(item)
    row = ROWS.setdefault(name, Row(name))
    row.seconds += result.duration
    if result.when == "call":
        row.tests += 1
    if result.failed:
        row.outcome = "ERROR" if result.when != "call" else "FAILED"
    elif result.skipped and row.outcome == "passed" and result.when != "teardown":
        row.outcome = "skipped"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not ROWS:
        return
    write = terminalreporter.write_line
    width = max(len(row.case) for row in ROWS.values())
    width = max(width, len("case"))
    write("")
    write("fault suite summary (held: accepted and reached its expected state, or refused as the contract says; lost must be 0)")
    header = f"{'case':<{width}} | {'result':<7} | {'time':>6} | {'requests':>8} | {'held':>6} | {'lost':>4} | notes"
    write(header)
    write("-" * min(len(header) + 40, 160))
    for row in ROWS.values():
        counts = (f"{row.requests:>8} | {row.held:>6} | {row.lost:>4}" if row.reported
                  else f"{'-':>8} | {'-':>6} | {'-':>4}")
        notes = "; ".join(row.notes)
        if row.tests > 1:
            notes = f"{row.tests} tests" + (f"; {notes}" if notes else "")
        prefix = f"{row.case:<{width}} | {row.outcome:<7} | {row.seconds:>5.1f}s | {counts} | "
        lines = textwrap.wrap(notes, width=max(40, 150 - len(prefix))) or [""]
        write(prefix + lines[0])
        for line in lines[1:]:
            write(" " * (len(prefix) - 2) + "| " + line)
    lost = sum(row.lost for row in ROWS.values())
    write(f"total lost: {lost}   wall time: {time.monotonic() - SUITE_STARTED:.0f} s")
