"""make bench-cost: each service's CPU per image through the whole stack (release binaries on the
emulator), against the engine's own CPU for the same images.

1. The engine: `processor binarize --repeat 6` and `--repeat 1` on each distinct photo, RUNS (5)
   times; a sample is their user+sys CPU difference over 5 (the start-up, the same in both,
   cancels). Measured before the stack starts and again after the window (the stack then idle),
   since this machine's speed drifts by several percent within a minute; an image's engine CPU is
   the median of the 2 x RUNS samples.
2. The stack: fresh buckets and queues, the upload API, ONE processor and the notifier on free
   127.0.0.1 ports. Once all answer, each photo goes through once (the warm-up, left out as the
   CLI leaves out its first run: connections, lazily made type metadata, allocator growth; off
   with --no-warmup), then each service's idle CPU is measured for IDLE (5) s at rest.
3. COUNT (60) uploads of the photos of tests/data/photos, cycled (with --large, the generated
   >= 8 MP images of make bench-engine join the cycle), CONCURRENCY (4) at a time. CPU
   (utime+stime from /proc/PID/stat) of every service is sampled just before the first upload and
   again once every image is processed: its processed object is in the bucket, the input queue is
   empty (the processor deleted every message) and the processed queue is empty (the notifier
   consumed every event). Neither the notifier nor the other services are asked anything inside
   that window (completion is watched on S3 and SQS directly); the notifier's API is read after
   it, to check that it knows every image as processed.
4. Each service's CPU over the window minus its idle rate times the window's wall time, per image:
   upload API per upload, processor per image, notifier per image (it gets a queued and a
   processed event for each). Then the ratio processor / engine: the cost of the service around
   the engine (SQS, S3 in and out, events, heartbeats); the goal is <= 1.25 (printed, not checked).
   The processor also counts its engine's thread CPU time (processor_engine_cpu_seconds_total, read
   from its /metrics before and after the window): processor / that is the same ratio without the
   CLI's noise (another process, another minute), printed beside it.
5. The original's upload route beside the upload API (scripts/bench/original_upload.py: Flask +
   boto3, one PutObject and one SendMessage per upload, rebuilt from what DESIGN.md keeps
   compatible) on the same emulator, queue and bucket, after the stack's window: served as the
   prototype was (Werkzeug's threaded server) and by waitress (`--original` picks), each warmed up
   with every photo once, its idle CPU measured at rest, then the same COUNT uploads, CONCURRENCY at
   a time; its CPU per upload (idle subtracted) and the ratio upload API / original (the goal is
   <= 0.25x against each; printed, not checked).

The emulator's CPU (moto, .run/moto.pid) is printed for context, and whether it keeps connections
open: `make bench-cost` starts it with EMULATOR_KEEPALIVE=1 (moto on waitress) unless one runs, since
moto_server's Werkzeug closes every connection where S3 and SQS keep them. Exit status 1 when an upload
failed or an image did not end processed (and known to the notifier) in time. Everything started
here is stopped by PID, and the buckets and queues are deleted at the end.
"""
from __future__ import annotations

import argparse
import itertools
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from benchlib import child_cpu_seconds, cpu_ms
from pipeline_testing.aws import list_keys, queue_counts
from pipeline_testing.notifier import states_by_id
from pipeline_testing.pngs import small_png
from pipeline_testing.stack import BENCH_LIMITS, ROOT, emulator_environment
from pipeline_testing.stacks import StackFactory, find_testdata, free_port
from pipeline_testing.waiting import metric, wait_until

SERVICES = ("upload-api", "processor", "notifier")


