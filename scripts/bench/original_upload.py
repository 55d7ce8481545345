"""The original prototype's upload route, for `make bench-cost` to measure beside the upload API.

The project replaces a Flask + boto3 prototype whose code is not part of it; this is its upload
route rebuilt from what DESIGN.md keeps compatible with it: `POST /upload` with the file in the form
field `image`, the name reduced to [A-Za-z0-9._-] (Werkzeug's `secure_filename`), the object
`{image_id}_{name}` written with boto3's `upload_fileobj` (the idiom for a Flask upload; one
PutObject below its 8 MiB multipart threshold), the work message `{"image_id", "object_key"}` sent
with one SendMessage (group and deduplication id the image id), a 202 with the JSON answer. It does
nothing beyond those two calls: no PNG check, no limits, no owner, no `queued` event, so its CPU is
a lower bound of the original's, and the ratio printed beside it an upper bound of the upload
API's.

Served as the prototype was (`app.run`: Werkzeug's threaded server, a log line per request) or, with
`--server waitress`, by a production WSGI server (cheaper per request, so a stricter comparison).

    .venv/bin/python scripts/bench/original_upload.py --port 5000 [--server werkzeug|waitress]

Reads AWS_ENDPOINT_URL, the credentials, INPUT_BUCKET and INPUT_QUEUE from the environment.
"""
from __future__ import annotations

import argparse
import json
import os
import uuid

import boto3
from flask import Flask, jsonify, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
# One client each for the process, as a module of the prototype would make them.
REGION = os.environ.get("AWS_REGION", "us-east-1")
s3 = boto3.client("s3", region_name=REGION, endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
sqs = boto3.client("sqs", region_name=REGION, endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
BUCKET = os.environ["INPUT_BUCKET"]
QUEUE_URL = sqs.get_queue_url(QueueName=os.environ["INPUT_QUEUE"])["QueueUrl"]


@app.post("/upload")
def upload():
    file = request.files.get("image")
    if file is None or not file.filename:
        return jsonify(error="no_file"), 400
    image_id = str(uuid.uuid4())
    key = f"{image_id}_{secure_filename(file.filename) or 'image.png'}"
    s3.upload_fileobj(file, BUCKET, key, ExtraArgs={"ContentType": "image/png"})
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({"image_id": image_id, "object_key": key}),
                     MessageGroupId=image_id, MessageDeduplicationId=image_id)
    return jsonify(image_id=image_id, object_key=key, status="queued"), 202


@app.get("/healthz")
def healthz():
    return "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server", choices=("werkzeug", "waitress"), default="werkzeug")
    args = parser.parse_args()
    if args.server == "waitress":
        import waitress
        waitress.serve(app, host="127.0.0.1", port=args.port, threads=8, _quiet=True)
    else:
        app.run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
