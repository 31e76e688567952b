"""Accuracy benchmark: every shipped model, each with a plain resize and with `preprocess` (then its own
preprocessing: deskewed for a model trained so), on drawn digits, photo-like pictures of them, and the held-out fifth
of the training digits; per template style.

Run from the repository root: `python -m benchmarks.accuracy` (several minutes: it trains the held-out models;
writes benchmarks/results/accuracy.md and each model's figures into its record, models/NAME.json, for the model
card); `--tiny` for a seconds-long check that prints only and takes the held-out figures from the models' records.
Nothing is downloaded: the drawn digits come from testkit.synth.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image

from digitdemo.catalog import CATALOG, MODELS
from digitdemo.data import N_PIXELS, load_dataset, roll_up, stratified_split
from digitdemo.errors import ModelFileError
from digitdemo.numpy_model import NumpyModel, load_model, load_record, save_record
from digitdemo.preprocess import CANVAS_SIDE, plain_resize, preprocess
from testkit.synth import MAX_PEN_FRACTION, MAX_SLANT, PEN_WIDTHS, SIZES, TEMPLATES, drawn_set, photo_like

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "accuracy.md"
PER_CLASS = 100
TINY_PER_CLASS = 2
SEED = 2026  # the benchmark's drawings; the tests and the browser test use other seeds
TARGETS = {("drawn", "preprocess"): 0.985, ("photos", "preprocess"): 0.95, ("held-out", "as trained"): 0.95}
HELDOUT_GAIN = 0.015  # issue 22: the first model's held-out accuracy at least this far above robust's
WEAK_BELOW = 0.9  # a template style read right less often than this is a weakness
TARGET_MODEL = MODELS[0].name  # the model the app starts on: the targets are its

Preprocessor = Callable[[object], "np.ndarray | None"]


def enlarge(row: np.ndarray, side: int = CANVAS_SIDE) -> np.ndarray:
    """(400,) lab row -> (side, side) uint8 white-on-black canvas of the same digit, filling it as the lab frame
    does."""
    image = Image.fromarray(np.clip(roll_up(row), 0, 1).astype(np.float32), mode="F")
    big = np.asarray(image.resize((side, side), Image.Resampling.BICUBIC))
    return np.round(np.clip(big, 0, 1) * 255).astype(np.uint8)


@dataclass
class Inputs:
    """One set run through one preprocessing: X (n, 400), which rows found a digit, labels (n,)."""

    X: np.ndarray
    found: np.ndarray
    y: np.ndarray


def featurise(images: list[np.ndarray], labels: np.ndarray, prepare: Preprocessor) -> Inputs:
    """Run each picture through `prepare`; a picture where no digit is found counts as a wrong answer."""
    rows = [prepare(image) for image in images]
    found = np.array([row is not None for row in rows])
    X = np.stack([row if row is not None else np.zeros(N_PIXELS, np.float32) for row in rows])
    return Inputs(X, found, labels)


def accuracy(model: NumpyModel, inputs: Inputs) -> float:
    """Share of pictures whose digit was found and predicted right, read through the model's own preprocessing."""
    return float(np.mean(inputs.found & (model.predict(model.inputs(inputs.X)) == inputs.y)))


def load_shipped() -> dict[str, NumpyModel]:
    """The shipped models that exist, by name."""
    models = {}
    for name in CATALOG:
        try:
            models[name] = load_model(name)
        except ModelFileError as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
    return models


def heldout_models(X: np.ndarray, y: np.ndarray, train_idx: np.ndarray, names: list[str]) -> dict[str, NumpyModel]:
    """Train each recipe afresh on the training fifths only, as the models' records measure held-out accuracy."""
    from digitdemo.keras_model import keras_weights
    from digitdemo.train import fit_recipe

    models = {}
    for name in names:
        start = time.perf_counter()
        model, _, _ = fit_recipe(X[train_idx], y[train_idx], CATALOG[name].recipe)
        models[name] = NumpyModel(keras_weights(model), name=name, deskew=CATALOG[name].deskew)
        print(f"trained held-out {name} model in {time.perf_counter() - start:.0f} s", flush=True)
    return models


def stroke_latency(image: np.ndarray, repeat: int = 50) -> float:
    """Median milliseconds of preprocess on one (280, 280, 4) canvas picture."""
    canvas = np.dstack([np.repeat(image[..., None], 3, axis=2), np.full(image.shape, 255, np.uint8)])
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        preprocess(canvas)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def weakest_styles(
    labels: np.ndarray, styles: np.ndarray, predicted: np.ndarray, right: np.ndarray, below: float = WEAK_BELOW
) -> list[tuple[int, int, float, int]]:
    """(digit, style, accuracy, commonest wrong answer) for each template style read right less than `below`."""
    weak = []
    for digit in range(10):
        for style in range(len(TEMPLATES[digit])):
            members = (labels == digit) & (styles == style)
            if members.any() and right[members].mean() < below:
                wrong = predicted[members & ~right]
                weak.append((digit, style, float(right[members].mean()), int(np.bincount(wrong).argmax())))
    return weak


