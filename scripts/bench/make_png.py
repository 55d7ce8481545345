"""Writes a real PNG of about the requested size (noise compresses badly, so size ≈ pixels × 3)."""
import random
import sys

from PIL import Image

target = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
side = int((target / 3) ** 0.5)
random.seed(7)
image = Image.frombytes("RGB", (side, side), bytes(random.getrandbits(8) for _ in range(side * side * 3)))
image.save(sys.argv[1], optimize=False)
