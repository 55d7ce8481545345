"""The OpenCV reference, file in and file out, as the processor CLI does it.

    python reference.py IN.png OUT.png

imdecode(IMREAD_COLOR) -> cvtColor(BGR2GRAY) -> threshold(127) -> imencode(".png") with OpenCV's
default PNG settings. Exits 1 when OpenCV does not decode the input.
"""
import sys

import cv2
import numpy as np


def main() -> int:
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
    sys.exit(main())
