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


def wait_idle(page, timeout: float = 30_000, start_timeout: float = 2_000) -> None:
    """Wait for the rerun the last action triggered to start (up to start_timeout ms; a loaded machine can be slow),
    then until Streamlit reports the script (or fragment) is not running."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_selector(RUNNING, timeout=start_timeout)
    page.wait_for_selector(IDLE, timeout=timeout)
