"""Synthetic PNGs for engine-diff (run.sh): what the test corpora lack.

    python3 gen-synthetic.py OUT_DIR

Every colour type and bit depth, interlaced or not, odd sizes, rows with every filter type (alone
and in runs: the new engine unfilters two rows of the same filter together); image
data compressed in other ways (stored and fixed-Huffman blocks, small honest windows, many
blocks, empty IDAT chunks); animated PNGs (IDAT as first frame, or a hidden IDAT and the first
frame in fdAT chunks, 16-bit frames, offsets); eXIf orientations; and hand-made deflate streams
with incomplete or over-subscribed Huffman codes, which zlib refuses. Deterministic.
"""
import random
import struct
import sys
import zlib
from pathlib import Path

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
ADAM7 = ((0, 8, 0, 8), (4, 8, 0, 8), (0, 4, 4, 8), (2, 4, 0, 4), (0, 2, 2, 4), (1, 2, 0, 2), (0, 1, 1, 2))


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind: int, row: bytes, prev: bytes, bpp: int) -> bytes:
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = (0, a, b, (a + b) // 2, paeth(a, b, c))[kind]
        out[i] = (x - pred) & 255
    return bytes(out)


def sub_images(width: int, height: int, interlaced: bool):
    if not interlaced:
        yield width, height
        return
    for x0, dx, y0, dy in ADAM7:
        cols = (width - x0 + dx - 1) // dx if width > x0 else 0
        rows = (height - y0 + dy - 1) // dy if height > y0 else 0
        if cols and rows:
            yield cols, rows


def image_data(rng, width, height, color, depth, interlaced, filters="cycle", smooth=False):
    """Filtered image data (before compression) of random pixels."""
    bits = CHANNELS[color] * depth
    bpp = max(1, bits // 8)
    out = bytearray()
    for cols, rows in sub_images(width, height, interlaced):
        nbytes = (cols * bits + 7) // 8
        prev = bytes(nbytes)
        for r in range(rows):
            if smooth:
                row = bytes((i * 3 + r * 5 + rng.randrange(3)) & 255 for i in range(nbytes))
            else:
                row = bytes(rng.randrange(256) for _ in range(nbytes))
            if filters == "cycle":
                kind = r % 5
            elif filters == "runs":  # the same filter for a few rows (rows are unfiltered in pairs)
                kind = (r // 3 + r // 7) % 5
            else:
                kind = rng.randrange(5)
            out.append(kind)
            out += filter_row(kind, row, prev, bpp)
            prev = row
    return bytes(out)


def ihdr(width, height, color, depth, interlaced):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, int(interlaced)))


def palette(rng, n=256):
    return chunk(b"PLTE", bytes(rng.randrange(256) for _ in range(3 * n)))


def png(width, height, color, depth, interlaced, stream, before=b"", split=0):
    head = b"\x89PNG\r\n\x1a\n" + ihdr(width, height, color, depth, interlaced) + before
    if split:
        idats = b"".join(chunk(b"IDAT", stream[i:i + split]) for i in range(0, len(stream), split))
    else:
        idats = chunk(b"IDAT", stream)
    return head + idats + chunk(b"IEND", b"")


def compress(data, level=6, wbits=15, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, 8, strategy)
    return c.compress(data) + c.flush()


class Bits:
    """A deflate bit writer (LSB first; Huffman codes MSB first)."""

    def __init__(self):
        self.value, self.count = 0, 0

    def put(self, v, n):
        self.value |= v << self.count
        self.count += n

    def code(self, code, n):
        self.put(int(format(code, f"0{n}b")[::-1], 2), n)

    def bytes(self):
        return self.value.to_bytes((self.count + 7) // 8, "little")


def canonical(lengths):
    codes, code = {}, 0
    for n in range(1, 16):
        for sym, length in sorted(lengths.items()):
            if length == n:
                codes[sym] = code
                code += 1
        code <<= 1
    return codes


def dynamic_stream(data: bytes, lit_lengths: dict, dist_lengths: dict) -> bytes:
    """One dynamic block coding `data` as literals with the given code lengths (symbols of data
    and 256 must have one), code lengths sent with a flat 5-bit code-length code."""
    bits = Bits()
    bits.put(1, 1)
    bits.put(2, 2)
    nlen = max(257, max(lit_lengths) + 1)
    ndist = max(1, max(dist_lengths) + 1 if dist_lengths else 1)
    bits.put(nlen - 257, 5)
    bits.put(ndist - 1, 5)
    bits.put(19 - 4, 4)
    # Code-length code: 16 symbols (0-15) of length 4, complete; 16/17/18 unused.
    order = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)
    cl = {s: 4 for s in range(16)}
    for s in order:
        bits.put(cl.get(s, 0), 3)
    clc = canonical(cl)
    for sym in range(nlen):
        bits.code(clc[lit_lengths.get(sym, 0)], 4)
    for sym in range(ndist):
        bits.code(clc[dist_lengths.get(sym, 0)], 4)
    lc = canonical(lit_lengths)
    for byte in data:
        bits.code(lc[byte], lit_lengths[byte])
    bits.code(lc[256], lit_lengths[256])
    body = bits.bytes()
    return b"\x78\x01" + body + struct.pack(">I", zlib.adler32(data))


def apng(rng, width, height, color, depth, hidden, frame, interlaced=False, fdat_split=0, broken_fdat_crc=False):
    """An animated PNG: two frames; `hidden`: IDAT is a default image and the first frame comes
    in fdAT chunks, `frame` = (w, h, x, y)."""
    head = b"\x89PNG\r\n\x1a\n" + ihdr(width, height, color, depth, interlaced)
    head += chunk(b"acTL", struct.pack(">II", 2, 0))
    extra = palette(rng) if color == 3 else b""
    seq = 0

    def fctl(w, h, x, y):
        nonlocal seq
        c = chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, w, h, x, y, 1, 10, 0, 0))
        seq += 1
        return c

    out = head + extra
    if not hidden:
        out += fctl(width, height, 0, 0)
    out += chunk(b"IDAT", compress(image_data(rng, width, height, color, depth, interlaced)))
    fw, fh, fx, fy = frame
    out += fctl(fw, fh, fx, fy)
    stream = compress(image_data(rng, fw, fh, color, depth, interlaced))
    step = fdat_split or len(stream)
    for i in range(0, len(stream), step):
        body = struct.pack(">I", seq) + stream[i:i + step]
        seq += 1
        c = chunk(b"fdAT", body)
        if broken_fdat_crc:
            c = c[:-1] + bytes([c[-1] ^ 1])
        out += c
    return out + chunk(b"IEND", b"")


