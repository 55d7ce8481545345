"""Large uploads stream to S3: a client that hangs up halfway, or a body refused after parts were
sent, leaves no object and no unfinished multipart upload behind (against the real upload API on
the strict emulator)."""
import socket
import time

import pytest
import requests

from pipeline_testing.pngs import png_header
from pipeline_testing.stack import Stack

PART = 5 << 20


@pytest.fixture(scope="module")
def api(stack):
    if stack.external:
        pytest.skip("needs a local upload API and the emulator's bucket listing")
    local = Stack(bin_dir=stack.bin_dir, upload_port=18481, service_env={"MAX_UPLOAD_BYTES": str(24 << 20)})
    local.setup_resources()
    local.start("upload-api")
    yield local
    local.stop()


def leftovers(api: Stack) -> tuple[list, list]:
    s3 = api.client("s3")
    bucket = api.env["INPUT_BUCKET"]
    objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return objects, uploads


def wait_clean(api: Stack, seconds: float = 10) -> tuple[list, list]:
    deadline = time.monotonic() + seconds
    while True:
        objects, uploads = leftovers(api)
        if (not objects and not uploads) or time.monotonic() > deadline:
            return objects, uploads
        time.sleep(0.2)


def test_a_client_that_hangs_up_halfway_leaves_nothing(api):
    body = png_header() + b"\x00" * (20 << 20)
    with socket.create_connection(("127.0.0.1", api.upload_port)) as sock:
        sock.sendall(
            f"POST /upload?filename=cut.png HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        sent = 0
        # Three parts' worth, so a multipart upload is under way, then hang up.
        while sent < 3 * PART + 1000:
            sent += sock.send(body[sent:sent + 65536])
        time.sleep(1)  # let the parts reach S3
        objects, uploads = leftovers(api)
        assert uploads, "a multipart upload is under way while the body streams"
    assert wait_clean(api) == ([], []), "the upload was aborted, nothing stored"


def test_a_body_over_the_limit_after_parts_were_sent_leaves_nothing(api):
    body = png_header() + b"\x00" * (30 << 20)

    def chunks():
        for start in range(0, len(body), 1 << 20):
            yield body[start:start + (1 << 20)]

    # Chunked: no Content-Length, so the limit is found while the parts are already going up.
    response = requests.post(f"{api.upload_url}/upload", data=chunks(), headers={"Content-Type": "image/png"}, timeout=60)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert wait_clean(api) == ([], [])


def test_a_large_upload_is_stored_whole(api):
    body = png_header() + bytes(range(256)) * ((12 << 20) // 256)
    response = requests.post(f"{api.upload_url}/upload?filename=big.png", data=body, headers={"Content-Type": "image/png"}, timeout=60)
    assert response.status_code == 202, response.text
    key = response.json()["object_key"]
    stored = api.client("s3").get_object(Bucket=api.env["INPUT_BUCKET"], Key=key)["Body"].read()
    assert stored == body
    assert leftovers(api)[1] == []
