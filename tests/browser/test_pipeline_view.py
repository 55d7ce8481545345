"""The pipeline's timeline, live panel and downloads in a real browser (headless Debian Chromium,
as tests/browser/test_page.py, whose helpers this uses).

- The viewer shows each image's timeline: the three durations and four times the API reports, in
  order (uploaded <= started <= finished <= notified).
- The pipeline panel follows uploads without a reload: its per-minute bars and totals move, and
  its numbers are the ones GET /api/pipeline gives.
- "Download all results" saves one zip holding exactly the processed images (names, bytes, stored
  uncompressed; a name uploaded twice appears as -bw.png and -bw-2.png); a card's and the
  viewer's Download save that image's result as <stem>-bw.png.

Screenshots go to tests/output/browser/ (viewer-timeline.png, viewer-390.png, pipeline-panel.png,
page-1280-dark.png, page-390-dark.png); the uploaded PNGs to uploads/ and the downloads to
downloads/ there.
"""
from __future__ import annotations

import re
import shutil
import time
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By

from test_page import (
    FAILED_REQUESTS,
    OUTPUT,
    PANEL_READY,
    PIPELINE_TIMEOUT,
    UI_TIMEOUT,
    browser_session,
    make_gradient,
    our_cards,
    read_console,
    save_page_screenshot,
    services,  # noqa: F401 (the fixture: the three services, started unless already running)
    wait_until,
)

DOWNLOADS = OUTPUT / "downloads"
UPLOADS = OUTPUT / "uploads"  # the PNGs these tests upload
DOWNLOAD_TIMEOUT = 30  # seconds for a download to land in DOWNLOADS
SEGMENTS = ("queue", "processing", "notification")
STEPS = ("uploaded", "started", "finished", "notified")


@pytest.fixture(scope="module")
def driver():
    """Headless Chromium at 1280x800 that saves downloads into DOWNLOADS (emptied first)."""
    shutil.rmtree(DOWNLOADS, ignore_errors=True)
    with browser_session("pipeline", download_dir=DOWNLOADS) as browser:
        yield browser


def write_pngs(prefix: str, count: int) -> list[Path]:
    """`count` small distinct gradients named <prefix>-<i>.png (unique per run, so their cards and
    downloads are told apart from everything else in the stack)."""
    UPLOADS.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = UPLOADS / f"{prefix}-{i}.png"
        make_gradient((24 + 8 * i, 20), "x", lambda v, i=i: (v, (v + 40 * i) % 256, 255 - v)).save(path, format="PNG")
        paths.append(path)
    return paths


def open_page(driver, stack) -> None:
    """Loads the page afresh at 1280 px and waits for the live stream and the pipeline panel."""
    driver.set_window_size(1280, 800)
    driver.get(f"{stack.notifier_url}/")
    wait_until(driver, lambda d: d.find_element(By.ID, "live-status").get_attribute("data-state") == "live",
               UI_TIMEOUT, "#live-status to be live")
    wait_until(driver, lambda d: d.execute_script(PANEL_READY), UI_TIMEOUT, "the pipeline panel to show a snapshot")


def upload_and_wait(driver, paths: list[Path]) -> dict[str, dict]:
    """Uploads through the file input and waits until every card is processed with both thumbnails."""
    names = [path.name for path in paths]
    driver.find_element(By.ID, "file-input").send_keys("\n".join(str(path) for path in paths))

    def processed(d):
        cards = our_cards(d, names)
        return cards if len(cards) == len(names) and all(c["state"] == "processed" and c["loaded"] for c in cards.values()) else None

    return wait_until(driver, processed, PIPELINE_TIMEOUT, f"{len(names)} uploads to show as processed")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def wait_for_download(name: str) -> Path:
    """The file `name` in DOWNLOADS once Chromium has finished writing it."""
    path = DOWNLOADS / name
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT
    while time.monotonic() < deadline:
        partial = list(DOWNLOADS.glob("*.crdownload"))
        if path.exists() and not partial:
            return path
        time.sleep(0.2)
    present = sorted(p.name for p in DOWNLOADS.iterdir()) if DOWNLOADS.exists() else []
    pytest.fail(f"{name} was not downloaded within {DOWNLOAD_TIMEOUT} s; {DOWNLOADS} holds {present}")


