"""Uploads through the upload API: one at a time (never raising), or at a steady rate from a thread."""
from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SAFE_FILENAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass
class UploadResult:
    index: int
    started: float
    elapsed: float
    status: int | None = None  # None: no HTTP answer (error says why)
    retry_after: str | None = None
    body: dict | None = None
    error: str | None = None

    @property
    def image_id(self) -> str | None:
        return (self.body or {}).get("image_id") if self.status in (200, 202) else None

    @property
    def object_key(self) -> str | None:
        return (self.body or {}).get("object_key") if self.status in (200, 202) else None


def post_image(upload_url: str, png: bytes, filename: str, index: int = 0, timeout: float = 45.0,
               headers: dict | None = None, session: requests.Session | None = None) -> UploadResult:
    """One multipart upload (a new connection unless a session is given); never raises."""
    started = time.monotonic()
    try:
        response = (session or requests).post(
            f"{upload_url}/upload", files={"image": (filename, png, "image/png")},
            headers={"Connection": "close", **(headers or {})} if session is None else headers,
            timeout=(5, timeout))
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text[:200]}
        return UploadResult(index, started, time.monotonic() - started, response.status_code,
                            response.headers.get("Retry-After"), body)
    except requests.RequestException as error:
        return UploadResult(index, started, time.monotonic() - started, error=f"{type(error).__name__}: {error}")


class SteadyUploader:
    """Uploads at a steady rate from a background thread (each upload in a pool thread, each on a
    new connection) until stopped; bounded by `max_uploads` and by the pool size (ticks with no
    free thread are skipped and counted)."""

    def __init__(self, upload_url: str, rate: float, pngs: list[bytes], max_uploads: int = 2000,
                 pool: int = 96, timeout: float = 45.0, prefix: str = "u") -> None:
        self.upload_url = upload_url
        self.interval = 1.0 / rate
        self.pngs = pngs
        self.max_uploads = max_uploads
        self.timeout = timeout
        self.prefix = prefix
        self.results: list[UploadResult] = []
        self.skipped = 0
        self._lock = threading.Lock()
        self._busy = 0
        self._pool_size = pool
        self._pool = ThreadPoolExecutor(pool, thread_name_prefix="uploader")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="steady-uploader")

    def start(self) -> "SteadyUploader":
        self._thread.start()
        return self

    def _one(self, index: int) -> None:
        try:
            result = post_image(self.upload_url, self.pngs[index % len(self.pngs)], f"{self.prefix}{index}.png",
                                index, timeout=self.timeout)
            with self._lock:
                self.results.append(result)
        finally:
            with self._lock:
                self._busy -= 1

    def _run(self) -> None:
        index, next_at = 0, time.monotonic()
        while not self._stop.is_set() and index < self.max_uploads:
            with self._lock:
                free = self._busy < self._pool_size
                if free:
                    self._busy += 1
            if free:
                self._pool.submit(self._one, index)
                index += 1
            else:
                self.skipped += 1
            next_at += self.interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def stop(self, drain_timeout: float = 60.0) -> list[UploadResult]:
        """Stops sending; waits (bounded) for the requests under way to be answered."""
        self._stop.set()
        self._thread.join(timeout=10)
        deadline = time.monotonic() + drain_timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._busy == 0:
                    break
            time.sleep(0.1)
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            return sorted(self.results, key=lambda r: r.index)

    @property
    def accepted(self) -> list[UploadResult]:
        with self._lock:
            return [r for r in self.results if r.status == 202]
