"""What a visitor feels in Chromium on a warm server: a page load, a stroke, a slider move, on the page's clock."""

from __future__ import annotations

import contextlib
import functools
import math
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.speed_sections.common import APP, ROOT, Report, Row, Setting, median, spread
from benchmarks.speed_sections.recorder import (
    QUIET_FOR,
    VISITOR_RECORD,
    VISITOR_RECORDER,
    idle_painted,
    message_times,
    paint_after,
)
from benchmarks.speed_sections.servers import RunLog, serve_app
from digitdemo.i18n import message
from testkit.server import CANVAS, CLEAR, DIGIT_STROKES, IDLE, VIEWPORT, canvas_points, thumb_point

CANVAS_WAIT_MS = 200  # streamlit-drawable-canvas 0.13 sends a stroke this long after the pen is lifted (its sender)
QUIET_S = 0.5  # an action is over once page and server have been quiet this long: over the canvas's wait, so a
# value the canvas sends after a run (as it does once mounted, or after a clear) is seen before the next action
# A page load or the app's Clear runs the script, then once more when the canvas, (re)mounted, sends its value; the
# canvas's JavaScript can take longer than QUIET_S to load and start, so both wait for the two runs.
CANVAS_RUNS = 2
ACTION_SECONDS = 30  # a stroke or slider move with no quiet page by then has no outcome
PREDICTION_SHOWN = ".st-key-draw_verdict [data-testid='stMetric']"
SLIDER_THUMB = ".live .st-key-softmax_z0 input[type='range']"  # z0 on the Softmax explorer's live board
SLIDER_DRAG_PX = 24  # several of z0's 0.1 steps on a 1280 px wide page
# Digits as a hand draws them on a cleared canvas (a 7 and a 4 in two strokes), points as fractions of the canvas:
# the last stroke is timed, so that every timed stroke brings a new prediction (its probability, at least).
HAND_DIGITS = [
    [[(0.5, 0.15), (0.5, 0.85)]],
    [[(0.25, 0.2), (0.75, 0.2)], [(0.75, 0.2), (0.4, 0.85)]],
    [[(0.6, 0.15), (0.25, 0.6), (0.78, 0.6)], [(0.6, 0.35), (0.6, 0.88)]],
    [[point for stroke in DIGIT_STROKES for point in stroke]],
]
HAND_MOVES = (60, 120)  # pointer moves in one stroke, as a hand makes them
HAND_SECONDS = (0.5, 1.5)  # how long one stroke takes
# Installed in every page before its own scripts, on the page's clock (performance.now(), ms from navigation start):


def wait_quiet(page, log: RunLog, at_least: int = 1, timeout: float = 60) -> tuple[dict, list[dict]]:
    """Wait for `at_least` runs, then until the page shows the app idle and neither page nor server has done anything
    for QUIET_S; the page's record and the runs the server logged meanwhile."""
    runs: list[dict] = []
    deadline, quiet_since = time.monotonic() + timeout, time.monotonic()
    while True:
        fresh = log.new(wait_for=0)
        if fresh:
            runs.extend(fresh)
            quiet_since = time.monotonic()
        # Only the time since the page's last change is asked for meanwhile, so that asking costs the page little.
        quiet = (
            len(runs) >= at_least
            and time.monotonic() - quiet_since >= QUIET_S
            and page.evaluate(QUIET_FOR) >= QUIET_S * 1e3
        )
        if quiet and page.locator(IDLE).count():
            return page.evaluate(VISITOR_RECORD), runs
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page did not settle within {timeout:.0f} s ({len(runs)} of {at_least} runs)")
        time.sleep(0.05)


