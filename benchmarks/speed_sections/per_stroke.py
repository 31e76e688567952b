"""Per stroke, outside the server: the Draw tab's path from canvas to chart with NumPy against Keras, and the
explanations against the prediction alone."""

from __future__ import annotations

import time

from benchmarks.speed_sections.common import Report, Row, Setting, median, time_calls
from testkit.server import DIGIT_STROKES

EXPLAIN_SEED = 31  # the drawings timed with explanations: any seed will do, fixed so reruns time the same inputs


def canvas_image(side: int = 280, pen: int = 22) -> object:
    """(side, side, 4) uint8 RGBA as the Draw tab's canvas returns it: white strokes on opaque black."""
    import numpy as np
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (side, side), (0, 0, 0, 255))
    pen_draw = ImageDraw.Draw(image)
    for stroke in DIGIT_STROKES:
        pen_draw.line([(x * side, y * side) for x, y in stroke], fill=(255, 255, 255, 255), width=pen, joint="curve")
    return np.asarray(image)


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
    times = time_calls(
        {
            "numpy": numpy_path,
            "preprocess": lambda: preprocess(canvas),
            "forward + softmax": lambda: my_softmax(model.forward(x).logits[0]),
            "chart data": lambda: probability_chart(my_softmax(logits)),
        },
        setting.stroke_repeats,
    )

    from digitdemo.keras_model import load_keras_model  # imports TensorFlow, as the lab does at start

    keras_model = load_keras_model(MODELS_DIR / "lab.keras")

    def keras_path() -> dict:
        x = preprocess(canvas)
        logits = keras_model.predict(x[None], verbose=0)[0]
        return probability_chart(my_softmax(logits.astype(np.float64)))

    theirs_figure = keras_path()  # warm-up; the two must show the same numbers
    assert ours_figure["data"][0]["text"] == theirs_figure["data"][0]["text"], "NumPy and Keras disagree"
    times |= time_calls(
        {"keras": keras_path, "Keras predict alone": lambda: keras_model.predict(x[None], verbose=0)},
        setting.stroke_repeats,
    )
    ours, theirs = median(times["numpy"]), median(times["keras"])
    report.rows.append(
        Row(
            "Per stroke: canvas -> numbers on screen",
            ours,
            "ms",
            theirs,
            "Keras model.predict",
            "<= 5 ms and >= 20x",
            ours <= 5 and theirs / ours >= 20,
        )
    )
    for name in ("preprocess", "chart data"):
        report.rows.append(Row(f"  of which {name}", median(times[name]), "ms"))
    report.rows.append(
        Row(
            "  of which the network: NumPy forward + softmax",
            median(times["forward + softmax"]),
            "ms",
            median(times["Keras predict alone"]),
            "Keras model.predict alone",
        )
    )
    report.details["stroke_ms"] = {k: round(median(v), 3) for k, v in times.items()}


def bench_explain(setting: Setting, report: Report) -> None:
    """Many drawn digits as canvas images: the prediction alone against the prediction plus every part of
    digitdemo.explanation's Explanation (robust model; the page computes only the view shown), interleaved in the
    same run; and the one-off cost of the neighbour index."""
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
        explanation = Explanation(model.weights, x, index, calibration, canvas, deskew=model.deskew)
        return (
            explanation.versus(),
            explanation.graph,
            explanation.nearest,
            explanation.novelty,
            explanation.unframed_logits,
        )

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
    report.rows.append(
        Row(
            "Explanations per stroke: canvas -> prediction + every explanation part, CPU",
            ours,
            "ms",
            theirs,
            "prediction alone",
            "<= 10 ms",
            ours <= 10,
            f"{len(inputs)} drawn digits x {setting.explain_repeats}; the bundle alone: median "
            f"{median(bundle):.2f} ms, 90th percentile {float(np.percentile(bundle, 90)):.2f} ms; "
            f"wall clock medians {median(wall['explained']):.2f} ms vs {median(wall['plain']):.2f} ms "
            f"(bundle {median(wall['bundle']):.2f} ms, 90th percentile "
            f"{float(np.percentile(wall['bundle'], 90)):.2f} ms); neighbour index built once per model "
            f"in {build_ms:.0f} ms",
        )
    )
    report.rows.append(
        Row("  of which every part of the explanation (digitdemo.explanation.Explanation)", median(bundle), "ms")
    )
    report.details["explain_ms"] = (
        {f"{k} cpu": round(median(v), 3) for k, v in cpu.items()}
        | {f"{k} wall": round(median(v), 3) for k, v in wall.items()}
        | {"index_build": round(build_ms, 1)}
    )