def all_images(stack) -> list[dict]:
    """Every image the notifier lists, following the cursor."""
    images, cursor = [], None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = requests.get(f"{stack.notifier_url}/api/images", params=params, timeout=10).json()
        images += page["images"]
        cursor = page.get("next_cursor")
        if not cursor:
            return images


VIEWER_TIMELINE = """
    const timeline = document.getElementById('viewer-timeline');
    const ms = {}, times = {}, labels = {};
    for (const item of timeline.querySelectorAll('[data-segment]')) {
      if (item.tagName !== 'LI') continue;
      ms[item.dataset.segment] = item.dataset.ms;
      labels[item.dataset.segment] = item.querySelector('.timeline-ms').textContent;
    }
    for (const step of timeline.querySelectorAll('[data-step]')) {
      times[step.dataset.step] = step.querySelector('time').getAttribute('datetime');
    }
    const bar = timeline.querySelector('.timeline-bar');
    const grow = Array.from(bar.children, (piece) => piece.style.flexGrow);
    return { open: document.getElementById('viewer').open, title: document.getElementById('viewer-title').textContent,
             ms, times, labels, grow, barHidden: bar.hidden, dataset: { ...timeline.dataset }, text: timeline.innerText };
"""


def test_viewer_shows_each_images_timeline(services, driver):
    stack = services
    token = uuid.uuid4().hex[:6]
    paths = write_pngs(f"timeline-{token}", 2)
    open_page(driver, stack)
    cards = upload_and_wait(driver, paths)

    for path in paths:
        image_id = cards[path.name]["id"]
        driver.find_element(By.CSS_SELECTOR, f'#cards > li.card[data-image-id="{image_id}"]').click()
        # The processed event that turned the card carries the whole timeline, notified_at included.
        shown = wait_until(
            driver,
            lambda d: (t := d.execute_script(VIEWER_TIMELINE))["open"] and t["title"] == path.name
            and all(t["times"].get(step) for step in STEPS) and t,
            UI_TIMEOUT, f"the viewer of {path.name} with all four times")

        # Durations: present, whole, not negative, and labelled in milliseconds.
        for segment in SEGMENTS:
            assert re.fullmatch(r"\d+", shown["ms"][segment] or ""), (segment, shown)
            assert shown["labels"][segment].endswith(" ms"), (segment, shown["labels"])
            assert shown["dataset"][f"{segment}Ms"] == shown["ms"][segment], shown["dataset"]
        # The bar's segments are proportional to them (flex-grow is each one's milliseconds).
        assert shown["grow"] == [shown["ms"][segment] for segment in SEGMENTS], shown["grow"]
        assert not shown["barHidden"] or all(shown["ms"][segment] == "0" for segment in SEGMENTS)

        # Times: in the order of the pipeline.
        times = [parse_time(shown["times"][step]) for step in STEPS]
        assert times == sorted(times), f"{path.name}: timestamps out of order: {shown['times']}"

        # The same facts as the API's.
        api = requests.get(f"{stack.notifier_url}/api/images/{image_id}", timeout=10).json()["timeline"]
        for segment in SEGMENTS:
            assert api[f"{segment}_ms"] == int(shown["ms"][segment]), (segment, api, shown["ms"])
        for step in STEPS:
            assert parse_time(api[f"{step}_at"]) == parse_time(shown["times"][step]), (step, api, shown["times"])
        # The durations are the differences of the times (give or take the rounding of both to milliseconds).
        for segment, (start, end) in zip(SEGMENTS, zip(times, times[1:])):
            assert abs((end - start).total_seconds() * 1000 - int(shown["ms"][segment])) <= 2, (segment, shown)

        if path == paths[0]:
            driver.save_screenshot(str(OUTPUT / "viewer-timeline.png"))
            # The viewer's Download saves the result under the API's name, with the result's bytes.
            link = driver.find_element(By.ID, "viewer-download")
            image = requests.get(f"{stack.notifier_url}/api/images/{image_id}", timeout=10).json()
            assert link.is_displayed()
            assert link.get_attribute("href") == f"{stack.notifier_url}{image['download_url']}"
            assert image["download_name"] == f"{path.stem}-bw.png", image
            link.click()
            saved = wait_for_download(image["download_name"])
            processed = requests.get(f"{stack.notifier_url}/api/images/{image_id}/processed", timeout=10)
            assert saved.read_bytes() == processed.content, "the viewer's download is not the processed PNG"
        else:
            # Phone width: the timeline stacks under the heading, nothing wider than the screen.
            driver.set_window_size(390, 844)
            wait_until(driver, lambda d: d.execute_script("return window.innerWidth") <= 400, UI_TIMEOUT,
                       "the window to narrow to about 390 px")
            driver.save_screenshot(str(OUTPUT / "viewer-390.png"))
            overflow = driver.execute_script(
                "const v = document.getElementById('viewer'); return v.scrollWidth - v.clientWidth")
            assert overflow <= 1, f"the viewer scrolls sideways at 390 px by {overflow} px"
            driver.set_window_size(1280, 800)
        driver.find_element(By.ID, "viewer-close").click()
        wait_until(driver, lambda d: not d.execute_script("return document.getElementById('viewer').open"),
                   UI_TIMEOUT, "the viewer to close")


