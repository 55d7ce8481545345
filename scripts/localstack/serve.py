"""Runs LocalStack 4.14.0's runtime natively, as its container does, with two changes a shared
machine needs (run by scripts/localstack/localstack.sh, not by hand):

- The gateway listens on GATEWAY_LISTEN's host only. LocalStack's default (twisted) gateway binds
  every interface whatever host GATEWAY_LISTEN names: outside a container that would put an
  unauthenticated AWS emulator on the network.
- Its files live in this run's folder: S3 object data under LOCALSTACK_S3_DIR instead of the fixed
  /tmp/localstack-s3-storage, and its cache, certificate and state under FILESYSTEM_ROOT. (Inside
  any container, a CI sandbox included, it takes itself for its own image and would use
  /var/lib/localstack, shared by every instance on the machine.)

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


def keep_files_in(s3_folder: str) -> None:
    from localstack import config
    from localstack.services.s3 import provider

    if not os.environ.get("FILESYSTEM_ROOT"):
        sys.exit("localstack: FILESYSTEM_ROOT is not set (scripts/localstack/localstack.sh sets it)")
    config.dirs = config.Directories.for_host()
    os.makedirs(s3_folder, exist_ok=True)
    provider.DEFAULT_S3_TMP_DIR = s3_folder


def main() -> None:
    s3_dir = os.environ.get("LOCALSTACK_S3_DIR")
    if not s3_dir:
        sys.exit("localstack: LOCALSTACK_S3_DIR is not set (scripts/localstack/localstack.sh sets it)")
    bind_to_configured_host()
    keep_files_in(s3_dir)
    from localstack.runtime import main as runtime

    runtime.main()


if __name__ == "__main__":
    main()