def visitor_action(page, log: RunLog, watch: str | None, act: Callable[[], None]) -> dict:
    """Milliseconds from the mouse released at the end of `act` to the rerun request sent, to the watched element's
    new text painted, to its last change painted and to the page's last change painted; the server's run time, the
    recorder's own time, and whether the action had exactly one outcome (one request, one run, one run's end, a new
    text after the request). With no `watch` (a live board, which draws its new values before the release), the new
    text is the run's end received: the server's values on screen."""
    page.evaluate("watch => window.__visitor.arm(watch)", watch)
    act()
    try:
        record, runs = wait_quiet(page, log, timeout=ACTION_SECONDS)
    except TimeoutError as exc:  # counted as an action without one outcome; a late run spoils the next one's count
        return {"one_outcome": False, "error": str(exc)}
    released = max(record["releases"])
    requests, ends = message_times(record)
    new_text = (
        [at for at, changed, _ in record["batches"] if changed and requests and at > requests[0]] if watch else ends
    )
    # The new text counts as a change of the element even when it came with the element replaced from outside.
    changes = [at for at, _, touched in record["batches"] if touched] + new_text[:1]
    one = len(requests) == len(runs) == len(ends) == 1 and bool(new_text)
    return {
        "one_outcome": one,
        "runs": len(runs),
        "requests": len(requests),
        "ends": len(ends),
        "sent": requests[0] - released if requests else math.nan,
        "ended": ends[0] - released if ends else math.nan,
        "text": paint_after(record["paints"], new_text[0]) - released if new_text else math.nan,
        "settled": paint_after(record["paints"], max(changes)) - released if changes else math.nan,
        "idle": idle_painted(record, ends) - released,
        "server_ms": runs[0]["ms"] if runs else math.nan,
        "recorder_ms": record["cost"],
    }


def visitor_load(context, url: str, log: RunLog) -> dict:
    """A new page of a warm browser context: milliseconds from navigation start to its last change painted (the
    canvas drawn and every run it caused ended), to the HTML received, DOMContentLoaded, the first and last rerun
    requests and runs' ends; its runs' count and server time, and whether each run's end reached the page."""
    page = context.new_page()
    page.goto(url)
    page.locator(CANVAS).first.wait_for(state="visible", timeout=120_000)
    record, runs = wait_quiet(page, log, CANVAS_RUNS)
    page.close()
    requests, ends = message_times(record)
    return {
        "ready": idle_painted(record, ends),
        "html": record["html"],
        "loaded": record["loaded"],
        "first_request": requests[0],
        "first_end": ends[0],
        "last_request": requests[-1],
        "last_end": ends[-1],
        "runs": len(runs),
        "ends": len(ends),
        "one_outcome": len(ends) == len(runs),
        "server_ms": sum(run["ms"] for run in runs),
        "recorder_ms": record["cost"],
    }


def drag_thumb(page, thumb: str, dx: float) -> None:
    """Drag the thumb of a range input (a selector) `dx` px sideways with the mouse and release it."""
    x, y = thumb_point(page, thumb)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=4)
    page.mouse.up()


def hand_stroke(page, stroke: list[tuple[float, float]], rng: random.Random) -> None:
    """Draw a polyline (points as fractions of the canvas) as a hand does: HAND_MOVES pointer moves evenly spaced
    along it, over HAND_SECONDS."""
    points = np.array(canvas_points(page.locator(CANVAS).first.bounding_box(), stroke))
    lengths = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    moves, seconds = rng.randint(*HAND_MOVES), rng.uniform(*HAND_SECONDS)
    along = np.linspace(0, lengths[-1], moves + 1)
    path = np.stack([np.interp(along, lengths, points[:, 0]), np.interp(along, lengths, points[:, 1])], axis=1)
    page.mouse.move(*path[0])
    page.mouse.down()
    for x, y in path[1:]:
        time.sleep(seconds / moves)
        page.mouse.move(x, y)
    page.mouse.up()


def hand_digit(page, log: RunLog, strokes: list, rng: random.Random) -> dict:
    """Every stroke but the last drawn and left to settle, then the last one timed (visitor_action)."""
    for stroke in strokes[:-1]:
        hand_stroke(page, stroke, rng)
        wait_quiet(page, log)
    return visitor_action(page, log, PREDICTION_SHOWN, functools.partial(hand_stroke, page, strokes[-1], rng))


def open_quiet(context, url: str, log: RunLog):
    """A new page of `context` on `url`, its load's runs ended and the canvas in view."""
    page = context.new_page()
    page.goto(url)
    wait_quiet(page, log, CANVAS_RUNS)
    page.locator(CANVAS).first.scroll_into_view_if_needed()
    return page


