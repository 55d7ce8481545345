"""Helpers of the fault suite: stacks on fresh resources, PNGs, uploads, and waiting (always bounded)."""
from __future__ import annotations

import io
import json
import random
import re
import signal
import socket
import subprocess
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from PIL import Image

from stack import ROOT, Stack

LOG_DIR = ROOT / "tests" / "output" / "faults" / "logs"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SAFE_FILENAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")


def find_testdata() -> Path | None:
    """TESTDATA_DIR, else the project's tests/data, else ../shared/testdata beside the checkout."""
    import os
    for candidate in (os.environ.get("TESTDATA_DIR"), ROOT / "tests" / "data", ROOT.parent / "shared" / "testdata"):
        if candidate and (Path(candidate) / "photos").is_dir():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- stacks -------------------------------------------------------------------------------------

class StackFactory:
    """Makes stacks on fresh resources (pipeline-setup, a random suffix) and free ports, and at
    close stops every process they started (by PID) and deletes their buckets and queues, so the
    emulator (which keeps everything in memory) does not grow from run to run."""

    def __init__(self, bin_dir: Path, log_dir: Path = LOG_DIR) -> None:
        self.bin_dir = bin_dir
        self.log_dir = log_dir
        self.stacks: list[Stack] = []

    def new(self, service_env: dict[str, str] | None = None, suffix: str | None = None, setup: bool = True) -> Stack:
        kwargs = {"suffix": suffix} if suffix else {}
        stack = Stack(bin_dir=self.bin_dir, upload_port=free_port(), notifier_port=free_port(),
                      processor_port=free_port(), log_dir=self.log_dir, service_env=dict(service_env or {}), **kwargs)
        if setup:
            stack.setup_resources()
        self.stacks.append(stack)
        return stack

    def close(self, grace: float = 3.0) -> None:
        """Stops every process still running: SIGTERM to all at once, SIGKILL to those still
        running after `grace` s (graceful exits are what test_sigterm checks; an idle processor
        may finish its 20 s long poll first, which would only slow the suite down here)."""
        processes = [p for stack in self.stacks for p in stack.processes.values()]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        suffixes = set()
        for stack in self.stacks:
            stack.processes.clear()
            suffixes.add(stack.suffix)
        for stack in self.stacks:
            if stack.suffix in suffixes:
                suffixes.discard(stack.suffix)
                delete_resources(stack)
        self.stacks.clear()


def delete_resources(stack: Stack) -> None:
    """Deletes the stack's buckets (with their objects) and its four queues; errors are ignored."""
    env = stack.env
    try:
        s3 = stack.client("s3")
        for bucket in (env["INPUT_BUCKET"], env["PROCESSED_BUCKET"]):
            try:
                keys = list_keys(s3, bucket)
                for start in range(0, len(keys), 1000):
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})
                s3.delete_bucket(Bucket=bucket)
            except Exception:  # noqa: BLE001
                pass
        sqs = stack.client("sqs")
        for queue in (env["INPUT_QUEUE"], env["PROCESSED_QUEUE"]):
            for name in (queue, dlq_name(queue)):
                try:
                    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])
                except Exception:  # noqa: BLE001
                    pass
    except Exception:  # noqa: BLE001
        pass


def dlq_name(queue: str) -> str:
    return queue[:-5] + "-dlq.fifo" if queue.endswith(".fifo") else queue + "-dlq"


def service_port(stack: Stack, name: str) -> int:
    return {"upload-api": stack.upload_port, "notifier": stack.notifier_port, "processor": stack.processor_port}[name]


def service_url(stack: Stack, name: str) -> str:
    return f"http://127.0.0.1:{service_port(stack, name)}"


def kill9(stack: Stack, name: str) -> None:
    process = stack.processes.pop(name)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def sigterm_and_wait(stack: Stack, name: str, limit: float = 30.0) -> tuple[int | None, float]:
    """SIGTERM, then wait up to `limit` s: (exit status or None if still running, seconds).
    A process still running after the limit is killed (SIGKILL) so that nothing outlives the test."""
    process = stack.processes.pop(name)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        return None, time.monotonic() - started
    return status, time.monotonic() - started


# -- S3 and SQS, seen directly (the test's own clients never go through the fault proxy) ---------

def list_keys(s3, bucket: str, prefix: str = "") -> list[str]:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [entry["Key"] for entry in page.get("Contents", [])]
    return keys


def queue_url(sqs, name: str) -> str:
    return sqs.get_queue_url(QueueName=name)["QueueUrl"]