def run(per_class: int, train_heldout: bool) -> dict:
    """Every figure of the benchmark: {'table': {(set, prep): {model: accuracy}}, 'n': ..., ...}."""
    drawings, drawn_labels = drawn_set(per_class, SEED)
    photo_source, photo_labels = drawn_set(per_class, SEED + 1)
    rng = np.random.default_rng(SEED + 2)
    photos = [photo_like(d.image, rng) for d in photo_source]
    sets = {"drawn": ([d.image for d in drawings], drawn_labels), "photos": (photos, photo_labels)}
    styles = {"drawn": np.array([d.style for d in drawings]), "photos": np.array([d.style for d in photo_source])}
    shipped = load_shipped()
    table: dict[tuple[str, str], dict[str, float]] = {}
    not_found: dict[tuple[str, str], int] = {}
    per_digit: dict[str, dict[str, list[float]]] = {name: {} for name in shipped}
    per_style: dict[str, dict[str, dict[tuple[int, int], float]]] = {name: {} for name in shipped}
    weak_styles: dict[str, dict[str, list[tuple[int, int, float, int]]]] = {name: {} for name in shipped}
    for set_name, (images, labels) in sets.items():
        for prep_name, prepare in (("plain resize", plain_resize), ("preprocess", preprocess)):
            inputs = featurise(images, labels, prepare)
            table[(set_name, prep_name)] = {name: accuracy(model, inputs) for name, model in shipped.items()}
            not_found[(set_name, prep_name)] = int((~inputs.found).sum())
            if prep_name != "preprocess":
                continue
            for name, model in shipped.items():
                predicted = model.predict(model.inputs(inputs.X))
                right = inputs.found & (predicted == labels)
                per_digit[name][set_name] = [float(right[labels == d].mean()) for d in range(10)]
                members = {
                    (d, s): (labels == d) & (styles[set_name] == s) for d in range(10) for s in range(len(TEMPLATES[d]))
                }
                per_style[name][set_name] = {key: float(right[m].mean()) for key, m in members.items() if m.any()}
                weak_styles[name][set_name] = weakest_styles(labels, styles[set_name], predicted, right)

    X, y = load_dataset()[:2]
    train_idx, test_idx = stratified_split(y, 0.2, 0)
    labels = y[test_idx, 0]
    if train_heldout:
        held = heldout_models(X, y, train_idx, list(shipped))
        rows = {"as trained": X[test_idx], "preprocess": None}
        for prep_name, rows_x in rows.items():
            if rows_x is None:
                inputs = featurise([enlarge(row) for row in X[test_idx]], labels, preprocess)
            else:
                inputs = Inputs(rows_x, np.ones(len(labels), bool), labels)
            table[("held-out", prep_name)] = {name: accuracy(model, inputs) for name, model in held.items()}
            not_found[("held-out", prep_name)] = int((~inputs.found).sum())
    else:  # the figures the models' records hold, measured the same way when they were trained
        records = {name: load_record(name) for name in shipped}
        table[("held-out", "as trained")] = {
            name: record["heldout"]["accuracy"] for name, record in records.items() if record and record.get("heldout")
        }
        not_found[("held-out", "as trained")] = 0
    return {
        "table": table,
        "not_found": not_found,
        "per_digit": per_digit,
        "per_style": per_style,
        "weak_styles": weak_styles,
        "n": {"drawn": len(drawn_labels), "photos": len(photo_labels), "held-out": len(test_idx)},
        "latency_ms": stroke_latency(drawings[0].image),
        "trained_heldout": train_heldout,
    }


def format_table(results: dict) -> str:
    """The figures as a Markdown table: one row per set and preprocessing, one column per model."""
    names = sorted({name for row in results["table"].values() for name in row}, key=list(CATALOG).index)
    lines = [
        "| set | n | preprocessing | " + " | ".join(names) + f" | no digit found | target ({TARGET_MODEL}) |",
        "|---|---|---|" + "---|" * len(names) + "---|---|",
    ]
    for (set_name, prep_name), row in results["table"].items():
        cells = " | ".join(f"{row[name]:.1%}" if name in row else "-" for name in names)
        target = TARGETS.get((set_name, prep_name))
        if (set_name, prep_name) == ("held-out", "as trained") and "robust" in row:
            target = max(target, row["robust"] + HELDOUT_GAIN)
        met = row.get(TARGET_MODEL, 0) >= (target or 0) - 1e-9
        verdict = f">= {target:.1%} {'met' if met else 'MISSED'}" if target else ""
        n = results["n"][set_name]
        lines.append(
            f"| {set_name} | {n} | {prep_name} | {cells} | {results['not_found'][(set_name, prep_name)]} | {verdict} |"
        )
    return "\n".join(lines)