def drive_visitor(setting: Setting, browser, baseline_tree: Path | None = None) -> dict[str, list[dict]]:
    """One timed server and one browser context warmed by a first page: page loads, strokes on a cleared canvas,
    drags of the first Softmax explorer slider; every action measured on the page's clock. With `baseline_tree`, that
    checkout's app is served too, in a context of its own, and every stroke is drawn on both in turn, alike (kinds
    'old_stroke' and 'old_first_stroke')."""
    done: dict[str, list[dict]] = {kind: [] for kind in ("load", "stroke", "first_stroke", "slider")}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        trees = {"": ROOT, **({"old_": baseline_tree.resolve()} if baseline_tree is not None else {})}
        sites = {}
        for prefix, tree in trees.items():
            done |= {prefix + "stroke": [], prefix + "first_stroke": []}
            log = RunLog(Path(tmp) / f"{prefix}runs.jsonl")
            _, url, _ = stack.enter_context(serve_app(APP, log.path, tree=tree))
            context = browser.new_context(viewport=VIEWPORT, locale="en-US")
            stack.callback(context.close)
            context.add_init_script(VISITOR_RECORDER)
            visitor_load(context, url, log)  # the first visit warms the server and the browser's cache
            sites[prefix] = context, url, log
        context, url, log = sites[""]
        done["load"] = [visitor_load(context, url, log) for _ in range(setting.visitor_repeats)]

        def in_turn(i: int) -> list[str]:
            return list(sites)[:: 1 if i % 2 == 0 else -1]

        for i in range(setting.visitor_first_strokes):  # the first stroke of a page just loaded
            for prefix in in_turn(i):
                context, url, log = sites[prefix]
                page = open_quiet(context, url, log)
                strokes = HAND_DIGITS[i % len(HAND_DIGITS)][:1]
                done[prefix + "first_stroke"].append(hand_digit(page, log, strokes, random.Random(i)))
                page.close()
        pages = {prefix: open_quiet(context, url, log) for prefix, (context, url, log) in sites.items()}
        for i in range(setting.visitor_warmups + setting.visitor_repeats):
            for prefix in in_turn(i):
                page, log = pages[prefix], sites[prefix][2]
                page.locator(CLEAR).click()
                wait_quiet(page, log, CANVAS_RUNS)  # the click's run, then the one the emptied canvas asks for
                strokes = HAND_DIGITS[i % len(HAND_DIGITS)]
                done[prefix + "stroke"].append(hand_digit(page, log, strokes, random.Random(100 + i)))
        page, log = pages[""], sites[""][2]
        page.get_by_role("tab", name=message("en", "tabs.softmax")).click()
        wait_quiet(page, log)
        for i in range(setting.visitor_warmups + setting.visitor_repeats):
            # There and back, so that z0 stays near its start.
            dx = SLIDER_DRAG_PX if i % 2 == 0 else -SLIDER_DRAG_PX
            drag = functools.partial(drag_thumb, page, SLIDER_THUMB, dx)
            done["slider"].append(visitor_action(page, log, None, drag))
    for kind in ("stroke", "old_stroke", "slider"):
        if kind in done:
            done[kind] = done[kind][setting.visitor_warmups :]
    return done


def paired(done: dict[str, list[dict]], kind: str, key: str) -> float | None:
    """The median over the actions of `kind` drawn alike on both apps (each with one outcome on both) of the old
    app's `key` over ours ('rest': from the rerun request to the prediction on screen); None without a baseline."""
    if "old_" + kind not in done:
        return None

    def value(action: dict) -> float:
        return action["text"] - action["sent"] if key == "rest" else action[key]

    ratios = [
        value(theirs) / value(ours)
        for ours, theirs in zip(done[kind], done["old_" + kind], strict=True)
        if ours["one_outcome"] and theirs["one_outcome"]
    ]
    return median(ratios or [math.nan])


