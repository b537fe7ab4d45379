"""A real browser on the served page: Debian's headless Chromium, driven by Playwright.

Playwright's own browser download cannot run here, so it drives /usr/bin/chromium
(`apt-get install chromium`); without it this test is skipped. The browser talks
only to the loopback server: no first-run, sync, component or background traffic.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from serve_client import running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
playwright_api = pytest.importorskip("playwright.sync_api")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def launch(playwright, profile: Path):
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS, viewport={"width": 1280, "height": 800},
    )


def settled_screenshot(page, timeout_ms: int = 20000) -> bytes:
    """xterm.js draws on a canvas: wait until two screenshots 400 ms apart agree, and return it."""
    page.wait_for_function("document.body.classList.contains('-first-byte')", timeout=timeout_ms)
    previous = page.screenshot()
    for _ in range(timeout_ms // 400):
        page.wait_for_timeout(400)
        current = page.screenshot()
        if current == previous:
            return current
        previous = current
    raise TimeoutError("the page never stopped changing")


def test_the_page_in_chromium_steps_when_keys_are_pressed(tmp_path):
    with running_server("--token", "browser-test-token") as server, playwright_api.sync_playwright() as p:
        browser = launch(p, tmp_path / "profile")
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            response = page.goto(f"{server.url}/?token=browser-test-token")
            assert response is not None and response.status == 200
            assert page.title() == "rnnstep: The notes' four steps"
            before = settled_screenshot(page)
            page.locator(".textual-terminal").click()
            for _ in range(3):
                page.keyboard.press("n")
            after = settled_screenshot(page)
            assert after != before
            page.keyboard.press("p")
            assert settled_screenshot(page) not in (before, after)
            assert all(url.startswith(server.url) or url.startswith(server.url.replace("http", "ws"))
                       for url in requests), requests  # the page fetched nothing from outside
        finally:
            browser.close()
