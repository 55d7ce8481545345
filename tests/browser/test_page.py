"""The page in a real browser: upload three PNGs and one non-PNG through the file input, then see
three processed pairs and one clear refusal appear without a reload, with black-and-white results.

Runs headless Debian Chromium through its own chromedriver (packages `chromium` and
`chromium-driver`; nothing is downloaded: the driver path is given, so Selenium Manager never runs).
The services come from the session's `stack`; only those not already running are started, so this
module runs alone or after tests/e2e in the same session. Screenshots and the browser's console
go to tests/output/browser/ (viewer.png, page-1280.png, page-390.png, console.log); the page
screenshots run from the top (pipeline panel) down to the first row of cards.
"""
from __future__ import annotations

import base64
import io
import json
import os
import shutil
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from pipeline_testing.aws import make_dead_letter
from pipeline_testing.stack import ROOT

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")
OUTPUT = ROOT / "tests" / "output" / "browser"
SERVICES = ("upload-api", "processor", "notifier")
PIPELINE_TIMEOUT = 60  # seconds for the uploads to be processed and shown
UI_TIMEOUT = 15  # seconds for things that need no processing (page load, viewer)

# Three distinct PNGs, each of a different size, whose luminance spans the threshold (127) so
# that the result holds both black and white pixels. Values are (R, G, B) of a ramp v in 0..255.
GRADIENTS = {
    "gradient-horizontal.png": ((64, 48), "x", lambda v: (v, v, 255 - v)),
    "gradient-vertical.png": ((48, 64), "y", lambda v: (255 - v, v, v)),
    "gradient-diagonal.png": ((80, 40), "xy", lambda v: (v, v // 2 + 64, v)),
}
NOT_A_PNG = "notes.png"


def make_gradient(size: tuple[int, int], direction: str, color) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size)
    for y in range(height):
        for x in range(width):
            if direction == "x":
                ramp = x / (width - 1)
            elif direction == "y":
                ramp = y / (height - 1)
            else:
                ramp = (x + y) / (width + height - 2)
            image.putpixel((x, y), color(round(ramp * 255)))
    return image


@pytest.fixture(scope="module")
def files() -> dict[str, Path]:
    """The four files to upload, written to tests/output/browser/: name -> path."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (size, direction, color) in GRADIENTS.items():
        paths[name] = OUTPUT / name
        make_gradient(size, direction, color).save(paths[name], format="PNG")
    paths[NOT_A_PNG] = OUTPUT / NOT_A_PNG
    paths[NOT_A_PNG].write_text("Shopping list\n- milk\n- eggs\nThis is plain text, not an image.\n")
    return paths


@pytest.fixture(scope="module")
def services(stack):
    """The three services, started unless an earlier module (tests/e2e) already started them."""
    missing = [name for name in SERVICES if name not in stack.processes]
    if missing:
        stack.start(*missing)
    return stack


@contextmanager
def browser_session(name: str = "", download_dir: Path | None = None):
    """Headless Chromium at 1280x800, quit at the end whatever happened. Its logs are
    chromedriver{-name}.log and console{-name}.log; with `download_dir`, downloads land there
    without asking."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).is_file() or shutil.which(path)):
            message = f"{path} is missing: apt-get install chromium chromium-driver"
            if os.environ.get("REQUIRE_BROWSER") == "1":
                pytest.fail(message)
            pytest.skip(message)
    os.environ.setdefault("SE_OFFLINE", "1")  # belt and braces: never let Selenium download anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1280,800", "--disable-dev-shm-usage",
                     "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if download_dir is not None:
        download_dir.mkdir(parents=True, exist_ok=True)
        options.add_experimental_option("prefs", {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
        })
    OUTPUT.mkdir(parents=True, exist_ok=True)
    suffix = f"-{name}" if name else ""
    log = str(OUTPUT / f"chromedriver{suffix}.log")
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER, log_output=log))
    browser.console = []  # every console entry read so far (reading the log empties it)
    browser.console_path = OUTPUT / f"console{suffix}.log"
    try:
        if download_dir is not None:
            # Headless Chromium ignores the download preferences unless told over DevTools too.
            browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
        yield browser
    finally:
        try:
            read_console(browser)
        except Exception:  # the log is a diagnostic only
            pass
        browser.quit()


