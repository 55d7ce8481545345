"""The OpenCV reference, file in and file out, as the processor CLI does it.

    python reference.py IN.png OUT.png

imdecode(IMREAD_COLOR) -> cvtColor(BGR2GRAY) -> threshold(127) -> imencode(".png") with OpenCV's
default PNG settings. Exits 1 when OpenCV does not decode the input.
"""
import os
import sys
import time

import cv2
import numpy as np


def mark_startup() -> None:
    """For bench.py (BENCH_STARTUP_FILE): this process's CPU so far (interpreter, imports) and the
    monotonic clock, shared with the parent, so that the benchmark subtracts this run's own start-up."""
    path = os.environ.get("BENCH_STARTUP_FILE")
    if path:
        with open(path, "w") as mark:
            mark.write(f"{time.process_time()} {time.monotonic()}\n")


def main() -> int:
    mark_startup()
    source, target = sys.argv[1], sys.argv[2]
    image = cv2.imdecode(np.fromfile(source, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        print(f"{source}: OpenCV does not decode it", file=sys.stderr)
        return 1
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    binary = cv2.threshold(gray, 127, 255, cv2.THRESH_BINARY)[1]
    ok, encoded = cv2.imencode(".png", binary)
    if not ok:
        return 1
    encoded.tofile(target)
    return 0


if __name__ == "__main__":
    status = main()
    if os.environ.get("BENCH_STARTUP_FILE"):
        os._exit(status)  # under bench.py: no interpreter teardown, which is not the image's cost
    sys.exit(status)
