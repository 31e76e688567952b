"""Speed benchmark: per-stroke latency, cold start, memory, training and slider moves, each beside its baseline, and
the speed a visitor feels in Chromium (page load, stroke, slider).

Run from the repository root: `python benchmarks/speed.py` (about 7 minutes; writes benchmarks/results/speed.md),
`--tiny` for a quick check that prints only, `--only stroke,training` for some sections. Needs Playwright, Chromium
and psutil for the browser sections.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python benchmarks/speed.py`: the package lives beside this folder
    sys.path.insert(0, str(ROOT))

from digitdemo.i18n import message  # noqa: E402
from testkit.server import (  # noqa: E402
    CANVAS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DIGIT_STROKES,
    IDLE,
    POST_SCRIPT_GC,
    STREAMLIT,
    VIEWPORT,
    Server,
    draw_stroke,
    serve,
)

RESULTS = ROOT / "benchmarks" / "results" / "speed.md"
APP = "streamlit_app.py"
SERVE_TIMED = "--serve-timed"  # internal: run Streamlit with every script and fragment run timed into a log
PROFILE_ENV = "DIGITDEMO_BENCH_PROFILE"  # a folder: the timed server also saves a pyinstrument profile of each run
SECTIONS = ("explain", "stroke", "training", "coldstart", "interaction", "visitor")
MB = 2**20
# Strokes drawn after the "2" when more are wanted.
EXTRA_STROKES = [[(0.2, 0.2 + 0.08 * i), (0.25, 0.25 + 0.08 * i)] for i in range(8)]


@dataclass(frozen=True)
class Setting:
    """How much to measure: the full run or the tiny one the tests use."""

    stroke_repeats: int = 300
    train_rows: int = 5000
    train_epochs: int = 40
    train_seeds: tuple[int, ...] = (1234, 1, 2)
    cold_repeats: int = 3
    extra_sessions: int = 4
    slider_moves: int = 10
    app_strokes: int = 8
    full_reruns: int = 5
    explain_per_class: int = 30  # drawn digits of each class timed with and without the explanations
    explain_repeats: int = 3
    visitor_repeats: int = 20  # page loads, strokes and slider moves a visitor makes, each timed
    visitor_warmups: int = 3  # strokes (one of each digit) and slider moves first made untimed: first runs fill caches


FULL = Setting()
TINY = Setting(stroke_repeats=10, train_rows=500, train_epochs=2, train_seeds=(1234,), cold_repeats=1,
               extra_sessions=1, slider_moves=2, app_strokes=1, full_reruns=1, explain_per_class=1,
               explain_repeats=1, visitor_repeats=2, visitor_warmups=1)  # fmt: skip
EXPLAIN_SEED = 31  # the drawings timed with explanations: any seed will do, fixed so reruns time the same inputs


@dataclass
class Row:
    """One line of the results table: our median, the baseline's, and the target."""

    name: str
    ours: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    paired_ratio: float | None = None  # median of baseline/ours over paired runs, when the runs come in pairs

    @property
    def ratio(self) -> float | None:
        if self.paired_ratio is not None:
            return self.paired_ratio
        return None if self.baseline is None or self.ours <= 0 else self.baseline / self.ours


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)


def median(values: list[float]) -> float:
    return float(statistics.median(values))


# ---------------------------------------------------------------- per stroke


def canvas_image(side: int = 280, pen: int = 22) -> object:
    """(side, side, 4) uint8 RGBA as the Draw tab's canvas returns it: white strokes on opaque black."""
    import numpy as np
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (side, side), (0, 0, 0, 255))
    pen_draw = ImageDraw.Draw(image)
    for stroke in DIGIT_STROKES:
        pen_draw.line([(x * side, y * side) for x, y in stroke], fill=(255, 255, 255, 255), width=pen, joint="curve")
    return np.asarray(image)


