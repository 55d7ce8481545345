"""The notifier's view of the images: its list API (every page), one image, waiting for states, and
its event stream."""
from __future__ import annotations

import json
import threading
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


class EventStream:
    """A client of the notifier's Server-Sent Events (`/api/events`), read in a thread: every frame
    as (event, id, data), image frames' states by id, and whether the stream is open.

        with EventStream(notifier_url) as stream:
            stream.wait_open()
            ...
            stream.states["<id>"]   # every state the stream told for that image, in order
    """

    def __init__(self, notifier_url: str, last_event_id: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.url = f"{notifier_url}/api/events"
        self.headers = dict(headers or {}) | ({"Last-Event-ID": last_event_id} if last_event_id else {})
        self.frames: list[tuple[str, str | None, str]] = []
        self.states: dict[str, list[str]] = {}
        self.open = False
        self.ended = False
        self.error: str | None = None
        self._response = None
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> "EventStream":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
        self._thread.join(timeout=5)

    def wait_open(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not self.open and time.monotonic() < deadline and not self.ended:
            time.sleep(0.02)
        assert self.open, f"the event stream at {self.url} did not open: {self.error}"

    @property
    def last_id(self) -> str | None:
        return next((frame_id for _, frame_id, _ in reversed(self.frames) if frame_id), None)

    def _read(self) -> None:
        try:
            with requests.get(self.url, headers=self.headers, stream=True, timeout=(5, 60)) as response:
                self._response = response
                self.open = response.status_code == 200
                event, frame_id, data = "message", None, []
                for raw in response.iter_lines():
                    line = raw.decode("utf-8", "replace")
                    if not line:
                        if data:
                            self._frame(event, frame_id, "\n".join(data))
                        event, frame_id, data = "message", None, []
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("id:"):
                        frame_id = line[3:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
        except Exception as error:  # noqa: BLE001 - a closed or cut stream ends the reading
            self.error = f"{type(error).__name__}: {error}"
        self.ended = True

    def _frame(self, event: str, frame_id: str | None, data: str) -> None:
        self.frames.append((event, frame_id, data))
        if event == "image":
            try:
                image = json.loads(data)
            except ValueError:
                return
            self.states.setdefault(image.get("image_id", ""), []).append(image.get("state", ""))
