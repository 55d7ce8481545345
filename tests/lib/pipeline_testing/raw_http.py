"""Raw HTTP, for bodies no client library sends: a NUL in a part header, an answer before the body
ends, chunked bodies that stop."""
from __future__ import annotations

import json
import select
import socket
import time
from dataclasses import dataclass


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
