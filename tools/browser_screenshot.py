"""The README's picture of `rnnstep serve` in a browser: headless Chromium on a loopback server.

    python tools/browser_screenshot.py [OUT.png]

Needs Debian's chromium (`apt-get install chromium`) and the test extra (Playwright).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "functional")]

from serve_client import running_server  # noqa: E402
from test_serve_browser import launch, playwright_api, settled_screenshot  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "screenshots" / "serve-browser.png")
    with running_server("--token", "shown-in-the-readme") as server, playwright_api.sync_playwright() as p:
        browser = launch(p, Path(tempfile.mkdtemp(prefix="rnnstep-shot-")))
        try:
            page = browser.new_page()
            page.goto(f"{server.url}/?token=shown-in-the-readme")
            settled_screenshot(page)
            page.locator(".textual-terminal").click()
            for key in ["c", "n", "n", "n", "n", "n"]:  # to the first breakpoint, then terms of ∂L/∂w′
                page.keyboard.press(key)
                page.wait_for_timeout(150)
            settled_screenshot(page)
            page.screenshot(path=str(out))
        finally:
            browser.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