def exif(orientation):
    body = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
    body += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0)
    return chunk(b"eXIf", body)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20240611)
    files = {}
    for color, depths in DEPTHS.items():
        for depth in depths:
            for interlaced in (False, True):
                for width, height in ((1, 1), (13, 11), (37, 9), (129, 5)):
                    before = palette(rng, 1 << depth if depth < 8 else 256) if color == 3 else b""
                    data = image_data(rng, width, height, color, depth, interlaced, filters="random")
                    name = f"c{color}d{depth}{'i' if interlaced else 'n'}-{width}x{height}"
                    files[name] = png(width, height, color, depth, interlaced, compress(data), before)
    # Rows in runs of one filter, 3 and 4 bytes a pixel (RGB, RGBA, gray+alpha at 16 bits).
    for color, depth in ((2, 8), (6, 8), (4, 16)):
        for width, height in ((1, 9), (2, 8), (61, 23)):
            data = image_data(rng, width, height, color, depth, False, filters="runs", smooth=True)
            files[f"runs-c{color}d{depth}-{width}x{height}"] = png(width, height, color, depth, False, compress(data))
    # Photo-like rows (filters pay), compressed every which way.
    data = image_data(rng, 300, 40, 2, 8, False, smooth=True)
    variants = {
        "stored": dict(level=0), "fixed": dict(strategy=zlib.Z_FIXED), "rle": dict(level=1, strategy=zlib.Z_RLE),
        "huffman": dict(strategy=zlib.Z_HUFFMAN_ONLY), "window512": dict(wbits=9), "window1k": dict(wbits=10),
        "best": dict(level=9),
    }
    for name, settings in variants.items():
        files[f"smooth-{name}"] = png(300, 40, 2, 8, False, compress(data, **settings))
        files[f"smooth-{name}-split7"] = png(300, 40, 2, 8, False, compress(data, **settings), split=7)
    # Many small blocks: a full flush every few rows.
    c = zlib.compressobj(6)
    stream = b"".join(c.compress(data[i:i + 901]) + c.flush(zlib.Z_FULL_FLUSH) for i in range(0, len(data), 901))
    files["smooth-flushes"] = png(300, 40, 2, 8, False, stream + c.flush())
    # Empty IDAT chunks around the data.
    stream = compress(data)
    head = b"\x89PNG\r\n\x1a\n" + ihdr(300, 40, 2, 8, False)
    files["empty-idats"] = head + chunk(b"IDAT", b"") + chunk(b"IDAT", stream[:100]) + chunk(b"IDAT", b"") + \
        chunk(b"IDAT", stream[100:]) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")
    # Palette indices past the end of PLTE.
    files["palette-short"] = png(20, 20, 3, 8, False, compress(image_data(rng, 20, 20, 3, 8, False)), palette(rng, 7))
    # eXIf orientations (buffered path).
    for orientation in range(1, 9):
        files[f"exif{orientation}"] = png(13, 7, 2, 8, False, compress(image_data(rng, 13, 7, 2, 8, False)),
                                          exif(orientation))
    # Animations.
    files["apng-idat-frame"] = apng(rng, 24, 16, 2, 8, False, (10, 8, 3, 4))
    files["apng-hidden"] = apng(rng, 24, 16, 6, 8, True, (10, 8, 3, 4))
    files["apng-hidden-16bit"] = apng(rng, 24, 16, 2, 16, True, (17, 9, 5, 6), fdat_split=50)
    files["apng-hidden-gray16-interlaced"] = apng(rng, 24, 16, 0, 16, True, (11, 13, 2, 1), interlaced=True)
    files["apng-hidden-palette"] = apng(rng, 24, 16, 3, 4, True, (24, 16, 0, 0), fdat_split=9)
    files["apng-hidden-bad-crc"] = apng(rng, 24, 16, 2, 8, True, (10, 8, 3, 4), fdat_split=20, broken_fdat_crc=True)
    # Hand-made dynamic blocks: a gray 8-bit image 4x2, rows "0 A A A A" (filter 0, 'A' = 65).
    pixels = b"\x00AAAA\x00AAAA"
    complete = {0: 1, 65: 2, 256: 2}
    incomplete = {0: 1, 65: 2, 256: 3}
    oversubscribed = {0: 1, 65: 1, 256: 2}
    for name, lit, dist in (("complete", complete, {}), ("incomplete-lit", incomplete, {}),
                            ("oversubscribed-lit", oversubscribed, {}), ("one-dist-code", complete, {0: 1}),
                            ("incomplete-dist", complete, {0: 2, 1: 2, 2: 2}), ("two-dist-codes", complete, {0: 1, 3: 1})):
        files[f"huffman-{name}"] = png(4, 2, 0, 8, False, dynamic_stream(pixels, lit, dist))
    for name, data in files.items():
        (out / f"{name}.png").write_bytes(data)
    print(f"gen-synthetic: {len(files)} files in {out}")


if __name__ == "__main__":
    main()
