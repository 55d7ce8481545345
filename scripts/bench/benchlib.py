"""Helpers shared by the stack benchmarks (load.py, notifier.py, cost.py): per-process CPU and
memory from /proc, the notifier's count of processed images, and the test photos.

Stacks themselves (fresh buckets and queues, services on free 127.0.0.1 ports, stopped by PID and
cleaned up at the end) come from tests/stack.py and tests/faults/faultlib.py; importing this
module puts both on sys.path.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT / "tests", ROOT / "tests" / "faults"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

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


def notifier_states(notifier_url: str, timeout: float = 10) -> dict[str, str]:
    """image id -> state, as the notifier's /api/images lists them (every page)."""
    states: dict[str, str] = {}
    cursor = None
    for _ in range(1000):
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = requests.get(f"{notifier_url}/api/images", params=params, timeout=timeout).json()
        for image in page["images"]:
            states[image["image_id"]] = image["state"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return states


def photos(testdata: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every PNG in the test data's photos folder, by name."""
    return [(path.name, path.read_bytes()) for path in sorted((testdata / "photos").glob("*.png"))]