@pytest.fixture(scope="module")
def driver():
    with browser_session() as browser:
        yield browser


def read_console(driver) -> list[dict]:
    """The browser console so far, also written to console.log."""
    driver.console += driver.get_log("browser")
    driver.console_path.write_text("".join(f"{e['level']} {e['message']}\n" for e in driver.console))
    return driver.console


def save_page_screenshot(driver, path: Path, down_to=None, max_height: int = 2400) -> None:
    """The page from its top (the pipeline panel first) down to the bottom of element `down_to`
    (the whole page without it), at the window's width: taller than the window when needed."""
    # No focus ring in the picture (closing the viewer focuses its card again).
    driver.execute_script("document.activeElement?.blur(); window.scrollTo(0, 0)")
    width = driver.execute_script("return window.innerWidth")
    if down_to is not None:
        height = driver.execute_script(
            "return arguments[0].getBoundingClientRect().bottom + window.scrollY + 16", down_to)
    else:
        height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(max_height, height), "scale": 1},
    })
    path.write_bytes(base64.b64decode(shot["data"]))


# Whether the pipeline panel shows a snapshot from the notifier (GET /api/pipeline or the stream).
PANEL_READY = "return document.getElementById('pipeline').dataset.state === 'ready'"
# The panel's count of images processed in its window (15 minutes), as a string.
PANEL_PROCESSED = "return document.getElementById('pipeline-processed-window').dataset.value"


def wait_until(driver, condition, timeout: float, what: str):
    """Polls `condition(driver)` until it is truthy; on timeout saves timeout.png and fails saying `what`."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition)
    except TimeoutException:
        driver.save_screenshot(str(OUTPUT / "timeout.png"))
        pytest.fail(f"timed out after {timeout} s waiting for {what}; see {OUTPUT / 'timeout.png'} and console.log")


# Same-origin requests that failed (the page's own files, the API), by the browser's own account.
FAILED_REQUESTS = """
    return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
      .filter((entry) => entry.name.startsWith(location.origin) && entry.responseStatus >= 400)
      .map((entry) => `${entry.responseStatus} ${entry.name}`);
