"""Screenshots of every tab in the presenter view (1920x1080, 1280x720) and on a 390x844 phone, in each language, for
a person to look at: `python -m testkit.screenshots OUT_DIR` (starts its own server on a free port)."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from digitdemo.i18n import LANGUAGES
from testkit.server import CHROMIUM, CHROMIUM_ARGS, IDLE, serve

TABS = ("draw", "softmax", "relu", "mistakes", "model")
SCREENS = {  # name: (viewport, a phone?, query)
    "present1080": ({"width": 1920, "height": 1080}, False, "present=1"),
    "present720": ({"width": 1280, "height": 720}, False, "present=1"),
    "phone": ({"width": 390, "height": 844}, True, ""),
}
SETTLE_MS = 2500  # after the first idle: the canvas reports its space and the page reruns once


def take_screenshots(out: Path) -> list[Path]:
    """Every tab on every screen in every language -> PNG files in `out`, named screen_tab_lang.png."""
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with serve() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, (viewport, phone, query) in SCREENS.items():
            for lang in LANGUAGES:
                for tab in TABS:
                    context = browser.new_context(viewport=viewport, has_touch=phone, is_mobile=phone)
                    page = context.new_page()
                    page.goto(f"{server.url}/?tab={tab}&lang={lang}&{query}")
                    page.wait_for_selector(IDLE, timeout=90_000)
                    page.wait_for_timeout(SETTLE_MS)
                    page.wait_for_selector(IDLE, timeout=90_000)
                    shots.append(out / f"{name}_{tab}_{lang}.png")
                    page.screenshot(path=shots[-1])
                    context.close()
        browser.close()
    return shots


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m testkit.screenshots OUT_DIR")
    for path in take_screenshots(Path(sys.argv[1])):
        print(path)
