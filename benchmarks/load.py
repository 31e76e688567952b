"""Load test: many concurrent sessions drawing and moving sliders against one local `streamlit run`.

Run from the repository root: `python benchmarks/load.py` (20 sessions for 60 s; writes benchmarks/results/load.md),
`--sessions 5 --seconds 15 --no-write` for a quick look. Loopback only, ports 8641-8649; every loop is bounded by
time. Needs Playwright, Chromium and psutil. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python benchmarks/load.py`: the package lives beside this folder
    sys.path.insert(0, str(ROOT))

from benchmarks.streamlit_server import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "load.md"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CANVAS = "canvas.upper-canvas"  # Fabric.js listens on the upper of its two canvases
CLEAR = "button[aria-label='Reset canvas & history']"
EXCEPTION = "[data-testid='stException']"
PREDICTION = "[data-testid='stMetric']"
PAGE_LOAD_MS = 120_000
INTERACTION_MS = 30_000  # an interaction whose rerun has not finished by then counts as an error
MEMORY_EVERY = 0.5  # seconds between RSS samples of the server
MB = 2**20
# A "2" in three strokes, points as fractions of the canvas.
DIGIT_STROKES = [
    [(0.3, 0.3), (0.45, 0.2), (0.62, 0.25), (0.66, 0.4), (0.55, 0.55)],
    [(0.55, 0.55), (0.42, 0.67), (0.3, 0.78)],
    [(0.3, 0.78), (0.5, 0.78), (0.7, 0.78)],
]
SLIDERS = (("Softmax explorer", "softmax_z0"), ("Draw", "draw_pen_width"))
SLIDER_MOVES = 3
# Records, in the page's own clock (performance.now), each user action and each change of the script state.
WATCH_JS = """() => {
  if (window.__load) return;
  window.__load = {action: -1, states: []};
  const app = document.querySelector("[data-testid='stApp']");
  const record = () => window.__load.states.push([app.getAttribute("data-test-script-state"), performance.now()]);
  new MutationObserver(record).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  for (const kind of ["pointerup", "keydown"]) {
    window.addEventListener(kind, (event) => { window.__load.action = event.timeStamp; }, true);
  }
}"""
# True once a run started after the last action and the app went back to idle after it.
DONE_JS = """() => {
  const {action, states} = window.__load;
  if (action < 0) return false;
  const started = states.findIndex(([state, t]) => state === "running" && t >= action);
  return started >= 0 && states.slice(started).some(([state]) => state === "notRunning");
}"""
LATENCY_JS = """() => {
  const {action, states} = window.__load;
  const started = states.findIndex(([state, t]) => state === "running" && t >= action);
  const done = states.slice(started).find(([state]) => state === "notRunning");
  return done[1] - action;
}"""


@dataclass
class Session:
    """What one simulated visitor did and saw."""

    load_ms: float | None = None
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"stroke": [], "clear": [], "slider": []})
    errors: list[str] = field(default_factory=list)


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


async def settle(page, kind: str, session: Session) -> None:
    """Wait for the rerun the last action caused; record its latency, or an error if none finished in time."""
    try:
        await page.wait_for_function(DONE_JS, timeout=INTERACTION_MS, polling=50)
        session.latencies[kind].append(await page.evaluate(LATENCY_JS))
    except Exception as exc:  # a timeout or a closed page: the visitor saw no result
        session.errors.append(f"{kind}: no updated result within {INTERACTION_MS / 1000:.0f} s ({type(exc).__name__})")
    if await page.locator(EXCEPTION).count():
        session.errors.append(f"{kind}: the page shows an exception")


async def draw_stroke(page, stroke: list[tuple[float, float]]) -> None:
    box = await page.locator(CANVAS).first.bounding_box()
    points = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in stroke]
    await page.mouse.move(*points[0])
    await page.mouse.down()
    for x, y in points[1:]:
        await page.mouse.move(x, y, steps=4)
    await page.mouse.up()


async def think(rng: random.Random, seconds: float) -> None:
    """A visitor's pause between actions: uniform in 0.5x..1.5x `seconds`."""
    await asyncio.sleep(seconds * rng.uniform(0.5, 1.5))