PANEL = """
    const value = (id) => document.getElementById(id).dataset.value;
    return {
      updatedAt: document.getElementById('pipeline').dataset.updatedAt,
      visible: value('pipeline-visible'), inFlight: value('pipeline-in-flight'),
      rate: value('pipeline-rate'), processedWindow: value('pipeline-processed-window'),
      failedWindow: value('pipeline-failed-window'),
      dlq: Array.from(document.querySelectorAll('#pipeline-dlq > li'),
                      (li) => ({ name: li.dataset.name, value: li.dataset.value, alert: li.classList.contains('is-alert') })),
      bars: Array.from(document.querySelectorAll('#pipeline-chart .chart-minute'),
                       (g) => [Number(g.dataset.processed), Number(g.dataset.failed)]),
      label: document.getElementById('pipeline-chart').getAttribute('aria-label'),
    };
"""

# Every queue backlog the panel showed (the queues are polled every few seconds, so a short-lived
# backlog may or may not be seen: recorded, not required).
WATCH_BACKLOG = """
    window.__backlog = [];
    const record = () => window.__backlog.push([document.getElementById('pipeline-visible').dataset.value,
                                                document.getElementById('pipeline-in-flight').dataset.value]);
    new MutationObserver(record).observe(document.getElementById('stat-input'), { subtree: true, attributes: true, childList: true, characterData: true });
"""


def processed_since(panel: dict, since: datetime) -> int:
    """The processed counts of the panel's minutes from the one holding `since` onwards, its last
    bar taken as this minute, each before it one minute earlier. (Not the minute of its updated_at:
    that is the last queue poll, and a frame sent for an outcome after a minute's turn carries the
    poll from before it. A panel whose last frame is from an earlier minute counts too little here,
    and differs from the API's bars as well, so the wait below goes on to its next frame.)"""
    last = datetime.now(timezone.utc).replace(second=0, microsecond=0).timestamp()
    first = since.replace(second=0, microsecond=0).timestamp()
    count = len(panel["bars"])
    return sum(processed for i, (processed, _) in enumerate(panel["bars"]) if last - (count - 1 - i) * 60 >= first)


