"""Browser-test fixtures: a real `streamlit run` server on a free port, headless Chromium through Playwright.

Browser tests skip when Chromium or Playwright is missing, except under CI (env CI set), where they fail.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from benchmarks.streamlit_server import CHROMIUM, CHROMIUM_ARGS, serve

VIEWPORT = {"width": 1280, "height": 800}
PHONE_VIEWPORT = {"width": 390, "height": 844}
SERVER_START_SECONDS = 90
IDLE_SELECTOR = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING_SELECTOR = "[data-testid='stApp'][data-test-script-state='running']"
CANVAS_SELECTOR = "canvas.upper-canvas"  # Fabric.js draws on the lower canvas and listens on the upper one
CLEAR_SELECTOR = "button[aria-label='Reset canvas & history']"  # in the canvas component's toolbar

Stroke = Sequence[tuple[float, float]]


def skip_or_fail(reason: str) -> None:
    """Skip the test, or fail it under CI where a missing browser must not pass silently."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so browser tests must run)")
    pytest.skip(reason)


@contextlib.contextmanager
def run_streamlit(
    script: str = "streamlit_app.py", port: int | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start `streamlit run script` headless on `port` (default: a free one); yield its URL; stop it on exit."""
    with serve(script, port=port, env=env, timeout=SERVER_START_SECONDS) as server:
        yield server.url


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """URL of the app served by one `streamlit run` for the whole test session."""
    with run_streamlit() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, shared by the session; skipped (or failed under CI) when unavailable."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def wait_idle(page, timeout: float = 30_000, start_timeout: float = 2_000) -> None:
    """Wait for the rerun the last action triggered to start (up to start_timeout ms; a loaded machine can be slow),
    then until Streamlit reports the script (or fragment) is not running."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_selector(RUNNING_SELECTOR, timeout=start_timeout)
    page.wait_for_selector(IDLE_SELECTOR, timeout=timeout)


def open_app(browser, url: str, viewport: dict | None = None, locale: str = "en-US"):
    """A new page (its own browser context, so its own Streamlit session) showing the app, idle."""
    context = browser.new_context(viewport=viewport or VIEWPORT, locale=locale)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(IDLE_SELECTOR, timeout=60_000)
    return page


@pytest.fixture
def app_page(browser, app_url):
    """The app at 1280x800 in a fresh session (English locale); closed after the test."""
    page = open_app(browser, app_url)
    yield page
    page.context.close()


def draw_strokes(page, strokes: Sequence[Stroke], steps: int = 4) -> None:
    """Draw polylines on the Draw tab's canvas; points are fractions (0..1) of its width and height."""
    canvas = page.locator(CANVAS_SELECTOR).first
    canvas.wait_for(state="visible", timeout=30_000)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for stroke in strokes:
        points = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(x, y, steps=steps)
        page.mouse.up()
        wait_idle(page)


def clear_canvas(page) -> None:
    """Press the canvas toolbar's reset button and wait for the rerun."""
    page.locator(CLEAR_SELECTOR).first.click()
    wait_idle(page)


@pytest.fixture
def draw() -> Callable[..., None]:
    """draw(page, strokes): draw polylines (points as 0..1 fractions of the canvas) and wait for the rerun."""
    return draw_strokes


@pytest.fixture
def clear() -> Callable[..., None]:
    """clear(page): empty the canvas with its toolbar's reset button and wait for the rerun."""
    return clear_canvas


@pytest.fixture
def settle() -> Callable[..., None]:
    """settle(page): wait until the app's script run (or fragment run) triggered by the last action is done."""
    return wait_idle
