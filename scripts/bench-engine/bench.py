"""Side-by-side benchmark of the processor CLI and the OpenCV reference (see run.sh).

For every photo: median wall time of each tool over several runs (alternating, whole processes,
file in and file out), their ratio, output bytes, whether the two outputs hold the same pixels,
and "image memory": peak RSS on the photo minus peak RSS on a 16x16 image, per tool. Then checks
the goals: same pixels everywhere, time ratio <= 0.9, image memory <= 0.25x the reference's on the
3840x2160 photo.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REFERENCE = Path(__file__).with_name("reference.py")


TIME = "/usr/bin/time"


def run_once(command, scratch):
    """Wall time (s) and peak RSS (bytes) of one process.

    The peak comes from GNU time, a small process of its own: a child forked from this Python
    process would count the parent's pages, shared until exec, in its own peak.
    """
    report = scratch / "rss.txt"
    start = time.perf_counter()
    finished = subprocess.run([TIME, "-f", "%M", "-o", str(report), *command],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {finished.stderr.decode(errors='replace').strip()}")
    return elapsed, int(report.read_text().split()[-1]) * 1024  # KiB


def pixels(path):
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    return None if image is None else image


def reference_phases(photo, runs):
    """Where the reference's time goes, in process (no start-up): median ms of each step."""
    data = np.fromfile(str(photo), dtype=np.uint8)
    steps = {
        "imdecode": lambda _: cv2.imdecode(data, cv2.IMREAD_COLOR),
        "cvtColor": lambda image: cv2.cvtColor(image, cv2.COLOR_BGR2GRAY),
        "threshold": lambda gray: cv2.threshold(gray, 127, 255, cv2.THRESH_BINARY)[1],
        "imencode": lambda binary: cv2.imencode(".png", binary)[1],
    }
    value, parts = None, []
    for name, step in steps.items():
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = step(value)
            times.append(time.perf_counter() - start)
        value = result
        parts.append(f"{name} {statistics.median(times) * 1000:.1f} ms")
    return f"Reference in process on {photo.name}: " + ", ".join(parts) + "."


def main() -> int:
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--cli", required=True)
    arguments.add_argument("--photos", required=True)
    arguments.add_argument("--runs", type=int, default=7)
    options = arguments.parse_args()

    photos = sorted(Path(options.photos).glob("*.png"))
    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    tiny = work / "tiny-16x16.png"
    cv2.imwrite(str(tiny), np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8))

    def tools(source, name):
        return {
            "cli": [options.cli, "binarize", str(source), str(work / f"{name}.cli.png")],
            "ref": [sys.executable, str(REFERENCE), str(source), str(work / f"{name}.ref.png")],
        }

    if not os.access(TIME, os.X_OK):
        print(f"bench-engine: {TIME} is missing (apt-get install time)", file=sys.stderr)
        return 1

    def run_all(source, name):
        """Median wall time and peak RSS of each tool on the image and on the 16x16 image, all runs
        interleaved so that a change in the machine's load hits both alike."""
        commands = {"": tools(source, name), "tiny": tools(tiny, "tiny")}
        samples = {(kind, tool): [] for kind in commands for tool in ("ref", "cli")}
        peaks = {key: 0 for key in samples}
        for _ in range(options.runs):
            for kind in commands:
                for tool in ("ref", "cli"):
                    elapsed, peak = run_once(commands[kind][tool], work)
                    samples[(kind, tool)].append(elapsed)
                    peaks[(kind, tool)] = max(peaks[(kind, tool)], peak)
        wall = {key: statistics.median(values) for key, values in samples.items()}
        return ({tool: wall[("", tool)] for tool in ("ref", "cli")},
                {tool: wall[("tiny", tool)] for tool in ("ref", "cli")},
                {tool: peaks[("", tool)] - peaks[("tiny", tool)] for tool in ("ref", "cli")},
                {tool: peaks[("tiny", tool)] for tool in ("ref", "cli")})

    # Warm the page cache and the dynamic loader.
    for _ in range(2):
        for command in tools(tiny, "tiny").values():
            run_once(command, work)

    header = (f"{'image':<38}{'pixels':>11}{'ref ms':>9}{'cli ms':>9}{'ratio':>7}"
              f"{'ref net':>9}{'cli net':>9}{'ratio':>7}{'ref B':>9}{'cli B':>9}{'same':>6}"
              f"{'ref MB':>8}{'cli MB':>8}{'ratio':>7}")
    print(f"\n{options.runs} runs each, interleaved with runs on a 16x16 image. ms: median wall time of the "
          f"whole process (file in, file out); net: minus the 16x16 image's (start-up, imports); "
          f"B: output bytes; same: identical pixels; MB: image memory, peak RSS minus the 16x16 image's.\n")
    print(header)
    print("-" * len(header))
    results = []
    baselines = []
    for photo in photos:
        wall, tiny_wall, memory, tiny_peak = run_all(photo, photo.stem)
        baselines.append((tiny_wall, tiny_peak))
        net = {tool: wall[tool] - tiny_wall[tool] for tool in wall}
        size = {tool: (work / f"{photo.stem}.{tool}.png").stat().st_size for tool in wall}
        ref_pixels, cli_pixels = pixels(work / f"{photo.stem}.ref.png"), pixels(work / f"{photo.stem}.cli.png")
        same = ref_pixels is not None and cli_pixels is not None and ref_pixels.shape == cli_pixels.shape \
            and bool((ref_pixels == cli_pixels).all())
        height, width = ref_pixels.shape[:2]
        memory_ratio = memory["cli"] / memory["ref"] if memory["ref"] > 0 else float("nan")
        print(f"{photo.name:<38}{f'{width}x{height}':>11}{wall['ref'] * 1000:>9.1f}{wall['cli'] * 1000:>9.1f}"
              f"{wall['cli'] / wall['ref']:>7.2f}{net['ref'] * 1000:>9.1f}{net['cli'] * 1000:>9.1f}"
              f"{net['cli'] / net['ref'] if net['ref'] > 0 else float('nan'):>7.2f}"
              f"{size['ref']:>9}{size['cli']:>9}{'yes' if same else 'NO':>6}"
              f"{memory['ref'] / 2**20:>8.1f}{memory['cli'] / 2**20:>8.1f}{memory_ratio:>7.2f}")
        results.append((photo, width * height, wall, same, memory_ratio))

    print(f"\n16x16 image: ref {statistics.median(b[0]['ref'] for b in baselines) * 1000:.1f} ms, "
          f"{max(b[1]['ref'] for b in baselines) / 2**20:.1f} MB peak RSS; "
          f"cli {statistics.median(b[0]['cli'] for b in baselines) * 1000:.1f} ms, "
          f"{max(b[1]['cli'] for b in baselines) / 2**20:.1f} MB peak RSS.")
    largest = max(results, key=lambda r: r[1])
    print(reference_phases(largest[0], options.runs))
    print()
    goals = [
        ("identical pixels on every photo", all(r[3] for r in results)),
        ("time ratio <= 0.9 on every photo", all(r[2]["cli"] / r[2]["ref"] <= 0.9 for r in results)),
        (f"image memory <= 0.25x the reference's on {largest[0].name} ({largest[4]:.2f}x)", largest[4] <= 0.25),
    ]
    for goal, met in goals:
        print(f"{'PASS' if met else 'FAIL'}  {goal}")
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
