#!/usr/bin/env python3
"""Regenerates tests/data/expected-opencv.json from OpenCV (opencv-python-headless from PyPI).

    .venv/bin/python scripts/testdata/generate-expected.py [--mosaic]     (or `make testdata`)

For every file of tests/data/pngsuite and tests/data/photos it records what the reference does:
whether imdecode(IMREAD_COLOR) decodes it, its size, and the binary image of its
cvtColor(BGR2GRAY) gray at the fixed threshold 127 and at Otsu's threshold. A binary image is recorded
as the SHA-256 of its raw pixels (height*width bytes, row-major, each 0 or 255) and its number of
white pixels.

The wheel's Otsu is Intel IPP's (ippiComputeThreshold_Otsu_8u_C1R), not OpenCV's own C++ code; the
two differ on exact ties (e.g. 4-bit gray). So the script refuses to run without IPP, as on an ARM
machine, and with IPP dispatched below AVX2, whose SSE code breaks such ties differently.

It first makes tests/data/photos/mosaic-4096x3072.png when that file is missing (or always, with
--mosaic): a 12.6 MP photo-like image for the engine's large-image path (make_mosaic).
"""
import hashlib
import json
import re
import struct
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
OUTPUT = DATA / "expected-opencv.json"
FOLDERS = ("pngsuite", "photos")
FIXED_THRESHOLD = 127


def check_reference() -> None:
    if not cv2.ipp.useIPP():
        sys.exit("generate-expected: this OpenCV does not use Intel IPP (an x86_64 wheel from PyPI does); "
                 "its Otsu would be OpenCV's generic code, not the reference")
    ipp = cv2.ipp.getIppVersion()
    dispatch = re.search(r"\((\w+)\)", ipp)
    if dispatch is None or dispatch.group(1) not in ("l9", "k0"):
        sys.exit(f"generate-expected: IPP runs its {ipp} code; the reference is its AVX2 or AVX-512 code "
                 "(unset OPENCV_IPP, or run on an x86_64 machine with AVX2)")


MOSAIC = DATA / "photos" / "mosaic-4096x3072.png"


def filtered_rows(image: np.ndarray) -> bytes:
    """PNG image data before compression: each row with the filter type whose output has the
    smallest sum of absolute values (as signed bytes), libpng's heuristic, so that all five
    appear, Paeth most."""
    height, width, channels = image.shape
    rows = image.reshape(height, width * channels).astype(np.int16)
    previous = np.zeros(width * channels, np.int16)
    pad = np.zeros(channels, np.int16)
    out = bytearray()
    for row in rows:
        left = np.concatenate([pad, row[:-channels]])
        upper_left = np.concatenate([pad, previous[:-channels]])
        p = left + previous - upper_left
        pa, pb, pc = np.abs(p - left), np.abs(p - previous), np.abs(p - upper_left)
        paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, previous, upper_left))
        candidates = [(c & 255).astype(np.uint8)
                      for c in (row, row - left, row - previous, row - ((left + previous) >> 1), row - paeth)]
        costs = [int(np.abs(c.view(np.int8).astype(np.int32)).sum()) for c in candidates]
        kind = int(np.argmin(costs))
        out.append(kind)
        out += candidates[kind].tobytes()
        previous = row
    return bytes(out)


def make_mosaic() -> None:
    """A 4096x3072 RGB image from the other photos: the text screenshot tiled over the whole
    canvas, and four 768x512 Kodak photos (one each, mirrored or flipped) over it. Deterministic;
    zlib level 9 with adaptive filters keeps the file under 4 MB (3.6 MB)."""
    def rgb(name: str) -> np.ndarray:
        image = cv2.imdecode(np.fromfile(str(DATA / "photos" / name), np.uint8), cv2.IMREAD_COLOR)
        return np.ascontiguousarray(image[:, :, ::-1])

    width, height = 4096, 3072
    screenshot = rgb("lorem_ipsum_screenshot.png")
    reps = (height // screenshot.shape[0] + 1, width // screenshot.shape[1] + 1, 1)
    canvas = np.ascontiguousarray(np.tile(screenshot, reps)[:height, :width])
    tiles = [rgb(f"kodim{n}.png") for n in ("02", "07", "17", "23")]
    tiles = [t if t.shape[1] == 768 else np.ascontiguousarray(np.rot90(t)) for t in tiles]
    for i, (row, column) in enumerate(((0, 0), (1, 2), (3, 4), (4, 1))):
        tile = tiles[i]
        if i % 2:
            tile = tile[:, ::-1]
        if i // 2:
            tile = tile[::-1]
        canvas[row * 512:(row + 1) * 512, column * 768:(column + 1) * 768] = tile

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    MOSAIC.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                       + chunk(b"IDAT", zlib.compress(filtered_rows(canvas), 9)) + chunk(b"IEND", b""))
    print(f"generate-expected: wrote {MOSAIC.relative_to(ROOT)} ({MOSAIC.stat().st_size} bytes)")


def binary_entry(binary: np.ndarray) -> tuple[str, int]:
    """SHA-256 of the raw pixels and the number of white ones."""
    pixels = np.ascontiguousarray(binary).tobytes()
    return hashlib.sha256(pixels).hexdigest(), int(np.count_nonzero(binary))


def expectation(path: Path) -> dict:
    image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return {"decodes": False}
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    _, binary = cv2.threshold(gray, FIXED_THRESHOLD, 255, cv2.THRESH_BINARY)
    otsu_threshold, otsu_binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    binary_sha256, white_pixels = binary_entry(binary)
    otsu_sha256, otsu_white_pixels = binary_entry(otsu_binary)
    return {
        "decodes": True,
        "width": int(gray.shape[1]),
        "height": int(gray.shape[0]),
        "binary_sha256": binary_sha256,
        "white_pixels": white_pixels,
        "otsu_threshold": int(otsu_threshold),
        "otsu_binary_sha256": otsu_sha256,
        "otsu_white_pixels": otsu_white_pixels,
    }


def main() -> None:
    check_reference()
    if "--mosaic" in sys.argv[1:] or not MOSAIC.exists():
        make_mosaic()
    files = {}
    for folder in FOLDERS:
        paths = sorted((DATA / folder).glob("*.png"))
        if not paths:
            sys.exit(f"generate-expected: no PNG files in {DATA / folder}")
        for path in paths:
            files[f"{folder}/{path.name}"] = expectation(path)
    version = cv2.__version__
    document = {
        "reference": f"opencv-python-headless {version}: imdecode(IMREAD_COLOR) -> cvtColor(BGR2GRAY) "
                     f"-> threshold({FIXED_THRESHOLD}, 255, THRESH_BINARY)",
        "binary_sha256": "SHA-256 of the binary image's raw pixels: height*width bytes, row-major, each 0 or 255",
        "otsu_reference": f"opencv-python-headless {version}, the same gray -> threshold(0, 255, "
                          "THRESH_BINARY | THRESH_OTSU), whose Otsu is Intel IPP's (AVX2/AVX-512 code)",
        "otsu_threshold": "the threshold Otsu's method chose (pixels above it are white)",
        "otsu_binary_sha256": "SHA-256 of the Otsu binary image's raw pixels, as binary_sha256",
        "generated_by": "scripts/testdata/generate-expected.py (make testdata)",
        "files": files,
    }
    OUTPUT.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    decodable = sum(entry["decodes"] for entry in files.values())
    print(f"generate-expected: {len(files)} files ({decodable} decodable) -> {OUTPUT.relative_to(ROOT)} "
          f"(OpenCV {version}, {cv2.ipp.getIppVersion()})")


if __name__ == "__main__":
    main()