def time_calls(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Milliseconds of each call, `repeats` times, interleaved so that all see the same load from other processes."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, func in calls.items():
            start = time.perf_counter()
            func()
            times[name].append((time.perf_counter() - start) * 1e3)
    return times


def bench_stroke(setting: Setting, report: Report) -> None:
    """Canvas image -> preprocess -> forward -> softmax -> the Draw tab's chart dict, NumPy against Keras predict."""
    import numpy as np

    from digitdemo.activations import my_softmax
    from digitdemo.numpy_model import MODELS_DIR, load_model
    from digitdemo.preprocess import preprocess
    from ui.charts import probability_chart

    canvas = canvas_image()
    model = load_model("lab")
    x = preprocess(canvas)
    logits = model.forward(x).logits[0]

    def numpy_path() -> dict:
        x = preprocess(canvas)
        logits = model.forward(x).logits[0]
        return probability_chart(my_softmax(logits.astype(np.float64)))

    ours_figure = numpy_path()
    # Timed before TensorFlow is imported, as the server runs: TensorFlow's idle worker threads would compete for
    # the cores and slow NumPy down in a way the app never sees.
    times = time_calls({"numpy": numpy_path, "preprocess": lambda: preprocess(canvas),
                        "forward + softmax": lambda: my_softmax(model.forward(x).logits[0]),
                        "chart data": lambda: probability_chart(my_softmax(logits))}, setting.stroke_repeats)  # fmt: skip

    from digitdemo.keras_model import load_keras_model  # imports TensorFlow, as the lab does at start

    keras_model = load_keras_model(MODELS_DIR / "lab.keras")

    def keras_path() -> dict:
        x = preprocess(canvas)
        logits = keras_model.predict(x[None], verbose=0)[0]
        return probability_chart(my_softmax(logits.astype(np.float64)))

    theirs_figure = keras_path()  # warm-up; the two must show the same numbers
    assert ours_figure["data"][0]["text"] == theirs_figure["data"][0]["text"], "NumPy and Keras disagree"
    times |= time_calls({"keras": keras_path, "Keras predict alone": lambda: keras_model.predict(x[None], verbose=0)},
                        setting.stroke_repeats)  # fmt: skip
    ours, theirs = median(times["numpy"]), median(times["keras"])
    report.rows.append(Row("Per stroke: canvas -> numbers on screen", ours, "ms", theirs, "Keras model.predict",
                           "<= 5 ms and >= 20x", ours <= 5 and theirs / ours >= 20))  # fmt: skip
    for name in ("preprocess", "chart data"):
        report.rows.append(Row(f"  of which {name}", median(times[name]), "ms"))
    report.rows.append(Row("  of which the network: NumPy forward + softmax", median(times["forward + softmax"]), "ms",
                           median(times["Keras predict alone"]), "Keras model.predict alone"))  # fmt: skip
    report.details["stroke_ms"] = {k: round(median(v), 3) for k, v in times.items()}


def bench_explain(setting: Setting, report: Report) -> None:
    """Many drawn digits as canvas images: the prediction alone against the prediction plus every part of
    digitdemo.explanation's Explanation (robust model; the page computes only the view shown), interleaved in the same run;
    and the one-off cost of the neighbour index."""
    import numpy as np

    from digitdemo.activations import my_softmax
    from digitdemo.data import checksum, load_dataset
    from digitdemo.explanation import Explanation
    from digitdemo.neighbours import build_index, load_calibration, training_rows
    from digitdemo.numpy_model import load_model, load_record
    from digitdemo.preprocess import preprocess
    from testkit.synth import drawn_set

    model, dataset, record = load_model("robust"), load_dataset(), load_record("robust")
    start = time.perf_counter()
    index = build_index(model.weights, dataset.X, dataset.y, training_rows(record, dataset.y))
    build_ms = (time.perf_counter() - start) * 1e3
    calibration = load_calibration(record, checksum(dataset.X, dataset.y))
    drawings, _ = drawn_set(setting.explain_per_class, EXPLAIN_SEED)
    canvases = [np.dstack([d.image, d.image, d.image, np.full_like(d.image, 255)]) for d in drawings]

    def predict(canvas: np.ndarray) -> np.ndarray:
        return my_softmax(model.forward(preprocess(canvas)).logits[0])

    def every_part(canvas: np.ndarray, x: np.ndarray) -> tuple:
        explanation = Explanation(model.weights, x, index, calibration, canvas)
        return (explanation.versus(), explanation.graph, explanation.nearest, explanation.novelty,
                explanation.unframed_logits)  # fmt: skip

    def explained(canvas: np.ndarray) -> object:
        x = preprocess(canvas)
        return my_softmax(model.forward(x).logits[0]), every_part(canvas, x)

    inputs = [(canvas, preprocess(canvas)) for canvas in canvases]
    calls = {
        "plain": lambda canvas, x: predict(canvas),
        "explained": lambda canvas, x: explained(canvas),
        "bundle": every_part,
    }
    # CPU time of this thread, as the app rows count the server's CPU: on a shared machine the wall clock also
    # counts the moments other processes hold the cores (kept in the note).
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    wall: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(setting.explain_repeats):
        for canvas, x in inputs:
            for name, call in calls.items():
                start_wall, start_cpu = time.perf_counter(), time.thread_time()
                call(canvas, x)
                cpu[name].append((time.thread_time() - start_cpu) * 1e3)
                wall[name].append((time.perf_counter() - start_wall) * 1e3)
    ours, theirs, bundle = median(cpu["explained"]), median(cpu["plain"]), cpu["bundle"]
    report.rows.append(Row("Explanations per stroke: canvas -> prediction + every explanation part, CPU", ours, "ms", theirs,
                           "prediction alone", "<= 10 ms", ours <= 10,
                           f"{len(inputs)} drawn digits x {setting.explain_repeats}; the bundle alone: median "
                           f"{median(bundle):.2f} ms, 90th percentile {float(np.percentile(bundle, 90)):.2f} ms; "
                           f"wall clock medians {median(wall['explained']):.2f} ms vs {median(wall['plain']):.2f} ms "
                           f"(bundle {median(wall['bundle']):.2f} ms, 90th percentile "
                           f"{float(np.percentile(wall['bundle'], 90)):.2f} ms); neighbour index built once per model "
                           f"in {build_ms:.0f} ms"))  # fmt: skip
    report.rows.append(
        Row("  of which every part of the explanation (digitdemo.explanation.Explanation)", median(bundle), "ms")
    )
    report.details["explain_ms"] = (
        {f"{k} cpu": round(median(v), 3) for k, v in cpu.items()}
        | {f"{k} wall": round(median(v), 3) for k, v in wall.items()}
        | {"index_build": round(build_ms, 1)}
    )


# ---------------------------------------------------------------- training


def bench_training(setting: Setting, report: Report) -> None:
    """The lab's plain model.fit against digitdemo.train.fit: same data, recipe and seeds; time and training errors."""
    import keras

    from digitdemo.catalog import Recipe
    from digitdemo.data import load_dataset
    from digitdemo.keras_model import build_model, keras_weights
    from digitdemo.metrics import count_errors
    from digitdemo.numpy_model import NumpyModel
    from digitdemo.train import fit

    dataset = load_dataset()
    step = max(1, len(dataset.X) // setting.train_rows)
    X, y = dataset.X[::step], dataset.y[::step]

    def plain(seed: int, epochs: int) -> NumpyModel:
        keras.utils.set_random_seed(seed)
        model = build_model()
        model.fit(X, y, epochs=epochs, batch_size=32, verbose=0)
        return NumpyModel(keras_weights(model))

    def fast(seed: int, epochs: int) -> tuple[NumpyModel, int]:
        fired: list[int] = []
        model, _ = fit(X, y, Recipe(epochs=epochs, seed=seed), on_epoch=lambda e, n, loss, weights: fired.append(e))
        return NumpyModel(keras_weights(model)), len(fired)

    plain(0, 1), fast(0, 1)  # warm-up: TensorFlow's one-off start costs out of both
    runs = []
    for i, seed in enumerate(setting.train_seeds):
        seconds = {}
        for kind in ("plain", "fast") if i % 2 == 0 else ("fast", "plain"):  # either order, so order effects cancel
            start = time.perf_counter()
            if kind == "plain":
                baseline = plain(seed, setting.train_epochs)
            else:
                ours, fired = fast(seed, setting.train_epochs)
            seconds[kind] = time.perf_counter() - start
        plain_s, fast_s = seconds["plain"], seconds["fast"]
        runs.append({"seed": seed, "plain_s": round(plain_s, 2), "fast_s": round(fast_s, 2),
                     "plain_errors": count_errors(baseline, X, y), "fast_errors": count_errors(ours, X, y),
                     "epochs": setting.train_epochs, "on_epoch_calls": fired})  # fmt: skip
    ours_s, plain_s = median([r["fast_s"] for r in runs]), median([r["plain_s"] for r in runs])
    fewer = all(r["fast_errors"] <= r["plain_errors"] for r in runs)
    every_epoch = all(r["on_epoch_calls"] == r["epochs"] for r in runs)
    errors = ", ".join(f"seed {r['seed']}: {r['fast_errors']} vs {r['plain_errors']}" for r in runs)
    ratio = median([r["plain_s"] / r["fast_s"] for r in runs])
    report.rows.append(Row(f"Training, {len(X)} digits x {setting.train_epochs} epochs, batch 32", ours_s, "s", plain_s,
                           "plain model.fit", ">= 2x, errors no more", ratio >= 2 and fewer and every_epoch,
                           f"ratio is the median of the per-seed ratios; errors (ours vs plain) {errors}; "
                           f"on_epoch every epoch: {every_epoch}", ratio))  # fmt: skip
    report.details["training"] = runs


# ---------------------------------------------------------------- servers and browser


@contextlib.contextmanager
def serve_app(script: str, timed_log: Path | None = None, env: dict[str, str] | None = None) -> Iterator[Server]:
    """The app served as usual, or (with `timed_log`) under the wrapper that logs each script run's time; `env` adds
    to the server's environment."""
    launcher = STREAMLIT if timed_log is None else (sys.executable, str(Path(__file__).resolve()), SERVE_TIMED,
                                                    str(timed_log))  # fmt: skip
    env = {"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    with serve(script, launcher=launcher, env=env) as server:
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
def tensorflow_copy() -> Iterator[str]:
    """A temporary copy of the app with `import tensorflow` at its top, inside the repo; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=".bench-tf-", dir=ROOT))
    try:
        lines = (ROOT / APP).read_text().splitlines(keepends=True)
        # After any `from __future__` import, which must stay first.
        at = max((i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")), default=0)
        lines.insert(at, "import tensorflow  # the lab's way: TensorFlow loaded when the page starts\n")
        (folder / APP).write_text("".join(lines))
        yield str((folder / APP).relative_to(ROOT))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def cold_start_once(browser, script: str, extra_sessions: int, log: RunLog) -> dict[str, float]:
    """Seconds from `streamlit run` to the Draw tab ready (and the steps between), RSS after it, and RSS growth per
    further session."""
    log.path.unlink(missing_ok=True)
    log.seen = 0
    with serve_app(script, log.path) as (proc, url, started):
        healthy = time.time() - started
        pages = [open_draw_tab(browser, url)]
        ready = time.time() - started
        server_cpu = cpu_seconds(proc.pid)
        first_run = log.new()[0]
        time.sleep(0.5)
        first = rss(proc.pid)
        for _ in range(extra_sessions):
            pages.append(open_draw_tab(browser, url))
        time.sleep(0.5)
        after = rss(proc.pid)
        for page in pages:
            page.context.close()
    return {"server_up_s": healthy, "first_run_start_s": first_run["start"] - started,
            "first_run_s": first_run["ms"] / 1e3, "ready_s": ready, "server_cpu_s": server_cpu, "rss_first_mb": first,
            "per_session_mb": (after - first) / max(extra_sessions, 1)}  # fmt: skip


def bench_coldstart(setting: Setting, report: Report, browser) -> None:
    runs: dict[str, list[dict[str, float]]] = {"app": [], "tensorflow": []}
    with tensorflow_copy() as tf_script, tempfile.TemporaryDirectory() as tmp:
        log = RunLog(Path(tmp) / "runs.jsonl")
        for _ in range(setting.cold_repeats):  # alternated so that both see the same load
            runs["app"].append(cold_start_once(browser, APP, setting.extra_sessions, log))
            runs["tensorflow"].append(cold_start_once(browser, tf_script, setting.extra_sessions, log))

    def med(kind: str, key: str) -> float:
        return median([r[key] for r in runs[kind]])

    ready, tf_ready = med("app", "ready_s"), med("tensorflow", "ready_s")
    report.rows.append(Row("Cold start: streamlit run -> Draw tab ready", ready, "s", tf_ready,
                           "same app, TensorFlow imported at start", "<= 4 s", ready <= 4,
                           "; ".join(f"{kind}: server up {med(kind, 'server_up_s'):.2f} s, first script run from "
                                     f"{med(kind, 'first_run_start_s'):.2f} s taking {med(kind, 'first_run_s'):.2f} s, "
                                     f"server CPU until ready {med(kind, 'server_cpu_s'):.2f} s" for kind in runs)))  # fmt: skip
    first, tf_first = med("app", "rss_first_mb"), med("tensorflow", "rss_first_mb")
    report.rows.append(Row("Memory: server RSS after the first page", first, "MB", tf_first,
                           "same app, TensorFlow imported at start", "<= 300 MB", first <= 300))  # fmt: skip
    per, tf_per = med("app", "per_session_mb"), med("tensorflow", "per_session_mb")
    report.rows.append(Row(f"Memory: RSS growth per further session ({setting.extra_sessions} opened)", per, "MB",
                           tf_per, "same app, TensorFlow imported at start", "<= 10 MB", per <= 10))  # fmt: skip
    report.details["coldstart"] = {k: [{n: round(v, 3) for n, v in r.items()} for r in rs] for k, rs in runs.items()}


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


def move_slider(page, key: str, moves: int, log: RunLog) -> list[dict]:
    """Press the right arrow on slider `key` `moves` times, each after the last rerun ended; the runs they caused."""
    page.locator(f".st-key-{key}").first.scroll_into_view_if_needed()
    page.locator(f".st-key-{key} input[type='range']").first.focus()  # react-aria's visually hidden input
    runs = []
    for _ in range(moves):
        page.keyboard.press("ArrowRight")
        runs.extend(settle(page, log))
    return runs


def drive_app(setting: Setting, browser, env: dict[str, str] | None = None) -> dict:
    """One timed server (with `env`) and one page: strokes, slider moves, then full reruns. Each run's log entries,
    and the server process's whole CPU per action: receiving it, the run, Streamlit's work after it, the reply."""
    with tempfile.TemporaryDirectory() as tmp:
        log = RunLog(Path(tmp) / "runs.jsonl")
        with serve_app(APP, log.path, env) as (proc, url, _):
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


def bench_interaction(setting: Setting, report: Report, browser) -> None:
    """Server time of each run a stroke or a slider move causes, from Streamlit itself (a timed server), and the
    server process's whole CPU per action beside the same with Streamlit's default garbage collection after runs."""
    ours = drive_app(setting, browser)
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
        return Row(name, ours["process_ms"][action], "ms", default_gc["process_ms"][action], "GC after every run",
                   note=note)  # fmt: skip

    strokes = ours["strokes"]
    report.rows.append(Row("  in the app: Draw fragment per stroke, server CPU", median([r["cpu_ms"] for r in strokes]
                           or [math.nan]), "ms", full_cpu, "full page rerun",
                           note=summary(strokes, setting.app_strokes, "strokes")))  # fmt: skip
    report.rows.append(whole_process("    whole server process CPU per stroke", "stroke",
                                     f"a full page rerun, for comparison: {ours['process_ms']['full']:.0f} ms "
                                     f"({default_gc['process_ms']['full']:.0f} ms with GC after every run)"))  # fmt: skip
    closed = median([r["cpu_ms"] for r in strokes] or [math.nan])
    why_runs = ours["strokes_why"]
    why_cpu = median([r["cpu_ms"] for r in why_runs] or [math.nan])
    report.rows.append(Row("  Why this answer open: Draw fragment per stroke, server CPU", why_cpu, "ms",
                           closed, "explanations closed, same run", "<= 10 ms", why_cpu <= 10,
                           summary(why_runs, setting.app_strokes, "strokes") + "; the whole server process: "
                           f"{ours['process_ms']['stroke_why']:.0f} ms per stroke open against "
                           f"{ours['process_ms']['stroke']:.0f} ms closed"))  # fmt: skip
    for key, runs in ours["sliders"].items():
        cpu = median([r["cpu_ms"] for r in runs] or [math.nan])
        only_fragment = bool(runs) and all(r["fragment"] for r in runs)
        report.rows.append(Row(f"Slider move {key}: server CPU per move", cpu, "ms", full_cpu, "full page rerun",
                               "<= 20 ms, fragment only", cpu <= 20 and only_fragment,
                               summary(runs, setting.slider_moves, "moves")))  # fmt: skip
        report.rows.append(whole_process(f"    {key}: whole server process CPU per move", key))
    report.details["interaction"] = {"first_full_run_ms": [round(r["ms"], 1) for r in ours["first_run"]],
                                     "stroke_runs": strokes, "stroke_why_runs": why_runs, "slider_runs": ours["sliders"], "full_reruns": ours["full"],
                                     "process_ms": ours["process_ms"], "default_gc_process_ms": default_gc["process_ms"]}  # fmt: skip


def settle_quietly(page, log: RunLog) -> None:
    """Wait for idle and forget any run a tab click may have caused."""
    page.wait_for_selector(IDLE, timeout=60_000)
    time.sleep(0.3)
    log.new(wait_for=0)


# ---------------------------------------------------------------- what a visitor feels


CANVAS_WAIT_MS = 200  # streamlit-drawable-canvas 0.13 sends a stroke this long after the pen is lifted (its sender)
QUIET_S = 0.5  # an action is over once page and server have been quiet this long: over the canvas's wait, so a
# value the canvas sends after a run (as it does once mounted, or after a clear) is seen before the next action
# A page load or the app's Clear runs the script, then once more when the canvas, (re)mounted, sends its value; the
# canvas's JavaScript can take longer than QUIET_S to load and start, so both wait for the two runs.
CANVAS_RUNS = 2
ACTION_SECONDS = 30  # a stroke or slider move with no quiet page by then has no outcome
APP_CLEAR = ".st-key-draw_clear button"
PREDICTION_SHOWN = ".st-key-draw_verdict [data-testid='stMetric']"
SOFTMAX_CHART = ".st-key-softmax_chart"
SLIDER_THUMB = ".st-key-softmax_z0 [data-testid='stSliderThumbValue'] >> xpath=.."  # the value rides on the thumb
SLIDER_DRAG_PX = 24  # several of z0's 0.1 steps on a 1280 px wide page
# Digits drawn in one stroke each on a cleared canvas, so that every stroke brings a prediction where there was none.
ONE_STROKE_DIGITS = [
    [(0.5, 0.15), (0.5, 0.85)],
    [(0.25, 0.2), (0.75, 0.2), (0.4, 0.85)],
    [point for stroke in DIGIT_STROKES for point in stroke],
]
# Installed in every page before its own scripts, on the page's clock (performance.now(), ms from navigation start):
# each WebSocket message (small ones whole, for their type) and each sent message, each pointer release,
# each batch of DOM changes (whether it changed the watched element's text or touched it), and paints: (a frame's
# start, after it was painted), the first frame after every change or message so far.
VISITOR_RECORDER = """(() => {
  const rec = window.__visitor = {watch: null, batches: [], paints: [], messages: [], sends: [], releases: [], last: 0,
                                   cost: 0};
  const encode = (data) => {
    let text = "";
    for (const byte of new Uint8Array(data)) text += String.fromCharCode(byte);
    return btoa(text);
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        rec.last = performance.now();
        rec.messages.push([rec.last, event.data.byteLength <= 256 ? encode(event.data) : ""]);
        painted();
      });
    }
    send(data) {
      rec.sends.push([performance.now(), encode(data)]);
      return super.send(data);
    }
  };
  addEventListener("pointerup", (event) => rec.releases.push(event.timeStamp), true);
  let pending = false;
  function painted() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      const asOf = performance.now();
      const channel = new MessageChannel();  // its message comes once the frame is painted
      channel.port1.onmessage = () => {
        pending = false;
        rec.paints.push([asOf, performance.now()]);
        if (rec.last > asOf) painted();
      };
      channel.port2.postMessage(null);
    });
  }
  const watched = () => (rec.watch ? document.querySelector(rec.watch) : null);
  let text = null;
  new MutationObserver((mutations) => {
    const start = rec.last = performance.now();
    const element = watched();
    const now = element ? element.textContent : null;
    // The element itself changes only as a whole is replaced (childList): its other changes are Streamlit's marks.
    const touched = !!element && mutations.some((mutation) => element.contains(mutation.target)
      && (mutation.target !== element || mutation.type === "childList"));
    rec.batches.push([rec.last, now !== text && !!now, touched]);
    text = now;
    painted();
    rec.cost += performance.now() - start;
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  rec.arm = (watch) => {
    rec.watch = watch;
    text = watched()?.textContent ?? null;
    for (const list of [rec.batches, rec.paints, rec.messages, rec.sends, rec.releases]) list.length = 0;
    rec.cost = 0;
  };
})();"""
QUIET_FOR = "() => performance.now() - window.__visitor.last"  # ms since the page last changed or got a message
VISITOR_RECORD = """() => {
  const rec = window.__visitor, [navigation] = performance.getEntriesByType("navigation");
  return {batches: rec.batches, paints: rec.paints, messages: rec.messages,
          sends: rec.sends, releases: rec.releases, cost: rec.cost, html: navigation.responseEnd,
          loaded: navigation.domContentLoadedEventEnd};
}"""


def paint_after(paints: list[list[float]], at: float) -> float:
    """Page ms at which the first frame begun at or after `at` had been painted; NaN if none was."""
    return min((painted for begun, painted in paints if begun >= at), default=math.nan)


def idle_painted(record: dict, ends: list[float]) -> float:
    """Page ms of the first frame painted after both the page's last DOM change and the last run's end it received:
    a run that changes nothing on the page may not even flip the idle mark, so its end message is all it leaves."""
    last = [at for at, _, _ in record["batches"][-1:]] + ends
    return paint_after(record["paints"], max(last)) if last else math.nan


def message_times(record: dict) -> tuple[list[float], list[float]]:
    """(page ms of each rerun request the page sent, page ms of each run's end it received), from the messages'
    bytes decoded as Streamlit's BackMsg and ForwardMsg."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    requests = [at for at, data in record["sends"]
                if BackMsg.FromString(base64.b64decode(data)).WhichOneof("type") == "rerun_script"]  # fmt: skip
    ends = [at for at, data in record["messages"]
            if data and ForwardMsg.FromString(base64.b64decode(data)).WhichOneof("type") == "script_finished"]  # fmt: skip
    return requests, ends


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


