"""Makes the large-photo classes of `make bench-engine` (>= 8 MP), deterministically, from the
photos in tests/data/photos. They are generated at bench time, not committed:

    python make_images.py PHOTOS_DIR OUT_DIR        (run.sh: tests/data/photos .build/bench-images)

- large-mosaic-4096x3072.png      8 x 6 tiles of 512 x 512 from the four kodim photos, each
                                  rotated and/or flipped (12.6 MP, RGB, ~20 MB)
- large-photo-4000x3000.png       kodim23 cropped to 4:3, upscaled (Lanczos) and given seeded
                                  film grain, so that it compresses like a camera photo (12 MP, RGB)
- large-screenshot-3840x2160.png  a 4K desktop-like screenshot: flat title bar, sidebar, panels,
                                  buttons, text tiled from lorem_ipsum_screenshot.png, one photo
                                  card (8.3 MP, RGBA with opaque alpha, like the source screenshot)

(the fourth class, exoplanet-phase-curve-3840x2160.png, is in tests/data/photos already.)

Encoding: cv2.imwrite with IMWRITE_PNG_COMPRESSION=3 (zlib level 3, default strategy) and
IMWRITE_PNG_FILTER=IMWRITE_PNG_ALL_FILTERS (libpng's adaptive filter choice, per row). The test
photos were written that way by their tools (adaptive filters, mostly Paeth/Average/Up), so the
decoder sees the same filter mix as on real files; OpenCV's own default (SUB only, Z_RLE,
level 1) would make the inputs cheaper to decode than real-world PNGs.

Every random choice comes from numpy's PCG64 with a fixed seed. A stamp file in OUT_DIR holds a
hash of this script and of the OpenCV and numpy versions; images are regenerated when it changes,
else existing images are kept (skip).
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import cv2
import numpy as np

WRITE_PARAMS = [cv2.IMWRITE_PNG_COMPRESSION, 3, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_ALL_FILTERS]
KODIMS = ("kodim02.png", "kodim07.png", "kodim17.png", "kodim23.png")


def read(photos: Path, name: str) -> np.ndarray:
    image = cv2.imread(str(photos / name), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f"make_images: cannot read {photos / name}")
    return image


def mosaic(photos: Path) -> np.ndarray:
    rng = np.random.default_rng(20240601)
    sources = [read(photos, name) for name in KODIMS]
    tile, columns, rows = 512, 8, 6
    canvas = np.empty((rows * tile, columns * tile, 3), np.uint8)
    for row in range(rows):
        for column in range(columns):
            source = sources[int(rng.integers(len(sources)))]
            height, width = source.shape[:2]
            top = int(rng.integers(height - tile + 1))
            left = int(rng.integers(width - tile + 1))
            piece = source[top:top + tile, left:left + tile]
            piece = np.rot90(piece, int(rng.integers(4)))
            if rng.integers(2):
                piece = piece[:, ::-1]
            canvas[row * tile:(row + 1) * tile, column * tile:(column + 1) * tile] = piece
    return canvas


def photo(photos: Path) -> np.ndarray:
    rng = np.random.default_rng(20240602)
    source = read(photos, "kodim23.png")  # 768 x 512
    height, width = source.shape[:2]
    crop_width = height * 4 // 3
    left = (width - crop_width) // 2
    big = cv2.resize(source[:, left:left + crop_width], (4000, 3000), interpolation=cv2.INTER_LANCZOS4)
    big = big.astype(np.float32)
    # Film grain: luminance grain, slightly correlated (blurred), plus finer per-channel noise.
    luminance = cv2.GaussianBlur(rng.normal(0, 1, (3000, 4000)).astype(np.float32), (0, 0), 0.8)
    luminance *= 6.0 / max(float(luminance.std()), 1e-6)
    chroma = rng.normal(0, 2.5, (3000, 4000, 3)).astype(np.float32)
    big += luminance[:, :, None] + chroma
    # A little unsharp masking, as cameras do.
    big = cv2.addWeighted(big, 1.5, cv2.GaussianBlur(big, (0, 0), 1.5), -0.5, 0)
    return np.clip(big + 0.5, 0, 255).astype(np.uint8)


def screenshot(photos: Path) -> np.ndarray:
    rng = np.random.default_rng(20240603)
    width, height = 3840, 2160
    text = cv2.imread(str(photos / "lorem_ipsum_screenshot.png"), cv2.IMREAD_COLOR)  # 935 x 534
    if text is None:
        raise SystemExit(f"make_images: cannot read {photos / 'lorem_ipsum_screenshot.png'}")
    image = np.full((height, width, 3), (243, 243, 243), np.uint8)  # BGR window background
    font = cv2.FONT_HERSHEY_SIMPLEX

    # Title bar with tabs and window buttons.
    cv2.rectangle(image, (0, 0), (width - 1, 95), (43, 43, 43), -1)
    for index, tab in enumerate(("Inbox", "Report.pdf", "Pipeline dashboard", "Notes")):
        x = 40 + index * 420
        cv2.rectangle(image, (x, 20), (x + 400, 95), (243, 243, 243) if index == 2 else (64, 64, 64), -1)
        cv2.putText(image, tab, (x + 24, 70), font, 1.2, (30, 30, 30) if index == 2 else (220, 220, 220), 2, cv2.LINE_AA)
    for index, colour in enumerate(((87, 95, 255), (46, 189, 254), (64, 201, 39))):
        cv2.circle(image, (width - 60 - index * 56, 48), 18, colour, -1, cv2.LINE_AA)

    # Sidebar: a list of items, one selected, with small coloured icons.
    cv2.rectangle(image, (0, 96), (559, height - 49), (237, 234, 232), -1)
    for index in range(30):
        y = 140 + index * 64
        if index == 7:
            cv2.rectangle(image, (16, y - 10), (543, y + 46), (215, 120, 0), -1)
        colour = tuple(int(c) for c in rng.integers(60, 230, 3))
        cv2.rectangle(image, (36, y), (72, y + 36), colour, -1)
        length = int(rng.integers(120, 380))
        shade = (255, 255, 255) if index == 7 else (90, 90, 90)
        cv2.putText(image, f"Folder {index + 1:02d}", (92, y + 30), font, 1.0, shade, 2, cv2.LINE_AA)
        cv2.line(image, (300, y + 20), (300 + length // 2, y + 20), shade, 1)

    # Main area: a toolbar, then panels of text (one in dark mode), and a photo card.
    cv2.rectangle(image, (560, 96), (width - 1, 175), (250, 250, 250), -1)
    cv2.line(image, (560, 175), (width - 1, 175), (210, 210, 210), 2)
    for index in range(6):
        x = 600 + index * 240
        cv2.rectangle(image, (x, 112), (x + 210, 160), (215, 120, 0) if index == 0 else (225, 225, 225), -1)
        cv2.putText(image, ("New", "Reply", "Forward", "Archive", "Move", "More")[index], (x + 30, 148), font, 1.0,
                    (255, 255, 255) if index == 0 else (40, 40, 40), 2, cv2.LINE_AA)
    text_height, text_width = text.shape[:2]
    for row in range(3):
        for column in range(3):
            x, y = 600 + column * (text_width + 40), 220 + row * (text_height + 90)
            if (row, column) == (2, 2):
                continue  # the photo card goes here
            panel = text if (row, column) != (1, 1) else 255 - text  # one dark-mode panel
            cv2.rectangle(image, (x - 12, y - 12), (x + text_width + 12, y + text_height + 12), (220, 220, 220), 2)
            image[y:y + text_height, x:x + text_width] = panel
            cv2.putText(image, f"Message {row * 3 + column + 1}", (x, y - 24), font, 1.0, (60, 60, 60), 2, cv2.LINE_AA)
    card = cv2.resize(read(photos, "kodim07.png"), (text_width, text_height), interpolation=cv2.INTER_AREA)
    x, y = 600 + 2 * (text_width + 40), 220 + 2 * (text_height + 90)
    image[y:y + text_height, x:x + text_width] = card

    # Status bar.
    cv2.rectangle(image, (0, height - 48), (width - 1, height - 1), (215, 120, 0), -1)
    cv2.putText(image, "Ready  |  42 items  |  UTF-8  |  Ln 12, Col 7", (24, height - 14), font, 1.0,
                (255, 255, 255), 2, cv2.LINE_AA)

    alpha = np.full((height, width, 1), 255, np.uint8)
    return np.concatenate([image, alpha], axis=2)


IMAGES = {
    "large-mosaic-4096x3072.png": mosaic,
    "large-photo-4000x3000.png": photo,
    "large-screenshot-3840x2160.png": screenshot,
}


def stamp() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{cv2.__version__} {np.__version__}".encode())
    return digest.hexdigest()


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.splitlines()[3].strip(), file=sys.stderr)
        return 2
    photos, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    stamp_file = out / ".generator"
    fresh = stamp_file.exists() and stamp_file.read_text().strip() == stamp()
    for name, make in IMAGES.items():
        target = out / name
        if fresh and target.exists():
            continue
        image = make(photos)
        expected = tuple(int(v) for v in name.rsplit("-", 1)[1][:-4].split("x"))
        assert image.shape[1::-1] == expected, (name, image.shape)
        ok, encoded = cv2.imencode(".png", image, WRITE_PARAMS)
        if not ok:
            print(f"make_images: OpenCV did not encode {name}", file=sys.stderr)
            return 1
        temporary = target.with_suffix(".tmp")
        encoded.tofile(str(temporary))
        os.replace(temporary, target)
        print(f"make_images: wrote {target} ({image.shape[1]}x{image.shape[0]}, {target.stat().st_size / 1e6:.1f} MB)")
    stamp_file.write_text(stamp() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