def engine_samples(cli: Path, files: dict[str, Path], runs: int, repeat: int = 5) -> tuple[dict[str, list[float]], list[float]]:
    """Each file's engine CPU ms, `runs` samples of it, and as many of the CLI's start-up CPU ms
    (on a 16x16 PNG).

    A sample is (CPU of `binarize --repeat 1+repeat` - CPU of `binarize --repeat 1`) / repeat:
    the same process start-up on both sides cancels, so no start-up estimate (a CPU figure larger
    than most images') is subtracted."""
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as scratch:
        work = Path(scratch)
        tiny = work / "tiny-16x16.png"
        tiny.write_bytes(small_png(1, side=16))
        out = str(work / "out.png")
        for _ in range(2):  # warm the loader and the page cache
            child_cpu_seconds([str(cli), "binarize", str(tiny), out])
        samples: dict[str, list[float]] = {name: [] for name in files}
        startup: list[float] = []
        for _ in range(runs):
            for name, path in files.items():
                once = child_cpu_seconds([str(cli), "binarize", "--repeat", "1", str(path), out])
                many = child_cpu_seconds([str(cli), "binarize", "--repeat", str(1 + repeat), str(path), out])
                samples[name].append(1000 * (many - once) / repeat)
            startup.append(1000 * child_cpu_seconds([str(cli), "binarize", str(tiny), out]))
    return samples, startup


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in samples.items()}

def emulator_pid() -> int | None:
    try:
        pid = int((ROOT / ".run" / "moto.pid").read_text().strip())
        cpu_ms(pid)
        return pid
    except (OSError, ValueError):
        return None


def emulator_connections() -> str:
    """Whether the emulator keeps connections open: on Werkzeug (moto_server) each AWS call of a
    service opens a new one, which costs the processor about 2 ms of CPU per image."""
    try:
        response = requests.get(f"{emulator_environment()['AWS_ENDPOINT_URL']}/moto-api/", timeout=5)
    except requests.RequestException as error:
        return f"not asked ({error})"
    if response.headers.get("Connection", "").lower() == "close":
        return "closes every connection (moto_server on Werkzeug): each AWS call pays a TCP connect"
    return "keeps connections open, as S3 and SQS do (moto on waitress, EMULATOR_KEEPALIVE=1)"


def sample(pids: dict[str, int]) -> dict[str, float]:
    """CPU ms of each process; a service gone is an error, the emulator gone (it is not ours) a NaN."""
    values = {}
    for name, pid in pids.items():
        try:
            values[name] = cpu_ms(pid)
        except OSError:
            if name != "emulator":
                raise RuntimeError(f"{name} (PID {pid}) is gone; see .run/bench/logs") from None
            values[name] = float("nan")
    return values


