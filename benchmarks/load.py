"""Load test: many concurrent sessions drawing and moving sliders against one local `streamlit run`.

Run from the repository root: `python benchmarks/load.py` (20 sessions for 60 s, 2 of them in Chromium; writes
benchmarks/results/load.md), `--sessions 5 --seconds 15 --no-write` for a quick look.

Most visitors speak Streamlit's own WebSocket protocol: they send the messages a browser tab sends after a stroke, a
tab click or a slider move (every widget's state, the stroke as the canvas's PNG) and read the server's answer, so
that twenty of them cost this machine little beside the server. `--browser-sessions` of them are Chromium pages that
draw with the mouse, for the latency a visitor sees, rendering included. Loopback only, every wait bounded by time.
Needs psutil, and Playwright with Chromium for the browser sessions. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python benchmarks/load.py`: the package lives beside this folder
    sys.path.insert(0, str(ROOT))

from testkit.protocol import (  # noqa: E402
    INTERACTION_MS,
    PAGE_LOAD_MS,
    SLIDERS,
    ProtocolClient,
    Run,
    canvas_state,
    expect_prediction,
    expect_tab,
    stream_options,
    stream_url,
    what_went_wrong,
)
from testkit.server import (  # noqa: E402
    CANVAS,
    CHROMIUM,
    CHROMIUM_ARGS,
    CLEAR,
    DIGIT_STROKES,
    IDLE,
    POST_SCRIPT_GC,
    VIEWPORT,
    canvas_points,
    serve,
)

RESULTS = ROOT / "benchmarks" / "results" / "load.md"
METHOD = [
    "Latency runs from an interaction to the end of the script run it caused, with its result. Protocol sessions",
    "time it from sending the widget states to the server's script_finished message, having checked the result",
    "(a Prediction after a stroke, none after a clear, the redrawn chart or canvas after a tab click or slider",
    "move). Chromium pages time it from just before the action (lifting the mouse after a stroke, a click, a",
    "key press on a slider) until the page has received script_finished and shows the app idle again, so their",
    "figures include the browser's work, Playwright's checks before a click and up to 10 ms of polling. Protocol",
    "clients declare no cached messages, so the server sends them every message in full, where a browser would get",
    "short references to messages it already holds: a little more work for the server than real visitors give it.",
    "Percentiles of the two Chromium page loads mean little.",
    "",
]
EXCEPTION = "[data-testid='stException']"
PREDICTION = "[data-testid='stMetric']"
PREDICTION_VALUE = "[data-testid='stMetricValue']"
MEMORY_EVERY = 0.5  # seconds between RSS samples of the server
POLL_SECONDS = 0.01  # how often a Chromium session looks for the end of a run
MB = 2**20
# Each visit opens the tabs of SLIDERS and moves the slider on each this often.
SLIDER_MOVES = 3
KINDS = ("stroke", "clear", "tab", "slider")


@dataclass
class Session:
    """What one simulated visitor did and saw."""

    browser: bool = False
    load_ms: float | None = None
    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    attempts: int = 0  # interactions tried, answered or not
    errors: list[str] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)  # the Prediction shown after each whole "2"


class VisitError(Exception):
    """A visit cannot go on; its error is already recorded."""


async def act(
    client: ProtocolClient,
    session: Session,
    kind: str,
    check: Callable[[Run], str | None],
    fragment_of: str | None = None,
) -> Run:
    """One interaction: its latency in `session`, or an error when the run fails, shows an exception or fails
    `check` (which returns what is wrong, or None). A run with no end in time is an error that ends the visit."""
    session.attempts += 1
    try:
        run = await asyncio.wait_for(client.rerun(fragment_of), INTERACTION_MS / 1000)
    except TimeoutError:
        session.errors.append(f"{kind}: no updated result within {INTERACTION_MS / 1000:.0f} s")
        raise VisitError from None
    problem = what_went_wrong(run, check)
    if problem:
        session.errors.append(f"{kind}: {problem}")
    else:
        session.latencies[kind].append(run.ms)
    return run


async def protocol_visit(url: str, seconds: float, think_seconds: float, seed: int) -> Session:
    """One visitor over the WebSocket, doing what `browser_visit` does with the mouse and keyboard."""
    session, rng = Session(), random.Random(seed)
    try:
        async with connect(stream_url(url), **stream_options(url), open_timeout=PAGE_LOAD_MS / 1000) as websocket:
            client = ProtocolClient(websocket)
            page = await asyncio.wait_for(client.load(), PAGE_LOAD_MS / 1000)
            problem = what_went_wrong(page, expect_tab("draw_canvas", None))
            if problem:
                session.errors.append(f"load: {problem}")
                return session
            session.load_ms = page.ms
            canvas = json.loads(page.widgets["draw_canvas"].json)
            drawings = [canvas_state(DIGIT_STROKES[: n + 1], canvas) for n in range(len(DIGIT_STROKES))]
            blank = canvas_state([], canvas)
            deadline = time.monotonic() + seconds
            step = 1
            while time.monotonic() < deadline:
                for drawing in drawings:
                    await think(rng, think_seconds)
                    client.set("draw_canvas", "json_value", drawing)
                    run = await act(client, session, "stroke", expect_prediction(True), "draw_canvas")
                session.readings.append(run.metrics.get("Prediction", "none"))
                await think(rng, think_seconds)
                client.set("draw_canvas", "json_value", blank)
                await act(client, session, "clear", expect_prediction(False), "draw_canvas")
                for tab, control, closed in SLIDERS:
                    await think(rng, think_seconds)
                    client.set("tabs", "string_value", tab)
                    run = await act(client, session, "tab", expect_tab(control.key, closed))
                    widgets = dict(run.widgets)
                    if control.key not in widgets or control.shows not in widgets:
                        raise VisitError  # the tab's check failed and is recorded: nothing here to move
                    value = control.value(widgets)
                    for _ in range(SLIDER_MOVES):
                        await think(rng, think_seconds)
                        value = control.step(widgets, value, step)
                        run = await act(client, session, "slider", control.move(client, widgets, value), control.key)
                        widgets.update(run.widgets)
                step = -step  # back and forth, cycle by cycle
    except VisitError:
        pass
    except Exception as exc:  # the visit broke off: one error, and what was measured so far still counts
        session.errors.append(f"visit ended: {type(exc).__name__}: {str(exc)[:160]}")
    return session


async def sample_usage(pid: int, usage: dict, stop: asyncio.Event) -> None:
    """Every MEMORY_EVERY s until `stop`: the server's RSS (MB) into usage['memory'], and the CPU seconds used so far
    by the server and by the browsers (every process this script started, other than the server) into usage."""
    server = psutil.Process(pid)
    start = sum(server.cpu_times()[:2])
    browsers: dict[int, float] = {}
    while not stop.is_set():
        usage["memory"].append(server.memory_info().rss / MB)
        usage["server_cpu"] = sum(server.cpu_times()[:2]) - start
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if child.pid != pid:
                    browsers[child.pid] = sum(child.cpu_times()[:2])
        usage["browser_cpu"] = sum(browsers.values())
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), MEMORY_EVERY)


class Wire:
    """What a page says on its WebSocket: when (time.perf_counter) it asked for a rerun and when a run ended."""

    def __init__(self, page) -> None:
        self.sent: list[float] = []
        self.finished: list[float] = []
        page.on("websocket", self.watch)

    def watch(self, websocket) -> None:
        websocket.on("framesent", self.on_sent)
        websocket.on("framereceived", self.on_received)

    def on_sent(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.sent.append(time.perf_counter())

    def on_received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes) and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished":
            self.finished.append(time.perf_counter())


async def settle(page, wire: Wire, kind: str, session: Session, action: float) -> None:
    """Wait for the end of the run that the action at `action` (time.perf_counter) caused, the first to end after the
    page's first rerun request since then, and for the page to show it. Records one outcome: the latency, or an
    error saying what the visitor saw (no rerun asked for, no end of the run, or an exception on the page)."""
    session.attempts += 1
    limit = f"within {INTERACTION_MS / 1000:.0f} s"
    deadline = action + INTERACTION_MS / 1000
    while True:
        asked = next((t for t in wire.sent if t > action), None)
        if asked is not None and any(t > asked for t in wire.finished):
            break
        if time.perf_counter() > deadline:
            why = "the server sent no end of the run" if asked else "the page asked for no rerun"
            session.errors.append(f"{kind}: no updated result {limit} ({why})")
            return
        await asyncio.sleep(POLL_SECONDS)
    try:
        await page.wait_for_selector(IDLE, timeout=max(deadline - time.perf_counter(), 0.001) * 1000)
    except Exception as exc:  # a timeout or a closed page: the visitor saw no result
        session.errors.append(f"{kind}: the page did not show the result {limit} ({type(exc).__name__})")
        return
    if await page.locator(EXCEPTION).count():
        session.errors.append(f"{kind}: the page shows an exception")
        return
    session.latencies[kind].append((time.perf_counter() - action) * 1000)


async def draw_stroke(page, stroke: list[tuple[float, float]]) -> float:
    """Draw `stroke` (points as fractions of the canvas) with the mouse; the time.perf_counter() of lifting it."""
    points = canvas_points(await page.locator(CANVAS).first.bounding_box(), stroke)
    await page.mouse.move(*points[0])
    await page.mouse.down()
    for x, y in points[1:]:
        await page.mouse.move(x, y, steps=4)
    action = time.perf_counter()
    await page.mouse.up()
    return action


async def think(rng: random.Random, seconds: float) -> None:
    """A visitor's pause between actions: uniform in 0.5x..1.5x `seconds`."""
    await asyncio.sleep(seconds * rng.uniform(0.5, 1.5))


