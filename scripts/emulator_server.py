"""moto's server with DynamoDB's item writes made atomic, as DynamoDB's are.

moto serves each request on a thread of its own, and its UpdateItem reads the item, checks the
condition and writes without a lock: two updates of one new item at once can each create it, the
second replacing what the first wrote (a lost update that DynamoDB never allows; found with two
notifiers applying one image's `queued` and `processed` events at once, which moto's FIFO queues
also allow where SQS holds the group). One lock around the item writes gives them DynamoDB's
per-item atomicity; reads stay concurrent.

    python scripts/emulator_server.py [moto_server's arguments]

Started by scripts/emulator.sh; scripts/emulator_keepalive.py applies the same lock.
"""
from __future__ import annotations

import functools
import sys
import threading

from moto.dynamodb.models import DynamoDBBackend

WRITES = ("put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items")


def make_dynamodb_writes_atomic() -> None:
    """Wraps DynamoDB's item writes in one re-entrant lock (a batch write calls put_item)."""
    lock = threading.RLock()
    for name in WRITES:
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(*args, __original=original, **kwargs):
            with lock:
                return __original(*args, **kwargs)

        setattr(DynamoDBBackend, name, locked)


if __name__ == "__main__":
    make_dynamodb_writes_atomic()
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
