"""`pipeline-setup reindex`: images that are only in the buckets (from before the image table, or
written by other tools) get their items, so the notifier lists them; running it again writes nothing.
"""
import json
import subprocess
import uuid

from pipeline_testing.notifier import list_images
from pipeline_testing.pngs import small_png
from pipeline_testing.stack import Stack
from pipeline_testing.stacks import free_port


def test_reindex_rebuilds_the_table_from_the_buckets(stack):
    if not isinstance(stack, Stack):
        return  # an external stack (compose): its table is not this test's to fill
    # Ports of its own: the session stack's notifier may still be running on the default ones.
    own = Stack(bin_dir=stack.bin_dir, upload_port=free_port(), notifier_port=free_port(), processor_port=free_port())
    own.setup_resources()
    try:
        s3 = own.client("s3")
        ids = [str(uuid.uuid4()) for _ in range(3)]
        keys = [f"{image_id}_old-{index}.png" for index, image_id in enumerate(ids)]
        for key in keys:
            s3.put_object(Bucket=own.env["INPUT_BUCKET"], Key=key, Body=small_png(7), ContentType="image/png")
        s3.put_object(Bucket=own.env["PROCESSED_BUCKET"], Key=f"processed_{keys[1]}", Body=small_png(8), ContentType="image/png")
        marker = json.dumps({"image_id": ids[2], "error": "The PNG data is corrupt."})
        s3.put_object(Bucket=own.env["PROCESSED_BUCKET"], Key=f"failed_{keys[2]}.json", Body=marker.encode(), ContentType="application/json")

        def reindex() -> str:
            result = subprocess.run([str(own.bin_dir / "pipeline-setup"), "reindex"], env=own.env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stdout + result.stderr
            return result.stdout

        assert "3 images in the buckets, 3 items written, 0 already as far along" in reindex()
        own.start("notifier")
        records, counts = list_images(own.notifier_url)
        assert {image_id: records[image_id]["state"] for image_id in ids} == dict(zip(ids, ["queued", "processed", "failed"]))
        assert records[ids[2]]["error"] == "The PNG data is corrupt."
        assert all(n == 1 for n in counts.values())
        assert "3 images in the buckets, 0 items written, 3 already as far along" in reindex()
    finally:
        own.stop()
