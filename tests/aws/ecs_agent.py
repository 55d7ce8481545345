"""A stand-in for the ECS agent's credentials endpoint, which a task reaches at
http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; here it listens on 127.0.0.1 and the
services find it through AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN
(shared/AWSClient's ContainerCredentialsProvider: the same fetch after the URL and the header)."""
from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "test-authorization-token"


def expiration_in(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeECSAgent:
    """GET /v2/credentials/<name> → {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "RoleArn"},
    from `providers[name](n)` where n counts that name's requests from 1 (None: a 500). Requests without the
    authorization token, or for an unknown name, get 401 / 404 (what the agent answers). `served[name]`
    lists what each request got: (time.time() when served, AccessKeyId, Expiration)."""

    def __init__(self) -> None:
        self.providers: dict[str, Callable[[int], dict]] = {}
        self.requests: dict[str, int] = defaultdict(int)
        self.served: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
        self.unauthorized = 0
        agent = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                name = self.path.rsplit("/", 1)[-1]
                if self.headers.get("Authorization") != TOKEN:
                    agent.unauthorized += 1
                    return self.answer(401, {"code": "AccessDenied", "message": "no authorization token"})
                if not self.path.startswith("/v2/credentials/") or name not in agent.providers:
                    return self.answer(404, {"code": "NotFound", "message": "no such task"})
                agent.requests[name] += 1
                credentials = agent.providers[name](agent.requests[name])
                if credentials is None:
                    return self.answer(500, {"code": "InternalError", "message": "credentials not ready"})
                agent.served[name].append((time.time(), credentials["AccessKeyId"], credentials["Expiration"]))
                self.answer(200, credentials)

            def answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def environment(self, name: str) -> dict[str, str]:
        """What the task's container gets (FULL_URI and its token in place of ECS's RELATIVE_URI)."""
        return {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{self.server.server_port}/v2/credentials/{name}",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": TOKEN,
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