"""


def our_cards(driver, names) -> dict[str, dict]:
    """The cards whose title is one of `names`: name -> {state, id, error, processed, original, loaded}."""
    return driver.execute_script(
        """
        const names = new Set(arguments[0]);
        const found = {};
        for (const li of document.querySelectorAll('#cards > li.card')) {
          const name = li.querySelector('.card-title')?.textContent;
          if (!names.has(name)) continue;
          const processed = li.querySelector('img.thumb-processed');
          const original = li.querySelector('img.thumb-original');
          const loaded = (img) => Boolean(img && !img.hidden && img.complete && img.naturalWidth > 0);
          found[name] = {
            state: li.dataset.state, id: li.dataset.imageId || null,
            error: li.querySelector('.card-error')?.hidden ? '' : li.querySelector('.card-error')?.textContent || '',
            processed: processed?.src || null, original: original?.src || null,
            loaded: loaded(processed) && loaded(original),
          };
        }
        return found;
        """,
        list(names),
    )


def test_uploads_through_the_page_show_results_live(services, driver, files):
    stack = services
    names = list(files)
    pngs = list(GRADIENTS)

    # The page is opened on the origin the upload API allows (127.0.0.1, not localhost).
    driver.get(f"{stack.notifier_url}/")
    wait_until(driver, lambda d: d.find_element(By.ID, "live-status").get_attribute("data-state") == "live",
               UI_TIMEOUT, "#live-status to be live")
    assert driver.execute_script(FAILED_REQUESTS) == [], "the page's own files must load (a stale build lacks some?)"
    assert driver.execute_script("return getComputedStyle(document.getElementById('cards')).display") == "grid", \
        "app.css is not applied"
    config = driver.execute_async_script("fetch('/api/config').then(r => r.json()).then(arguments[0])")
    assert config["upload_url"] == f"{stack.upload_url}/upload", config

    # A marker that a reload would wipe.
    driver.execute_script("window.__marker = 1")
    driver.find_element(By.ID, "file-input").send_keys("\n".join(str(files[name]) for name in names))

    def settled(d):
        cards = our_cards(d, names)
        done = len(cards) == len(names) and all(cards[n]["state"] == "processed" and cards[n]["loaded"] for n in pngs)
        return cards if done and cards[NOT_A_PNG]["state"] in ("refused", "failed", "processed") else None

    cards = wait_until(driver, settled, PIPELINE_TIMEOUT,
                       "three processed cards (both thumbnails loaded) and the non-PNG's card to settle")
    states = sorted(card["state"] for card in cards.values())
    assert states == ["processed", "processed", "processed", "refused"], cards
    refusal = cards[NOT_A_PNG]
    assert "not a PNG" in refusal["error"], refusal
    assert "415" in refusal["error"] and "not_png" in refusal["error"], refusal
    assert refusal["id"] is None, "a refused upload has no image"
    assert len({cards[n]["id"] for n in pngs}) == 3, cards
    assert driver.execute_script("return window.__marker") == 1, "the page reloaded"

    # The results, fetched at the same URLs the page shows: black and white, the original's size.
    for name in pngs:
        url = cards[name]["processed"]
        assert url.startswith(f"{stack.notifier_url}/"), url
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, (name, url, response.status_code)
        (OUTPUT / f"result-{name}").write_bytes(response.content)  # to look at
        result = Image.open(io.BytesIO(response.content))
        assert result.format == "PNG", name
        assert result.size == GRADIENTS[name][0], (name, result.size)
        values = set(result.convert("L").tobytes())
        assert values <= {0, 255}, f"{name}: not black and white: {sorted(values)[:10]}"
        assert values == {0, 255}, f"{name}: the gradient crosses the threshold, yet only {values}"

    # The page from the top: the pipeline panel, the upload area and the first row of cards (ours,
    # the newest, processed).
    wait_until(driver, lambda d: d.execute_script(PANEL_READY), UI_TIMEOUT, "the pipeline panel to show a snapshot")
    # The notifier publishes changed numbers about once a second: wait for it to count ours.
    wait_until(driver, lambda d: int(d.execute_script(PANEL_PROCESSED) or 0) >= len(pngs), UI_TIMEOUT,
               "the pipeline panel to count the three results")
    first = driver.find_element(By.CSS_SELECTOR, '#cards > li.card[data-state="processed"]')
    save_page_screenshot(driver, OUTPUT / "page-1280.png", down_to=first)

    # The viewer: original and result side by side.
    card = driver.find_element(By.CSS_SELECTOR, f'#cards > li.card[data-image-id="{cards[pngs[0]]["id"]}"]')
    card.click()
    viewer_ready = """
        const loaded = (img) => !img.hidden && img.complete && img.naturalWidth > 0;
        return document.getElementById('viewer').open
          && loaded(document.getElementById('viewer-original'))
          && loaded(document.getElementById('viewer-processed'));
    """
    wait_until(driver, lambda d: d.execute_script(viewer_ready), UI_TIMEOUT, "the viewer with both images loaded")
    assert driver.find_element(By.ID, "viewer-title").text == pngs[0]
    assert driver.find_element(By.ID, "viewer-processed").get_attribute("src") == cards[pngs[0]]["processed"]
    driver.save_screenshot(str(OUTPUT / "viewer.png"))
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(driver, lambda d: not d.execute_script("return document.getElementById('viewer').open"),
               UI_TIMEOUT, "the viewer to close on Escape")

    # Phone width: nothing wider than the screen.
    driver.set_window_size(390, 844)
    wait_until(driver, lambda d: d.execute_script("return window.innerWidth") <= 400, UI_TIMEOUT,
               "the window to narrow to about 390 px")
    first = driver.find_element(By.CSS_SELECTOR, '#cards > li.card[data-state="processed"]')
    widths = driver.execute_script(
        "return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth}")
    save_page_screenshot(driver, OUTPUT / "page-390.png", down_to=first)
    assert widths["scroll"] <= widths["inner"] + 1, f"horizontal scrolling at 390 px: {json.dumps(widths)}"
    assert driver.execute_script("return window.__marker") == 1, "the page reloaded"
    assert driver.execute_script(FAILED_REQUESTS) == []
    uncaught = [entry["message"] for entry in read_console(driver) if "Uncaught" in entry["message"]]
    assert uncaught == [], f"script errors on the page: {uncaught}"


UNICODE_NAME = "фото café.png"
WIDE = "wide-768.png"
VIEWER_READY = """
    const loaded = (img) => !img.hidden && img.complete && img.naturalWidth > 0;
    return document.getElementById('viewer').open
      && loaded(document.getElementById('viewer-original'))
      && loaded(document.getElementById('viewer-processed'));