def measure_original(server: str, env: dict[str, str], post, names: list[str], sequence: list[str],
                     concurrency: int, idle: float, log_dir: Path) -> tuple[float, list[str]]:
    """The original's upload route (original_upload.py on `server`): CPU ms per upload of the same
    uploads as the upload API's, idle CPU subtracted, and the errors (any answer but 202)."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"original-{server}.log", "w") as log:
        process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("original_upload.py")),
                                    "--port", str(port), "--server", server],
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return requests.get(f"{url}/healthz", timeout=2).ok
            except requests.RequestException:
                return False

        # Up, or gone (then at once, not after the whole wait).
        wait_until(lambda: process.poll() is not None or up(), 30)
        if process.poll() is not None or not up():
            raise RuntimeError(f"the original's route ({server}) did not start; see {log_dir}")
        errors: list[str] = []
        with ThreadPoolExecutor(concurrency) as pool:  # the warm-up, as for the upload API
            list(pool.map(lambda name: post(url, "warm", name, {}, errors), names))
        time.sleep(1)
        idle_start, idle_started = cpu_ms(process.pid), time.monotonic()
        time.sleep(idle)
        idle_rate = (cpu_ms(process.pid) - idle_start) / (time.monotonic() - idle_started)
        accepted: dict[str, str] = {}
        before, started = cpu_ms(process.pid), time.monotonic()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda index: post(url, f"orig{index}", sequence[index], accepted, errors), range(len(sequence))))
        net = cpu_ms(process.pid) - before - idle_rate * (time.monotonic() - started)
        return net / max(len(accepted), 1), errors
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=60, help="uploads (default 60)")
    parser.add_argument("--concurrency", type=int, default=4, help="uploads at once (default 4)")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="measure from the stack's first image (by default each photo goes through once first)")
    parser.add_argument("--idle", type=float, default=5, help="seconds of idle CPU measured at rest (default 5)")
    parser.add_argument("--runs", type=int, default=5, help="runs of the CLI per photo for the engine's CPU (default 5)")
    parser.add_argument("--large", action="store_true",
                        help="add the generated >= 8 MP images (.build/bench-images, make bench-engine) to the cycle")
    parser.add_argument("--timeout", type=float, default=600, help="longest wait for the processing, s (default 600)")
    parser.add_argument("--bin-dir", default=str(ROOT / ".build" / "release"))
    parser.add_argument("--original", default="werkzeug,waitress",
                        help="servers of the original's upload route to measure beside the upload API, comma-separated "
                             "(werkzeug, waitress; default both; 'none' to skip)")
    args = parser.parse_args()
    if args.count < 1 or args.concurrency < 1 or args.runs < 1 or args.idle <= 0:
        parser.error("--count, --concurrency and --runs must be >= 1, --idle > 0")

    bin_dir = Path(args.bin_dir)
    for name in ("processor", "upload-api", "notifier", "pipeline-setup"):
        if not (bin_dir / name).is_file():
            print(f"bench-cost: no {name} in {bin_dir} (build the release binaries first)", file=sys.stderr)
            return 1
    if "AWS_ENDPOINT_URL" not in emulator_environment():
        print("bench-cost: no emulator (AWS_ENDPOINT_URL, or .run/emulator.env of scripts/emulator.sh start); "
              "run it as make bench-cost or through scripts/bench/stack.sh", file=sys.stderr)
        return 1
    testdata = find_testdata()
    if testdata is None:
        print("bench-cost: no photos (tests/data/photos, or set TESTDATA_DIR)", file=sys.stderr)
        return 1
    files = {path.name: path for path in sorted((testdata / "photos").glob("*.png"))}
    if args.large:
        large = sorted((ROOT / ".build" / "bench-images").glob("*.png"))
        if not large:
            print("bench-cost: --large, but no images in .build/bench-images (run make bench-engine, or "
                  "scripts/bench-engine/make_images.py tests/data/photos .build/bench-images)", file=sys.stderr)
            return 1
        files |= {path.name: path for path in large}
    bodies = {name: path.read_bytes() for name, path in files.items()}
    sequence = list(itertools.islice(itertools.cycle(sorted(files)), args.count))

    # A SIGTERM (or Ctrl-C) still runs the cleanup below: processes stopped by PID, resources deleted.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    print(f"\ncost benchmark: {args.count} uploads of {len(files)} photos cycled "
          f"({min(len(b) for b in bodies.values()) // 1024}-{max(len(b) for b in bodies.values()) // 1024} KiB), "
          f"{args.concurrency} at a time, 1 processor")
    print(f"emulator: {emulator_connections()}")
    print(f"engine: processor binarize on each photo, {args.runs} runs ...", flush=True)
    engine_before, startup = engine_samples(bin_dir / "processor", files, args.runs)

    factory = StackFactory(bin_dir)
    try:
        stack = factory.new(service_env=BENCH_LIMITS)
        stack.log_dir = ROOT / ".run" / "bench" / "logs"
        stack.start("upload-api", "processor", "notifier")
        pids = {name: stack.processes[name].pid for name in SERVICES}
        moto = emulator_pid()
        if moto is not None:
            pids["emulator"] = moto
        s3, sqs = stack.client("s3"), stack.client("sqs")
        env = stack.env

        session = requests.Session()
        session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=args.concurrency))
        lock = threading.Lock()
        errors: list[str] = []

        def post(url: str, label: str, name: str, accepted: dict[str, str], errors: list[str]) -> None:
            try:
                response = session.post(f"{url}/upload",
                                        files={"image": (f"{label}-{name}", bodies[name], "image/png")}, timeout=(5, 120))
                with lock:
                    if response.status_code == 202:
                        answer = response.json()
                        accepted[answer["object_key"]] = answer["image_id"]
                    else:
                        errors.append(f"{name}: {response.status_code} {response.text[:160]}")
            except requests.RequestException as error:
                with lock:
                    errors.append(f"{name}: {type(error).__name__}: {error}")

        def upload(label: str, name: str, accepted: dict[str, str]) -> None:
            post(stack.upload_url, label, name, accepted, errors)

        def wait_processed(accepted: dict[str, str]) -> tuple[bool, set[str], set[str], dict[str, dict[str, int]]]:
            """Until every image is processed and every message consumed, seen on S3 and SQS only."""
            wanted = {f"processed_{key}" for key in accepted}
            deadline = time.monotonic() + args.timeout
            done: set[str] = set()
            queues: dict[str, dict[str, int]] = {}
            while time.monotonic() < deadline:
                done = wanted & set(list_keys(s3, env["PROCESSED_BUCKET"], "processed_"))
                if done == wanted:
                    queues = {name: queue_counts(sqs, env[name]) for name in ("INPUT_QUEUE", "PROCESSED_QUEUE")}
                    if all(c["visible"] == 0 and c["invisible"] == 0 for c in queues.values()):
                        return True, wanted, done, queues
                for name, process in stack.processes.items():
                    if process.poll() is not None:
                        raise RuntimeError(f"{name} exited with {process.returncode} during the run; see {stack.log_dir}")
                time.sleep(0.2)
            return False, wanted, done, queues

        # Warm-up: each photo once through the stack, outside the window. The CLI's figure leaves
        # its first run out too (--repeat 6 minus --repeat 1); a service's first images pay for
        # connections, lazily made type metadata and allocator growth, once per process.
        warm: dict[str, str] = {}
        if args.warmup:
            print(f"warm-up: {len(files)} uploads ...", flush=True)
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(lambda name: upload("warm", name, warm), sorted(files)))
            if errors or not wait_processed(warm)[0]:
                raise RuntimeError(f"the warm-up failed: {errors[:1] or 'not processed in time'}")

        # Idle CPU at rest (after a second for the notifier's start-up listing to settle).
        time.sleep(1)
        print(f"idle: {args.idle:.0f} s at rest ...", flush=True)
        idle_start, idle_started = sample(pids), time.monotonic()
        time.sleep(args.idle)
        idle_end, idle_wall = sample(pids), time.monotonic() - idle_started
        idle_rate = {name: (idle_end[name] - idle_start[name]) / idle_wall for name in pids}  # ms per s

        # The uploads.
        print(f"uploads: {args.count} ...", flush=True)
        accepted: dict[str, str] = {}  # object key -> image id
        processor_url = f"http://127.0.0.1:{stack.processor_port}"
        in_process_before = 1000 * metric(processor_url, "processor_engine_cpu_seconds_total", default=float("nan"))
        before, started = sample(pids), time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(lambda index: upload(f"cost{index}", sequence[index], accepted), range(args.count)))
        uploaded = time.monotonic() - started
        finished, wanted, done, queues = wait_processed(accepted)
        after, window = sample(pids), time.monotonic() - started
        if not finished:
            print(f"bench-cost: after {args.timeout:.0f} s, {len(done)}/{len(wanted)} images processed; queues {queues}",
                  file=sys.stderr)

        # The notifier knows every image as processed (asked only now, outside the window).
        states: dict[str, str] = {}
        notifier_deadline = time.monotonic() + 30
        while time.monotonic() < notifier_deadline:
            try:
                states = states_by_id(stack.notifier_url)
            except (requests.RequestException, ValueError, KeyError) as error:
                print(f"bench-cost: the notifier's /api/images: {error}", file=sys.stderr)
            if all(states.get(image_id) == "processed" for image_id in accepted.values()):
                break
            time.sleep(0.5)
        known = sum(1 for image_id in accepted.values() if states.get(image_id) == "processed")
        # The engine's CPU inside the processor (thread CPU time around each binarization), read
        # after the window: the same images, in the same process, in the same run.
        in_process = 1000 * metric(processor_url, "processor_engine_cpu_seconds_total", default=float("nan")) - in_process_before

        # The engine once more, now that the uploads are done: this machine's speed drifts by
        # several percent over a minute, so the CLI figure is the median of the runs before and after.
        print(f"engine: processor binarize on each photo, {args.runs} runs more ...", flush=True)
        engine_after, startup_after = engine_samples(bin_dir / "processor", files, args.runs)
        engine = medians({name: engine_before[name] + engine_after[name] for name in files})
        halves = [medians(samples) for samples in (engine_before, engine_after)]
        totals = [sum(half[name] for name in sequence) for half in halves]
        engine_total = sum(engine[name] for name in sequence)
        startup_ms = statistics.median(startup + startup_after)

        # The original's upload route, the same uploads on the same emulator, bucket and queue.
        originals: dict[str, tuple[float, list[str]]] = {}
        for server in [s for s in args.original.split(",") if s and s != "none"]:
            print(f"original's upload route on {server}: warm-up, {args.idle:.0f} s idle, {args.count} uploads ...", flush=True)
            originals[server] = measure_original(server, env, post, sorted(files), sequence, args.concurrency, args.idle,
                                                 stack.log_dir)

        # The report.
        count = len(accepted)
        net = {name: (after[name] - before[name]) - idle_rate[name] * window for name in pids}
        print(f"\nwindow {window:.1f} s (uploads {uploaded:.1f} s); {count} accepted, {len(errors)} errors, "
              f"{len(done)} processed, notifier knows {known} as processed")
        if errors:
            print(f"  e.g. {errors[0]}")
        header = f"{'CPU ms':<26}{'window':>9}{'idle':>9}{'net':>9}{'per image':>11}"
        print(f"\n{header}   (idle: rate at rest x window; net = window - idle; CPU from /proc/PID/stat, 10 ms ticks)")
        print("-" * len(header))
        labels = {"upload-api": "upload-api (per upload)", "processor": "processor", "notifier": "notifier",
                  "emulator": "emulator (moto, context)"}
        for name in pids:
            print(f"{labels[name]:<26}{after[name] - before[name]:>9.0f}{idle_rate[name] * window:>9.0f}{net[name]:>9.0f}"
                  f"{net[name] / max(count, 1):>11.1f}")
        print(f"{'engine (binarize CLI)':<26}{'':>9}{'':>9}{engine_total:>9.0f}{engine_total / len(sequence):>11.1f}"
              f"   (binarize --repeat 6 minus --repeat 1, over 5; median of {args.runs} runs before the uploads and "
              f"{args.runs} after: {totals[0] / len(sequence):.1f} and {totals[1] / len(sequence):.1f} ms alone; "
              f"start-up {startup_ms:.1f} ms)")

        print(f"{'engine (in the processor)':<26}{'':>9}{'':>9}{in_process:>9.0f}{in_process / max(count, 1):>11.1f}"
              f"   (thread CPU time around each binarization: processor_engine_cpu_seconds_total)")

        print(f"\n{'engine CPU ms per photo':<38}{'ms':>8}{'x':>4}")
        for name in sorted(files):
            print(f"  {name:<36}{engine[name]:>8.1f}{sequence.count(name):>4}")

        ratio = net["processor"] / engine_total if engine_total > 0 else float("nan")
        print(f"\nprocessor / engine: {ratio:.2f}x  (goal <= 1.25x: {'met' if ratio <= 1.25 else 'not met'}; not checked)")
        own = net["processor"] / in_process if in_process > 0 else float("nan")
        print(f"processor / its engine in process: {own:.2f}x  (goal <= 1.25x: {'met' if own <= 1.25 else 'not met'}; "
              f"the service's own share: {(net['processor'] - in_process) / max(count, 1):.1f} ms per image)")
        print(f"upload-api {net['upload-api'] / max(count, 1):.1f} ms CPU per upload, "
              f"notifier {net['notifier'] / max(count, 1):.1f} ms CPU per image")
        per_upload = net["upload-api"] / max(count, 1)
        for server, (original, original_errors) in originals.items():
            ratio = per_upload / original if original > 0 else float("nan")
            print(f"upload-api / the original's route on {server}: {per_upload:.1f} / {original:.1f} ms = {ratio:.2f}x  "
                  f"(goal <= 0.25x: {'met' if ratio <= 0.25 else 'not met'}; not checked)"
                  + (f"; {len(original_errors)} errors, e.g. {original_errors[0]}" if original_errors else ""))
        ok = not errors and finished and known == count == args.count and not any(e for _, e in originals.values())
        print("\nresult: " + ("OK" if ok else "FAILED (see above)"))
        return 0 if ok else 1
    except RuntimeError as error:
        print(f"bench-cost: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        output = (error.stderr or error.stdout or b"").decode(errors="replace").strip()[-500:]
        print(f"bench-cost: {Path(error.cmd[0]).name} failed ({error.returncode}): {output}", file=sys.stderr)
        return 1
    finally:
        factory.close()


if __name__ == "__main__":
    sys.exit(main())
