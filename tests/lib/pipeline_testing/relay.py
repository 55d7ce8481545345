"""Forwards one request a test's stand-in for the load balancer received to a service on
127.0.0.1, and streams the answer back as it comes (an event stream included)."""
from __future__ import annotations

import http.client
from http.server import BaseHTTPRequestHandler

# Headers of one connection, which a proxy never passes on.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection", "host"}


def relay(handler: BaseHTTPRequestHandler, port: int, headers: dict[str, str], body: bytes | None) -> None:
    """Sends `handler`'s request (its method and path, `headers`, `body`) to the service on `port`
    and copies its answer to the client. A client or service that goes away ends it quietly."""
    backend = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        backend.request(handler.command, handler.path, body=body, headers=headers)
        response = backend.getresponse()
        handler.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                handler.send_header(name, value)
        handler.end_headers()
        while chunk := response.read1(65536):
            handler.wfile.write(chunk)
            handler.wfile.flush()
    except (OSError, http.client.HTTPException):
        pass  # the client or the service went away
    finally:
        backend.close()


def read_body(handler: BaseHTTPRequestHandler) -> bytes | None:
    """The request's body, read whole (Content-Length), or None."""
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else None
