"""The libvips peer (pyvips), file in and file out, doing the processor CLI's job: a peer anchor for
the time and memory columns of bench.py, not a pixel oracle.

    python vips_reference.py IN.png OUT.png

Load (sequential access: libvips streams the image in strips) -> drop alpha -> gray with OpenCV's
BGR2GRAY weights (recomb 0.299 R + 0.587 G + 0.114 B, in float) -> white where gray > 127.5
(OpenCV rounds gray to an integer, then keeps > 127) -> pngsave as 1-bit gray, zlib level 1 with
the UP filter, no metadata: the choices of the processor's own encoder (1 bit, UP, level 1), so
the columns compare like for like. 16-bit images are scaled to 8 bits (>> 8). Gray inputs skip
recomb. Exits 1 when libvips does not load the input.
"""
import os
import sys
import time

import pyvips


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
    try:
        image = pyvips.Image.new_from_file(source, access="sequential")
    except pyvips.Error as error:
        print(f"{source}: libvips does not load it: {error}", file=sys.stderr)
        return 1
    if image.format == "ushort":
        image = (image >> 8).cast("uchar")
    if image.bands >= 3:
        gray = image.extract_band(0, n=3).recomb([[0.299, 0.587, 0.114]])
        binary = gray > 127.5
    else:
        binary = image.extract_band(0) > 127
    binary.pngsave(target, bitdepth=1, compression=1, filter="up", keep="none")
    return 0


if __name__ == "__main__":
    status = main()
    if os.environ.get("BENCH_STARTUP_FILE"):
        os._exit(status)  # under bench.py: no interpreter teardown, which is not the image's cost
    sys.exit(status)
