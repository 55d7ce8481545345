"""Runs LocalStack 4.14.0's runtime natively, as its container does, with two changes a shared
machine needs (run by scripts/localstack/localstack.sh, not by hand):

- The gateway listens on GATEWAY_LISTEN's host only. LocalStack's default (twisted) gateway binds
  every interface whatever host GATEWAY_LISTEN names: outside a container that would put an
  unauthenticated AWS emulator on the network.
- S3 object data lives under LOCALSTACK_S3_DIR (a folder of this run) instead of the fixed
  /tmp/localstack-s3-storage that every instance on the machine would share.

Both are set before the runtime starts; nothing else of LocalStack is changed.
"""
from __future__ import annotations

import functools
import os
import sys


def bind_to_configured_host() -> None:
    from twisted.internet import endpoints

    from localstack import config

    hosts = {listen.host for listen in config.GATEWAY_LISTEN}
    if len(hosts) != 1:
        sys.exit(f"localstack: GATEWAY_LISTEN must name one host, not {sorted(hosts)}")
    host = hosts.pop()
    endpoints.TCP4ServerEndpoint = functools.partial(endpoints.TCP4ServerEndpoint, interface=host)


def keep_s3_data_in(folder: str) -> None:
    from localstack.services.s3 import provider

    os.makedirs(folder, exist_ok=True)
    provider.DEFAULT_S3_TMP_DIR = folder


def main() -> None:
    s3_dir = os.environ.get("LOCALSTACK_S3_DIR")
    if not s3_dir:
        sys.exit("localstack: LOCALSTACK_S3_DIR is not set (scripts/localstack/localstack.sh sets it)")
    bind_to_configured_host()
    keep_s3_data_in(s3_dir)
    from localstack.runtime import main as runtime

    runtime.main()


if __name__ == "__main__":
    main()
