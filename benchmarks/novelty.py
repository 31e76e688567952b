"""Not-a-digit benchmark: how often the "not a digit?" check (digitdemo.neighbours) flags letters and symbols drawn
with the pen-stroke renderer, and the accuracy benchmark's drawn digits, beside the softmax's own "not sure".

Run from the repository root: `python -m benchmarks.novelty` (about a minute; writes benchmarks/results/novelty.md
and each model's figures into its record, models/NAME.json, for the model card); `--tiny` for a seconds-long check
that prints only. Thresholds come from the models' records (`python -m digitdemo calibrate --model NAME`). None of
these shapes is of the family the careful model trained on (digitdemo.shapes: zigzags of many turns, scattered dots).
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from benchmarks.accuracy import PER_CLASS as DIGITS_PER_CLASS
from benchmarks.accuracy import SEED as DIGITS_SEED
from benchmarks.accuracy import load_shipped
from digitdemo.data import checksum, load_dataset
from digitdemo.explanation import UNSURE_BELOW
from digitdemo.neighbours import Calibration, build_index, load_calibration, novelty, training_rows
from digitdemo.numpy_model import NumpyModel, load_record, save_record
from digitdemo.preprocess import preprocess
from testkit.synth import drawn_set, line, place_strokes, render

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "novelty.md"
PER_SYMBOL = 50
TINY_PER_SYMBOL = 3
TINY_DIGITS_PER_CLASS = 2
# The measure was chosen on other drawings of these shapes (seed 5); the figures come from this seed.
SEED = 2027

# Shapes that are not digits, as pen strokes in the templates' box (about 0.6 wide, 1 tall, y down). No O (a 0),
# S (a 5), Z (a 2) or I (a 1): a network of digits is right to read those as digits.
SYMBOLS = {
    "X": [line((0, 0), (0.6, 1)), line((0.6, 0), (0, 1))],
    "+": [line((0.3, 0.1), (0.3, 0.9)), line((0, 0.5), (0.6, 0.5))],
    "-": [line((0, 0.5), (0.6, 0.5))],
    "=": [line((0, 0.35), (0.6, 0.35)), line((0, 0.65), (0.6, 0.65))],
    "#": [
        line((0.2, 0), (0.2, 1)),
        line((0.45, 0), (0.45, 1)),
        line((0, 0.33), (0.6, 0.33)),
        line((0, 0.66), (0.6, 0.66)),
    ],
    "*": [line((0.3, 0), (0.3, 1)), line((0, 0.25), (0.6, 0.75)), line((0.6, 0.25), (0, 0.75))],
    "triangle": [line((0.3, 0), (0.6, 1), (0, 1), (0.3, 0))],
    "A": [line((0, 1), (0.3, 0), (0.6, 1)), line((0.12, 0.6), (0.48, 0.6))],
    "E": [line((0.6, 0), (0, 0), (0, 1), (0.6, 1)), line((0, 0.5), (0.45, 0.5))],
    "H": [line((0, 0), (0, 1)), line((0.6, 0), (0.6, 1)), line((0, 0.5), (0.6, 0.5))],
    "K": [line((0, 0), (0, 1)), line((0.55, 0), (0, 0.55), (0.6, 1))],
    "M": [line((0, 1), (0, 0), (0.3, 0.6), (0.6, 0), (0.6, 1))],
    "N": [line((0, 1), (0, 0), (0.6, 1), (0.6, 0))],
    "W": [line((0, 0), (0.15, 1), (0.3, 0.4), (0.45, 1), (0.6, 0))],
}


def draw_symbols(per_symbol: int, seed: int) -> dict[str, list[np.ndarray]]:
    """Each symbol drawn `per_symbol` times like the drawn digits (warp, size, pen, slant, place) -> canvases."""
    rng = np.random.default_rng(seed)
    drawings = {}
    for name, strokes in SYMBOLS.items():
        drawings[name] = []
        for _ in range(per_symbol):
            placed, settings = place_strokes(strokes, rng)
            drawings[name].append(render(placed, settings["pen"]))
    return drawings


def inputs_of(canvases: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """Canvases -> (n, 400) framed inputs of those where preprocessing found a shape, and how many it did not (each
    model then reads them through its own preprocessing, `NumpyModel.inputs`)."""
    rows = [preprocess(canvas) for canvas in canvases]
    found = [row for row in rows if row is not None]
    return np.array(found).reshape(-1, 400), len(rows) - len(found)


def score_set(model: NumpyModel, index, calibration: Calibration, X: np.ndarray) -> dict:
    """One set of framed inputs through one model and its preprocessing: share flagged, share 'not sure', median top
    (calibrated) probability, commonest answer."""
    X = model.inputs(X)
    proba = model.predict_proba(X)
    predicted = proba.argmax(axis=1)
    scores, _ = novelty(index, X, predicted)
    return {
        "flagged": float(np.mean(calibration.flags(scores, proba.max(axis=1)))),
        "unsure": float(np.mean(proba.max(axis=1) < UNSURE_BELOW)),
        "confidence": float(np.median(proba.max(axis=1))),
        "answer": Counter(predicted.tolist()).most_common(1)[0][0],
    }


def run(per_symbol: int, digits_per_class: int) -> dict:
    """Every figure: {'sets': {name: (n, not found)}, 'scores': {model: {set: score_set(...)}}, 'calibration': ...}."""
    dataset = load_dataset()
    X_sets: dict[str, np.ndarray] = {}
    sets: dict[str, tuple[int, int]] = {}
    for name, canvases in draw_symbols(per_symbol, SEED).items():
        X_sets[name], missing = inputs_of(canvases)
        sets[name] = (len(canvases), missing)
    drawings, _ = drawn_set(digits_per_class, DIGITS_SEED)
    X_sets["drawn digits"], missing = inputs_of([d.image for d in drawings])
    sets["drawn digits"] = (len(drawings), missing)
    symbols = np.concatenate([X_sets[name] for name in SYMBOLS])
    scores, calibration = {}, {}
    for name, model in load_shipped().items():
        record = load_record(name)
        stored = load_calibration(record, checksum(dataset.X, dataset.y))
        if stored is None:
            print(
                f"skipping {name}: no threshold for this data; run `python -m digitdemo calibrate --model {name}`",
                file=sys.stderr,
            )
            continue
        index = build_index(model.weights, model.inputs(dataset.X), dataset.y, training_rows(record, dataset.y))
        per_set = {set_name: score_set(model, index, stored, X) for set_name, X in X_sets.items()}
        per_set["all symbols"] = score_set(model, index, stored, symbols)
        scores[name], calibration[name] = per_set, (stored, record["novelty"]["method"])
    return {"sets": sets, "scores": scores, "calibration": calibration, "per_symbol": per_symbol}


def format_table(results: dict) -> str:
    """Markdown: one row per set; per model the share flagged, the share 'not sure' and the commonest answer."""
    names = list(results["scores"])
    head = " | ".join(f"{n}: not a digit? | {n}: not sure | {n}: read as (median top p)" for n in names)
    lines = [f"| set | drawn | no shape found | {head} |", "|---|---|---|" + "---|---|---|" * len(names)]
    rows = [*results["sets"], "all symbols"]
    for set_name in rows:
        if set_name == "all symbols":
            n = sum(results["sets"][s][0] for s in SYMBOLS)
            missing = sum(results["sets"][s][1] for s in SYMBOLS)
        else:
            n, missing = results["sets"][set_name]
        cells = []
        for name in names:
            s = results["scores"][name][set_name]
            answer = "mixed" if set_name == "drawn digits" else s["answer"]  # ten digits: no one answer
            cells.append(f"{s['flagged']:.0%} | {s['unsure']:.0%} | {answer} ({s['confidence']:.0%})")
        label = f"**{set_name}**" if set_name in ("all symbols", "drawn digits") else set_name
        lines.append(f"| {label} | {n} | {missing} | {' | '.join(cells)} |")
    return "\n".join(lines)


def format_calibration(results: dict) -> str:
    """One line per model: its thresholds, held-out digits flagged, and how they were held out."""
    lines = []
    for name, (cal, method) in results["calibration"].items():
        confidence = f" or top probability below {cal.confidence:.3f}" if cal.confidence > 0 else ""
        lines.append(
            f"- **{name}**: distance above {cal.threshold:.2f} (median held-out digit {cal.typical:.2f}){confidence}; "
            f"{cal.flagged} of {cal.n_heldout} held-out digits flagged ({cal.flagged / cal.n_heldout:.1%}); {method}."
        )
    return "\n".join(lines)


TARGETS = {"all symbols": 0.8, "each symbol": 0.5, "drawn digits": 0.01}  # flagged: at least, at least, at most


def format_targets(results: dict, name: str) -> str:
    """Issue 22's targets for one model, each with its figure and whether it was met."""
    per_set = results["scores"][name]
    weakest = min(SYMBOLS, key=lambda s: per_set[s]["flagged"])
    rows = [
        (f">= {TARGETS['all symbols']:.0%} of symbols and letters", per_set["all symbols"]["flagged"], True),
        (f"each symbol >= {TARGETS['each symbol']:.0%} (weakest: {weakest})", per_set[weakest]["flagged"], True),
        (f"drawn digits <= {TARGETS['drawn digits']:.0%}", per_set["drawn digits"]["flagged"], False),
    ]
    limits = [TARGETS["all symbols"], TARGETS["each symbol"], TARGETS["drawn digits"]]
    return "\n".join(
        f"- {name}: {text}: {value:.1%}, {'met' if (value >= limit if at_least else value <= limit) else 'MISSED'}"
        for (text, value, at_least), limit in zip(rows, limits, strict=True)
    )


