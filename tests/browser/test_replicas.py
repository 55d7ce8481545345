"""Several notifiers in real browsers (headless Chromium, as tests/browser/test_page.py, whose
helpers this uses).

- Two replicas, a page open on each: uploads through the API show on both pages live and end
  processed (each replica follows the image table's stream and tells its own browsers). Then one
  replica is killed with -9 while more images are uploaded: the other page shows every one of them
  processed, without a reload, and the dead replica's page says it is reconnecting.
- A notifier whose image table cannot be read: its page says the image list is unavailable,
  instead of showing an empty list.

Screenshots go to tests/output/browser/ (replicas-a.png, replicas-b.png, list-unavailable.png).
"""
from __future__ import annotations

import signal
import uuid

import requests
from selenium.webdriver.common.by import By

from pipeline_testing.pngs import small_png
from pipeline_testing.stack import Stack
from pipeline_testing.stacks import free_port
from pipeline_testing.uploads import post_image
from test_page import (
    OUTPUT,
    PANEL_READY,
    PIPELINE_TIMEOUT,
    UI_TIMEOUT,
    browser_session,
    our_cards,
    services,  # noqa: F401 (the fixture: the three services, started unless already running)
    wait_until,
)

LIVE = "return document.getElementById('live-status').dataset.state === 'live'"
LIVE_TEXT = "return document.querySelector('#live-status .live-text').textContent"


def upload(stack, names: list[str], first: int) -> None:
    for index, name in enumerate(names):
        result = post_image(stack.upload_url, small_png(first + index), name, first + index)
        assert result.status == 202, result.body or result.error


def all_processed(names: list[str]):
    def check(driver):
        cards = our_cards(driver, names)
        return len(cards) == len(names) and all(card["state"] == "processed" for card in cards.values())
    return check


def open_page(driver, url: str) -> None:
    driver.get(url)
    wait_until(driver, lambda d: d.execute_script(PANEL_READY), UI_TIMEOUT, f"the pipeline panel of {url}")
    wait_until(driver, lambda d: d.execute_script(LIVE), UI_TIMEOUT, f"the live updates of {url}")


def test_two_replicas_show_every_upload_live_and_one_survives_the_others_kill(services):
    stack = services
    port = free_port()
    replica = stack.start_extra("notifier", 2, port)
    replica_url = f"http://127.0.0.1:{port}"
    run = uuid.uuid4().hex[:6]
    before = [f"replicas-{run}-{index}.png" for index in range(3)]
    after = [f"replicas-{run}-after-{index}.png" for index in range(4)]
    try:
        with browser_session("replica-a") as page_a, browser_session("replica-b") as page_b:
            open_page(page_a, stack.notifier_url)
            open_page(page_b, replica_url)

            upload(stack, before, 0)
            for driver, url in ((page_a, stack.notifier_url), (page_b, replica_url)):
                wait_until(driver, all_processed(before), PIPELINE_TIMEOUT, f"{before} processed on the page of {url}")
            page_a.save_screenshot(str(OUTPUT / "replicas-a.png"))
            page_b.save_screenshot(str(OUTPUT / "replicas-b.png"))

            # The replica dies while images are on their way: its page loses its stream, the
            # other's misses none of them (events the dead one held come back to the queue).
            upload(stack, after[:2], 10)
            stack.processes[replica].send_signal(signal.SIGKILL)
            stack.processes[replica].wait(timeout=10)
            upload(stack, after[2:], 12)
            wait_until(page_a, all_processed(after), PIPELINE_TIMEOUT, f"{after} processed on the surviving page")
            assert set(our_cards(page_a, before)) == set(before)
            wait_until(page_b, lambda d: d.execute_script(LIVE_TEXT) == "Reconnecting…", UI_TIMEOUT,
                       "the dead replica's page to say it is reconnecting")
    finally:
        stack.stop(replica)


def test_a_page_says_the_list_is_unavailable_when_the_table_cannot_be_read(services):
    # A notifier on resources that do not exist: no table (and no queue or bucket either).
    broken = Stack(bin_dir=services.bin_dir, suffix=f"missing-{uuid.uuid4().hex[:6]}",
                   upload_port=free_port(), notifier_port=free_port(), processor_port=free_port())
    broken.start("notifier")
    try:
        assert requests.get(f"{broken.notifier_url}/api/images", timeout=10).status_code == 503
        with browser_session("list-unavailable") as page:
            page.get(broken.notifier_url)
            banner = page.find_element(By.ID, "list-unavailable")
            wait_until(page, lambda d: banner.is_displayed(), UI_TIMEOUT, "the list-unavailable banner")
            assert "unavailable" in banner.text
            assert not page.find_element(By.ID, "empty").is_displayed(), "an unreadable list is not an empty one"
            page.save_screenshot(str(OUTPUT / "list-unavailable.png"))
    finally:
        broken.stop()
