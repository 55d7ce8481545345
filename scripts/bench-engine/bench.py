"""Side-by-side benchmark of the processor CLI, the OpenCV reference and a libvips peer (see run.sh).

Every tool runs as a whole process, file in and file out: `processor binarize`, reference.py
(OpenCV: imdecode, cvtColor, threshold, imencode) and vips_reference.py (pyvips: load, recomb,
relational threshold, 1-bit pngsave). The images are the photos of the shared test data plus the
generated large-photo classes (make_images.py, >= 8 MP).

For every image, with all runs interleaved (each tool on the image, then each on a 16x16 image, so
that a change in the machine's load hits them alike):
- CPU ms: median user+sys CPU of the process (all its threads; from getrusage of the children)
  minus its start-up, so the figure is the cost of the image itself: for the CLI the median on
  the 16x16 image (loader, argument parsing); for the Python tools each run's own start-up
  (interpreter and imports, reported by the script itself, see run_once) and then the median of
  the rest on the 16x16 image;
- wall ms: the same, in wall-clock time;
- peak RSS of each tool (GNU time), and image memory: peak RSS minus the peak on the 16x16 image;
- output bytes, whether ours holds exactly OpenCV's pixels, and how far libvips's count of white
  pixels is from OpenCV's (libvips is a peer anchor for time and memory, not a pixel oracle).

Then the median ratio ours/OpenCV (and ours/libvips) over the >= 8 MP images (goal: ours <= 0.5x
OpenCV there; printed, not checked), and the engine's standing goals, checked (exit status 1 when
one fails): identical pixels everywhere, CPU ratio <= 0.9 on every test photo, image memory <=
0.25x OpenCV's on the largest test photo (3840x2160); on the generated images, the CPU and memory
ratios against those bounds are printed, not checked.
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
TIME = "/usr/bin/time"
LARGE_PIXELS = 8_000_000
TOOLS = ("ours", "cv", "vips")
PYTHON_TOOLS = {"cv", "vips"}  # they mark the end of their start-up (see run_once)
# numpy's OpenBLAS threads (unused by either job) would add start-up CPU and noise to the Python tools.
PYTHON_ENV = dict(os.environ) | {"OPENBLAS_NUM_THREADS": "1"}
NAMES = {"ours": "ours", "cv": "OpenCV", "vips": "libvips"}


def run_once(command: list[str], scratch: Path, mark: bool = False) -> tuple[float, float, int, float]:
    """Wall time (s), CPU time (s, user+sys of all threads), peak RSS (bytes) of one process, and
    the CPU (s) of its start-up taken off (0 without `mark`).

    The peak comes from GNU time, a small process of its own: a child forked from this Python
    process would count the parent's pages, shared until exec, in its own peak. The CPU comes from
    this process's RUSAGE_CHILDREN (GNU time's and, through its wait, the tool's; microseconds).
    With `mark`, the tool (a Python script) writes its CPU and the monotonic clock once its imports
    are done (BENCH_STARTUP_FILE), and this run's own start-up is taken off both figures: a Python
    start-up is ~100-200 ms of CPU that varies by tens of ms from run to run, more than the job on
    a small image, so subtracting another run's would leave mostly noise.
    """
    report = scratch / "rss.txt"
    startup = scratch / "startup.txt"
    env = None
    if mark:
        startup.unlink(missing_ok=True)
        env = PYTHON_ENV | {"BENCH_STARTUP_FILE": str(startup)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    finished = subprocess.run([TIME, "-f", "%M", "-o", str(report), *command],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {finished.stderr.decode(errors='replace').strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    startup_cpu = 0.0
    if mark:
        startup_cpu, startup_clock = (float(v) for v in startup.read_text().split())
        cpu -= startup_cpu
        elapsed -= startup_clock - start
    return elapsed, cpu, int(report.read_text().split()[-1]) * 1024, startup_cpu  # KiB


def gray_pixels(path: Path):
    return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)


def reference_phases(photo: Path, runs: int) -> str:
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
    return f"OpenCV in process on {photo.name} (wall per step, warm, no start-up): " + ", ".join(parts) + "."


def selected(path: Path, patterns: list[str]) -> bool:
    """--only: any pattern matches, as a glob when it has wildcards, else as a substring."""
    if not patterns:
        return True
    for pattern in patterns:
        if any(c in pattern for c in "*?[") and fnmatch.fnmatch(path.name, pattern):
            return True
        if pattern in path.name:
            return True
    return False


RATIO_FLOOR = 0.001  # s


def ratio(a: float, b: float) -> float:
    """a / b; NaN when b is under RATIO_FLOOR or a is negative: a net time that small is within
    the noise of the start-up subtracted (a Python interpreter's is tens of ms), not a cost."""
    return a / b if b >= RATIO_FLOOR and a >= 0 else float("nan")


def fmt(value: float, width: int, digits: int) -> str:
    return f"{'-':>{width}}" if value != value else f"{value:>{width}.{digits}f}"


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--cli", required=True, help="the processor binary")
    arguments.add_argument("--photos", required=True, help="folder of the test photos")
    arguments.add_argument("--large", help="folder of the generated >= 8 MP images (make_images.py)")
    arguments.add_argument("--runs", type=int, default=7, help="runs per tool and image (median; default 7)")
    arguments.add_argument("--only", default="", metavar="PATTERNS",
                           help="comma-separated substrings or globs of image names, e.g. large,kodim2*")
    arguments.add_argument("--no-vips", action="store_true", help="leave the libvips column out")
    options = arguments.parse_args()
    if options.runs < 1:
        arguments.error("--runs must be at least 1")

    if not os.access(TIME, os.X_OK):
        print(f"bench-engine: {TIME} is missing (apt-get install time)", file=sys.stderr)
        return 1
    if not os.access(options.cli, os.X_OK):
        print(f"bench-engine: no processor binary at {options.cli}", file=sys.stderr)
        return 1
    tools = list(TOOLS)
    if not options.no_vips and subprocess.run([sys.executable, "-c", "import pyvips"], capture_output=True).returncode != 0:
        print("bench-engine: pyvips is not importable (pip install pyvips pyvips-binary); no libvips column", file=sys.stderr)
        options.no_vips = True
    if options.no_vips:
        tools.remove("vips")

    images = sorted(Path(options.photos).glob("*.png"))
    if options.large:
        images += sorted(Path(options.large).glob("*.png"))
    patterns = [p.strip() for p in options.only.split(",") if p.strip()]
    images = [image for image in images if selected(image, patterns)]
    if not images:
        print(f"bench-engine: no image matches --only {options.only!r}", file=sys.stderr)
        return 1

    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    try:
        return bench(options, tools, images, work)
    except RuntimeError as error:
        print(f"bench-engine: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench(options, tools: list[str], images: list[Path], work: Path) -> int:
    tiny = work / "tiny-16x16.png"
    cv2.imwrite(str(tiny), np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8))

    def commands(source: Path, name: str) -> dict[str, list[str]]:
        every = {
            "ours": [options.cli, "binarize", str(source), str(work / f"{name}.ours.png")],
            "cv": [sys.executable, str(HERE / "reference.py"), str(source), str(work / f"{name}.cv.png")],
            "vips": [sys.executable, str(HERE / "vips_reference.py"), str(source), str(work / f"{name}.vips.png")],
        }
        return {tool: every[tool] for tool in tools}

    def run_all(source: Path, name: str) -> dict:
        """Median wall and CPU and the peak RSS of each tool on the image and on the 16x16 image."""
        kinds = {"image": commands(source, name), "tiny": commands(tiny, "tiny")}
        wall = {(kind, tool): [] for kind in kinds for tool in tools}
        cpu = {key: [] for key in wall}
        peak = {key: 0 for key in wall}
        startup = {tool: [] for tool in tools}
        for _ in range(options.runs):
            for kind in kinds:
                for tool in tools:
                    elapsed, used, rss, own = run_once(kinds[kind][tool], work, mark=tool in PYTHON_TOOLS)
                    wall[(kind, tool)].append(elapsed)
                    cpu[(kind, tool)].append(used)
                    peak[(kind, tool)] = max(peak[(kind, tool)], rss)
                    startup[tool].append(own)
        median = statistics.median
        return {
            "cpu": {tool: median(cpu[("image", tool)]) - median(cpu[("tiny", tool)]) for tool in tools},
            "wall": {tool: median(wall[("image", tool)]) - median(wall[("tiny", tool)]) for tool in tools},
            "peak": {tool: peak[("image", tool)] for tool in tools},
            "memory": {tool: peak[("image", tool)] - peak[("tiny", tool)] for tool in tools},
            "tiny_cpu": {tool: median(cpu[("tiny", tool)]) for tool in tools},
            "tiny_wall": {tool: median(wall[("tiny", tool)]) for tool in tools},
            "tiny_peak": {tool: peak[("tiny", tool)] for tool in tools},
            "own_startup": {tool: median(startup[tool]) for tool in tools},
        }

    # Warm the page cache and the dynamic loader.
    for _ in range(2):
        for command in commands(tiny, "tiny").values():
            run_once(command, work, mark=command[0] == sys.executable)
        for image in images:
            image.read_bytes()

    vips = "vips" in tools
    print(f"\nbench-engine: {len(images)} images, {options.runs} runs per tool and image, interleaved with runs on a "
          f"16x16 image; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}.")
    print("CPU ms: median user+sys CPU of the whole process (all threads), file in and file out, minus its start-up: "
          "for ours the median\non the 16x16 image; for the Python tools each run's own (interpreter, imports, "
          "measured in the run) and then the\nmedian of the rest on the 16x16 image. wall ms likewise. "
          "ours: processor binarize (1-bit PNG); OpenCV: reference.py\n(8-bit PNG, imencode defaults)"
          + ("; libvips: vips_reference.py (1-bit PNG, level 1, UP)." if vips else "."))

    header = f"{'image':<36}{'pixels':>11}{'MP':>6} |{'ours':>8}{'OpenCV':>8}{'o/cv':>6}"
    header += f"{'libvips':>9}{'o/vips':>7}" if vips else ""
    header += f" |{'ours':>7}{'OpenCV':>8}" + (f"{'libvips':>8}" if vips else "")
    band = f"{'':<53} |{'CPU ms, start-up subtracted':^{len(header.split('|')[1])}}|{'wall ms, likewise':^{len(header.split('|')[2])}}"
    print("\n" + band.rstrip())
    print(header)
    print("-" * len(header))
    results = []
    for image in images:
        result = run_all(image, image.stem)
        outputs = {tool: gray_pixels(work / f"{image.stem}.{tool}.png") for tool in tools}
        cv_pixels = outputs["cv"]
        if cv_pixels is None:
            raise RuntimeError(f"OpenCV's output for {image.name} does not read back")
        height, width = cv_pixels.shape[:2]
        result.update(image=image, width=width, height=height, pixels=width * height,
                      bytes={tool: (work / f"{image.stem}.{tool}.png").stat().st_size for tool in tools})
        ours = outputs["ours"]
        result["same"] = ours is not None and ours.shape == cv_pixels.shape and bool((ours == cv_pixels).all())
        if vips:
            other = outputs["vips"]
            result["vips_white"] = (float("nan") if other is None or other.shape != cv_pixels.shape else
                                    100.0 * (int((other > 127).sum()) - int((cv_pixels > 127).sum())) / cv_pixels.size)
        cpu, wall = result["cpu"], result["wall"]
        result["ratio_cv"] = ratio(cpu["ours"], cpu["cv"])
        result["ratio_vips"] = ratio(cpu["ours"], cpu["vips"]) if vips else float("nan")
        row = (f"{image.name:<36}{f'{width}x{height}':>11}{width * height / 1e6:>6.1f} |"
               f"{cpu['ours'] * 1000:>8.1f}{cpu['cv'] * 1000:>8.1f}{fmt(result['ratio_cv'], 6, 2)}")
        if vips:
            row += f"{cpu['vips'] * 1000:>9.1f}{fmt(result['ratio_vips'], 7, 2)}"
        row += f" |{wall['ours'] * 1000:>7.1f}{wall['cv'] * 1000:>8.1f}" + (f"{wall['vips'] * 1000:>8.1f}" if vips else "")
        print(row, flush=True)
        results.append(result)

    # Memory and output.
    header = f"{'image':<36} |{'ours':>7}{'OpenCV':>8}" + (f"{'libvips':>8}" if vips else "")
    header += f" |{'ours':>7}{'OpenCV':>8}{'o/cv':>6}" + (f"{'libvips':>8}" if vips else "")
    header += f" |{'ours':>10}{'OpenCV':>10}" + (f"{'libvips':>10}" if vips else "")
    header += f" |{'same':>5}" + (f"{'vips white':>11}" if vips else "")
    parts = header.split("|")
    band = (f"{'':<36} |{'peak RSS MB':^{len(parts[1])}}|{'image memory MB':^{len(parts[2])}}|"
            f"{'output bytes':^{len(parts[3])}}|{'pixels':^{len(parts[4])}}")
    print("\nimage memory: peak RSS minus the peak on the 16x16 image; same: ours holds exactly OpenCV's pixels"
          + ("; vips white: libvips's\nwhite pixels minus OpenCV's, in % of all pixels (a peer, not an oracle: "
             "float gray, no rounding)." if vips else "."))
    print("\n" + band.rstrip())
    print(header)
    print("-" * len(header))
    for result in results:
        peak, memory, size = result["peak"], result["memory"], result["bytes"]
        result["memory_ratio"] = memory["ours"] / memory["cv"] if memory["cv"] >= 2**20 else float("nan")
        row = f"{result['image'].name:<36} |{peak['ours'] / 2**20:>7.1f}{peak['cv'] / 2**20:>8.1f}"
        row += f"{peak['vips'] / 2**20:>8.1f}" if vips else ""
        row += f" |{memory['ours'] / 2**20:>7.1f}{memory['cv'] / 2**20:>8.1f}{fmt(result['memory_ratio'], 6, 2)}"
        row += f"{memory['vips'] / 2**20:>8.1f}" if vips else ""
        row += f" |{size['ours']:>10}{size['cv']:>10}" + (f"{size['vips']:>10}" if vips else "")
        row += f" |{'yes' if result['same'] else 'NO':>5}"
        if vips:
            row += f"{fmt(result['vips_white'], 10, 3)}%" if result["vips_white"] == result["vips_white"] else f"{'?':>11}"
        print(row)

    print("\nstart-up subtracted (medians over the images):")
    for tool in tools:
        tiny_cpu = statistics.median(r["tiny_cpu"][tool] for r in results) * 1000
        tiny_peak = max(r["tiny_peak"][tool] for r in results) / 2**20
        if tool in PYTHON_TOOLS:
            own = statistics.median(r["own_startup"][tool] for r in results) * 1000
            print(f"  {NAMES[tool]:<8} its own, {own:.1f} ms CPU (interpreter, imports), then {tiny_cpu:.1f} ms CPU "
                  f"and {statistics.median(r['tiny_wall'][tool] for r in results) * 1000:.1f} ms wall of the rest on "
                  f"the 16x16 image; {tiny_peak:.1f} MB peak RSS there")
        else:
            print(f"  {NAMES[tool]:<8} the whole CLI on the 16x16 image, {tiny_cpu:.1f} ms CPU, "
                  f"{statistics.median(r['tiny_wall'][tool] for r in results) * 1000:.1f} ms wall; {tiny_peak:.1f} MB peak RSS")
    largest = max(results, key=lambda r: r["pixels"])
    print(reference_phases(largest["image"], options.runs))

    large = [r for r in results if r["pixels"] >= LARGE_PIXELS]
    print()
    if large:
        names = ", ".join(r["image"].name for r in large)
        cv_ratios = [r["ratio_cv"] for r in large if r["ratio_cv"] == r["ratio_cv"]]
        wall_ratios = [ratio(r["wall"]["ours"], r["wall"]["cv"]) for r in large]
        wall_ratios = [v for v in wall_ratios if v == v]
        line = f"median over the {len(large)} image(s) >= 8 MP ({names}):\n"
        line += (f"  ours/OpenCV CPU {statistics.median(cv_ratios):.2f}x (goal <= 0.50x: "
                 f"{'met' if statistics.median(cv_ratios) <= 0.5 else 'not met'}; not checked)" if cv_ratios else "  ours/OpenCV CPU ?")
        line += f", wall {statistics.median(wall_ratios):.2f}x" if wall_ratios else ""
        if vips:
            vips_ratios = [r["ratio_vips"] for r in large if r["ratio_vips"] == r["ratio_vips"]]
            if vips_ratios:
                line += f"\n  ours/libvips CPU {statistics.median(vips_ratios):.2f}x"
        print(line)
    else:
        print("no image >= 8 MP selected: no median over the large classes")
    print()

    # The standing goals are checked on the test photos, as before the generated classes came;
    # on those they are printed only (the >= 8 MP median above is their goal).
    photos = [r for r in results if r["image"].parent == Path(options.photos)]
    generated = [r for r in results if r["image"].parent != Path(options.photos)]
    timed = [r for r in photos if r["ratio_cv"] == r["ratio_cv"]]
    goals = [("identical pixels (ours and OpenCV) on every image", all(r["same"] for r in results))]
    if photos:
        goals.append(("CPU ratio ours/OpenCV <= 0.9 on every test photo"
                      + (f" (n/a on {len(photos) - len(timed)}: OpenCV's net CPU under {RATIO_FLOOR * 1000:.0f} ms "
                         "or ours negative, noise)" if len(timed) < len(photos) else ""),
                      all(r["ratio_cv"] <= 0.9 for r in timed)))
        largest_photo = max(photos, key=lambda r: r["pixels"])
        goals.append((f"image memory <= 0.25x OpenCV's on {largest_photo['image'].name} "
                      f"({largest_photo['memory_ratio']:.2f}x)", largest_photo["memory_ratio"] <= 0.25))
    for goal, met in goals:
        print(f"{'PASS' if met else 'FAIL'}  {goal}")
    for r in generated:
        name, cpu, memory = r["image"].name, r["ratio_cv"], r["memory_ratio"]
        print(f"  -   {name}: CPU ratio {cpu:.2f}x ({'<=' if cpu <= 0.9 else '>'} 0.9), image memory {memory:.2f}x "
              f"({'<=' if memory <= 0.25 else '>'} 0.25) OpenCV's; not checked")
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