def test_pipeline_panel_moves_with_uploads(services, driver):
    stack = services
    open_page(driver, stack)
    before = driver.execute_script(PANEL)
    api = requests.get(f"{stack.notifier_url}/api/pipeline", timeout=10).json()

    # The panel's shape: one bar per minute of the window, the dead-letter queues the API names, and
    # queue numbers once the notifier has polled (it polls at start, then every poll_seconds).
    assert len(before["bars"]) == api["window_minutes"] == len(api["processed_per_minute"]), (before, api)
    assert [q["name"] for q in before["dlq"]] == [q["name"] for q in api["dead_letter"]], (before["dlq"], api)
    assert "per minute" in before["label"], before["label"]
    polled = wait_until(
        driver, lambda d: (p := d.execute_script(PANEL))["visible"] != "" and p["inFlight"] != ""
        and all(q["value"] != "" for q in p["dlq"]) and p,
        api["poll_seconds"] * 3 + UI_TIMEOUT, "the panel to show the queues' numbers (first poll)")
    # A dead-letter queue with messages stands out.
    for queue in polled["dlq"]:
        assert re.fullmatch(r"\d+", queue["value"]) and queue["alert"] == (int(queue["value"]) > 0), polled["dlq"]

    driver.execute_script("window.__marker = 1")
    driver.execute_script(WATCH_BACKLOG)
    # The API's bars end at the minute it is asked in, the panel's at the minute of its last frame
    # (frames come only when something changes): across a minute's turn they differ until the next
    # frame, up to a minute later. The uploads start early in a minute so the comparison below ends
    # within it.
    if datetime.now(timezone.utc).second > 15:
        time.sleep(61 - datetime.now(timezone.utc).second)
    started = datetime.now(timezone.utc)
    paths = write_pngs(f"panel-{uuid.uuid4().hex[:6]}", 4)
    upload_and_wait(driver, paths)

    # The outcomes reach the panel over the stream: the bars since the uploads began hold at least
    # these four, the rolling minute counts them, and the totals are the API's.
    def moved(d):
        panel = d.execute_script(PANEL)
        if processed_since(panel, started) < len(paths) or int(panel["rate"] or 0) < 1:
            return None
        truth = requests.get(f"{stack.notifier_url}/api/pipeline", timeout=10).json()
        same = (int(panel["processedWindow"]) == truth["processed_in_window"]
                and [p for p, _ in panel["bars"]] == truth["processed_per_minute"])
        return panel if same else None

    after = wait_until(driver, moved, UI_TIMEOUT, "the panel to count the four new results")
    assert int(after["processedWindow"]) >= processed_since(after, started) >= len(paths), after
    assert after["processedWindow"] != before["processedWindow"] or after["bars"] != before["bars"], (before, after)
    assert driver.execute_script("return window.__marker") == 1, "the page reloaded"
    backlog = driver.execute_script("return window.__backlog")
    print(f"backlog seen by the panel during the uploads (visible, in flight): {backlog}")

    driver.find_element(By.ID, "pipeline").screenshot(str(OUTPUT / "pipeline-panel.png"))
    # Dark mode: the same page with the system's dark colours.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        first = driver.find_element(By.CSS_SELECTOR, '#cards > li.card[data-state="processed"]')
        save_page_screenshot(driver, OUTPUT / "page-1280-dark.png", down_to=first)
        driver.set_window_size(390, 844)
        wait_until(driver, lambda d: d.execute_script("return window.innerWidth") <= 400, UI_TIMEOUT,
                   "the window to narrow to about 390 px")
        widths = driver.execute_script("return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth}")
        save_page_screenshot(driver, OUTPUT / "page-390-dark.png", down_to=first)
        assert widths["scroll"] <= widths["inner"] + 1, f"horizontal scrolling at 390 px: {widths}"
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        driver.set_window_size(1280, 800)