def store_in_records(results: dict) -> None:
    """Each model's rates into its record's 'benchmarks' entry, where its model card reads them."""
    for name, per_set in results["scores"].items():
        record = load_record(name)
        n_symbols = sum(results["sets"][s][0] for s in SYMBOLS)
        record.setdefault("benchmarks", {})["novelty"] = {
            "symbols": per_set["all symbols"]["flagged"],
            "n_symbols": n_symbols,
            "drawn_digits": per_set["drawn digits"]["flagged"],
            "per_symbol": {s: per_set[s]["flagged"] for s in SYMBOLS},
            "seed": SEED,
        }
        save_record(record, name)


MEASURE = """\
## The measure and why

**Scores**: the pixel distance from the network's input (20x20, after preprocessing) to the nearest digit the model
was trained on *of the class it predicts*, and the model's top calibrated probability. **Flagged** when the distance
exceeds its threshold or the probability falls below its own; `python -m digitdemo calibrate` shares the budget of
2% of held-out digits (digits the model never trained on) between the two, split where the most of 1000 held-out
scribbles of the training family (`digitdemo.shapes`, seed 7) are flagged: no symbol scored here chooses it. Only
a model trained with outlier exposure (careful, taught to spread its probabilities evenly over the ten digits on
scribbles) uses the probability; for robust and lab, whose confidence says little about a symbol (a split chosen on
scribbles flagged fewer symbols than the distance alone: robust 37% against 50%), the distance takes the whole
budget. The distance, why:

- It asks the question a teacher would: "it says 8; is it like any 8 it has seen?", and the answer can be shown:
  the nearest 8 beside the drawing, and its distance against the one that 98% of unseen real digits stay within.
- Softmax cannot say it: it must share 100% among ten digits, so an X gets a confident 8. The 'not sure' columns show
  the softmax's own "not sure" (top probability under 50%) on the same sets.
- Tried on other drawings of these symbols (seed 5), all calibrated to the same 2% on the robust model's 500
  validation digits, share of symbols flagged: this score 48%; the same without conditioning on the predicted class
  31%; the other variants of nearest-neighbour distance (pixels, either hidden layer or the logits; k = 1, 5 or 20;
  conditioned on the predicted class or not; divided by each class's typical distance or not) 6-39%, those in the
  last hidden layer 9-27%; Mahalanobis distance to the nearest class mean (pixels, hidden layers) 2-10%; PCA
  reconstruction error 4-14%; top softmax probability 13%; combinations of two or three of these by their held-out
  ranks at most 30%. Preprocessing makes any shape digit-sized, centred and digit-thick, and the held-out MNIST digits
  include scrawls odder than a neat X, so any measure held to 2% on them misses many symbols.
- **Calibration**: robust holds out 500 digits of its own (the recipe's validation split): they are scored with
  that model against its 4500 training digits. The lab model trained on all 5000, so no digit is unseen by it; a
  second model of the same recipe, trained on a stratified 80% (the record's held-out method, split seed 0), gives
  the classes of the other 1000, scored against that 80%. The app scores the lab model against all 5000 digits, a
  fuller reference than 4000, so its real rate on unseen digits is if anything below 2%.
- `python -m digitdemo calibrate --model NAME` computes the threshold and stores it, with the method, in
  models/NAME.json; the test suite recomputes robust's from the data and checks it matches.
"""


