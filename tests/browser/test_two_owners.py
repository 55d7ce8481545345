"""Two owners side by side in real browsers (headless Chromium, as tests/browser/test_page.py),
signed in as the load balancer would sign them in: the pages are served through a stand-in for the
load balancer (pipeline_testing.signing_proxy: one origin, /upload to the upload API, the rest to
the notifier) that adds each request's `x-amzn-oidc-data` for the user its session cookie names,
signed by a load balancer of the test's own.

Each page says who is signed in, shows its owner's uploads (through the page and through the API)
live, and never a card of the other's; the administrator's page shows both.
Screenshots: tests/output/browser/owner-ann.png, owner-bob.png, owner-admin.png.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
import requests
from selenium.webdriver.common.by import By

from pipeline_testing.identity import KeyServer, TestLoadBalancer
from pipeline_testing.pngs import small_png
from pipeline_testing.signing_proxy import SigningProxy
from pipeline_testing.stack import Stack
from pipeline_testing.stacks import free_port
from test_page import OUTPUT, PIPELINE_TIMEOUT, UI_TIMEOUT, browser_session, our_cards, wait_until

LIVE = "return document.getElementById('live-status').dataset.state === 'live'"


@pytest.fixture(scope="module")
def signed_in(stack):
    if not isinstance(stack, Stack):
        pytest.skip("an external stack (compose) runs without sign-in")
    with KeyServer() as keys:
        alb = TestLoadBalancer(keys)
        upload_port, notifier_port = free_port(), free_port()
        with SigningProxy(alb, upload_port, notifier_port) as proxy:
            # The page uploads to the proxy's /upload: one origin, as behind the load balancer.
            own = Stack(bin_dir=stack.bin_dir, upload_port=upload_port, notifier_port=notifier_port, processor_port=free_port(),
                        service_env={"AUTH_MODE": "alb", **alb.env, "PUBLIC_UPLOAD_URL": f"{proxy.url}/upload"})
            own.setup_resources()
            own.start("upload-api", "processor", "notifier")
            try:
                yield own, alb, proxy
            finally:
                own.stop()


@contextmanager
def page_of(proxy, owner: str, groups=()):
    """A browser signed in as `owner` (its session cookie), on the page through the proxy, live."""
    with browser_session(f"owner-{owner}") as driver:
        driver.get(f"{proxy.url}/healthz")
        driver.add_cookie(proxy.session_cookie(owner, groups))
        driver.get(f"{proxy.url}/")
        wait_until(driver, lambda d: d.execute_script(LIVE), UI_TIMEOUT, f"the live updates of {owner}'s page")
        yield driver


def account(driver) -> str:
    return driver.execute_script("""
        const box = document.getElementById('account');
        return box.hidden ? '' : box.textContent.replace(/\\s+/g, ' ').trim();""")


def test_two_owners_side_by_side_and_an_administrator(signed_in, tmp_path):
    stack, alb, proxy = signed_in
    run = uuid.uuid4().hex[:6]
    through_page = {"ann": f"ann-page-{run}.png", "bob": f"bob-page-{run}.png"}
    through_api = {"ann": [f"ann-api-{run}-{i}.png" for i in range(2)], "bob": [f"bob-api-{run}-{i}.png" for i in range(2)]}
    mine = {owner: [through_page[owner], *through_api[owner]] for owner in ("ann", "bob")}
    files = {}
    for index, name in enumerate(through_page.values()):
        files[name] = tmp_path / name
        files[name].write_bytes(small_png(40 + index))

    def all_processed(names):
        def check(driver):
            cards = our_cards(driver, names)
            return len(cards) == len(names) and all(card["state"] == "processed" for card in cards.values())
        return check

    everything = mine["ann"] + mine["bob"]
    with page_of(proxy, "ann") as ann, page_of(proxy, "bob") as bob:
        assert "ann@example.com" in account(ann) and "bob@example.com" in account(bob)
        assert "Sign out" in account(ann), account(ann)
        for owner, driver in (("ann", ann), ("bob", bob)):
            driver.find_element(By.ID, "file-input").send_keys(str(files[through_page[owner]]))
            for index, name in enumerate(through_api[owner]):
                response = requests.post(f"{stack.upload_url}/upload", files={"image": (name, small_png(50 + index), "image/png")},
                                         headers=alb.headers(owner), timeout=30)
                assert response.status_code == 202, response.text
        for owner, driver in (("ann", ann), ("bob", bob)):
            wait_until(driver, all_processed(mine[owner]), PIPELINE_TIMEOUT, f"{owner}'s images processed on {owner}'s page")
            driver.save_screenshot(str(OUTPUT / f"owner-{owner}.png"))
        others = {"ann": mine["bob"], "bob": mine["ann"]}
        for owner, driver in (("ann", ann), ("bob", bob)):
            assert our_cards(driver, others[owner]) == {}, f"{owner}'s page shows another owner's cards"
        # A reload reads the list again: still only the owner's own.
        ann.refresh()
        wait_until(ann, all_processed(mine["ann"]), UI_TIMEOUT, "ann's images after a reload")
        assert our_cards(ann, mine["bob"]) == {}

    with page_of(proxy, "root", groups=["admins"]) as admin:
        assert "admin" in account(admin)
        wait_until(admin, all_processed(everything), UI_TIMEOUT, "every owner's images on the administrator's page")
        admin.save_screenshot(str(OUTPUT / "owner-admin.png"))