def visitor_action(page, log: RunLog, watch: str, act: Callable[[], None]) -> dict:
    """Milliseconds from the mouse released at the end of `act` to the rerun request sent, to the watched element's
    new text painted, to its last change painted and to the page's last change painted; the server's run time, the
    recorder's own time, and whether the action had exactly one outcome (one request, one run, one run's end, a new
    text after the request)."""
    page.evaluate("watch => window.__visitor.arm(watch)", watch)
    act()
    try:
        record, runs = wait_quiet(page, log, timeout=ACTION_SECONDS)
    except TimeoutError as exc:  # counted as an action without one outcome; a late run spoils the next one's count
        return {"one_outcome": False, "error": str(exc)}
    released = max(record["releases"])
    requests, ends = message_times(record)
    new_text = [at for at, changed, _ in record["batches"] if changed and requests and at > requests[0]]
    # The new text counts as a change of the element even when it came with the element replaced from outside.
    changes = [at for at, _, touched in record["batches"] if touched] + new_text[:1]
    one = len(requests) == len(runs) == len(ends) == 1 and bool(new_text)
    return {"one_outcome": one, "runs": len(runs), "requests": len(requests), "ends": len(ends),
            "sent": requests[0] - released if requests else math.nan,
            "ended": ends[0] - released if ends else math.nan,
            "text": paint_after(record["paints"], new_text[0]) - released if new_text else math.nan,
            "settled": paint_after(record["paints"], max(changes)) - released if changes else math.nan,
            "idle": idle_painted(record, ends) - released,
            "server_ms": runs[0]["ms"] if runs else math.nan, "recorder_ms": record["cost"]}  # fmt: skip


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
    return {"ready": idle_painted(record, ends), "html": record["html"],
            "loaded": record["loaded"], "first_request": requests[0], "first_end": ends[0],
            "last_request": requests[-1], "last_end": ends[-1], "runs": len(runs), "ends": len(ends),
            "one_outcome": len(ends) == len(runs), "server_ms": sum(run["ms"] for run in runs),
            "recorder_ms": record["cost"]}  # fmt: skip