def report(results: dict, command: str) -> str:
    """The results file's Markdown."""
    return (
        "# Not-a-digit benchmark\n\n"
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}; "
        f"{results['per_symbol']} drawings of each symbol (seed {SEED}); digits: the accuracy benchmark's drawn set "
        f"(seed {DIGITS_SEED}).\n\n"
        f"{format_table(results)}\n\n"
        "'not a digit?': share flagged by the check; 'not sure': share whose top probability is under "
        f"{UNSURE_BELOW:.0%} (the Draw tab's warning); 'read as': the commonest answer and the median top "
        "probability.\n\n"
        f"Targets (issue 22):\n\n{format_targets(results, next(iter(results['scores'])))}\n\n"
        f"Thresholds:\n\n{format_calibration(results)}\n\n{MEASURE}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a few drawings of each, print only")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.tiny:
        results = run(TINY_PER_SYMBOL, TINY_DIGITS_PER_CLASS)
    else:
        results = run(PER_SYMBOL, DIGITS_PER_CLASS)
    print(format_table(results))
    print(format_calibration(results))
    if not args.tiny:
        command = "python -m benchmarks.novelty" + (" " + " ".join(argv or sys.argv[1:])).rstrip()
        args.out.write_text(report(results, command))
        store_in_records(results)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
