"""The app served for the browser sections (plain or timed), Chromium, and the log of timed runs."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.speed_sections.common import MB, ROOT
from deploy.servers import STREAMLIT, Server
from testkit.server import CANVAS, CHROMIUM, CHROMIUM_ARGS, IDLE, VIEWPORT, serve

# By path: it imports nothing of this repository, so it also serves another checkout's app (a baseline).
TIMED_SERVER = (sys.executable, str(Path(__file__).with_name("timed_server.py")))  # + the log, then Streamlit's args


@contextlib.contextmanager
def serve_app(
    script: str, timed_log: Path | None = None, env: dict[str, str] | None = None, tree: Path = ROOT
) -> Iterator[Server]:
    """The app served as usual, or (with `timed_log`) under the wrapper that logs each script run's time; `env` adds
    to the server's environment; `tree` is the checkout whose app is served."""
    launcher = STREAMLIT if timed_log is None else (*TIMED_SERVER, str(timed_log))
    env = {"PYTHONPATH": str(tree), "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    with serve(script, launcher=launcher, env=env, cwd=tree) as server:
        yield server


def open_draw_tab(browser, url: str):
    """A new session (own browser context) on the app; returns once the canvas is visible and the script idle."""
    page = browser.new_context(viewport=VIEWPORT, locale="en-US").new_page()
    page.goto(url)
    page.locator(CANVAS).first.wait_for(state="visible", timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    return page


def rss(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / MB


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used so far: unlike wall time, barely moved by other processes' load."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class RunLog:
    """The JSON lines the timed server writes, one per script or fragment run."""

    def __init__(self, path: Path) -> None:
        self.path, self.seen = path, 0

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def new(self, wait_for: int = 1, timeout: float = 30) -> list[dict]:
        """Runs logged since the last call, waiting until at least `wait_for` have come."""
        deadline = time.monotonic() + timeout
        while True:
            runs = self.read()
            if len(runs) >= self.seen + wait_for or time.monotonic() > deadline:
                fresh, self.seen = runs[self.seen :], len(runs)
                return fresh
            time.sleep(0.02)


def settle(page, log: RunLog) -> list[dict]:
    """The runs an action caused: at least one, then until the page is idle and no further run arrives."""
    runs = log.new()
    page.wait_for_selector(IDLE, timeout=60_000)
    time.sleep(0.2)
    return runs + log.new(wait_for=0)


def settle_quietly(page, log: RunLog) -> None:
    """Wait for idle and forget any run a tab click may have caused."""
    page.wait_for_selector(IDLE, timeout=60_000)
    time.sleep(0.3)
    log.new(wait_for=0)