def bench_visitor(setting: Setting, report: Report, browser, baseline_tree: Path | None = None) -> None:
    """What a visitor feels in Chromium on a warm server: a page load to a ready canvas, a pen lifted to the new
    prediction on screen, a slider released to the server's values on screen; medians over the actions with exactly
    one outcome. With `baseline_tree`, the strokes beside the same strokes on that checkout's app, drawn in turn."""
    done = drive_visitor(setting, browser, baseline_tree)
    old = "" if baseline_tree is None else f"old code ({baseline_tree})"
    kept = {kind: [action for action in actions if action["one_outcome"]] for kind, actions in done.items()}

    def values(kind: str, key: str) -> list[float]:
        return [action[key] for action in kept[kind]]

    def med(kind: str, key: str) -> float:
        return median(values(kind, key) or [math.nan])

    def old_med(kind: str, key: str) -> float | None:
        """The old app's median for the same kind of action, None without a baseline."""
        return med("old_" + kind, key) if "old_" + kind in kept else None

    def note(kind: str, key: str, what: str) -> str:
        return (
            f"{len(kept[kind])} of {len(done[kind])} {what} had exactly one outcome; {spread(values(kind, key), 'ms')}"
            f"; the recorder's own time {med(kind, 'recorder_ms'):.1f} ms"
        )

    load = med("load", "ready") / 1e3
    report.rows.append(
        Row(
            "Visitor: warm page load -> canvas ready, script idle",
            load,
            "s",
            target="<= 1.2 s",
            met=load <= 1.2,
            note=f"{note('load', 'ready', 'loads')}; medians from navigation start: "
            f"HTML received {med('load', 'html'):.0f} ms, DOMContentLoaded {med('load', 'loaded'):.0f} "
            f"ms, first run requested {med('load', 'first_request'):.0f} ms and its end received "
            f"{med('load', 'first_end'):.0f} ms, last run (the canvas's) requested "
            f"{med('load', 'last_request'):.0f} ms and its end received {med('load', 'last_end'):.0f} "
            f"ms; {med('load', 'runs'):.0f} script runs per load",
        )
    )
    report.rows.append(Row("  of which the server runs the script (timed log)", med("load", "server_ms") / 1e3, "s"))
    rest = {kind: [action["text"] - action["sent"] for action in kept[kind]] for kind in kept if "stroke" in kind}
    stroke = med("stroke", "text")
    report.rows.append(
        Row(
            "Visitor: pen lifted -> new prediction on screen",
            stroke,
            "ms",
            old_med("stroke", "text"),
            old,
            "<= 250 ms",
            stroke <= 250,
            note=f"{note('stroke', 'text', 'strokes')}; medians from the pen "
            f"lifted: the run's end received {med('stroke', 'ended'):.0f} ms, the run's last change on "
            f"screen (page idle) {med('stroke', 'idle'):.0f} ms",
            paired_ratio=paired(done, "stroke", "text"),
        )
    )
    report.rows.append(
        Row(
            f"  of which the canvas waits ({CANVAS_WAIT_MS} ms) and sends: pen lifted -> rerun request",
            med("stroke", "sent"),
            "ms",
        )
    )
    above = median(rest["stroke"] or [math.nan])
    ratio = paired(done, "stroke", "rest")
    report.rows.append(
        Row(
            "  of which the rest: rerun request -> prediction on screen",
            above,
            "ms",
            median(rest["old_stroke"] or [math.nan]) if "old_stroke" in kept else None,
            old,
            "<= half the old" if "old_stroke" in kept else "",
            None if ratio is None else ratio >= 2,
            note=spread(rest["stroke"], "ms")
            + ("" if "old_stroke" not in kept else f"; old code: {spread(rest['old_stroke'], 'ms')}"),
            paired_ratio=ratio,
        )
    )
    report.rows.append(
        Row(
            "    the Draw fragment's whole run on the server (timed log)",
            med("stroke", "server_ms"),
            "ms",
            old_med("stroke", "server_ms"),
            old,
        )
    )
    first = med("first_stroke", "text")
    report.rows.append(
        Row(
            "Visitor: first stroke after a page load, pen lifted -> prediction on screen",
            first,
            "ms",
            old_med("first_stroke", "text"),
            old,
            "<= 300 ms",
            first <= 300,
            note=f"{note('first_stroke', 'text', 'first strokes')}; the canvas's wait and send "
            f"{med('first_stroke', 'sent'):.0f} ms, the Draw fragment's run {med('first_stroke', 'server_ms'):.0f} ms",
            paired_ratio=paired(done, "first_stroke", "text"),
        )
    )
    slider = med("slider", "settled")
    report.rows.append(
        Row(
            "Visitor: slider released -> the server's values on screen (softmax_z0 on the live board, mouse)",
            slider,
            "ms",
            target="<= 150 ms",
            met=slider <= 150,
            note=f"{note('slider', 'settled', 'drags')}; "
            f"medians from the release: the run's end received {med('slider', 'ended'):.0f} ms, the run's "
            f"last change on screen (page idle) {med('slider', 'idle'):.0f} ms; the board drew the bars before",
        )
    )
    report.rows.append(Row("  of which released -> rerun request", med("slider", "sent"), "ms"))
    report.rows.append(
        Row("    the Softmax fragment's whole run on the server (timed log)", med("slider", "server_ms"), "ms")
    )
    report.details["visitor"] = done
