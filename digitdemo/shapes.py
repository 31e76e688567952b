"""Shapes that are not digits, made here for outlier exposure: scribbles drawn as pen strokes and sent through the
drawings' own preprocessing, so that a model learns to spread its probabilities evenly over the ten digits on them.

One family only, kept apart from what benchmarks/novelty.py scores (letters, +, -, =, #, *, X, a triangle): tangled
scribbles, zigzags of many turns, scattered dots and scattered short curls. A model trained on these and scored on
those shows how far the lesson carries to shapes it never saw.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from digitdemo.data import N_PIXELS
from digitdemo.preprocess import preprocess

FAMILY = ("tangle", "zigzag", "dots", "curls")
CANVAS = 140  # px: the preprocessing's working size, so nothing is shrunk before it
MARGIN = 0.1  # of the canvas on each side
PEN_RANGE = (0.03, 0.09)  # pen width as a fraction of the canvas


def tangle(rng: np.random.Generator) -> list[np.ndarray]:
    """One stroke wandering with momentum and a steady curl for 60-100 steps: a tangle of loops no digit has."""
    steps = int(rng.integers(60, 101))
    curl = rng.choice([-1, 1]) * rng.uniform(0.25, 0.5)  # radians per step: a loop every 13-25 steps
    turns = np.cumsum(rng.normal(curl, 0.5, steps)) + rng.uniform(0, 2 * np.pi)
    points = np.cumsum(np.stack([np.cos(turns), np.sin(turns)], axis=1) * 0.08, axis=0)
    return [points]


def zigzag(rng: np.random.Generator) -> list[np.ndarray]:
    """One polyline through 6-10 random corners: more sharp turns than any digit."""
    return [rng.uniform(0, 1, (int(rng.integers(6, 11)), 2))]


def dots(rng: np.random.Generator) -> list[np.ndarray]:
    """3-7 dots scattered over the box (each a stroke of one point)."""
    return [point[None] for point in rng.uniform(0, 1, (int(rng.integers(3, 8)), 2))]


def curls(rng: np.random.Generator) -> list[np.ndarray]:
    """3-5 short curved strokes scattered over the box, each turning its own way."""
    strokes = []
    for _ in range(int(rng.integers(3, 6))):
        start, radius = rng.uniform(0.1, 0.9, 2), rng.uniform(0.06, 0.18)
        angles = rng.uniform(0, 2 * np.pi) + np.linspace(0, rng.choice([-1, 1]) * rng.uniform(1.5, 4.0), 10)
        strokes.append(start + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1))
    return strokes


MAKERS = {"tangle": tangle, "zigzag": zigzag, "dots": dots, "curls": curls}


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