async def browser_visit(browser, url: str, seconds: float, think_seconds: float, seed: int) -> Session:
    """One visitor in Chromium for `seconds`: draw a "2" stroke by stroke, clear, move sliders on two tabs; repeat."""
    session, rng = Session(browser=True), random.Random(seed)
    context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        page = await context.new_page()
        wire = Wire(page)
        start = time.perf_counter()
        await page.goto(url, timeout=PAGE_LOAD_MS)
        await page.locator(CANVAS).first.wait_for(state="visible", timeout=PAGE_LOAD_MS)
        await page.wait_for_selector(IDLE, timeout=PAGE_LOAD_MS)
        session.load_ms = (time.perf_counter() - start) * 1000
        deadline = time.monotonic() + seconds
        direction = "ArrowRight"
        while time.monotonic() < deadline:
            for stroke in DIGIT_STROKES:
                await think(rng, think_seconds)
                await settle(page, wire, "stroke", session, await draw_stroke(page, stroke))
            shown = page.locator(PREDICTION).filter(has_text="Prediction").locator(PREDICTION_VALUE)
            session.readings.append(await shown.first.inner_text() if await shown.count() else "none")
            await think(rng, think_seconds)
            action = time.perf_counter()
            await page.locator(CLEAR).first.click()
            await settle(page, wire, "clear", session, action)
            for tab, control, _ in SLIDERS:
                await think(rng, think_seconds)
                action = time.perf_counter()
                await page.get_by_role("tab", name=tab).click()
                await settle(page, wire, "tab", session, action)
                handle = page.locator(f".st-key-{control.handle} input[type='range']").first
                for _ in range(SLIDER_MOVES):
                    await think(rng, think_seconds)
                    await handle.focus()
                    action = time.perf_counter()
                    await page.keyboard.press(direction)
                    await settle(page, wire, "slider", session, action)
            direction = "ArrowLeft" if direction == "ArrowRight" else "ArrowRight"  # back and forth, cycle by cycle
    except Exception as exc:  # the visit broke off: one error, and what was measured so far still counts
        session.errors.append(f"visit ended: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await context.close()
    return session


def browser_seats(sessions: int, browsers: int) -> set[int]:
    """Which of the sessions' indices are Chromium pages: `browsers` of them, spread over the opening order."""
    return {round(i * sessions / browsers) for i in range(browsers)} if browsers else set()


async def run_load(url: str, pid: int, args: argparse.Namespace) -> dict:
    """Open args.sessions visitors (args.browser_sessions of them in Chromium), args.stagger s apart."""
    usage: dict = {"memory": [], "server_cpu": 0.0, "browser_cpu": 0.0}
    stop = asyncio.Event()
    own_cpu = sum(psutil.Process().cpu_times()[:2])
    async with contextlib.AsyncExitStack() as stack:
        browser = None
        if args.browser_sessions:
            from playwright.async_api import async_playwright

            playwright = await stack.enter_async_context(async_playwright())
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm_up = await protocol_visit(url, 0, 0, seed=-1)  # loads the data and model once, as any first visit would
        idle_mb = psutil.Process(pid).memory_info().rss / MB
        sampler = asyncio.create_task(sample_usage(pid, usage, stop))
        seats = browser_seats(args.sessions, args.browser_sessions)

        async def staggered(index: int) -> Session:
            await asyncio.sleep(index * args.stagger)
            visit = functools.partial(browser_visit, browser) if index in seats else protocol_visit
            return await visit(url, args.seconds, args.think, seed=index)

        started = time.perf_counter()
        sessions = await asyncio.gather(*(staggered(i) for i in range(args.sessions)))
        wall = time.perf_counter() - started
        stop.set()
        await sampler
    end_mb = psutil.Process(pid).memory_info().rss / MB
    return {
        "sessions": sessions,
        **usage,
        "client_cpu": sum(psutil.Process().cpu_times()[:2]) - own_cpu,
        "idle_mb": idle_mb,
        "end_mb": end_mb,
        "wall": wall,
        "first_load_ms": warm_up.load_ms,
        "warm_up_errors": warm_up.errors,
    }


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def latency_rows(sessions: list[Session], client: str) -> list[str]:
    """Table rows of `sessions`' latencies by kind of interaction, then all of them together."""
    rows, every = [], []
    for kind in KINDS:
        values = [v for s in sessions for v in s.latencies[kind]]
        every += values
        rows.append(latency_row(f"{kind}, {client}", values))
    rows.append(latency_row(f"**all interactions, {client}**", every))
    return rows


def latency_row(name: str, values: list[float]) -> str:
    return (
        f"| {name} | {len(values)} | {percentile(values, 50):.0f} | {percentile(values, 95):.0f} | "
        f"{max(values, default=float('nan')):.0f} |"
    )


def summary(result: dict, args: argparse.Namespace) -> str:
    """The figures as a Markdown table and notes."""
    sessions: list[Session] = result["sessions"]
    lines = ["| interaction -> updated result | count | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
    for browser, client, load in ((False, "protocol", "first script run"), (True, "Chromium", "page load to idle")):
        group = [s for s in sessions if s.browser == browser]
        if group:
            lines += [
                *latency_rows(group, client),
                latency_row(f"{load}, {client}", [s.load_ms for s in group if s.load_ms is not None]),
            ]
    attempts = sum(s.attempts for s in sessions)
    errors = [e for s in sessions for e in s.errors]
    readings = [r for s in sessions for r in s.readings]
    memory = result["memory"] or [float("nan")]
    lines += [
        "",
        f"- Errors: **{len(errors)}** (target 0) in {attempts} interactions tried"
        + (": " + "; ".join(sorted(set(errors))[:10]) if errors else "."),
        f'- The finished "2" was read as 2 in {readings.count("2")} of {len(readings)} drawings.',
        f"- First visit after the server started (cold: imports, data and model loaded): "
        f"{result['first_load_ms']:.0f} ms for the first script run; errors {len(result['warm_up_errors'])}.",
        f"- Server RSS: {result['idle_mb']:.0f} MB with the app loaded and no session open, peak {max(memory):.0f} MB, "
        f"{result['end_mb']:.0f} MB after all closed: {max(memory) - result['idle_mb']:.0f} MB of growth during the "
        f"run, at most {(max(memory) - result['idle_mb']) / max(len(sessions), 1):.1f} MB per session (Python keeps "
        "much of it for reuse after the sessions close).",
        f"- CPU time during the run: server {result['server_cpu']:.0f} s, "
        f"{1000 * result['server_cpu'] / max(attempts, 1):.0f} ms per interaction tried; this script "
        f"{result['client_cpu']:.0f} s (protocol clients, warm-up, driving Playwright); Chromium "
        f"{result['browser_cpu']:.0f} s; in {result['wall']:.0f} s of wall time on {os.cpu_count()} cores shared with "
        "other work.",
        f"- {len(sessions)} sessions ({args.browser_sessions} of them Chromium pages, one browser context each), "
        f"opened {args.stagger:g} s apart, each active for {args.seconds:g} s with pauses of {args.think:g} s on "
        f"average (0.5x-1.5x) between actions.",
    ]
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPU cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM; load average before the run "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="how long each session interacts")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a visitor's actions, s")
    parser.add_argument("--browser-sessions", type=int, default=2, help="how many of the sessions are Chromium pages")
    parser.add_argument("--stagger", type=float, default=1.0, help="seconds between sessions opening")
    parser.add_argument("--port", type=int, default=None, help="default: one the OS reports free")
    parser.add_argument("--no-write", action="store_true", help=f"print only; do not write {RESULTS.relative_to(ROOT)}")
    parser.add_argument(
        "--append", action="store_true", help="add this run to the results file instead of replacing it"
    )
    parser.add_argument(
        "--post-script-gc",
        action="store_true",
        help="for comparison: Streamlit's default full garbage collection after every run, which "
        ".streamlit/config.toml turns off",
    )
    args = parser.parse_args(argv)
    host = machine()
    with serve(port=args.port, env=POST_SCRIPT_GC if args.post_script_gc else None) as server:
        result = asyncio.run(run_load(server.url, server.proc.pid, args))
    command = "python benchmarks/load.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = "\n".join(
        [
            ("## Load test run" + (", Streamlit's default GC after every run" if args.post_script_gc else ""))
            if args.append
            else "# Load test",
            "",
            f"`{command.strip()}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
            "",
            f"Machine: {host}. The clients run on the same cores as the server.",
            "",
            *([] if args.append else METHOD),
            summary(result, args),
            "",
        ]
    )
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a" if args.append else "w") as out:
            out.write(("\n" if args.append else "") + text)
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
