"""A stand-in for the load balancer in front of a signed-in stack, on 127.0.0.1: one origin that
sends /upload to the upload API and everything else to the notifier, and, as the load balancer
does for a signed-in session, adds `x-amzn-oidc-data` for the user the browser's session cookie
names (minted by a TestLoadBalancer), after dropping any the client sent itself.

    with SigningProxy(alb, upload_port, notifier_port) as proxy:
        driver.get(proxy.url + "/healthz"); driver.add_cookie(proxy.session_cookie("ann"))

Responses stream through as they come (the event stream included); each answer closes its
connection (HTTP/1.0), which keeps the proxy small.
"""
from __future__ import annotations

import threading
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .identity import TestLoadBalancer
from .relay import HOP_BY_HOP, read_body, relay

COOKIE = "test-session"


class SigningProxy:
    def __init__(self, alb: TestLoadBalancer, upload_port: int, notifier_port: int) -> None:
        proxy = self
        self.alb = alb

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:  # noqa: N802 - http.server's names
                proxy.forward(self, upload_port if self.path.split("?")[0] == "/upload" else notifier_port)

            do_POST = do_HEAD = do_OPTIONS = do_GET

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "SigningProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def session_cookie(owner: str, groups=()) -> dict:
        """The cookie (for Selenium's add_cookie) that makes this browser `owner`, in `groups`."""
        return {"name": COOKIE, "value": ":".join([owner, ",".join(groups)]) if groups else owner, "path": "/"}

    def forward(self, handler: BaseHTTPRequestHandler, port: int) -> None:
        headers = {name: value for name, value in handler.headers.items()
                   if name.lower() not in HOP_BY_HOP and not name.lower().startswith("x-amzn-oidc")}
        cookie = SimpleCookie(handler.headers.get("Cookie", "")).get(COOKIE)
        if cookie is not None and cookie.value:
            owner, _, groups = cookie.value.partition(":")
            headers["x-amzn-oidc-data"] = self.alb.token(owner, groups=[g for g in groups.split(",") if g])
        relay(handler, port, headers, read_body(handler))