def drag_thumb(page, thumb, dx: float) -> None:
    """Drag a slider's thumb (a locator) `dx` px sideways with the mouse and release it."""
    box = thumb.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=4)
    page.mouse.up()


def drive_visitor(setting: Setting, browser) -> dict[str, list[dict]]:
    """One timed server and one browser context warmed by a first page: page loads, strokes on a cleared canvas,
    drags of the first Softmax explorer slider; every action measured on the page's clock."""
    done: dict[str, list[dict]] = {"load": [], "stroke": [], "slider": []}
    with tempfile.TemporaryDirectory() as tmp:
        log = RunLog(Path(tmp) / "runs.jsonl")
        with serve_app(APP, log.path) as (_, url, _):
            context = browser.new_context(viewport=VIEWPORT, locale="en-US")
            context.add_init_script(VISITOR_RECORDER)
            visitor_load(context, url, log)  # the first visit warms the server and the browser's cache
            done["load"] = [visitor_load(context, url, log) for _ in range(setting.visitor_repeats)]
            page = context.new_page()
            page.goto(url)
            wait_quiet(page, log, CANVAS_RUNS)
            page.locator(CANVAS).first.scroll_into_view_if_needed()
            for i in range(setting.visitor_warmups + setting.visitor_repeats):
                page.locator(APP_CLEAR).click()
                wait_quiet(page, log, CANVAS_RUNS)  # the click's run, then the one the emptied canvas asks for
                draw = functools.partial(draw_stroke, page, ONE_STROKE_DIGITS[i % len(ONE_STROKE_DIGITS)])
                done["stroke"].append(visitor_action(page, log, PREDICTION_SHOWN, draw))
            page.get_by_role("tab", name=message("en", "tabs.softmax")).click()
            wait_quiet(page, log)
            thumb = page.locator(SLIDER_THUMB).first
            for i in range(setting.visitor_warmups + setting.visitor_repeats):
                # There and back, so that z0 stays near its start.
                drag = functools.partial(drag_thumb, page, thumb, SLIDER_DRAG_PX if i % 2 == 0 else -SLIDER_DRAG_PX)
                done["slider"].append(visitor_action(page, log, SOFTMAX_CHART, drag))
            context.close()
    done["stroke"] = done["stroke"][setting.visitor_warmups :]
    done["slider"] = done["slider"][setting.visitor_warmups :]
    return done