def format_per_digit(results: dict) -> str:
    """Each model with preprocess: accuracy per digit on each set, as a Markdown table."""
    lines = ["| model | set | " + " | ".join(str(d) for d in range(10)) + " |", "|---|---|" + "---|" * 10]
    for name, sets in results["per_digit"].items():
        for set_name, values in sets.items():
            lines.append(f"| {name} | {set_name} | " + " | ".join(f"{v:.0%}" for v in values) + " |")
    return "\n".join(lines)


def format_per_style(results: dict) -> str:
    """Each model with preprocess: accuracy per template style (testkit/synth.py TEMPLATES), drawn and photos."""
    names = list(results["per_style"])
    sets = list(next(iter(results["per_style"].values())))
    head = " | ".join(f"{name}: {set_name}" for name in names for set_name in sets)
    lines = [f"| digit | style | {head} |", "|---|---|" + "---|" * (len(names) * len(sets))]
    for digit, style in next(iter(next(iter(results["per_style"].values())).values())):
        cells = " | ".join(
            f"{results['per_style'][name][set_name][(digit, style)]:.0%}" for name in names for set_name in sets
        )
        lines.append(f"| {digit} | {style} | {cells} |")
    return "\n".join(lines)


def store_in_records(results: dict) -> None:
    """Each model's drawn and photo figures and weakest drawn styles into its record's 'benchmarks' entry, where its
    model card reads them."""
    for name, weak in results["weak_styles"].items():
        record = load_record(name)
        record.setdefault("benchmarks", {})["accuracy"] = {
            "drawn": results["table"][("drawn", "preprocess")][name],
            "photos": results["table"][("photos", "preprocess")][name],
            "n_drawn": results["n"]["drawn"],
            "weak_styles": weak["drawn"],
            "weak_below": WEAK_BELOW,
            "seed": SEED,
        }
        save_record(record, name)


HOW_MADE = f"""\
## How the sets were made

- **drawn**: digits rendered as round-capped pen strokes on a {CANVAS_SIDE}x{CANVAS_SIDE} black canvas, white ink,
  antialiased (`testkit/synth.py`). Each digit has
  {min(map(len, TEMPLATES.values()))}-{max(map(len, TEMPLATES.values()))} hand-written stroke templates (styles such
  as a 1 with or without a flag and base, an open or closed 4, a 7 with or
  without a bar, an 8 as two loops or one stroke), typed in as coordinates for this benchmark: **no stroke comes from
  a training digit or from MNIST**, so neither model has seen these shapes (no leakage). Each drawing bends its template
  with a smooth random warp and shifts each stroke, then draws it {SIZES[0]:.0%} to {SIZES[1]:.0%} of the canvas tall
  (pen included), {PEN_WIDTHS[0]:.0f} to {PEN_WIDTHS[1]:.0f} px pens (capped at {MAX_PEN_FRACTION:.0%} of the digit's
  height: a 40 px pen on a 70 px digit fills its loops, a blob no one would draw), 0.8-1.25x wide, slanted up to
  +-{MAX_SLANT:.0f} degrees, anywhere on the canvas. Styles are used in turn, so every style is equally represented.
- **photos**: other drawings of the same kind, turned into dark ink (45-90% absorption) on light paper (70-95%
  white) with a linear light gradient in a random direction, an off-centre vignette, a warm tint, Gaussian noise
  (sd 1-6%), a slight blur and JPEG compression (quality 60-95), decoded back to RGB.
- **held-out**: the lab's split (shuffled, stratified 20% of data/mnist5k_lab.npz, split seed 0). The models scored
  on it are **trained afresh on the other 80% with the same recipe** (the records' method), never the shipped
  models, which saw these digits. "as trained" feeds the rows as they are; "preprocess" enlarges each digit to a
  {CANVAS_SIDE}x{CANVAS_SIDE} canvas and sends it through `preprocess`, checking that the pipeline keeps MNIST digits
  readable.
- **plain resize**: the whole picture, ink made light on dark (same polarity step), shrunk to 20x20 and unrolled:
  what the app did before. **preprocess**: `digitdemo.preprocess` (illumination flattened, Otsu ink mask, specks
  dropped, cropped, scaled so the box and stroke width match those measured on the training digits, centred by mass).
- A picture where preprocessing finds no digit counts as wrong.
- **Caveat.** The robust recipe's settings and the preprocessing constants other than the measured ones were
  chosen while looking at a development draw of this set (seed 11: other drawings from the same templates). The
  benchmark draws with seed {SEED}, but the templates are the same, so the drawn and photo figures are somewhat
  optimistic for hands unlike these templates. The held-out figures carry no such bias.
"""


