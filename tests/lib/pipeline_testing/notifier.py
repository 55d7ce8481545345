"""The notifier's view of the images: its list API (every page), one image, and waiting for states."""
from __future__ import annotations

import time

import requests


def list_images(notifier_url: str, timeout: float = 10) -> tuple[dict[str, dict], dict[str, int]]:
    """Every image the notifier lists (all pages): records by id, and how often each id was listed."""
    records, counts, cursor = {}, {}, None
    for _ in range(1000):  # bounded: 500 a page
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = requests.get(f"{notifier_url}/api/images", params=params, timeout=timeout).json()
        for image in page["images"]:
            records[image["image_id"]] = image
            counts[image["image_id"]] = counts.get(image["image_id"], 0) + 1
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return records, counts


def states_by_id(notifier_url: str, timeout: float = 10) -> dict[str, str]:
    """image id -> state, for every image the notifier lists."""
    return {image_id: record["state"] for image_id, record in list_images(notifier_url, timeout)[0].items()}


def image_states(notifier_url: str, ids, timeout: float = 5) -> dict[str, dict | None]:
    """GET /api/images/{id} for each id (None: 404 or no answer)."""
    out = {}
    for image_id in ids:
        try:
            response = requests.get(f"{notifier_url}/api/images/{image_id}", timeout=timeout)
            out[image_id] = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError):
            out[image_id] = None
    return out


def wait_for_states(notifier_url: str, ids, timeout: float, done=("processed", "failed"),
                    interval: float = 0.5) -> dict[str, dict | None]:
    """Polls the notifier (list API, bounded) until every id is in one of the `done` states."""
    ids = set(ids)
    deadline = time.monotonic() + timeout
    records: dict[str, dict] = {}
    while True:
        try:
            records, _ = list_images(notifier_url)
        except (requests.RequestException, ValueError):
            pass
        if all(records.get(i, {}).get("state") in done for i in ids) or time.monotonic() > deadline:
            break
        time.sleep(interval)
    return {i: records.get(i) for i in ids}
