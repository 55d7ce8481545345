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


def pixel_bomb(width: int, height: int, seed: int = 0, color_type: int = 6, bit_depth: int = 16, filter_type: int = 4) -> bytes:
    """A whole, valid PNG of width × height pixels, all zero but for its first byte (`seed`, so
    that each bomb is its own image): it compresses to about a thousandth of its raw size (a
    100-megapixel RGBA 16-bit image in ~0.8 MB), so it costs a processor far more than it costs the
    sender. By default the costliest kind to decode: 16-bit RGBA, every row Paeth-filtered.

    Built fast: one block of rows is deflated once (with a full flush, which makes its bytes the
    same wherever it stands) and repeated, inside a zlib stream whose checksum is computed here."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    row = bytes([filter_type]) + bytes(width * channels * bit_depth // 8)
    first = bytes([filter_type, seed % 256]) + row[2:]
    rows_per_block = max(1, (1 << 20) // len(row))
    block = row * rows_per_block
    count, rest = divmod(height - 1, rows_per_block)

    def deflated(data: bytes, mode: int) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(mode)

    packed_block = deflated(block, zlib.Z_FULL_FLUSH)
    adler = zlib.adler32(first)
    for _ in range(count):
        adler = zlib.adler32(block, adler)
    adler = zlib.adler32(row * rest, adler)
    data = (b"\x78\xda" + deflated(first, zlib.Z_FULL_FLUSH) + packed_block * count + deflated(row * rest, zlib.Z_FINISH)
            + struct.pack(">I", adler))
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")