def spread(values: list[float], unit: str) -> str:
    """'middle half a-b, all c-d <unit>': the 25th to 75th percentile and the extremes."""
    if not values:
        return "none measured"
    low, high = statistics.quantiles(values, n=4, method="inclusive")[::2] if len(values) > 1 else values * 2
    return f"middle half {low:.0f}-{high:.0f}, all {min(values):.0f}-{max(values):.0f} {unit}"


def bench_visitor(setting: Setting, report: Report, browser) -> None:
    """What a visitor feels in Chromium on a warm server: a page load to a ready canvas, a pen lifted to the new
    prediction on screen, a slider released to its redrawn chart; medians over the actions with exactly one outcome."""
    done = drive_visitor(setting, browser)
    kept = {kind: [action for action in actions if action["one_outcome"]] for kind, actions in done.items()}

    def values(kind: str, key: str) -> list[float]:
        return [action[key] for action in kept[kind]]

    def med(kind: str, key: str) -> float:
        return median(values(kind, key) or [math.nan])

    def note(kind: str, key: str, what: str) -> str:
        return (f"{len(kept[kind])} of {len(done[kind])} {what} had exactly one outcome; {spread(values(kind, key), 'ms')}"
                f"; the recorder's own time {med(kind, 'recorder_ms'):.1f} ms")  # fmt: skip

    load = med("load", "ready") / 1e3
    report.rows.append(Row("Visitor: warm page load -> canvas ready, script idle", load, "s", target="<= 1.2 s",
                           met=load <= 1.2, note=f"{note('load', 'ready', 'loads')}; medians from navigation start: "
                           f"HTML received {med('load', 'html'):.0f} ms, DOMContentLoaded {med('load', 'loaded'):.0f} "
                           f"ms, first run requested {med('load', 'first_request'):.0f} ms and its end received "
                           f"{med('load', 'first_end'):.0f} ms, last run (the canvas's) requested "
                           f"{med('load', 'last_request'):.0f} ms and its end received {med('load', 'last_end'):.0f} "
                           f"ms; {med('load', 'runs'):.0f} script runs per load"))  # fmt: skip
    report.rows.append(Row("  of which the server runs the script (timed log)", med("load", "server_ms") / 1e3, "s"))
    rest = [action["text"] - action["sent"] for action in kept["stroke"]]
    stroke = med("stroke", "text")
    report.rows.append(Row("Visitor: pen lifted -> new prediction on screen", stroke, "ms", target="<= 300 ms",
                           met=stroke <= 300, note=f"{note('stroke', 'text', 'strokes')}; medians from the pen "
                           f"lifted: the run's end received {med('stroke', 'ended'):.0f} ms, the run's last change on "
                           f"screen (page idle) {med('stroke', 'idle'):.0f} ms"))  # fmt: skip
    report.rows.append(Row(f"  of which the canvas waits ({CANVAS_WAIT_MS} ms) and sends: pen lifted -> rerun request",
                           med("stroke", "sent"), "ms"))  # fmt: skip
    report.rows.append(Row("  of which the rest: rerun request -> prediction on screen", median(rest or [math.nan]),
                           "ms", note=spread(rest, "ms")))  # fmt: skip
    report.rows.append(Row("    the Draw fragment's whole run on the server (timed log)", med("stroke", "server_ms"),
                           "ms"))  # fmt: skip
    slider = med("slider", "settled")
    report.rows.append(Row("Visitor: slider released -> updated chart on screen (softmax_z0, mouse)", slider, "ms",
                           target="<= 150 ms", met=slider <= 150, note=f"{note('slider', 'settled', 'drags')}; "
                           f"medians from the release: the run's end received {med('slider', 'ended'):.0f} ms, the "
                           f"chart's first redraw on screen {med('slider', 'text'):.0f} ms, the run's last change on "
                           f"screen (page idle) {med('slider', 'idle'):.0f} ms"))  # fmt: skip
    report.rows.append(Row("  of which released -> rerun request", med("slider", "sent"), "ms"))
    report.rows.append(Row("    the Softmax fragment's whole run on the server (timed log)", med("slider", "server_ms"),
                           "ms"))  # fmt: skip
    report.details["visitor"] = done