"""


def upload_through_the_page(driver, stack, paths: list[Path]) -> dict[str, dict]:
    driver.get(f"{stack.notifier_url}/")
    wait_until(driver, lambda d: d.find_element(By.ID, "live-status").get_attribute("data-state") == "live",
               UI_TIMEOUT, "#live-status to be live")
    driver.find_element(By.ID, "file-input").send_keys("\n".join(str(path) for path in paths))
    names = [path.name for path in paths]

    def processed(d):
        cards = our_cards(d, names)
        return cards if len(cards) == len(names) and all(c["state"] == "processed" and c["loaded"] for c in cards.values()) else None

    return wait_until(driver, processed, PIPELINE_TIMEOUT, f"{names} processed on the page")


def test_a_name_as_uploaded_is_what_the_page_and_downloads_show(services):
    stack = services
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / UNICODE_NAME
    make_gradient((64, 48), "x", lambda v: (v, v, 255 - v)).save(path, format="PNG")
    with browser_session("names") as driver:
        cards = upload_through_the_page(driver, stack, [path])
        image_id = cards[UNICODE_NAME]["id"]
        # The API, the viewer, and the page after a reload (the name from the table) say it as uploaded.
        image = requests.get(f"{stack.notifier_url}/api/images/{image_id}", timeout=10).json()
        assert image["filename"] == UNICODE_NAME, image
        assert image["original_key"].endswith("_caf.png"), "the key keeps its reduced name"
        driver.find_element(By.CSS_SELECTOR, f'#cards > li.card[data-image-id="{image_id}"]').click()
        wait_until(driver, lambda d: d.execute_script(VIEWER_READY), UI_TIMEOUT, "the viewer with both images loaded")
        assert driver.find_element(By.ID, "viewer-title").text == UNICODE_NAME
        download = driver.find_element(By.ID, "viewer-download").get_attribute("href")
        driver.refresh()
        wait_until(driver, lambda d: our_cards(d, [UNICODE_NAME]).get(UNICODE_NAME, {}).get("id") == image_id, UI_TIMEOUT,
                   "the card under its name after a reload")
    # The download carries the name as uploaded (RFC 8187), and an ASCII stand-in for old clients.
    answer = requests.get(download, timeout=10)
    assert answer.status_code == 200
    disposition = answer.headers["Content-Disposition"]
    assert "filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE%20caf%C3%A9-bw.png" in disposition, disposition
    assert 'filename="____ caf_-bw.png"' in disposition, disposition
    # And the archive names the entry so too (UTF-8 names flagged).
    archive = requests.get(f"{stack.notifier_url}/api/results.zip", timeout=60)
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "фото café-bw.png" in names, names[:10]


def test_the_viewer_opens_fitted_and_shows_pixels_1_to_1_on_request(services):
    stack = services
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / WIDE
    make_gradient((768, 512), "xy", lambda v: (v, 255 - v, v)).save(path, format="PNG")
    measure = """
        const out = {checked: document.getElementById('viewer-fit').checked};
        for (const which of ['original', 'processed']) {
          const pane = document.getElementById(`viewer-${which}-scroll`);
          const img = document.getElementById(`viewer-${which}`);
          out[which] = {clientWidth: pane.clientWidth, scrollWidth: pane.scrollWidth, clientHeight: pane.clientHeight,
                        scrollHeight: pane.scrollHeight, shown: img.getBoundingClientRect().width, natural: img.naturalWidth};
        }
        return out;
    """
    with browser_session("viewer-fit") as driver:
        cards = upload_through_the_page(driver, stack, [path])
        card = driver.find_element(By.CSS_SELECTOR, f'#cards > li.card[data-image-id="{cards[WIDE]["id"]}"]')
        card.click()
        wait_until(driver, lambda d: d.execute_script(VIEWER_READY), UI_TIMEOUT, "the viewer with both images loaded")
        fitted = driver.execute_script(measure)
        driver.save_screenshot(str(OUTPUT / "viewer-fitted.png"))
        assert fitted["checked"], "the viewer opens with 'Fit to pane' ticked"
        for which in ("original", "processed"):
            pane = fitted[which]
            assert pane["natural"] == 768, fitted
            assert pane["clientWidth"] < 768, f"the pane is narrower than the image at 1280 px: {fitted}"
            assert pane["scrollWidth"] <= pane["clientWidth"] + 1 and pane["scrollHeight"] <= pane["clientHeight"] + 1, \
                f"the fitted {which} scrolls: {fitted}"
            assert pane["shown"] <= pane["clientWidth"] + 1, fitted
        # 1:1 on request: every pixel shown, the pane scrolls sideways.
        driver.find_element(By.ID, "viewer-fit").click()
        full = driver.execute_script(measure)
        driver.save_screenshot(str(OUTPUT / "viewer-1to1.png"))
        for which in ("original", "processed"):
            assert abs(full[which]["shown"] - 768) < 1, full
            assert full[which]["scrollWidth"] > full[which]["clientWidth"], full
        # Closed and opened again: fitted again.
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait_until(driver, lambda d: not d.execute_script("return document.getElementById('viewer').open"), UI_TIMEOUT,
                   "the viewer to close")
        driver.find_element(By.CSS_SELECTOR, f'#cards > li.card[data-image-id="{cards[WIDE]["id"]}"]').click()
        wait_until(driver, lambda d: d.execute_script(VIEWER_READY), UI_TIMEOUT, "the viewer again")
        again = driver.execute_script(measure)
        assert again["checked"] and again["original"]["scrollWidth"] <= again["original"]["clientWidth"] + 1, again


def test_an_administrator_reviews_the_dead_letters_and_sends_them_back(services):
    """Without sign-in the one user is the administrator: the panel names the dead-lettered image
    and why it failed, and one button sends it back; its card then turns processed, live."""
    stack = services
    png = io.BytesIO()
    make_gradient((40, 30), "x", lambda v: (v, v, v)).save(png, format="PNG")
    error = "Processing failed 5 times (the image store could not be read or written); the image was set aside for an administrator to send again."
    image_id = make_dead_letter(stack, png.getvalue(), "lost-and-found.png", error)
    with browser_session("dead-letters") as driver:
        driver.get(f"{stack.notifier_url}/")
        wait_until(driver, lambda d: d.find_element(By.ID, "live-status").get_attribute("data-state") == "live",
                   UI_TIMEOUT, "#live-status to be live")
        card = f'#cards > li.card[data-image-id="{image_id}"]'
        wait_until(driver, lambda d: d.find_element(By.CSS_SELECTOR, card).get_attribute("data-state") == "failed", UI_TIMEOUT,
                   "the dead-lettered image's card, failed")
        # The panel polls the queues every few seconds: then "Review" shows under the count.
        wait_until(driver, lambda d: d.find_element(By.ID, "dead-letters").is_displayed(), 30, "the dead letters' Review")
        driver.find_element(By.CSS_SELECTOR, "#dead-letters > summary").click()
        listed = wait_until(driver, lambda d: d.execute_script(
            "return [...document.querySelectorAll('#dead-letter-list > li.dead-letter')].map(li => "
            "({id: li.dataset.imageId, text: li.textContent}))") or None, UI_TIMEOUT, "the list of dead letters")
        mine = [item for item in listed if item["id"] == image_id]
        assert mine and "lost-and-found.png" in mine[0]["text"] and "set aside for an administrator" in mine[0]["text"], listed
        driver.save_screenshot(str(OUTPUT / "dead-letters.png"))
        driver.find_element(By.ID, "dead-letter-redrive").click()
        status = wait_until(driver, lambda d: d.find_element(By.ID, "dead-letter-status").text.startswith(("Sent", "SQS"))
                            and d.find_element(By.ID, "dead-letter-status").text, UI_TIMEOUT, "the redrive's result")
        assert "back to the queue" in status, status
        wait_until(driver, lambda d: d.find_element(By.CSS_SELECTOR, card).get_attribute("data-state") == "processed", PIPELINE_TIMEOUT,
                   "the sent-back image's card, processed")
    image = requests.get(f"{stack.notifier_url}/api/images/{image_id}", timeout=10).json()
    assert image["state"] == "processed" and not image.get("error"), image