async def visit(browser, url: str, seconds: float, think_seconds: float, seed: int) -> Session:
    """One visitor for `seconds`: draw a "2" stroke by stroke, check the prediction, clear, move sliders; repeat."""
    session, rng = Session(), random.Random(seed)
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    try:
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(url, timeout=PAGE_LOAD_MS)
        await page.locator(CANVAS).first.wait_for(state="visible", timeout=PAGE_LOAD_MS)
        await page.wait_for_selector(IDLE, timeout=PAGE_LOAD_MS)
        session.load_ms = (time.perf_counter() - start) * 1000
        await page.evaluate(WATCH_JS)
        deadline = time.monotonic() + seconds
        direction = "ArrowRight"
        while time.monotonic() < deadline:
            for stroke in DIGIT_STROKES:
                await think(rng, think_seconds)
                await draw_stroke(page, stroke)
                await settle(page, "stroke", session)
            if not await page.locator(PREDICTION).filter(has_text="Prediction").count():
                session.errors.append("stroke: no Prediction after a whole digit")
            await think(rng, think_seconds)
            await page.locator(CLEAR).first.click()
            await settle(page, "clear", session)
            for tab, key in SLIDERS:
                await page.get_by_role("tab", name=tab).click()
                handle = page.locator(f".st-key-{key} input[type='range']").first
                await handle.focus()
                for _ in range(SLIDER_MOVES):
                    await think(rng, think_seconds)
                    await page.keyboard.press(direction)
                    await settle(page, "slider", session)
                direction = "ArrowLeft" if direction == "ArrowRight" else "ArrowRight"
    except Exception as exc:  # the visit broke off: one error, and what was measured so far still counts
        session.errors.append(f"visit ended: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await context.close()
    return session


async def run_load(url: str, pid: int, args: argparse.Namespace) -> dict:
    """Open args.sessions visitors at once (staggered by args.stagger s) across args.browsers Chromiums."""
    from playwright.async_api import async_playwright

    usage: dict = {"memory": [], "server_cpu": 0.0, "browser_cpu": 0.0}
    stop = asyncio.Event()
    async with async_playwright() as playwright:
        browsers = [
            await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS) for _ in range(args.browsers)
        ]
        warm_up = await visit(browsers[0], url, 0, 0, seed=-1)  # loads the data and model once, as any visit would
        idle_mb = psutil.Process(pid).memory_info().rss / MB
        sampler = asyncio.create_task(sample_usage(pid, usage, stop))

        async def staggered(index: int) -> Session:
            await asyncio.sleep(index * args.stagger)
            return await visit(browsers[index % len(browsers)], url, args.seconds, args.think, seed=index)

        started = time.perf_counter()
        sessions = await asyncio.gather(*(staggered(i) for i in range(args.sessions)))
        wall = time.perf_counter() - started
        stop.set()
        await sampler
        for browser in browsers:
            await browser.close()
    end_mb = psutil.Process(pid).memory_info().rss / MB
    return {
        "sessions": sessions,
        **usage,
        "idle_mb": idle_mb,
        "end_mb": end_mb,
        "wall": wall,
        "first_load_ms": warm_up.load_ms,
        "warm_up_errors": warm_up.errors,
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def summary(result: dict, args: argparse.Namespace) -> str:
    """The figures as a Markdown table and notes."""
    sessions: list[Session] = result["sessions"]
    rows = []
    all_latencies = []
    for kind in ("stroke", "clear", "slider"):
        values = [v for s in sessions for v in s.latencies[kind]]
        all_latencies += values
        rows.append((kind, values))
    rows.append(("all interactions", all_latencies))
    loads = [s.load_ms for s in sessions if s.load_ms is not None]
    errors = [e for s in sessions for e in s.errors]
    lines = [
        "| interaction -> updated result | count | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, values in rows:
        lines.append(f"| {kind} | {len(values)} | {percentile(values, 50):.0f} | {percentile(values, 95):.0f} | "
                     f"{max(values, default=float('nan')):.0f} |")  # fmt: skip
    lines.append(f"| page load, app warm (to idle) | {len(loads)} | {percentile(loads, 50):.0f} | "
                 f"{percentile(loads, 95):.0f} | {max(loads, default=float('nan')):.0f} |")  # fmt: skip
    memory = result["memory"] or [float("nan")]
    lines += [
        "",
        f"- Errors: **{len(errors)}** (target 0) in {len(all_latencies)} interactions"
        + (": " + "; ".join(sorted(set(errors))[:10]) if errors else "."),
        f"- First visit after the server started (cold: imports, data and model loaded): "
        f"{result['first_load_ms']:.0f} ms to idle; errors {len(result['warm_up_errors'])}.",
        f"- Server RSS: {result['idle_mb']:.0f} MB with the app loaded and no session open, peak {max(memory):.0f} MB, "
        f"{result['end_mb']:.0f} MB after all closed; "
        f"{(max(memory) - result['idle_mb']) / max(len(sessions), 1):.1f} MB per concurrent session at the peak.",
        f"- CPU time during the run: server {result['server_cpu']:.0f} s, browsers {result['browser_cpu']:.0f} s, in "
        f"{result['wall']:.0f} s of wall time on {os.cpu_count()} cores shared with other work.",
        f"- {len(sessions)} sessions over {args.browsers} Chromium(s), one browser context each, opened "
        f"{args.stagger:g} s apart, each active for {args.seconds:g} s with pauses of {args.think:g} s on average "
        f"(0.5x-1.5x) between actions; wall time {result['wall']:.0f} s.",
    ]
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPU cores, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM; load average before the run "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="how long each session interacts")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a visitor's actions, s")
    parser.add_argument("--browsers", type=int, default=1, help="Chromium processes sharing the sessions")
    parser.add_argument("--stagger", type=float, default=0.25, help="seconds between sessions opening")
    parser.add_argument("--port", type=int, default=None, help="default: one the OS reports free")
    parser.add_argument("--no-write", action="store_true", help=f"print only; do not write {RESULTS.relative_to(ROOT)}")
    parser.add_argument(
        "--append", action="store_true", help="add this run to the results file instead of replacing it"
    )
    args = parser.parse_args(argv)
    host = machine()
    with serve(port=args.port) as server:
        result = asyncio.run(run_load(server.url, server.proc.pid, args))
    command = "python benchmarks/load.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = "\n".join([
        "## Load test run" if args.append else "# Load test",
        "",
        f"`{command.strip()}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {host}. The browsers run on the same cores as the server, so latencies include their rendering.",
        "",
        "Latency is measured in each page's own clock, from the user's action (pointer up after a stroke, a click,",
        "a key press on a slider) to the end of the script run it caused (the app back to idle with the new result).",
        "",
        summary(result, args),
        "",
    ])  # fmt: skip
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a" if args.append else "w") as out:
            out.write(("\n" if args.append else "") + text)
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