def test_downloads_save_the_results(services, driver):
    stack = services
    token = uuid.uuid4().hex[:6]
    open_page(driver, stack)
    cards = upload_and_wait(driver, write_pngs(f"download-{token}", 1))

    # A card's Download: <stem>-bw.png with the processed bytes.
    name = f"download-{token}-0.png"
    image_id = cards[name]["id"]
    link = driver.find_element(By.CSS_SELECTOR, f'#cards > li.card[data-image-id="{image_id}"] a.download-button')
    assert link.get_attribute("download") == f"download-{token}-0-bw.png"
    link.click()
    saved = wait_for_download(f"download-{token}-0-bw.png")
    processed = requests.get(f"{stack.notifier_url}/api/images/{image_id}/processed", timeout=10).content
    assert saved.read_bytes() == processed, "the card's download is not the processed PNG"
    assert driver.find_element(By.ID, "viewer").get_attribute("open") is None, "the Download link opened the viewer"

    # Two different pictures uploaded under one name: the zip must keep both (the second as -2).
    twin = f"twin-{token}.png"
    for folder, direction in (("a", "x"), ("b", "y")):
        path = UPLOADS / folder / twin
        path.parent.mkdir(parents=True, exist_ok=True)
        make_gradient((30, 30), direction, lambda v: (v, v, v)).save(path, format="PNG")
        driver.find_element(By.ID, "file-input").send_keys(str(path))
    wait_until(driver, lambda d: [i["state"] for i in all_images(stack) if i["filename"] == twin] == ["processed"] * 2,
               PIPELINE_TIMEOUT, f"both uploads named {twin} to be processed")

    # Download all results: one zip, exactly the processed images.
    download_all = driver.find_element(By.ID, "download-all")
    wait_until(driver, lambda d: download_all.get_attribute("href") and not download_all.get_attribute("aria-disabled"),
               UI_TIMEOUT, "Download all results to be offered")
    assert download_all.get_attribute("href") == f"{stack.notifier_url}/api/results.zip"
    expected = [image for image in all_images(stack) if image["state"] == "processed"]
    download_all.click()
    archive = wait_for_download("binarized-results.zip")
    after = [image for image in all_images(stack) if image["state"] == "processed"]
    assert {i["image_id"] for i in after} == {i["image_id"] for i in expected}, "images were processed during the test"

    with zipfile.ZipFile(archive) as bundle:
        entries = bundle.infolist()
        contents = {entry.filename: bundle.read(entry) for entry in entries}
    names = [entry.filename for entry in entries]
    assert len(names) == len(set(names)), f"repeated names in the zip: {names}"
    assert len(entries) == len(expected), f"{len(entries)} entries for {len(expected)} processed images"
    stored = [entry.filename for entry in entries if entry.compress_type != zipfile.ZIP_STORED]
    assert stored == [], f"entries compressed, not stored: {stored}"

    # Each entry is named by its image's download_name; a repeated name gets -2, -3... before .png.
    # Which image gets which suffix is the server's choice, so results are compared per base name.
    by_name: dict[str, list[bytes]] = {}
    for image in expected:
        by_name.setdefault(image["download_name"], []).append(
            requests.get(f"{stack.notifier_url}/api/images/{image['image_id']}/processed", timeout=10).content)
    for base, results in by_name.items():
        stem = base[: -len(".png")]
        names_for_base = [base] + [f"{stem}-{k}.png" for k in range(2, len(results) + 1)]
        missing = [n for n in names_for_base if n not in contents]
        assert missing == [], f"the zip lacks {missing}; it holds {sorted(contents)}"
        assert sorted(contents[n] for n in names_for_base) == sorted(results), f"{base}: the zip's bytes differ from the results"
    assert contents[f"download-{token}-0-bw.png"] == processed
    assert {f"twin-{token}-bw.png", f"twin-{token}-bw-2.png"} <= set(contents), sorted(contents)

    assert driver.execute_script(FAILED_REQUESTS) == []
    uncaught = [entry["message"] for entry in read_console(driver) if "Uncaught" in entry["message"]]
    assert uncaught == [], f"script errors on the page: {uncaught}"
