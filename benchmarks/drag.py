"""Drag benchmark of the Softmax explorer in headless Chromium: pointer move -> bars painted during a drag (the live
board's frame after each input event), and pointer released -> server state synced (the address holds the new z),
beside the same release on another commit's app (default: the one before the live boards, whose sliders send their
value on release), the two served at once and dragged in turn.

Run from the repository root: `python benchmarks/drag.py` (about 2 minutes; writes benchmarks/results/drag.md),
`--baseline REV` for another commit, `--drags N` for more drags.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python benchmarks/drag.py`: the package lives beside this folder
    sys.path.insert(0, str(ROOT))

from testkit.server import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, serve_many, thumb_point, wait_idle  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "drag.md"
BASELINE = "93b1f77"  # the last commit whose explorers redraw only after a release
MOVES = 20  # pointer moves per drag
STEP_PX = 4  # px per move: a slow, small drag, as a student nudges a value
FRAME_MS = 16  # one frame at 60 Hz: the target for a move's paint
# z0's thumb: the live board's range input; the old page's Streamlit slider, whose value rides on its thumb.
THUMBS = {
    "live": ".live .st-key-softmax_z0 input[type='range']",
    "baseline": ".st-key-softmax_z0 [data-testid='stSliderThumbValue'] >> xpath=..",
}
RELEASE_JS = """() => document.addEventListener("pointerup", (e) => { window.benchReleasedAt = e.timeStamp; },
  { capture: true })"""
SYNCED_JS = """(before) => {
  const z = new URLSearchParams(location.search).get("z");
  if (z === null || z === before) return false;
  window.benchSyncedAt = performance.now();
  return true;
}"""


def address_z(page) -> str | None:
    return page.evaluate("new URLSearchParams(location.search).get('z')")


def drag(page, direction: int, live: bool) -> tuple[list[float], float]:
    """One drag of z0 by MOVES moves of STEP_PX px in `direction` (+1 right, -1 left) -> the live board's timings per
    move ({"painted", "work"} in ms; none on a page without it) and the release's time to the synced address (ms)."""
    thumb = page.locator(THUMBS["live" if live else "baseline"])
    box = thumb.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if live:  # the native input's thumb sits at its value along the track
        x, y = thumb_point(page, THUMBS["live"])
    before = address_z(page)
    page.evaluate("window.digitdemoLiveTimings = []")
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, MOVES + 1):
        page.mouse.move(x + direction * STEP_PX * step, y)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)))")
    painted = page.evaluate("window.digitdemoLiveTimings")
    page.mouse.up()
    page.wait_for_function(SYNCED_JS, arg=before, polling="raf", timeout=30_000)
    synced = page.evaluate("window.benchSyncedAt - window.benchReleasedAt")
    wait_idle(page)
    return painted, synced


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextlib.contextmanager
def baseline_tree(revision: str):
    """A temporary git worktree of `revision` (the data and models are shared with this one); removed after."""
    folder = Path(tempfile.mkdtemp(prefix="drag-baseline-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(folder), revision], cwd=ROOT, check=True, capture_output=True
    )
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="the commit to compare the release with")
    parser.add_argument("--drags", type=int, default=12, help="drags on each app")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    with baseline_tree(args.baseline) as old, contextlib.ExitStack() as stack:
        scripts = [str(ROOT / "streamlit_app.py"), str(old / "streamlit_app.py")]
        servers = [stack.enter_context(serve_many(1, script))[0] for script in scripts]
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = []
        for server in servers:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(f"{server.url}/?tab=softmax")
            page.locator(".st-key-softmax_z0").first.wait_for(state="visible", timeout=60_000)
            wait_idle(page, timeout=60_000)
            page.evaluate(RELEASE_JS)
            pages.append(page)
        timings, synced = [], {"live": [], "baseline": []}
        for number in range(args.drags):  # interleaved: the two apps share the machine's load
            direction = 1 if number % 2 == 0 else -1
            for name, page in zip(synced, pages, strict=True):
                times, release = drag(page, direction, live=name == "live")
                synced[name].append(release)
                if name == "live":
                    timings.extend(times)
        browser.close()
    load_after = os.getloadavg()
    painted, work = [timing["painted"] for timing in timings], [timing["work"] for timing in timings]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    rows = [
        (
            "Pointer move -> bars painted, during a drag (median)",
            f"{statistics.median(painted):.1f} ms",
            "none: the bars wait for the release",
            f"<= {FRAME_MS} ms",
        ),
        (
            "Pointer move -> bars painted, during a drag (95th percentile)",
            f"{percentile(painted, 0.95):.1f} ms",
            "",
            f"<= {FRAME_MS} ms",
        ),
        (
            "  of which the board's own script per move (median, 95th percentile)",
            f"{statistics.median(work):.2f} ms, {percentile(work, 0.95):.2f} ms",
            "",
            "",
        ),
        (
            "Pointer released -> server state synced, address holds z (median)",
            f"{statistics.median(synced['live']):.0f} ms",
            f"{statistics.median(synced['baseline']):.0f} ms",
            "",
        ),
    ]
    lines = [
        "# Drag benchmark",
        "",
        "`python benchmarks/drag.py`",
        "",
        f"Live boards at {head.strip()}, baseline {args.baseline} (sliders that send on release), both served at once "
        f"and dragged in turn: {args.drags} drags of z0 each, {MOVES} moves of {STEP_PX} px per drag "
        f"({len(painted)} moves timed). Load average (1, 5, 15 min) before {load_before[0]:.2f} {load_before[1]:.2f} "
        f"{load_before[2]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; "
        f"{os.cpu_count()} cores.",
        "",
        "| measure | live board | baseline | target |",
        "|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        "A move's time runs from the browser's input event (its timeStamp) to the end of the animation frame that "
        "paints the board's update (a message posted from that frame's callback, handled once it is done). A "
        "release's runs from the pointerup event to the first frame whose address holds the new z, after the "
        "server's rerun.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
