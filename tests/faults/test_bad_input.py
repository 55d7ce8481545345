"""The bad-input matrix against POST /upload.

docs/design.md (Upload API) and the README's refusal table: every refusal is JSON {"error", "message"}
and stores and queues nothing: 400 no_file / empty_file / malformed_request / invalid_option;
413 too_large (over MAX_UPLOAD_BYTES, reading stops there); 415 not_png (the bytes decide, never
the name or the type); 422 invalid_png (a broken IHDR) / too_many_pixels (width×height over
MAX_PIXELS). A filename is reduced to [A-Za-z0-9._-] (keys are `{image_id}_{filename}`). A file
accepted with a valid header but corrupt data must end `failed` with a reason, never stay queued.

The refusals run against an upload API alone (so that the queues' counts show nothing was
queued); the last test starts a processor and a notifier and checks how the accepted ones end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import pytest

from pipeline_testing.aws import list_keys, queue_counts
from pipeline_testing.notifier import wait_for_states
from pipeline_testing.pngs import corrupt_idat, flip_crc, jpeg_bytes, png_header_only, small_png
from pipeline_testing.raw_http import multipart, raw_request
from pipeline_testing.stacks import find_testdata
from pipeline_testing.uploads import SAFE_FILENAME_RE, UUID_RE

SMALL_LIMIT = 65536
GOOD = small_png(11)          # a valid 48×48 RGB PNG, about 7 KB
PNGSUITE_EXPECTED = {
    # file: (status, codes) — 202 means accepted and then `failed` by the processor
    "xc1n0g08.png": (422, {"invalid_png"}),   # colour type 1
    "xc9n2c08.png": (422, {"invalid_png"}),   # colour type 9
    "xcrn0g04.png": (415, {"not_png"}),       # signature with CR bytes added
    "xcsn0g01.png": (202, None),              # IDAT checksum wrong: only decoding finds it
    "xd0n2c08.png": (422, {"invalid_png"}),   # bit depth 0
    "xd3n2c08.png": (422, {"invalid_png"}),   # bit depth 3
    "xd9n2c08.png": (422, {"invalid_png"}),   # bit depth 99
    "xdtn0g01.png": (202, None),              # no IDAT chunk
    "xhdn0g08.png": (422, {"invalid_png"}),   # IHDR checksum wrong
    "xlfn0g04.png": (415, {"not_png"}),       # signature with LF bytes changed
    "xs1n0g01.png": (415, {"not_png"}),       # signature byte 1 wrong
    "xs2n0g01.png": (415, {"not_png"}),       # signature byte 2 wrong
    "xs4n0g01.png": (415, {"not_png"}),       # signature byte 4 wrong
    "xs7n0g01.png": (415, {"not_png"}),       # signature byte 7 wrong
}


@dataclass
class Case:
    name: str
    body: bytes
    content_type: str | None = "image/png"
    query: str = ""
    status: int = 202
    codes: set[str] | None = None               # acceptable error codes of a refusal
    final: str | None = None                    # for a 202: "processed" or "failed"
    also_ok: tuple[int, set[str]] | None = None  # a second acceptable refusal (noted when it happens)
    filename_check: str | None = None           # for a 202: what the key's filename must satisfy
    message_names: str | None = None            # a word the refusal's message must contain
    chunked: bool = False
    small_limit: bool = False                   # against the upload API with MAX_UPLOAD_BYTES=64 KiB
    headers: dict[str, str] = field(default_factory=dict)


def form(data: bytes, filename: bytes | None = b"image.png", field_name: bytes = b"image", extra: list | None = None,
         content_type: bytes | None = b"image/png") -> tuple[bytes, str]:
    return multipart([(field_name, filename, content_type, data)] + (extra or []))


def mp(name: str, data: bytes, filename: bytes | None = b"image.png", **kwargs) -> Case:
    field_name = kwargs.pop("field_name", b"image")
    extra = kwargs.pop("extra", None)
    body, content_type = form(data, filename, field_name, extra)
    return Case(name, body, content_type, **kwargs)


def pngsuite_cases() -> list[Case]:
    root = find_testdata()
    if root is None:
        return []
    cases = []
    for path in sorted((root / "pngsuite").glob("x*.png")):
        status, codes = PNGSUITE_EXPECTED.get(path.name, (None, None))
        if status is None:
            continue
        if status == 202:
            cases.append(mp(f"pngsuite {path.name}", path.read_bytes(), path.name.encode(), final="failed",
                            also_ok=(422, {"invalid_png"})))
        else:
            cases.append(mp(f"pngsuite {path.name}", path.read_bytes(), path.name.encode(), status=status, codes=codes))
    return cases


def matrix() -> list[Case]:
    huge = png_header_only(20000, 20000)
    ihdr_end = 33
    idat_half = len(GOOD) // 2
    text = b"This is a text file, not an image.\n" * 20
    return pngsuite_cases() + [
        # truncated
        mp("truncated in the signature (5 bytes)", GOOD[:5], status=415, codes={"not_png"}, also_ok=(422, {"invalid_png"})),
        mp("truncated in IHDR (20 bytes)", GOOD[:20], status=422, codes={"invalid_png"}),
        mp("truncated after IHDR (33 bytes)", GOOD[:ihdr_end], final="failed", also_ok=(422, {"invalid_png"})),
        mp("truncated in IDAT (half the file)", GOOD[:idat_half], final="failed"),
        Case("truncated in IDAT, raw body", GOOD[:idat_half], query="?filename=cut.png", final="failed"),
        # bad CRCs and bad data
        mp("IHDR CRC wrong", flip_crc(GOOD, b"IHDR"), status=422, codes={"invalid_png"}),
        mp("IDAT CRC wrong", flip_crc(GOOD, b"IDAT"), final="failed"),
        mp("IDAT data garbage, CRC right", corrupt_idat(GOOD), final="failed"),
        # decompression-bomb headers
        mp("bomb header 20000x20000", huge, status=422, codes={"too_many_pixels"}),
        mp("bomb header 100000x100000", png_header_only(100000, 100000), status=422, codes={"too_many_pixels"}),
        mp("bomb header 2000000x1", png_header_only(2_000_000, 1), status=422, codes={"invalid_png", "too_many_pixels"}),
        mp("header 0x0", png_header_only(0, 0), status=422, codes={"invalid_png"}),
        Case("bomb header 20000x20000, raw body", huge, status=422, codes={"too_many_pixels"}),
        # empty
        mp("0 bytes, multipart", b"", status=400, codes={"empty_file"}),
        Case("0 bytes, raw body", b"", status=400, codes={"empty_file", "no_file"}),
        # not a PNG, whatever the name and type say
        mp("text file named .png", text, b"notes.png", status=415, codes={"not_png"}),
        mp("JPEG named .png", jpeg_bytes(), b"photo.png", status=415, codes={"not_png"}),
        Case("JPEG as raw image/png", jpeg_bytes(), status=415, codes={"not_png"}),
        Case("text as raw image/png", text, status=415, codes={"not_png"}),
        # over MAX_UPLOAD_BYTES (64 KiB here): declared, multipart, chunked
        Case("over the limit, raw, Content-Length", GOOD + bytes(4 * SMALL_LIMIT), status=413, codes={"too_large"}, small_limit=True),
        mp("over the limit, multipart", GOOD + bytes(4 * SMALL_LIMIT), status=413, codes={"too_large"}, small_limit=True),
        Case("over the limit, raw, chunked", GOOD + bytes(4 * SMALL_LIMIT), status=413, codes={"too_large"}, small_limit=True, chunked=True),
        mp("over the limit, multipart, chunked", GOOD + bytes(4 * SMALL_LIMIT), status=413, codes={"too_large"}, small_limit=True, chunked=True),
        mp("under the limit (a control)", GOOD, small_limit=True, final="processed"),
        # broken multipart
        Case("multipart without a boundary", form(GOOD)[0], "multipart/form-data", status=400, codes={"malformed_request"}),
        Case("multipart cut in the middle of the part", form(GOOD)[0][:200], form(GOOD)[1], status=400, codes={"malformed_request"}),
        Case("multipart garbage", b"this is not multipart at all\r\n" * 10, "multipart/form-data; boundary=xyz",
             status=400, codes={"malformed_request"}),
        Case("multipart with another boundary", form(GOOD)[0], "multipart/form-data; boundary=other-boundary",
             status=400, codes={"malformed_request"}),
        Case("multipart with no part", b"--faultsuite-7d1f0c--\r\n", form(GOOD)[1], status=400, codes={"malformed_request", "no_file"}),
        # the wrong field
        mp("a real PNG in field 'file'", GOOD, field_name=b"file", status=400, codes={"no_file"}, message_names='image'),
        Case("only a text field", multipart([(b"other", None, None, b"x")])[0], multipart([(b"other", None, None, b"x")])[1],
             status=400, codes={"no_file"}, message_names="image"),
        # hostile filenames (valid PNGs: accepted, stored under a safe key, processed)
        mp("filename ../../etc/passwd", GOOD, b"../../etc/passwd", final="processed", filename_check="safe:passwd"),
        mp("filename ..\\..\\win.ini", GOOD, b"..\\..\\win.ini", final="processed", filename_check="safe:win.ini"),
        mp("filename with NUL", GOOD, b"a\x00b.png", final="processed", filename_check="safe:.png",
           also_ok=(400, {"malformed_request"})),
        Case("filename with NUL, raw ?filename=", GOOD, query="?filename=" + quote("a\x00b.png"), final="processed",
             filename_check="safe:.png"),
        mp("filename 3000 characters", GOOD, b"a" * 3000 + b".png", final="processed", filename_check="safe:.png"),
        mp("filename \u0444\u043e\u0442\u043e.png (non-ASCII)", GOOD, "фото.png".encode(), final="processed",
           filename_check="safe:.png"),
        Case("filename \u0444\u043e\u0442\u043e.png, raw ?filename=", GOOD, query="?filename=" + quote("фото.png"),
             final="processed", filename_check="safe:.png"),
        # options
        mp("threshold=256", GOOD, extra=[(b"threshold", None, None, b"256")], status=400, codes={"invalid_option"}),
        mp("threshold=-1", GOOD, extra=[(b"threshold", None, None, b"-1")], status=400, codes={"invalid_option"}),
        mp("threshold=abc", GOOD, extra=[(b"threshold", None, None, b"abc")], status=400, codes={"invalid_option"}),
        mp("method=magic", GOOD, extra=[(b"method", None, None, b"magic")], status=400, codes={"invalid_option"}),
        Case("?threshold=300 on a raw body", GOOD, query="?threshold=300", status=400, codes={"invalid_option"}),
        mp("threshold=200 (a control)", GOOD, extra=[(b"threshold", None, None, b"200")], final="processed"),
    ]


CASES = matrix()


@dataclass
class Run:
    stack: object
    small_port: int
    accepted: dict = field(default_factory=dict)   # case name -> (image_id, expected final state)


@pytest.fixture(scope="module")
def run(module_stacks):
    stack = module_stacks.new({"PROCESSOR_VISIBILITY_SECONDS": "6"})
    stack.start("upload-api")
    # A second upload API on the same resources with a small MAX_UPLOAD_BYTES.
    small = module_stacks.new({"MAX_UPLOAD_BYTES": str(SMALL_LIMIT)}, suffix=stack.suffix, setup=False)
    small.start("upload-api")
    return Run(stack=stack, small_port=small.upload_port)


def snapshot(stack):
    s3, sqs, env = stack.client("s3"), stack.client("sqs"), stack.env
    return (set(list_keys(s3, env["INPUT_BUCKET"])), queue_counts(sqs, env["INPUT_QUEUE"]), queue_counts(sqs, env["PROCESSED_QUEUE"]))


@pytest.mark.case("bad-input matrix: answers")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_upload_is_answered_per_the_contract(run, case: Case, report):
    stack = run.stack
    port = run.small_port if case.small_limit else stack.upload_port
    before = snapshot(stack)
    headers = dict(case.headers)
    if case.content_type:
        headers["Content-Type"] = case.content_type
    response = raw_request(port, "/upload" + case.query, case.body, headers, chunked=case.chunked)
    keys, input_queue, events_queue = snapshot(stack)
    body = response.json() or {}
    new_keys = keys - before[0]

    problems = []
    accepted = response.status == 202
    expected = {(case.status, frozenset(case.codes or ()))}
    if case.also_ok:
        expected.add((case.also_ok[0], frozenset(case.also_ok[1])))
    matches = any(response.status == status and (status == 202 or body.get("error") in codes) for status, codes in expected)
    if not matches:
        want = " or ".join(f"{s} {sorted(c) if c else ''}".strip() for s, c in expected)
        problems.append(f"answered {response.status} {body or response.body[:200]!r} ({response.error or 'no transport error'}); want {want}")
    if accepted:
        image_id, key = body.get("image_id", ""), body.get("object_key", "")
        if not UUID_RE.match(image_id) or not key.startswith(image_id + "_"):
            problems.append(f"bad 202 body: {body}")
        if new_keys != {key}:
            problems.append(f"a 202 stored {sorted(new_keys)}, not exactly its object {key}")
        if input_queue["visible"] != before[1]["visible"] + 1:
            problems.append(f"a 202 queued {input_queue['visible'] - before[1]['visible']} messages, not 1")
        filename = key[len(image_id) + 1:]
        if case.filename_check:
            rule, _, needle = case.filename_check.partition(":")
            if not SAFE_FILENAME_RE.match(filename) or filename.startswith(".") or "/" in filename:
                problems.append(f"the key's filename {filename!r} is not reduced to [A-Za-z0-9._-]")
            if needle.startswith(".") and not filename.endswith(needle):
                problems.append(f"the key's filename {filename!r} lost its {needle}")
            if not needle.startswith(".") and needle not in filename:
                problems.append(f"the key's filename {filename!r} should keep {needle!r}")
            if len(key.encode()) > 1024 or len(filename) > 255:
                problems.append(f"the key is {len(key)} characters long")
        if not problems and case.final:
            run.accepted[case.name] = (image_id, case.final)
    else:
        if response.status is not None:
            if not isinstance(body.get("error"), str) or not isinstance(body.get("message"), str) or not body.get("message"):
                problems.append(f"the refusal is not JSON {{error, message}}: {response.body[:200]!r}")
            if "application/json" not in response.headers.get("content-type", ""):
                problems.append(f"the refusal's Content-Type is {response.headers.get('content-type')!r}")
            if case.message_names and case.message_names not in body.get("message", ""):
                problems.append(f"the message does not name {case.message_names!r}: {body.get('message')!r}")
        if new_keys:
            problems.append(f"a refusal stored objects: {sorted(new_keys)}")
        if input_queue["visible"] != before[1]["visible"] or events_queue["visible"] != before[2]["visible"]:
            problems.append(f"a refusal queued messages: input {before[1]} -> {input_queue}, events {before[2]} -> {events_queue}")
    also = case.also_ok and response.status == case.also_ok[0]
    note = None
    if problems:
        note = f"FAILED {case.name}: {response.status} {body.get('error', '')}".strip()
    elif also:
        note = f"{case.name}: {response.status} {body.get('error', '')} (the alternative)".strip()
    report.add(requests=1, held=0 if problems else 1, lost=len(new_keys) if not accepted else 0, note=note)
    assert not problems, f"{case.name}: " + "\n".join(problems)


@pytest.mark.case("bad-input matrix: accepted end")
def test_accepted_files_end_processed_or_failed_with_a_reason(run, report):
    """The 202s of the matrix: corrupt data ends failed with a reason, valid PNGs end processed."""
    stack = run.stack
    stack.start("processor", "notifier")
    ids = {image_id: (name, final) for name, (image_id, final) in run.accepted.items()}
    records = wait_for_states(stack.notifier_url, ids, timeout=60)
    problems = []
    for image_id, (name, final) in ids.items():
        record = records.get(image_id) or {}
        state = record.get("state")
        if state != final:
            problems.append(f"{name}: {state!r}, want {final!r} ({record.get('error')})")
        elif final == "failed" and not (record.get("error") or "").strip():
            problems.append(f"{name}: failed without a reason")
    held = len(ids) - len(problems)
    report.add(requests=len(ids), held=held, lost=sum(1 for i in ids if (records.get(i) or {}).get("state") not in ("processed", "failed")),
               note=f"{sum(1 for _, f in ids.values() if f == 'failed')} corrupt, {sum(1 for _, f in ids.values() if f == 'processed')} valid")
    assert ids, "no case was accepted"
    assert not problems, "\n".join(problems)
