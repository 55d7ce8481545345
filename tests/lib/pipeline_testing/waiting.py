"""Waiting that is always bounded, and what a service says about itself (readiness, metrics)."""
from __future__ import annotations

import time

import requests


def wait_until(predicate, timeout: float, interval: float = 0.2):
    """Calls `predicate` until it returns something truthy or the time is up; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - a probe that fails is a "not yet"
            value = None
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def readyz(url: str, timeout: float = 3) -> int | None:
    try:
        return requests.get(f"{url}/readyz", timeout=timeout).status_code
    except requests.RequestException:
        return None


def metric(url: str, series: str, default: float = 0.0) -> float:
    try:
        text = requests.get(f"{url}/metrics", timeout=3).text
    except requests.RequestException:
        return default
    total, found = 0.0, False
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        name, _, value = line.rpartition(" ")
        if name == series or name.startswith(series + "{"):
            total += float(value)
            found = True
    return total if found else default
