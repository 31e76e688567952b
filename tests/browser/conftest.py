"""Browser-test fixtures: a real `streamlit run` server on a free port, headless Chromium through Playwright.

Browser tests skip when Chromium or Playwright is missing; under CI (env CI set) tests/ci_skips.py makes that a failure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from digitdemo.rooms import DATABASE_URL_ENV
from testkit.server import CANVAS, CHROMIUM, CHROMIUM_ARGS, CLEAR, VIEWPORT, draw_stroke, new_context, serve, wait_idle

SERVER_START_SECONDS = 90

Stroke = Sequence[tuple[float, float]]


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


@pytest.fixture(scope="module")
def class_url(tmp_path_factory) -> Iterator[str]:
    """URL of the app served with its own SQLite rooms database, for one test module's class rooms."""
    database = tmp_path_factory.mktemp("rooms") / "rooms.sqlite3"
    with serve(env={DATABASE_URL_ENV: f"sqlite:///{database}"}) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, shared by the session; skipped (a failure under CI) when unavailable."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_app(
    browser, url: str, viewport: dict | None = None, locale: str | None = "en-US", ready: str = CANVAS, touch=False
):
    """A new page (its own browser context, so its own Streamlit session) showing the app, idle once the `ready`
    element shows (the canvas, drawn once the page has measured its space: ui/draw_inputs.py; another selector for a
    link that opens another tab); `touch` for a phone's touch screen."""
    context = new_context(browser, viewport=viewport or VIEWPORT, locale=locale, has_touch=touch, is_mobile=touch)
    page = context.new_page()
    page.goto(url)
    page.locator(ready).first.wait_for(state="visible", timeout=60_000)
    wait_idle(page, timeout=60_000)
    return page


@pytest.fixture(scope="session")
def expect(browser):
    """Playwright's `expect`, once the browser fixture has made sure Playwright is there."""
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def open_page(browser, app_url) -> Iterator[Callable[..., object]]:
    """open_page(locale="en-US"): the app at 1280x800 in a fresh session whose browser has that locale (None: the
    browser's own); every page opened is closed after the test."""
    pages = []

    def make(locale: str | None = "en-US"):
        pages.append(open_app(browser, app_url, locale=locale))
        return pages[-1]

    yield make
    for page in pages:
        page.context.close()


@pytest.fixture
def app_page(open_page):
    """The app at 1280x800 in a fresh session (English locale); closed after the test."""
    return open_page()


def draw_strokes(page, strokes: Sequence[Stroke], steps: int = 4) -> None:
    """Draw polylines on the Draw tab's canvas; points are fractions (0..1) of its width and height."""
    page.locator(CANVAS).first.scroll_into_view_if_needed()
    for stroke in strokes:
        draw_stroke(page, stroke, steps)
        wait_idle(page)


def clear_canvas(page) -> None:
    """Press the page's Clear button and wait for the rerun."""
    page.locator(CLEAR).first.click()
    wait_idle(page)


@pytest.fixture
def draw() -> Callable[..., None]:
    """draw(page, strokes): draw polylines (points as 0..1 fractions of the canvas) and wait for the rerun."""
    return draw_strokes


@pytest.fixture
def clear() -> Callable[..., None]:
    """clear(page): empty the canvas with the page's Clear button and wait for the rerun."""
    return clear_canvas


@pytest.fixture
def settle() -> Callable[..., None]:
    """settle(page): wait until the app's script run (or fragment run) triggered by the last action is done."""
    return wait_idle


@pytest.fixture
def new_page() -> Callable[..., object]:
    """new_page(browser, url, viewport=None, locale="en-US", ready=CANVAS, touch=False): a page in its own browser
    context (its own session), idle once loaded; the caller closes its context."""
    return open_app
