"""PNGs for tests and benchmarks: small valid ones, noise of a chosen size, headers alone (what a
decompression bomb looks like), and damaged ones (a wrong CRC, garbage inside the image data)."""
from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def small_png(seed: int, side: int = 48) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


def png_header_only(width: int, height: int, bit_depth: int = 8, color_type: int = 0) -> bytes:
    """A PNG signature and a valid IHDR (right CRC) for any size, then a tiny IDAT and IEND:
    what a decompression bomb's header looks like."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([bit_depth, color_type, 0, 0, 0])
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b"")


def chunks(png: bytes) -> list[tuple[int, bytes, int]]:
    """(offset, type, length) of each chunk of a PNG."""
    out, offset = [], 8
    while offset + 8 <= len(png):
        length = int.from_bytes(png[offset:offset + 4], "big")
        out.append((offset, png[offset + 4:offset + 8], length))
        offset += 12 + length
    return out


def flip_crc(png: bytes, kind: bytes) -> bytes:
    """The PNG with the CRC of its first `kind` chunk wrong."""
    for offset, chunk_type, length in chunks(png):
        if chunk_type == kind:
            crc_at = offset + 8 + length
            return png[:crc_at] + bytes([png[crc_at] ^ 0xFF]) + png[crc_at + 1:]
    raise ValueError(f"no {kind!r} chunk")


def corrupt_idat(png: bytes) -> bytes:
    """Garbage inside the IDAT data with a CRC that matches it: only decoding can tell."""
    for offset, chunk_type, length in chunks(png):
        if chunk_type == b"IDAT":
            data = bytes(b ^ 0x5A for b in png[offset + 8:offset + 8 + length])
            return png[:offset] + png_chunk(b"IDAT", data) + png[offset + 12 + length:]
    raise ValueError("no IDAT chunk")


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(out, format="JPEG")
    return out.getvalue()


def noise_png(size: int, seed: int = 7) -> bytes:
    """A real PNG of about `size` bytes: RGB noise compresses badly, so its size is about the
    pixels times 3."""
    side = max(1, int((size / 3) ** 0.5))
    rng = random.Random(seed)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def png_header(width: int = 64, height: int = 64) -> bytes:
    """A PNG signature and a valid 8-bit gray IHDR, nothing else: what the upload API checks before
    it streams the rest of a body on."""
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return PNG_SIGNATURE + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))


def pixel_bomb(width: int, height: int, seed: int = 0) -> bytes:
    """A whole, valid 8-bit gray PNG of width × height pixels, nearly all one value: it compresses
    to about a thousandth of its pixels (a 100-megapixel image in ~100 KB), so it costs a processor
    far more than it costs the sender. `seed` varies one pixel, so that each bomb is its own image."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes(width)
    marked = b"\x00" + bytes([seed % 256]) + bytes(width - 1)
    data = [compressor.compress(marked)]
    block = row * max(1, 1_000_000 // len(row))
    rows_left = height - 1
    while rows_left > 0:
        count = min(rows_left, len(block) // len(row))
        data.append(compressor.compress(block[: count * len(row)]))
        rows_left -= count
    data.append(compressor.flush())
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", b"".join(data)) + png_chunk(b"IEND", b"")
