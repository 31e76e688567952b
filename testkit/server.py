"""What the benchmarks and browser tests share: one `streamlit run` on a free loopback port (deploy/servers.py),
healthy before use and stopped after; how to launch Chromium here; the app's page selectors; and the test "2" drawn
with the mouse."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from deploy.servers import ROOT, START_SECONDS, STREAMLIT, Server, serve_many

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, and this machine refuses every call.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Streamlit's default full garbage collection after every script run, which .streamlit/config.toml turns off: the
# environment that turns it back on, for the benchmarks' baselines.
POST_SCRIPT_GC = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"}
VIEWPORT = {"width": 1280, "height": 800}
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
# Installed in each page of new_context before its own scripts: counts the script runs that start (Streamlit marks
# each on its root element) and notes when the mark last changed. A quick run can start and end before the observer
# is called, so each record's new value is read from the next record's old value (or, for the last, the element's).
RUN_WATCH = """(() => {
  window.digitdemoRuns = 0;
  window.digitdemoRunsSeen = 0;
  window.digitdemoRunChanged = performance.now();
  new MutationObserver((records) => {
    records.forEach((record, i) => {
      const now = i + 1 < records.length ? records[i + 1].oldValue : record.target.dataset.testScriptState;
      if (now === "running") window.digitdemoRuns += 1;
    });
    window.digitdemoRunChanged = performance.now();
  }).observe(document, {
    subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"],
  });
})()"""
# A run has started since wait_idle last returned, or is running (argument: RUNNING).
RUN_STARTED = "(running) => !!document.querySelector(running) || window.digitdemoRuns > window.digitdemoRunsSeen"
# The app idle and its run mark unchanged for `quiet` ms (argument: [IDLE, quiet]).
RUNS_QUIET = (
    "([idle, quiet]) => !!document.querySelector(idle) && performance.now() - window.digitdemoRunChanged >= quiet"
)
CANVAS = "canvas.upper-canvas"  # Fabric.js draws on the lower of its two canvases and listens on the upper one
CLEAR = ".st-key-draw_clear button"  # the page's Clear (the canvas's own toolbar is hidden: ui/measure.js)
# A "2" in three strokes, points as fractions of the canvas.
DIGIT_STROKES = [
    [(0.3, 0.3), (0.45, 0.2), (0.62, 0.25), (0.66, 0.4), (0.55, 0.55)],
    [(0.55, 0.55), (0.42, 0.67), (0.3, 0.78)],
    [(0.3, 0.78), (0.5, 0.78), (0.7, 0.78)],
]


@contextlib.contextmanager
def serve(
    script: str = "streamlit_app.py",
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    launcher: Sequence[str] = STREAMLIT,
    timeout: float = START_SECONDS,
    cwd: Path = ROOT,
) -> Iterator[Server]:
    """`<launcher> run script` headless on 127.0.0.1; yields once healthy; RuntimeError with the log if it never is."""
    with serve_many(1, script, ports=[port], env=env, launcher=launcher, timeout=timeout, cwd=cwd) as (server,):
        yield server


def canvas_points(box: dict, stroke: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Points as fractions of the canvas -> page coordinates inside its bounding `box`."""
    return [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in stroke]


def draw_stroke(page, stroke: Sequence[tuple[float, float]], steps: int = 4) -> None:
    """Draw one polyline (points as fractions of the canvas) with a sync Playwright page's mouse."""
    points = canvas_points(page.locator(CANVAS).first.bounding_box(), stroke)
    page.mouse.move(*points[0])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x, y, steps=steps)
    page.mouse.up()


def thumb_point(page, selector: str) -> tuple[float, float]:
    """The page point of a range input's thumb (its value's place along the track)."""
    slider = page.locator(selector)
    box = slider.bounding_box()
    low, high = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
    now = float(slider.input_value())
    thumb = 16  # px: Chromium's thumb; its centre runs from half a thumb inside each end
    x = box["x"] + thumb / 2 + (now - low) / (high - low) * (box["width"] - thumb)
    return x, box["y"] + box["height"] / 2


def new_context(browser, **options):
    """A browser context (Playwright's `new_context` options) whose pages count the app's script runs for
    wait_idle."""
    context = browser.new_context(**options)
    context.add_init_script(RUN_WATCH)
    return context


def wait_idle(page, timeout: float = 30_000, start_timeout: float = 2_000, quiet: float = 400) -> None:
    """Wait for the rerun the last action triggered to start (up to start_timeout ms; a loaded machine can be slow),
    then until Streamlit reports the script (or fragment) is not running.

    On a page of `new_context`, which counts the runs, a run that started (and perhaps ended) since the last
    wait_idle returned counts as started, so a quick run is not waited for start_timeout ms; after it, the page must
    stay idle for `quiet` ms (at most start_timeout), so that a run it causes in turn (the canvas's, once mounted) is
    waited for too."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    started = True
    try:
        page.wait_for_function(RUN_STARTED, arg=RUNNING, timeout=start_timeout, polling=50)
    except PlaywrightTimeoutError:
        started = False
    page.wait_for_selector(IDLE, timeout=timeout)
    if started and page.evaluate("() => window.digitdemoRuns !== undefined"):
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(RUNS_QUIET, arg=[IDLE, quiet], timeout=start_timeout, polling=50)
    page.evaluate("() => { window.digitdemoRunsSeen = window.digitdemoRuns; }")