def queue_counts(sqs, name: str) -> dict[str, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url(sqs, name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return {"visible": int(attributes["ApproximateNumberOfMessages"]),
            "invisible": int(attributes["ApproximateNumberOfMessagesNotVisible"])}


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


# -- images ------------------------------------------------------------------------------------

def small_png(seed: int, side: int = 48) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_header_only(width: int, height: int, bit_depth: int = 8, color_type: int = 0) -> bytes:
    """A PNG signature and a valid IHDR (right CRC) for any size, then a tiny IDAT and IEND:
    what a decompression bomb's header looks like."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([bit_depth, color_type, 0, 0, 0])
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b"")


def chunks(png: bytes) -> list[tuple[int, bytes, int]]:
    """(offset, type, length) of each chunk of a PNG."""
    out, offset = [], 8
    while offset + 8 <= len(png):
        length = int.from_bytes(png[offset:offset + 4], "big")
        out.append((offset, png[offset + 4:offset + 8], length))
        offset += 12 + length
    return out


def flip_crc(png: bytes, kind: bytes) -> bytes:
    """The PNG with the CRC of its first `kind` chunk wrong."""
    for offset, chunk_type, length in chunks(png):
        if chunk_type == kind:
            crc_at = offset + 8 + length
            return png[:crc_at] + bytes([png[crc_at] ^ 0xFF]) + png[crc_at + 1:]
    raise ValueError(f"no {kind!r} chunk")


def corrupt_idat(png: bytes) -> bytes:
    """Garbage inside the IDAT data with a CRC that matches it: only decoding can tell."""
    for offset, chunk_type, length in chunks(png):
        if chunk_type == b"IDAT":
            data = bytes(b ^ 0x5A for b in png[offset + 8:offset + 8 + length])
            return png[:offset] + png_chunk(b"IDAT", data) + png[offset + 12 + length:]
    raise ValueError("no IDAT chunk")


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(out, format="JPEG")
    return out.getvalue()


# -- uploads -----------------------------------------------------------------------------------

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


# -- the notifier's view -----------------------------------------------------------------------

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


def load_json(data: bytes) -> dict:
    return json.loads(data.decode())


# -- raw HTTP, for bodies no client library sends (NUL in a part header, early answers, chunked) --

@dataclass
class RawResponse:
    status: int | None
    headers: dict[str, str]
    body: bytes
    sent: int          # body bytes sent before the answer came (or the connection ended)
    error: str | None = None

    def json(self) -> dict | None:
        try:
            return json.loads(self.body.decode())
        except (ValueError, UnicodeDecodeError):
            return None


def multipart(parts: list[tuple[bytes, bytes | None, bytes | None, bytes]], boundary: bytes = b"faultsuite-7d1f0c") -> tuple[bytes, str]:
    """A multipart/form-data body from (name, filename, content type, data) parts, as raw bytes."""
    out = b""
    for name, filename, content_type, data in parts:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        out += b"--" + boundary + b"\r\nContent-Disposition: " + disposition + b"\r\n"
        if content_type:
            out += b"Content-Type: " + content_type + b"\r\n"
        out += b"\r\n" + data + b"\r\n"
    out += b"--" + boundary + b"--\r\n"
    return out, f"multipart/form-data; boundary={boundary.decode()}"


def raw_request(port: int, path: str, body: bytes, headers: dict[str, str] | None = None, method: str = "POST",
                chunked: bool = False, content_length: bool = True, piece: int = 16384, timeout: float = 30.0) -> RawResponse:
    """Sends one request on its own connection, piece by piece, and stops sending as soon as an
    answer is readable (a server may answer 413 early and close). Never raises."""
    import select
    deadline = time.monotonic() + timeout
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
    elif content_length:
        head += f"Content-Length: {len(body)}\r\n"
    sent, error = 0, None
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as failure:
        return RawResponse(None, {}, b"", 0, f"connect: {failure}")
    try:
        sock.settimeout(5)
        try:
            sock.sendall(head.encode("latin-1") + b"\r\n")
            offset = 0
            while offset < len(body) or chunked:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable or time.monotonic() > deadline:
                    break
                data = body[offset:offset + piece]
                if chunked:
                    sock.sendall((f"{len(data):x}\r\n".encode() + data + b"\r\n") if data else b"0\r\n\r\n")
                    if not data:
                        break
                else:
                    sock.sendall(data)
                offset += len(data)
                sent = offset
        except OSError as failure:  # the server closed while we were sending: read what it said
            error = f"send: {type(failure).__name__}"
        raw = b""
        while time.monotonic() < deadline:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                data = sock.recv(65536)
            except socket.timeout:
                error = (error or "") + " read: timed out"
                break
            except OSError as failure:
                error = (error or "") + f" read: {type(failure).__name__}"
                break
            if not data:
                break
            raw += data
            if _complete(raw):
                break
    finally:
        sock.close()
    return _parse(raw, sent, error)


def _split(raw: bytes):
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers, rest


def _complete(raw: bytes) -> bool:
    parts = _split(raw)
    if parts is None:
        return False
    _, headers, rest = parts
    if "content-length" in headers:
        return len(rest) >= int(headers["content-length"])
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return rest.endswith(b"0\r\n\r\n")
    return False


def _parse(raw: bytes, sent: int, error: str | None) -> RawResponse:
    parts = _split(raw)
    if parts is None:
        return RawResponse(None, {}, raw, sent, error or "no answer")
    status_line, headers, rest = parts
    try:
        status = int(status_line.split(" ")[1])
    except (IndexError, ValueError):
        return RawResponse(None, headers, rest, sent, f"bad status line {status_line!r}")
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body, data = b"", rest
        while data:
            size_line, _, data = data.partition(b"\r\n")
            try:
                size = int(size_line.split(b";")[0], 16)
            except ValueError:
                break
            if size == 0:
                break
            body, data = body + data[:size], data[size + 2:]
        rest = body
    elif "content-length" in headers:
        rest = rest[:int(headers["content-length"])]
    return RawResponse(status, headers, rest, sent, error)
