"""Server time per stroke and per slider move, from Streamlit itself (a timed server), and the whole server
process's CPU per action beside the same with Streamlit's default garbage collection after runs."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from benchmarks.speed_sections.common import APP, ROOT, Report, Row, Setting, median
from benchmarks.speed_sections.servers import RunLog, cpu_seconds, open_draw_tab, serve_app, settle, settle_quietly
from digitdemo.i18n import message
from testkit.server import CANVAS, DIGIT_STROKES, POST_SCRIPT_GC, draw_stroke

# Strokes drawn after the "2" when more are wanted.
EXTRA_STROKES = [[(0.2, 0.2 + 0.08 * i), (0.25, 0.25 + 0.08 * i)] for i in range(8)]


def move_slider(page, key: str, moves: int, log: RunLog) -> list[dict]:
    """Press the right arrow on slider `key` `moves` times, each after the last rerun ended; the runs they caused."""
    page.locator(f".st-key-{key}").first.scroll_into_view_if_needed()
    page.locator(f".st-key-{key} input[type='range']").first.focus()  # the live board's range input
    runs = []
    for _ in range(moves):
        page.keyboard.press("ArrowRight")
        runs.extend(settle(page, log))
    return runs


def drive_app(setting: Setting, browser, env: dict[str, str] | None = None, tree: Path = ROOT) -> dict:
    """One timed server (with `env`, of the checkout `tree`) and one page: strokes, slider moves, then full reruns.
    Each run's log entries, and the server process's whole CPU per action: receiving it, the run, Streamlit's work
    after it, the reply."""
    with tempfile.TemporaryDirectory() as tmp:
        log = RunLog(Path(tmp) / "runs.jsonl")
        with serve_app(APP, log.path, env, tree) as (proc, url, _):
            page = open_draw_tab(browser, url)
            driven = {"first_run": log.new(), "strokes": [], "sliders": {}, "full": [], "process_ms": {}}
            drawn = (DIGIT_STROKES + EXTRA_STROKES)[: max(setting.app_strokes, 1)]
            start = cpu_seconds(proc.pid)
            for stroke in drawn:
                draw_stroke(page, stroke)
                driven["strokes"].extend(settle(page, log))
            driven["process_ms"]["stroke"] = (cpu_seconds(proc.pid) - start) * 1000 / len(drawn)
            # The same strokes again with "Why this answer" open on its first view (the network and a unit's sum).
            why = page.get_by_text(message("en", "why.heading")).first
            why.click()
            settle_quietly(page, log)
            page.locator(CANVAS).first.scroll_into_view_if_needed()  # opening the expander may scroll the page
            driven["strokes_why"] = []
            start = cpu_seconds(proc.pid)
            for stroke in drawn:
                draw_stroke(page, stroke)
                driven["strokes_why"].extend(settle(page, log))
            driven["process_ms"]["stroke_why"] = (cpu_seconds(proc.pid) - start) * 1000 / len(drawn)
            why.click()
            settle_quietly(page, log)
            for tab, key in ((message("en", "tabs.softmax"), "softmax_z0"), (message("en", "tabs.relu"), "relu_w1")):
                page.get_by_role("tab", name=tab).click()
                settle_quietly(page, log)
                start = cpu_seconds(proc.pid)
                driven["sliders"][key] = move_slider(page, key, setting.slider_moves, log)
                driven["process_ms"][key] = (cpu_seconds(proc.pid) - start) * 1000 / max(setting.slider_moves, 1)
            full_process = []
            for _ in range(setting.full_reruns):  # the baseline: what a move would cost if it reran the page
                page.get_by_role("tab", name="Draw").click()
                page.locator("[data-testid='stMarkdown']").first.click()
                start = cpu_seconds(proc.pid)
                page.keyboard.press("r")  # Streamlit's rerun shortcut
                driven["full"].extend(settle(page, log))
                full_process.append((cpu_seconds(proc.pid) - start) * 1000)
            driven["process_ms"]["full"] = median(full_process or [math.nan])
            page.context.close()
    return driven


def bench_interaction(setting: Setting, report: Report, browser, baseline_tree: Path | None = None) -> None:
    """Server time of each run a stroke or a slider move causes, from Streamlit itself (a timed server), and the
    server process's whole CPU per action beside the same with Streamlit's default garbage collection after runs;
    with `baseline_tree`, the whole process's CPU per stroke beside that checkout's app's, driven just after."""
    ours = drive_app(setting, browser)
    if baseline_tree is not None:
        old = drive_app(setting, browser, tree=baseline_tree.resolve())
        report.rows.append(
            Row(
                "Whole server process CPU per stroke, in Chromium",
                ours["process_ms"]["stroke"],
                "ms",
                old["process_ms"]["stroke"],
                f"old code ({baseline_tree})",
                "<= a third of the old",
                ours["process_ms"]["stroke"] * 3 <= old["process_ms"]["stroke"],
                f"one session each, this app's then the old code's, {setting.app_strokes} strokes each; the Draw "
                f"fragment's own run {median([r['cpu_ms'] for r in ours['strokes']] or [math.nan]):.1f} ms against "
                f"{median([r['cpu_ms'] for r in old['strokes']] or [math.nan]):.1f} ms",
            )
        )
        report.details["interaction_baseline_process_ms"] = old["process_ms"]
    default_gc = drive_app(setting, browser, POST_SCRIPT_GC)
    full_runs = [r for r in ours["full"] if not r["fragment"]]
    full_cpu = median([r["cpu_ms"] for r in full_runs] or [math.nan])

    def summary(runs: list[dict], actions: int, what: str) -> str:
        wall = median([r["ms"] for r in runs] or [math.nan])
        full_wall = median([r["ms"] for r in full_runs] or [math.nan])
        fragments = sum(r["fragment"] for r in runs)
        return (
            f"{len(runs)} runs for {actions} {what}, {fragments} of them fragment runs; wall time {wall:.1f} ms "
            f"(full page rerun {full_wall:.1f} ms)"
        )

    def whole_process(name: str, action: str, note: str = "") -> Row:
        return Row(
            name, ours["process_ms"][action], "ms", default_gc["process_ms"][action], "GC after every run", note=note
        )

    strokes = ours["strokes"]
    report.rows.append(
        Row(
            "  in the app: Draw fragment per stroke, server CPU",
            median([r["cpu_ms"] for r in strokes] or [math.nan]),
            "ms",
            full_cpu,
            "full page rerun",
            note=summary(strokes, setting.app_strokes, "strokes"),
        )
    )
    report.rows.append(
        whole_process(
            "    whole server process CPU per stroke",
            "stroke",
            f"a full page rerun, for comparison: {ours['process_ms']['full']:.0f} ms "
            f"({default_gc['process_ms']['full']:.0f} ms with GC after every run)",
        )
    )
    closed = median([r["cpu_ms"] for r in strokes] or [math.nan])
    why_runs = ours["strokes_why"]
    why_cpu = median([r["cpu_ms"] for r in why_runs] or [math.nan])
    report.rows.append(
        Row(
            "  Why this answer open: Draw fragment per stroke, server CPU",
            why_cpu,
            "ms",
            closed,
            "explanations closed, same run",
            "<= 10 ms",
            why_cpu <= 10,
            summary(why_runs, setting.app_strokes, "strokes") + "; the whole server process: "
            f"{ours['process_ms']['stroke_why']:.0f} ms per stroke open against "
            f"{ours['process_ms']['stroke']:.0f} ms closed",
        )
    )
    for key, runs in ours["sliders"].items():
        cpu = median([r["cpu_ms"] for r in runs] or [math.nan])
        only_fragment = bool(runs) and all(r["fragment"] for r in runs)
        report.rows.append(
            Row(
                f"Slider move {key}: server CPU per move",
                cpu,
                "ms",
                full_cpu,
                "full page rerun",
                "<= 20 ms, fragment only",
                cpu <= 20 and only_fragment,
                summary(runs, setting.slider_moves, "moves"),
            )
        )
        report.rows.append(whole_process(f"    {key}: whole server process CPU per move", key))
    report.details["interaction"] = {
        "first_full_run_ms": [round(r["ms"], 1) for r in ours["first_run"]],
        "stroke_runs": strokes,
        "stroke_why_runs": why_runs,
        "slider_runs": ours["sliders"],
        "full_reruns": ours["full"],
        "process_ms": ours["process_ms"],
        "default_gc_process_ms": default_gc["process_ms"],
    }
