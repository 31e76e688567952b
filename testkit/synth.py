"""Drawn digits made without any download: hand-written pen-stroke templates, jittered and rendered on a canvas.

The templates were written by hand for this module (no training digit was traced), so models trained on MNIST never
saw these shapes. `photo_like` turns a drawing into dark ink on light, unevenly lit, noisy paper.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from digitdemo.preprocess import CANVAS_SIDE

Stroke = np.ndarray  # (k, 2) points (x, y), y downwards; a template's digit spans y 0..1
PEN_WIDTHS = (8.0, 40.0)
SIZES = (0.25, 1.0)  # the digit's height as a fraction of the canvas, pen included
MAX_SLANT = 20.0  # degrees either way
MAX_PEN_FRACTION = 0.2  # a pen at most a fifth of the digit's height: thicker fills the loops, as nobody draws
JITTER = 0.04  # sd of the smooth warp's coefficients and of each stroke's shift, in digit heights
SUPERSAMPLE = 2  # rendered at 2x and averaged down: the browser's canvas antialiases its strokes too


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 0) -> Stroke:
    """(n, 2) points along an ellipse from angle `start` to `end` in degrees (0 = right, 90 = down)."""
    n = n or max(8, int(abs(end - start) / 10))
    angles = np.radians(np.linspace(start, end, n))
    return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1)


def line(*points: tuple[float, float]) -> Stroke:
    """(k, 2) points of a polyline."""
    return np.array(points, dtype=float)


def join(*parts: Stroke) -> Stroke:
    """One stroke made of several pieces drawn without lifting the pen."""
    return np.concatenate(parts)


# Several ways people draw each digit; each style is a list of strokes in a box about 0.6 wide and 1 tall.
TEMPLATES: dict[int, list[list[Stroke]]] = {
    0: [
        [arc(0.3, 0.5, 0.28, 0.5, -90, 270)],
        [arc(0.3, 0.5, 0.3, 0.48, -60, 310)],
        [arc(0.32, 0.5, 0.22, 0.5, -100, 265)],
    ],
    1: [
        [line((0.3, 0.0), (0.3, 1.0))],
        [line((0.12, 0.2), (0.32, 0.0), (0.32, 1.0))],
        [line((0.15, 0.15), (0.3, 0.0), (0.28, 1.0)), line((0.1, 1.0), (0.48, 1.0))],
    ],
    2: [
        [join(arc(0.3, 0.28, 0.27, 0.27, 190, 380), line((0.05, 1.0), (0.62, 1.0)))],
        [join(arc(0.3, 0.28, 0.27, 0.28, 195, 350), line((0.5, 0.52), (0.22, 0.8), (0.02, 1.0), (0.6, 0.98)))],
        [
            join(
                arc(0.28, 0.27, 0.26, 0.27, 180, 390),
                line((0.02, 0.98)),
                arc(0.16, 0.88, 0.12, 0.1, 200, 330),
                line((0.6, 0.98)),
            )
        ],
    ],
    3: [
        [join(arc(0.3, 0.25, 0.26, 0.25, 200, 450), arc(0.3, 0.74, 0.29, 0.26, -90, 160))],
        [join(line((0.03, 0.0), (0.57, 0.0), (0.25, 0.42)), arc(0.3, 0.7, 0.28, 0.3, -100, 150))],
        [join(arc(0.28, 0.24, 0.25, 0.24, 210, 420), line((0.3, 0.48)), arc(0.28, 0.74, 0.3, 0.26, -70, 170))],
    ],
    4: [
        [line((0.42, 0.0), (0.02, 0.66), (0.62, 0.66)), line((0.46, 0.3), (0.46, 1.0))],
        [line((0.45, 1.0), (0.45, 0.0), (0.0, 0.66), (0.62, 0.66))],
        [line((0.06, 0.0), (0.04, 0.55), (0.6, 0.55)), line((0.46, 0.02), (0.48, 1.0))],
    ],
    5: [
        [join(line((0.56, 0.0), (0.12, 0.0), (0.08, 0.45)), arc(0.3, 0.69, 0.28, 0.31, 220, 500))],
        [join(line((0.1, 0.0), (0.07, 0.45)), arc(0.3, 0.69, 0.28, 0.31, 225, 500)), line((0.1, 0.0), (0.56, 0.0))],
        [join(line((0.56, 0.02), (0.1, 0.0), (0.04, 0.42)), arc(0.26, 0.72, 0.3, 0.28, 240, 480))],
    ],
    6: [
        [join(arc(0.55, 0.62, 0.5, 0.62, 250, 170), arc(0.32, 0.72, 0.27, 0.27, 180, -180))],
        [join(line((0.45, 0.0), (0.1, 0.5)), arc(0.32, 0.73, 0.27, 0.27, 200, -160))],
        [join(arc(0.62, 0.6, 0.56, 0.6, 245, 165), arc(0.3, 0.76, 0.24, 0.24, 170, -190))],
    ],
    7: [
        [line((0.0, 0.0), (0.6, 0.0), (0.22, 1.0))],
        [line((0.0, 0.0), (0.6, 0.0), (0.26, 1.0)), line((0.16, 0.5), (0.54, 0.5))],
        [line((0.0, 0.12), (0.04, 0.0), (0.6, 0.02), (0.42, 0.45), (0.3, 1.0))],
    ],
    8: [
        [arc(0.3, 0.24, 0.22, 0.24, 90, 450), arc(0.3, 0.73, 0.28, 0.27, -90, 270)],
        [join(arc(0.3, 0.25, 0.23, 0.25, 0, -270), arc(0.3, 0.74, 0.28, 0.26, 270, -90), line((0.53, 0.25)))],
        [join(arc(0.32, 0.24, 0.22, 0.24, -20, -270), arc(0.28, 0.74, 0.27, 0.26, -90, 270), line((0.52, 0.18)))],
    ],
    9: [
        [join(arc(0.3, 0.28, 0.27, 0.28, 0, -360), line((0.55, 1.0)))],
        [join(arc(0.3, 0.28, 0.27, 0.28, 10, -350), line((0.56, 0.7), (0.45, 0.94), (0.2, 1.0)))],
        [arc(0.28, 0.27, 0.26, 0.27, 0, 360), line((0.56, 0.05), (0.5, 1.0))],
    ],
}


@dataclass(frozen=True)
class Drawing:
    """One rendered digit: (280, 280) uint8 white on black, its label and how it was drawn."""

    image: np.ndarray
    label: int
    style: int
    pen: float
    height: float
    slant: float


def warp(points: Stroke, rng: np.random.Generator) -> Stroke:
    """(k, 2) template points -> the same bent by a smooth random quadratic warp, as no two hands draw alike."""
    x, y = points[:, 0] - 0.3, points[:, 1] - 0.5
    basis = np.stack([x, y, x * y, x * x, y * y], axis=1)
    return points + basis @ rng.normal(0, JITTER, (5, 2))


def place_strokes(
    strokes: Sequence[Stroke], rng: np.random.Generator, canvas: int = CANVAS_SIDE
) -> tuple[list[Stroke], dict[str, float]]:
    """Template strokes -> jittered, slanted, sized and placed strokes in canvas pixels, and the draw settings."""
    height = rng.uniform(*SIZES) * canvas
    pen = rng.uniform(PEN_WIDTHS[0], min(PEN_WIDTHS[1], max(PEN_WIDTHS[0], MAX_PEN_FRACTION * height)))
    slant = rng.uniform(-MAX_SLANT, MAX_SLANT)
    stretch = rng.uniform(0.8, 1.25)
    points = [warp(s, rng) + rng.normal(0, JITTER / 2, 2) for s in strokes]
    shear = np.tan(np.radians(slant))
    points = [np.stack([(p[:, 0] - 0.3) * stretch + shear * (0.5 - p[:, 1]), p[:, 1]], axis=1) for p in points]
    every = np.concatenate(points)
    low, high = every.min(axis=0), every.max(axis=0)
    scale = (height - pen) / max(high[1] - low[1], (high[0] - low[0]) / 0.9)  # wide shapes must fit too
    extent = (high - low) * scale + pen
    origin = rng.uniform(0, np.maximum(canvas - extent, 0)) + pen / 2
    placed = [(p - low) * scale + origin for p in points]
    return placed, {"pen": float(pen), "height": float(extent[1]), "slant": float(slant)}


def render(strokes: Sequence[Stroke], pen: float, canvas: int = CANVAS_SIDE) -> np.ndarray:
    """Strokes in canvas pixels -> (canvas, canvas) uint8, white round-capped pen strokes on black, antialiased."""
    big = Image.new("L", (canvas * SUPERSAMPLE, canvas * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    width = pen * SUPERSAMPLE
    for stroke in strokes:
        xy = [tuple(p) for p in stroke * SUPERSAMPLE]
        draw.line(xy, fill=255, width=round(width), joint="curve")
        for x, y in (xy[0], xy[-1]):
            draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=255)
    return np.asarray(big.reduce(SUPERSAMPLE))


def draw_digit(label: int, rng: np.random.Generator, style: int | None = None) -> Drawing:
    """One digit drawn with a random style, pen, size, slant, stretch and position on a 280x280 canvas."""
    styles = TEMPLATES[label]
    style = int(rng.integers(len(styles))) if style is None else style
    strokes, settings = place_strokes(styles[style], rng)
    return Drawing(render(strokes, settings["pen"]), label, style, **settings)


def photo_like(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(H, W) uint8 white-on-black drawing -> (H, W, 3) uint8 photo: dark ink on light paper, uneven light, noise,
    JPEG."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    angle = rng.uniform(0, 2 * np.pi)
    gradient = (np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5)) * rng.uniform(0.1, 0.5)
    centre = rng.uniform(0.2, 0.8, 2)
    vignette = -rng.uniform(0, 0.35) * ((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2)
    paper = np.clip(rng.uniform(0.7, 0.95) + gradient + vignette, 0.3, 1.0)
    darkness = rng.uniform(0.45, 0.9)  # how much light the ink absorbs: pencil to marker
    gray = paper * (1 - darkness * ink.astype(np.float64) / 255)
    tint = np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.85, 1.0)])  # warm paper or light
    rgb = gray[..., None] * tint + rng.normal(0, rng.uniform(0.01, 0.06), (h, w, 3))
    image = Image.fromarray(np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(rng.integers(60, 95)))
    return np.asarray(Image.open(buffer).convert("RGB"))


def drawn_set(n_per_class: int, seed: int = 0) -> tuple[list[Drawing], np.ndarray]:
    """n_per_class drawings of each digit (styles in turn) -> the drawings and (n,) int64 labels."""
    rng = np.random.default_rng(seed)
    drawings = [draw_digit(label, rng, i % len(TEMPLATES[label])) for label in range(10) for i in range(n_per_class)]
    return drawings, np.array([d.label for d in drawings], dtype=np.int64)


def template_strokes(label: int, style: int = 0) -> list[Stroke]:
    """A template's strokes, un-jittered, scaled into the 0..1 box (for drawing it with a mouse in a browser test)."""
    strokes = TEMPLATES[label][style]
    every = np.concatenate(strokes)
    low, high = every.min(axis=0), every.max(axis=0)
    return [(s - low) / (high - low).max() for s in strokes]
