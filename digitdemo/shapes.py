"""Shapes that are not digits, made here for outlier exposure: scribbles drawn as pen strokes and sent through the
drawings' own preprocessing, so that a model learns to spread its probabilities evenly over the ten digits on them.

One family only, kept apart from what benchmarks/novelty.py scores (letters, +, -, =, #, *, X, a triangle): zigzags
of many turns and scattered dots. A model trained on these and scored on those shows how far the lesson carries to
shapes it never saw. Tangled loops and scattered short curls were tried too (on other drawings of the benchmark's
symbols, seed 5) and left out: they look like parts of 0, 6, 8, 3 and 5, and cost a point of held-out accuracy for
fewer symbols flagged.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from digitdemo.data import N_PIXELS
from digitdemo.preprocess import preprocess

FAMILY = ("zigzag", "dots")
CANVAS = 140  # px: the preprocessing's working size, so nothing is shrunk before it
MARGIN = 0.1  # of the canvas on each side
PEN_RANGE = (0.03, 0.09)  # pen width as a fraction of the canvas


def zigzag(rng: np.random.Generator) -> list[np.ndarray]:
    """One polyline through 6-10 random corners: more sharp turns than any digit."""
    return [rng.uniform(0, 1, (int(rng.integers(6, 11)), 2))]


def dots(rng: np.random.Generator) -> list[np.ndarray]:
    """3-7 dots scattered over the box (each a stroke of one point)."""
    return [point[None] for point in rng.uniform(0, 1, (int(rng.integers(3, 8)), 2))]


MAKERS = {"zigzag": zigzag, "dots": dots}


def render_strokes(strokes: list[np.ndarray], pen: float, side: int = CANVAS) -> np.ndarray:
    """Strokes of (k, 2) points (x, y; any scale) -> (side, side) uint8 white-on-black canvas, the strokes fitted to
    it with a margin, drawn with round ends and joints `pen` px wide."""
    points = np.concatenate(strokes)
    low, span = points.min(axis=0), max(float(np.ptp(points, axis=0).max()), 1e-6)
    scale = side * (1 - 2 * MARGIN) / span
    image = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(image)
    radius = pen / 2
    for stroke in strokes:
        xy = [tuple(p) for p in (stroke - low) * scale + side * MARGIN]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=max(1, round(pen)))
        for x, y in xy:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(image)


def non_digit_shapes(n: int, seed: int) -> np.ndarray:
    """n shapes of FAMILY, kinds in turn -> (m, 400) float32 network inputs in the lab layout (m <= n: a shape the
    preprocessing finds no ink in, or only a speck, is left out)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        strokes = MAKERS[FAMILY[i % len(FAMILY)]](rng)
        row = preprocess(render_strokes(strokes, rng.uniform(*PEN_RANGE) * CANVAS))
        if row is not None:
            rows.append(row)
    return np.array(rows, dtype=np.float32).reshape(-1, N_PIXELS)