GAPS = """\
## Where it falls short, and what would close the gap

- Each model's weakest template styles in this run (style numbers as in `testkit/synth.py`
  TEMPLATES; under 90% right, with the commonest wrong answer): {weak}. Style 1 of the 1 has a flag, style 2 a flag
  and a base; style 1 of the 9 a curved tail. MNIST's 1s are mostly bare strokes, and the 5000-digit subset holds few
  flagged ones: shifting, turning, slanting and thickening training digits cannot invent a flag. Flagged 1s are
  common in continental Europe.
- Tried while choosing the robust recipe, measured on the development draw (600 drawings, seed 11) with models
  trained on the 80% split: the recipe as shipped 98.0%; weaker rotation and slant 97.7%; 15 augmented copies
  97.2%, and with them stronger rotation and slant 96.8% or more thickness and stretch 96.0%; training on digits sent
  through `preprocess` 95.3%; a learning-rate cut on plateaus gave no gain. Differences of about 1 point are
  run-to-run noise (the shipped robust model, trained the same way on all 5000 digits, scores 95.7% on the same
  draw), so none of these closes the gap reliably.
- Deskewing closes most of it on these templates: the careful model reads its inputs sheared upright about their
  centre of mass, so a flagged 1 or a slanted 7 meets the training digits' own posture, and it reads every style
  here at 90% or more. Its held-out accuracy only equals robust's: outlier exposure costs this 10,575-parameter
  network about two points on held-out digits (the same recipe without the scribbles: 97.3% on the same split, 80%
  trained; with weights 0.1-0.2 or 4000 scribbles 96.4-96.8%, flagging 43-53% of a development draw of the novelty
  benchmark's symbols, seed 5, against 70% as shipped), a trade made for "not a digit?"
  (benchmarks/results/novelty.md).
- What would close it: more varied training digits of the same 20x20 kind, e.g. all 70,000 MNIST digits
  (`python -m digitdemo build-data --source keras`, online) or a digit set with European 1s and 7s (EMNIST), trained
  with this recipe; the network and preprocessing stay as they are.
"""


def format_weak(results: dict) -> str:
    """The weakest styles as one line: 'careful, drawn: 1 style 1 61% (as 7), ...; robust, photos: ...'."""
    parts = []
    for name, sets in results["weak_styles"].items():
        for set_name, weak in sets.items():
            items = ", ".join(f"{d} style {s} {acc:.0%} (as {wrong})" for d, s, acc, wrong in weak) or "none"
            parts.append(f"{name}, {set_name}: {items}")
    return "; ".join(parts)


def report(results: dict, command: str) -> str:
    """The results file's Markdown."""
    held = "trained afresh in this run" if results["trained_heldout"] else "read from the models' records"
    return (
        "# Accuracy benchmark\n\n"
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.machine()}; held-out models {held}.\n\n"
        f"{format_table(results)}\n\n"
        "Each model with `preprocess`, accuracy per digit:\n\n"
        f"{format_per_digit(results)}\n\n"
        "Each model with `preprocess`, accuracy per template style (the targets: no style under "
        f"{WEAK_BELOW:.0%}):\n\n{format_per_style(results)}\n\n"
        f"`preprocess` on one {CANVAS_SIDE}x{CANVAS_SIDE} RGBA canvas: median {results['latency_ms']:.1f} ms.\n\n"
        f"{GAPS.format(weak=format_weak(results))}\n{HOW_MADE}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="2 drawings per digit, no training, print only")
    parser.add_argument("--per-class", type=int, default=PER_CLASS, help="drawings (and photos) of each digit")
    parser.add_argument("--no-train", action="store_true", help="take held-out figures from the records")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    per_class = TINY_PER_CLASS if args.tiny else args.per_class
    results = run(per_class, train_heldout=not (args.tiny or args.no_train))
    print(format_table(results))
    print(f"preprocess median {results['latency_ms']:.1f} ms per canvas")
    if not args.tiny:
        command = "python -m benchmarks.accuracy" + (" " + " ".join(argv or sys.argv[1:])).rstrip()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report(results, command))
        store_in_records(results)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
