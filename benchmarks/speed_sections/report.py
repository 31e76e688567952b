"""The speed benchmark's report: the machine it ran on, the table of rows and the method, as Markdown."""

from __future__ import annotations

import contextlib
import math
import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from benchmarks.speed_sections.common import Report


def machine() -> dict[str, str]:
    """CPU, cores, memory, library versions and date of this run."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    described = {"cpu": cpu, "cores": str(os.cpu_count()), "os": platform.platform(terse=True)}
    with contextlib.suppress(ImportError):
        import psutil

        described["memory"] = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    described["python"] = platform.python_version()
    for package in ("numpy", "tensorflow", "keras", "streamlit", "plotly", "pillow", "scipy", "playwright"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            described[package] = metadata.version(package)
    described["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    described["load average at start (1 min)"] = f"{os.getloadavg()[0]:.2f}"
    return described


def fmt(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    digits = 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0
    return f"{value:.{digits}f} {unit}".strip()


def table(report: Report) -> str:
    lines = ["| measure | digitdemo | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for row in report.rows:
        baseline = f"{fmt(row.baseline, row.unit)} ({row.baseline_name})" if row.baseline is not None else ""
        ratio = f"{row.ratio:.1f}x" if row.ratio is not None and not math.isnan(row.ratio) else ""
        met = "" if row.met is None else "yes" if row.met else "**no**"
        lines.append(f"| {row.name} | {fmt(row.ours, row.unit)} | {baseline} | {ratio} | {row.target} | {met} |")
    notes = [f"- {row.name.strip()}: {row.note}" for row in report.rows if row.note]
    return "\n".join(lines + ([""] + notes if notes else []))


METHOD = """\
Method. Medians of repeated runs; except where said, each measure and its baseline alternate in the same run, so
both see the same load from other processes. Per stroke: a 280x280x4 uint8 canvas image (white "2" on black) through
the Draw tab's path (preprocess, NumpyModel.forward, softmax, ui.charts.probability_chart) against the same path
with the lab's Keras `model.predict`. Explanations: drawn digits (testkit.synth, seed 31) as RGBA canvases, each
through the prediction alone and the prediction plus every part of `digitdemo.explanation.Explanation` (robust
model, its training digits as neighbours, the picture resized without framing), in this thread's CPU time. Cold
start: from starting `streamlit run` (Chromium already open) until a new page shows the canvas and the script is
idle; the baseline is a temporary copy of streamlit_app.py with `import tensorflow` at its top. Memory: the server's
resident set after that first page, then after opening further sessions (each its own browser context) divided by
their number. Training: the lab's plain `model.fit` against `digitdemo.train.fit`, same data, batch 32, seeds and
epochs, each model's training errors counted. Server time per stroke and per slider move: a server started through
this script (`--serve-timed`) times Streamlit's own execution of every script or fragment run; a slider is moved
with the arrow key after the previous rerun ended; the baseline is a full page rerun (Streamlit's "r" shortcut). The
"whole server process" rows are means: the server process's CPU time over all the strokes or moves (receiving them,
the runs, Streamlit's work after each run, sending the results) divided by their number, read in the operating
system's 10 ms ticks (a full rerun is one rerun, so +-10 ms). Their baseline is a second server, started after the
first rather than alternating with it, with Streamlit's default `runner.postScriptGC = true`: a full garbage
collection after every run, which this app's .streamlit/config.toml turns off. Visitor: one timed server and one
Chromium browser context, warmed by a first page. Every page of it runs a recorder before its own scripts, on the
page's clock (performance.now(), from navigation start): the WebSocket's messages both ways (decoded afterwards as
Streamlit's BackMsg and ForwardMsg, for the rerun requests and the runs' ends), pointer releases, each batch of DOM
changes (a MutationObserver on the whole document) and the frame painted after them (requestAnimationFrame, then a
message posted from it, which comes once that frame is painted). An action is over when the page shows the app idle
(stApp's data-test-script-state notRunning) and neither the page nor the server's run log has changed for 0.5 s,
longer than the canvas's wait, so a value the canvas sends after a run is caught (a page load and the app's Clear
first wait for their two runs); only then does the next action start. An action counts only if it caused exactly one
rerun request, one server run and one run's end on the page (the note says how many did). The end of a run is read
from the messages and the DOM, not from the idle mark alone: a short run can start and end between two renders of
the page, so the mark may never read running (seen in page loads here: the canvas's run, which changes nothing else,
at times left no mark at all). "Page idle" is the frame painted after both the page's last change and the last run's
end. Page load: new pages of the warm context, from navigation start to the page idle: the canvas drawn and both
runs of a load (the page's, and the one the canvas asks for once mounted) ended. Stroke: the app's Clear, then a
digit drawn as a hand draws it (a 1, a 7 in two strokes, a 4 in two strokes, a 2 in one, in turn; one of each first,
untimed): each stroke 60-120 pointer moves spread over 0.5-1.5 s; the last stroke is timed, from the pen's pointerup
to the frame in which the Prediction's new text (digit and probability) is painted; split at the rerun request the
canvas sends (its fixed 200 ms wait, then the drawing). First stroke after a page load: a new page of the warm
context, its two load runs ended, then the first stroke of those digits, timed the same way. Slider: z0's thumb
dragged 24 px with the mouse, right then left, from the pointerup (the slider sends its value on release) to the
frame painted after the chart's last change (Plotly draws the chart anew, then resizes it); its first redraw is in
the note. With --baseline-tree, the old checkout's app is served too, in a browser context of its own, and every
stroke and first stroke is drawn on both apps in turn with the same pointer moves; the ratio is the median over those
pairs (each counted when both had one outcome). Page loads and slider drags have no baseline; beside every row are its
parts and the server's own run time from the timed log. The recorder's own time in the page is in the notes."""


def markdown(report: Report, command: str) -> str:
    described = "\n".join(f"- {key}: {value}" for key, value in report.details["machine"].items())
    return f"# Speed benchmark\n\n`{command}`\n\n{table(report)}\n\n## Machine\n\n{described}\n\n{METHOD}\n"
