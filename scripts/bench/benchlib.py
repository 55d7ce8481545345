"""Helpers of the stack benchmarks (load.py, notifier.py, cost.py): per-process CPU and memory
from /proc, and the test photos.

Stacks themselves (fresh buckets and queues, services on free 127.0.0.1 ports, stopped by PID and
cleaned up at the end) come from the project's test library, pipeline_testing (tests/lib).
"""
from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """utime + stime of a running process (all its threads), in ms; the kernel counts in clock
    ticks (10 ms at USER_HZ 100), so a figure is exact to one tick per thread."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


def rss_kib(pid: int) -> int | None:
    """VmRSS of a running process, in KiB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def child_cpu_seconds(command: list[str], timeout: float = 120) -> float:
    """Runs a command to completion and returns its user+sys CPU in s (microsecond resolution,
    from this process's RUSAGE_CHILDREN); raises with its stderr when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({finished.returncode}): "
                           f"{finished.stderr.decode(errors='replace').strip()[:300]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def photos(testdata: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every PNG in the test data's photos folder, by name."""
    return [(path.name, path.read_bytes()) for path in sorted((testdata / "photos").glob("*.png"))]
