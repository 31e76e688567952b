"""The canvas's Fabric.js strokes drawn into its picture on the server: the canvas then sends its small JSON alone,
not a PNG of the whole canvas on every stroke (decoding that PNG was most of a stroke's cost to the server)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from digitdemo.preprocess import WORK_SIDE

SUPERSAMPLE = 2  # drawn at twice the side and averaged down: the browser's canvas antialiases its strokes too
CURVE_STEPS = 4  # points per quadratic curve of a path: Fabric's pen makes many short ones, a few pixels each
# Where an object's left/top sit on its box, as a fraction of the box from its centre (Fabric's originX/originY).
ORIGIN_SHIFT = {"left": 0.5, "top": 0.5, "center": 0.0, "right": -0.5, "bottom": -0.5}


def path_points(path: list[list]) -> np.ndarray:
    """A Fabric.js path (['M', x, y], ['Q', cx, cy, x, y], ['L', x, y], ...) -> (k, 2) float64 points along it in the
    path's own units, each quadratic curve sampled at CURVE_STEPS points; any other command goes straight to its
    end point."""
    points: list[tuple[float, float]] = []
    for command in path:
        if len(command) < 3:
            continue  # 'Z' and the like: no point of their own
        x, y = float(command[-2]), float(command[-1])
        if command[0] == "Q" and points:
            (x0, y0), (cx, cy) = points[-1], command[1:3]
            for t in np.arange(1, CURVE_STEPS + 1) / CURVE_STEPS:
                points.append(
                    (
                        (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x,
                        (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y,
                    )
                )
        else:
            points.append((x, y))
    return np.array(points, dtype=np.float64).reshape(-1, 2)


def placed_points(item: dict) -> np.ndarray:
    """One Fabric.js path object -> (k, 2) float64 points on the canvas, in canvas pixels: its path moved so that its
    box sits where left/top and the origin say, scaled by scaleX/scaleY about the box's centre (no rotation: the
    Draw tab's pen makes none)."""
    points = path_points(item.get("path") or [])
    if not len(points):
        return points
    low, high = points.min(axis=0), points.max(axis=0)
    scale = np.array([item.get("scaleX", 1.0), item.get("scaleY", 1.0)], dtype=np.float64)
    size = np.array([item.get("width", high[0] - low[0]), item.get("height", high[1] - low[1])], dtype=np.float64)
    box = (size + item.get("strokeWidth", 0)) * scale  # Fabric's box includes the stroke, scaled with it
    shift = np.array(
        [ORIGIN_SHIFT.get(item.get("originX", "left"), 0.5), ORIGIN_SHIFT.get(item.get("originY", "top"), 0.5)]
    )
    centre = np.array([item.get("left", 0.0), item.get("top", 0.0)], dtype=np.float64) + shift * box
    return centre + (points - (low + high) / 2) * scale


def draw_strokes(drawing: dict | None, canvas_side: int, side: int = WORK_SIDE) -> np.ndarray | None:
    """A Fabric.js canvas JSON dict (the canvas's `json_data`, drawn on a `canvas_side` px canvas) -> (side, side, 4)
    uint8 RGBA picture of it as the canvas paints it, shrunk to `side` (by default the side preprocessing shrinks a
    picture to first, so nothing larger is drawn): white strokes at their width, round caps and joins, on opaque
    black; None for no drawing."""
    if drawing is None:
        return None
    zoom = side * SUPERSAMPLE / canvas_side
    big = Image.new("L", (side * SUPERSAMPLE, side * SUPERSAMPLE), 0)
    pen = ImageDraw.Draw(big)
    for item in drawing.get("objects") or []:
        points = placed_points(item) * zoom
        width = item.get("strokeWidth", 1) * float(item.get("scaleX", 1.0)) * zoom
        radius = width / 2 - 0.5  # Pillow's ellipse covers both ends of its box: a pixel wider than asked
        if len(points) > 1:
            pen.line([tuple(point) for point in points], fill=255, width=max(1, round(width)))
        for x, y in points:  # round caps and joins: a disc at every point (a joint="curve" line costs 2-3x more)
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    gray = np.asarray(big.reduce(SUPERSAMPLE))
    picture = np.empty((side, side, 4), dtype=np.uint8)
    picture[..., :3] = gray[..., None]
    picture[..., 3] = 255
    return picture
