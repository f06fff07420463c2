"""Headless Chromium for page tests: Debian's /usr/bin/chromium driven by Playwright.

The suite skips (with the reason) when the browser is missing, unless FLEET_REQUIRE_BROWSER=1
(CI) makes that a failure. The browser may only talk to the live server on loopback: map tiles
and anything else from the internet are aborted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if os.environ.get("FLEET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"FLEET_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


# Package scope: the event loop stops with the browser, before tests outside this package run.
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the browser is
    # open; the tests' ORM calls (and the database flush after each) are still plain
    # synchronous calls made between browser steps, so Django may allow them until it closes.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _local_tiles(settings) -> None:
    # Tiles must never come from the internet in tests; a loopback path that 404s is enough.
    settings.MAP_TILE_URL = "/test-tiles/{z}/{x}/{y}.png"


class Page:
    """A Playwright page plus what the test must assert never happened."""

    def __init__(self, page: object, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.blocked: list[str] = []

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)


def _loopback_only(blocked: list[str]):
    def handle(route: object) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    return handle


@pytest.fixture
def anonymous_page(request, browser, live_server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    wrapped = Page(page, live_server.url)
    context.route("**/*", _loopback_only(wrapped.blocked))
    page.on("dialog", lambda dialog: (wrapped.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: wrapped.errors.append(str(error)))
    page.set_default_timeout(10_000)
    yield wrapped
    # FLEET_SCREENSHOT_DIR=/tmp/shots keeps each test's last view, to look at the pages.
    if shots := os.environ.get("FLEET_SCREENSHOT_DIR"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{request.node.name}.png"))
    context.close()


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.page.fill("#id_username", username)
    page.page.fill("#id_password", password)
    page.page.click("button[type=submit]")
    page.page.wait_for_url("**/map/")


@pytest.fixture
def logged_in_page(anonymous_page: Page, world) -> Page:
    log_in(anonymous_page, "dave", "pw-dave-123")
    return anonymous_page
