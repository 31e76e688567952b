"""What the network has seen: the training digits nearest to an input (in pixels and in the last hidden layer), and
"Not a digit?": how far the input is from every training digit of the class the network picked, and how sure the
network is, with thresholds calibrated on digits the model was not trained on.

The novelty score is the pixel distance from the input to the nearest training digit of the predicted class. A
softmax must pick one of ten, so an X comes out as a confident 8; but no 8 the network was trained on looks like
that X, and the score says so with a picture the class can check (that nearest 8). A model trained with outlier
exposure (digitdemo.shapes) spreads its probabilities over the ten digits on shapes unlike digits, so its (calibrated)
top probability says the rest. An input is flagged when either passes its threshold; the two thresholds share the
budget of FLAG_RATE of held-out digits between them, split where the most held-out non-digit shapes are flagged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import NamedTuple

import numpy as np

from digitdemo.activations import my_softmax
from digitdemo.attribution import Weights, forward_layers
from digitdemo.data import stratified_split

NEIGHBOURS = 5  # training digits shown next to the drawing
FLAG_RATE = 0.02  # at most this share of held-out digits may be called "not a digit"
SHAPES_SEED = 7  # the held-out non-digit shapes that choose the split: not the seed any recipe trains on
N_SHAPES = 1000


@dataclass(frozen=True)
class DigitIndex:
    """Reference digits for one model, sorted by label (each class's digits side by side): X (n, 400) float32, y (n,)
    int64, rows (n,) int64 (their row numbers in the dataset), hidden (n, h) float32 last-hidden-layer activations,
    and squared norms of both for fast distances."""

    X: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    hidden: np.ndarray
    X_sq: np.ndarray
    hidden_sq: np.ndarray


def last_hidden(weights: Weights, X: np.ndarray) -> np.ndarray:
    """(m, n0) or (n0,) inputs -> (m, h) or (h,) float32 activations of the last hidden layer."""
    return forward_layers(weights, X)[-2].a.astype(np.float32)


def build_index(weights: Weights, X: np.ndarray, y: np.ndarray, rows: np.ndarray | None = None) -> DigitIndex:
    """Reference digits X[rows] (m, 400), labels y (m, 1) or (m,) -> a DigitIndex for `nearest_digits` and novelty."""
    rows = np.arange(len(X)) if rows is None else np.asarray(rows, dtype=np.int64)
    labels = np.asarray(y).reshape(-1)[rows].astype(np.int64)
    # By label, stable so that each class keeps the rows' order: a class's digits are then one slice (`novelty`).
    order = np.argsort(labels, kind="stable")
    rows, labels = rows[order], labels[order]
    Xr = np.asarray(X, dtype=np.float32)[rows]
    hidden = last_hidden(weights, Xr)
    return DigitIndex(
        Xr,
        labels,
        rows,
        hidden,
        np.einsum("ij,ij->i", Xr, Xr),
        np.einsum("ij,ij->i", hidden, hidden),
    )


def rough_distances(points: np.ndarray, points_sq: np.ndarray, q: np.ndarray) -> np.ndarray:
    """(n, d) float32 points with their (n,) squared norms, (d,) or (m, d) query -> (n,) or (m, n) float32 distances,
    good to about 0.003: for ranking only (`exact_distances` gives the figures shown)."""
    q = np.asarray(q, dtype=np.float32)
    # One query (a stroke) goes through einsum, not BLAS: on this busy 2-core machine a BLAS product of this size
    # took anywhere from 0.05 to 13 ms as OpenBLAS's threads woke or not; einsum's single thread takes a steady 0.35 ms.
    dot = np.einsum("nd,d->n", points, q) if q.ndim == 1 else q @ points.T
    return np.sqrt(np.maximum(np.einsum("...j,...j->...", q, q)[..., None] - 2 * dot + points_sq, 0))


def exact_distances(points: np.ndarray, q: np.ndarray) -> np.ndarray:
    """(k, d) points, (d,) or (k, d) queries -> (k,) float64 Euclidean distances computed directly."""
    return np.linalg.norm(points.astype(np.float64) - np.asarray(q, dtype=np.float64), axis=-1)


class Neighbours(NamedTuple):
    """The k nearest reference digits, nearest first: dataset rows (k,) int64, labels (k,), distances (k,) float64."""

    rows: np.ndarray
    labels: np.ndarray
    distances: np.ndarray


def closest(index: DigitIndex, points: np.ndarray, points_sq: np.ndarray, q: np.ndarray, k: int) -> Neighbours:
    """The k index digits whose `points` (pixels or hidden codes) lie nearest the query q, as Neighbours."""
    rough = rough_distances(points, points_sq, q)
    k = min(k, len(rough))
    candidates = np.argpartition(rough, k - 1)[:k]
    exact = exact_distances(points[candidates], q)
    order = np.argsort(exact, kind="stable")
    chosen = candidates[order]
    return Neighbours(index.rows[chosen], index.y[chosen], exact[order])


def nearest_digits(
    index: DigitIndex, weights: Weights, x: np.ndarray, k: int = NEIGHBOURS
) -> tuple[Neighbours, Neighbours]:
    """(400,) input -> its k nearest reference digits in pixels and in the last hidden layer."""
    pixels = closest(index, index.X, index.X_sq, x, k)
    hidden = closest(index, index.hidden, index.hidden_sq, last_hidden(weights, x), k)
    return pixels, hidden


def novelty(index: DigitIndex, X: np.ndarray, classes: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """(m, 400) or (400,) inputs and their classes -> (m,) float64 novelty scores: the pixel distance to the nearest
    reference digit of that class, and (m,) int64 the dataset row of that digit. Each input is measured against its
    class's slice of the index only: a tenth of the work of measuring against every digit (this runs every stroke)."""
    X = np.atleast_2d(np.asarray(X))
    classes = np.broadcast_to(np.reshape(classes, -1), (len(X),))
    # A class with no reference digit (a dataset lacking it) is infinitely unlike what the model saw; row -1.
    scores, rows = np.full(len(X), np.inf), np.full(len(X), -1, dtype=np.int64)
    for cls in np.unique(classes):
        start, end = np.searchsorted(index.y, [cls, cls + 1])
        if start == end:
            continue
        which = np.flatnonzero(classes == cls)
        queries = X[which]
        # One query as a vector: rough_distances then avoids BLAS, whose threads make a single product erratic.
        rough = rough_distances(index.X[start:end], index.X_sq[start:end], queries[0] if len(which) == 1 else queries)
        nearest = start + np.argmin(np.atleast_2d(rough), axis=1)
        scores[which] = exact_distances(index.X[nearest], queries)
        rows[which] = index.rows[nearest]
    return scores, rows


@dataclass(frozen=True)
class Calibration:
    """The not-a-digit thresholds and how they were found: novelty scores above `threshold`, and calibrated top
    probabilities below `confidence`, are flagged; `typical` is the median held-out score (a scale to show scores
    against); `temperature` divides the logits for the calibrated probabilities (digitdemo.calibration)."""

    threshold: float
    typical: float
    n_heldout: int
    flagged: int  # held-out digits flagged by either threshold: at most FLAG_RATE of n_heldout
    confidence: float = 0.0  # 0: the top probability flags nothing
    temperature: float = 1.0

    def flags(self, scores: np.ndarray, top_probability: np.ndarray) -> np.ndarray:
        """(m,) novelty scores and (m,) calibrated top probabilities -> (m,) bool: flagged as not a digit."""
        return (np.asarray(scores) > self.threshold) | (np.asarray(top_probability) < self.confidence)


def calibrate_novelty(
    index: DigitIndex, X_heldout: np.ndarray, classes: np.ndarray, rate: float = FLAG_RATE
) -> Calibration:
    """Held-out digits (m, 400) the model did not train on, with the (m,) classes it gives them -> the smallest
    novelty threshold that at most `rate` of them exceed (the top probability flags nothing)."""
    scores = np.sort(novelty(index, X_heldout, classes)[0])
    # The k-th largest score flags the k - 1 above it: the largest k with k - 1 <= rate * m.
    allowed = int(np.floor(rate * len(scores)))
    threshold = float(scores[len(scores) - 1 - allowed])
    return Calibration(threshold, float(np.median(scores)), len(scores), int((scores > threshold).sum()))


def top_probability(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """(m, 10) logits -> (m,) float64 top probability of softmax(logits / temperature)."""
    return my_softmax(np.asarray(logits, np.float64) / temperature).max(axis=-1)


def calibrate_not_a_digit(
    index: DigitIndex,
    heldout: tuple[np.ndarray, np.ndarray],
    shapes: tuple[np.ndarray, np.ndarray],
    temperature: float = 1.0,
    rate: float = FLAG_RATE,
) -> tuple[Calibration, float]:
    """Held-out digits and non-digit shapes, each as (inputs (m, 400), logits (m, 10)) of a model not trained on
    them -> the Calibration whose two thresholds flag at most `rate` of the digits and, among such pairs (j digits
    left to the distance, the rest of the budget to the top probability), the most shapes; and that share of shapes.
    """
    X, logits = heldout
    scores = novelty(index, X, np.argmax(logits, axis=1))[0]
    confidence = top_probability(logits, temperature)
    shape_scores = novelty(index, shapes[0], np.argmax(shapes[1], axis=1))[0]
    shape_confidence = top_probability(shapes[1], temperature)
    allowed = int(np.floor(rate * len(scores)))
    by_score = np.sort(scores)[::-1]
    best: tuple[float, Calibration] | None = None
    for j in range(allowed + 1):
        threshold = float(by_score[j])  # flags the scores above it: at most j
        rest = np.sort(confidence[scores <= threshold])
        left = allowed - int((scores > threshold).sum())
        cut = float(rest[left]) if left < len(rest) else 1.0  # flags the top probabilities below it: at most left
        calibration = Calibration(threshold, float(np.median(scores)), len(scores), 0, cut, temperature)
        caught = float(calibration.flags(shape_scores, shape_confidence).mean())
        if best is None or caught > best[0]:
            best = (caught, calibration)
    caught, chosen = best
    flagged = int(chosen.flags(scores, confidence).sum())
    return Calibration(chosen.threshold, chosen.typical, len(scores), flagged, chosen.confidence, temperature), caught


def training_rows(record: dict | None, y: np.ndarray) -> np.ndarray:
    """The dataset rows a model was trained on, from its record: the robust recipe's training split, else all."""
    n = len(y)
    if record and record.get("validation"):
        recipe = record["recipe"]
        train, _ = stratified_split(y, recipe["validation_fraction"], recipe["seed"])
        return np.sort(train)
    return np.arange(n)


def novelty_record(
    weights: Weights,
    X: np.ndarray,
    y: np.ndarray,
    train_rows: np.ndarray,
    heldout_rows: np.ndarray,
    method: str,
    shapes: np.ndarray | None,
    data_checksum: str,
    temperature: float = 1.0,
) -> dict:
    """Calibrate on X[heldout_rows] against X[train_rows] with a model (weights) not trained on the held-out rows,
    choosing the split on `shapes` (n, 400), all rows as that model reads them -> the 'novelty' entry of a model's
    JSON record; `data_checksum` is the dataset's `checksum(X, y)` (X here may be its deskewed copy). Without
    shapes (a model trained without outlier exposure, whose top probability says little about non-digits) the
    distance alone takes the whole budget."""
    index = build_index(weights, X, y, train_rows)
    logits = forward_layers(weights, X[heldout_rows])[-1].a
    if shapes is None:
        calibration = replace(
            calibrate_novelty(index, X[heldout_rows], np.argmax(logits, axis=1)), temperature=temperature
        )
        caught = None
    else:
        shape_logits = forward_layers(weights, shapes)[-1].a
        heldout, scribbles = (X[heldout_rows], logits), (shapes, shape_logits)
        calibration, caught = calibrate_not_a_digit(index, heldout, scribbles, temperature)
    return {
        **asdict(calibration),
        "flag_rate": FLAG_RATE,
        "shapes_flagged": caught,
        "n_shapes": 0 if shapes is None else int(len(shapes)),
        "method": method,
        "data_checksum": data_checksum,
    }


def load_calibration(record: dict | None, data_checksum: str) -> Calibration | None:
    """The Calibration stored in a model's record by `python -m digitdemo calibrate`, or None when there is none or
    it was made on other data than the dataset with this `checksum(X, y)` (its training rows and threshold would not
    hold)."""
    entry = (record or {}).get("novelty")
    if not entry or entry.get("data_checksum") != data_checksum:
        return None
    return Calibration(
        entry["threshold"],
        entry["typical"],
        entry["n_heldout"],
        entry["flagged"],
        entry.get("confidence", 0.0),
        entry.get("temperature", 1.0),
    )
