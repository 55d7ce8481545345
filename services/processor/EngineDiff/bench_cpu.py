"""CPU per image of the old engine, the new one and OpenCV, in one process and interleaved, so that
the machine's ups and downs hit all three alike (see bench.sh).

    python bench_cpu.py LIBENGINES.so RUNS FILE...
    python bench_cpu.py --peak opencv|old|new LIBENGINES.so FILE     one run, for peak RSS

The engines are cps_process of the old and the new C engine (old_cps_process, cps_process) in
LIBENGINES.so, with the processor's default output: a 1-bit PNG at threshold 127. OpenCV is the
reference: imdecode(IMREAD_COLOR), cvtColor(BGR2GRAY), threshold(127), imencode(".png"). CPU is
user + system time of the process (all threads), median of RUNS.
"""
import ctypes
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np


class Options(ctypes.Structure):
    _fields_ = [("threshold", ctypes.c_int), ("bit_depth", ctypes.c_int), ("max_pixels", ctypes.c_uint64),
                ("max_side", ctypes.c_uint32), ("output", ctypes.c_int)]


class Result(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("size", ctypes.c_size_t), ("width", ctypes.c_uint32),
                ("height", ctypes.c_uint32), ("source_width", ctypes.c_uint32), ("source_height", ctypes.c_uint32),
                ("pixel_limit", ctypes.c_uint64), ("threshold", ctypes.c_int), ("orientation", ctypes.c_int),
                ("status", ctypes.c_int), ("message", ctypes.c_char * 200)]


def engines(library):
    lib = ctypes.CDLL(library)
    options = Options(127, 1, 1 << 30, 1_000_000, 0)

    def wrap(prefix):
        process, release = getattr(lib, prefix + "cps_process"), getattr(lib, prefix + "cps_result_release")

        def run(data: bytes) -> int:
            result = Result()
            status = process(data, len(data), ctypes.byref(options), ctypes.byref(result))
            size = result.size
            release(ctypes.byref(result))
            if status != 0:
                raise RuntimeError(f"{prefix}cps_process: status {status}")
            return size
        return run
    return {"old": wrap("old_"), "new": wrap("")}


def opencv(data: bytes) -> int:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    binary = cv2.threshold(gray, 127, 255, cv2.THRESH_BINARY)[1]
    return len(cv2.imencode(".png", binary)[1])


def main() -> None:
    if sys.argv[1] == "--peak":
        tool, library, path = sys.argv[2:5]
        data = Path(path).read_bytes()
        (opencv if tool == "opencv" else engines(library)[tool])(data)
        return
    library, runs = sys.argv[1], int(sys.argv[2])
    tools = {"opencv": opencv, **engines(library)}
    print(f"{'image':34} {'MP':>5} {'OpenCV':>8} {'old':>8} {'new':>8}  {'new/OpenCV':>10} {'new/old':>8}"
          f"  output bytes old / new")
    for path in sys.argv[3:]:
        data = Path(path).read_bytes()
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        megapixels = image.shape[0] * image.shape[1] / 1e6
        times = {name: [] for name in tools}
        sizes = {name: tool(data) for name, tool in tools.items()}  # warm-up
        names = list(tools)
        for run in range(runs):
            for name in names[run % 3:] + names[:run % 3]:  # rotate the order
                start = time.process_time()
                tools[name](data)
                times[name].append(time.process_time() - start)
        ms = {name: statistics.median(t) * 1e3 for name, t in times.items()}
        print(f"{Path(path).name:34} {megapixels:5.1f} {ms['opencv']:8.1f} {ms['old']:8.1f} {ms['new']:8.1f}"
              f"  {ms['new'] / ms['opencv']:10.2f} {ms['new'] / ms['old']:8.2f}  {sizes['old']} / {sizes['new']}",
              flush=True)


if __name__ == "__main__":
    main()