def serve_timed(log_path: str, streamlit_args: list[str]) -> None:
    """Run Streamlit's command line with every script or fragment run's duration appended to `log_path`."""
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import cli

    original = script_runner.exec_func_with_error_handling
    profile_dir = os.environ.get(PROFILE_ENV)

    def timed(func: Callable, ctx) -> object:
        profiler = None
        if profile_dir:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
        start, started, cpu = time.perf_counter(), time.time(), time.thread_time()
        try:
            return original(func, ctx)
        finally:
            entry = {"ms": (time.perf_counter() - start) * 1e3, "cpu_ms": (time.thread_time() - cpu) * 1e3,
                     "fragment": bool(ctx.fragment_ids_this_run), "session": ctx.session_id, "start": started}  # fmt: skip
            with open(log_path, "a") as out:
                out.write(json.dumps(entry) + "\n")
            if profiler is not None:
                profiler.stop()
                kind = "fragment" if entry["fragment"] else "full"
                path = Path(profile_dir) / f"{time.time():.3f}-{kind}-{entry['ms']:.0f}ms.txt"
                path.write_text(profiler.output_text())

    script_runner.exec_func_with_error_handling = timed
    sys.argv = ["streamlit", *streamlit_args]
    sys.exit(cli.main())


# ---------------------------------------------------------------- report


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
both see the same load from other processes. Per stroke: a 280x280x4 uint8 canvas image (white "2" on black)
through the Draw tab's path (preprocess, NumpyModel.forward, softmax, ui.charts.probability_chart) against the same
path with the lab's Keras `model.predict`. Explanations: drawn digits (testkit.synth, seed 31) as RGBA canvases,
each through the prediction alone and the prediction plus every part of `digitdemo.explanation.Explanation` (robust model,
its training digits as neighbours, the picture resized without framing), in this thread's CPU time. Cold start: from starting `streamlit run` (Chromium already open) until a new page shows the
canvas and the script is idle; the baseline is a temporary copy of streamlit_app.py with `import tensorflow` at its
top. Memory: the server's resident set after that first page, then after opening further sessions (each its own
browser context) divided by their number. Training: the lab's plain `model.fit` against `digitdemo.train.fit`, same
data, batch 32, seeds and epochs, each model's training errors counted. Server time per stroke and per slider move:
a server started through this script (`--serve-timed`) times Streamlit's own execution of every script or fragment
run; a slider is moved with the arrow key after the previous rerun ended; the baseline is a full page rerun
(Streamlit's "r" shortcut). The "whole server process" rows are means: the server process's CPU time over all the
strokes or moves (receiving them, the runs, Streamlit's work after each run, sending the results) divided by their
number, read in the operating system's 10 ms ticks (a full rerun is one rerun, so +-10 ms). Their baseline is a
second server, started after the first rather than alternating with it, with Streamlit's default
`runner.postScriptGC = true`: a full garbage collection after every run, which this app's .streamlit/config.toml
turns off. Visitor: one timed server and one Chromium browser context, warmed by a first page. Every page of it runs
a recorder before its own scripts, on the page's clock (performance.now(), from navigation start): the WebSocket's
messages both ways (decoded afterwards as Streamlit's BackMsg and ForwardMsg, for the rerun requests and the runs'
ends), pointer releases, each batch of DOM changes (a MutationObserver on the whole document) and the frame painted
after them (requestAnimationFrame, then a message posted from it, which comes once that frame is painted). An action
is over when the page shows the app idle (stApp's data-test-script-state notRunning) and neither the page nor the
server's run log has changed for 0.5 s, longer than the canvas's wait, so a value the canvas sends after a run is
caught (a page load and the app's Clear first wait for their two runs); only then does the next action start. An
action counts only if it caused exactly one rerun request, one server run and one run's end on the page (the note
says how many did). The end of a run is read from the messages and the DOM, not from the idle mark alone: a short
run can start and end between two renders of the page, so the mark may never read running (seen in page loads here:
the canvas's run, which changes nothing else, at times left no mark at all). "Page idle" is the frame painted after
both the page's last change and the last run's end. Page load: new pages of the warm context, from navigation start
to the page idle: the canvas drawn and both runs of a load (the page's, and the one the canvas asks for once
mounted) ended. Stroke: the app's Clear, then a digit in one stroke with the mouse (a 1, a 7 and a 2 in turn; one of
each first, untimed), from the pen's pointerup to the frame in which the Prediction, absent on a cleared canvas, is
painted; split at the rerun request the canvas sends (its fixed 200 ms wait, then the drawing as a PNG). Slider:
z0's thumb dragged 24 px with the mouse, right then left, from the pointerup (the slider sends its value on release)
to the frame painted after the chart's last change (Plotly draws the chart anew, then resizes it); its first redraw
is in the note. These rows have no baseline: there is no other page to time in the same run; beside them are their
parts and the server's own run time from the timed log. The recorder's own time in the page is in the notes."""


def run(setting: Setting, sections: list[str]) -> Report:
    report = Report()
    report.details["machine"] = machine()
    if "explain" in sections:  # NumPy only, so before the stroke section imports TensorFlow
        bench_explain(setting, report)
    if "stroke" in sections:
        bench_stroke(setting, report)
    if "training" in sections:
        bench_training(setting, report)
    browser_sections = [s for s in ("coldstart", "interaction", "visitor") if s in sections]
    if browser_sections:
        with chromium() as browser:
            if "visitor" in browser_sections:
                bench_visitor(setting, report, browser)
            if "interaction" in browser_sections:
                bench_interaction(setting, report, browser)
            if "coldstart" in browser_sections:
                bench_coldstart(setting, report, browser)
    report.details["machine"]["load average at end (1 min)"] = f"{os.getloadavg()[0]:.2f}"
    return report


def markdown(report: Report, command: str) -> str:
    described = "\n".join(f"- {key}: {value}" for key, value in report.details["machine"].items())
    return f"# Speed benchmark\n\n`{command}`\n\n{table(report)}\n\n## Machine\n\n{described}\n\n{METHOD}\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [SERVE_TIMED]:
        serve_timed(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="a few repeats of each: checks the benchmark runs")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, help=f"markdown results file (default {RESULTS.relative_to(ROOT)}; "
                        "none with --tiny)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    parser.add_argument("--profile", type=Path, help="save a pyinstrument profile of each timed server run here")
    args = parser.parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        os.environ[PROFILE_ENV] = str(args.profile.resolve())
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    command = "python benchmarks/speed.py " + " ".join(argv)
    report = run(TINY if args.tiny else FULL, sections)
    text = markdown(report, command.strip())
    print(text)
    out = args.out or (None if args.tiny else RESULTS)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    if args.json:
        rows = [{**row.__dict__, "ratio": row.ratio} for row in report.rows]
        args.json.write_text(json.dumps({"rows": rows, "details": report.details}, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
