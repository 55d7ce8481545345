"""moto's server app behind an HTTP/1.1 server that keeps connections open (waitress).

`moto_server` runs on Werkzeug's development server, which closes the connection after every
response. Real S3 and SQS, and LocalStack, keep connections alive, so a client's pool reuses them;
on Werkzeug every AWS call of ours pays a TCP connect and close instead (about 2 ms of the
processor's CPU per image in `make bench-cost`). This serves the very same moto app, so a
benchmark measures our services rather than the emulator's socket churn.

    python scripts/emulator_keepalive.py HOST PORT

Started by `EMULATOR_KEEPALIVE=1 scripts/emulator.sh start`; the default emulator stays Werkzeug.
DynamoDB's item writes are atomic here too (scripts/emulator_server.py).
"""
from __future__ import annotations

import os
import signal
import sys

import waitress
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from emulator_server import make_dynamodb_writes_atomic


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))  # moto builds queue URLs from it, as moto_server does
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    make_dynamodb_writes_atomic()
    app = DomainDispatcherApplication(create_backend_app)
    # Long polls (ReceiveMessage waits up to 20 s) hold a worker thread each: keep plenty.
    waitress.serve(app, host=host, port=port, threads=64, connection_limit=1000, channel_timeout=300, ident="moto")


if __name__ == "__main__":
    main()
