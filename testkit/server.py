"""What the benchmarks and browser tests share: `streamlit run` on a free loopback port, healthy before use and
stopped after; how to launch Chromium here; the app's page selectors; and the test "2" drawn with the mouse."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
STREAMLIT = (sys.executable, "-m", "streamlit")
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, and this machine refuses every call.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
# Streamlit's default full garbage collection after every script run, which .streamlit/config.toml turns off: the
# environment that turns it back on, for the benchmarks' baselines.
POST_SCRIPT_GC = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"}
START_SECONDS = 120
POLL_SECONDS = 0.05  # fine enough for the cold-start figure
VIEWPORT = {"width": 1280, "height": 800}
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
CANVAS = "canvas.upper-canvas"  # Fabric.js draws on the lower of its two canvases and listens on the upper one
CLEAR = "button[aria-label='Reset canvas & history']"  # in the canvas component's toolbar
# A "2" in three strokes, points as fractions of the canvas.
DIGIT_STROKES = [
    [(0.3, 0.3), (0.45, 0.2), (0.62, 0.25), (0.66, 0.4), (0.55, 0.55)],
    [(0.55, 0.55), (0.42, 0.67), (0.3, 0.78)],
    [(0.3, 0.78), (0.5, 0.78), (0.7, 0.78)],
]


class Server(NamedTuple):
    """A running server: its process, URL and the time.time() it was launched."""

    proc: subprocess.Popen
    url: str
    started: float


def free_port() -> int:
    """A TCP port the OS reports free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    """True when Streamlit's health endpoint at `url` answers ok."""
    with contextlib.suppress(OSError):
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    return False


def log_tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:]


@contextlib.contextmanager
def serve(
    script: str = "streamlit_app.py",
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    launcher: Sequence[str] = STREAMLIT,
    timeout: float = START_SECONDS,
) -> Iterator[Server]:
    """`<launcher> run script` headless on 127.0.0.1; yields once healthy; RuntimeError with the log if it never is."""
    with serve_many(1, script, ports=[port], env=env, launcher=launcher, timeout=timeout) as (server,):
        yield server


@contextlib.contextmanager
def serve_many(
    count: int,
    script: str = "streamlit_app.py",
    *,
    ports: Sequence[int | None] | None = None,
    env: dict[str, str] | None = None,
    launcher: Sequence[str] = STREAMLIT,
    timeout: float = START_SECONDS,
) -> Iterator[list[Server]]:
    """`count` servers of `script` started at once (on `ports`, default free ones); yields once all are healthy and
    stops them all after, whether they still run or not; RuntimeError with a log if one never answers."""
    ports = [port or free_port() for port in (ports or [None] * count)]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        servers, logs = [], []
        for port in ports:
            command = [*launcher, "run", script,
                       "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                       "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]  # fmt: skip
            log = Path(tmp) / f"streamlit-{port}.log"
            with log.open("w") as out:
                started = time.time()
                proc = subprocess.Popen(
                    command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
                )
            stack.callback(stop, proc)
            servers.append(Server(proc, f"http://127.0.0.1:{port}", started))
            logs.append(log)
        deadline = time.monotonic() + timeout
        for server, log in zip(servers, logs, strict=True):
            while not healthy(server.url):
                if server.proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {server.proc.returncode}:\n{log_tail(log)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s:\n{log_tail(log)}")
                time.sleep(POLL_SECONDS)
        yield servers


def stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """Terminate `proc` and wait for it, killing it after `grace` s; nothing to do if it has ended."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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


def wait_idle(page, timeout: float = 30_000, start_timeout: float = 2_000) -> None:
    """Wait for the rerun the last action triggered to start (up to start_timeout ms; a loaded machine can be slow),
    then until Streamlit reports the script (or fragment) is not running."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_selector(RUNNING, timeout=start_timeout)
    page.wait_for_selector(IDLE, timeout=timeout)
