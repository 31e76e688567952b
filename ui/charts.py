"""Chart helpers shared by the tabs: digits enlarged with visible pixels, and cheap Plotly bar charts as plain dicts."""

from __future__ import annotations

import numpy as np

from digitdemo.data import N_PIXELS, roll_up

GRID_LEVEL = 60  # gray of the lines between enlarged pixels: visible on black and on white
WINNER_COLOR = "#ff4b4b"
OTHER_COLOR = "#8c96a8"
NEGATIVE_RGB = np.array([40, 110, 220], np.float32)  # blue for weights below zero
POSITIVE_RGB = np.array([230, 60, 50], np.float32)  # red for weights above zero
DIGITS = [str(d) for d in range(10)]
PLOTLY_CONFIG = {"displayModeBar": False}  # every chart: no Plotly toolbar over it


def as_image(row_or_image: np.ndarray) -> np.ndarray:
    """A (400,) lab row or a (20, 20) image -> (20, 20) image the right way up."""
    array = np.asarray(row_or_image)
    return roll_up(array) if array.shape == (N_PIXELS,) else array


def enlarge(image: np.ndarray, scale: int, grid: bool) -> np.ndarray:
    """(h, w) or (h, w, 3) uint8 -> each pixel a scale x scale block, with a 1-pixel grid between blocks when asked."""
    big = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
    if grid and scale >= 4:
        big[::scale] = GRID_LEVEL
        big[:, ::scale] = GRID_LEVEL
    return big


def digit_image(row_or_image: np.ndarray, scale: int = 12, grid: bool = True) -> np.ndarray:
    """A (400,) lab row or (20, 20) image, values about 0..1 -> (20*scale, 20*scale) uint8 gray for st.image."""
    image = np.clip(as_image(row_or_image), 0.0, 1.0)
    return enlarge(np.round(image * 255).astype(np.uint8), scale, grid)


def signed_image(row_or_image: np.ndarray, scale: int = 4, grid: bool = False) -> np.ndarray:
    """A (400,) row or (h, w) image of signed values -> (h*scale, w*scale, 3) uint8: red above 0, blue below, white 0."""
    image = as_image(row_or_image).astype(np.float32)
    peak = float(np.abs(image).max()) or 1.0
    strength = np.abs(image / peak)[..., None]
    color = np.where(image[..., None] >= 0, POSITIVE_RGB, NEGATIVE_RGB)
    rgb = 255.0 * (1 - strength) + color * strength
    return enlarge(np.round(rgb).astype(np.uint8), scale, grid)


def bar_chart(
    values: np.ndarray,
    winner: int | None = None,
    y_title: str = "",
    y_range: tuple[float, float] | None = None,
    labels: list[str] | None = None,
    text_format: str = ".2f",
    height: int = 260,
    labelled: bool = True,
) -> dict:
    """(k,) values -> a Plotly bar figure as a dict, bar `winner` highlighted, each bar labelled with its value if asked."""
    values = np.asarray(values, dtype=float)
    labels = labels or DIGITS[: len(values)]
    colors = [WINNER_COLOR if i == winner else OTHER_COLOR for i in range(len(values))]
    yaxis = {"title": {"text": y_title}, "zeroline": True}
    if y_range is not None:
        yaxis["range"] = list(y_range)
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": values.tolist(),
                "marker": {"color": colors},
                "text": [format(v, text_format) for v in values] if labelled else None,
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{x}: %{y:" + text_format + "}<extra></extra>",
            }
        ],
        "layout": {
            "height": height,
            "margin": {"l": 50, "r": 10, "t": 20, "b": 40},
            "xaxis": {"type": "category", "tickfont": {"size": 16}},
            "yaxis": yaxis,
            "showlegend": False,
        },
    }


def probability_chart(proba: np.ndarray, y_title: str = "probability") -> dict:
    """(10,) probabilities -> bar figure dict on a 0..1 axis with the most likely digit highlighted."""
    return bar_chart(proba, int(np.argmax(proba)), y_title, (0.0, 1.1))


def logit_chart(logits: np.ndarray, y_title: str = "logit z") -> dict:
    """(10,) logits -> bar figure dict with the largest highlighted."""
    return bar_chart(logits, int(np.argmax(logits)), y_title, text_format=".1f")


def tile_grid(tiles: list[np.ndarray], columns: int, gap: int = 4, fill: int = 255) -> np.ndarray:
    """Equal-sized (h, w) or (h, w, 3) uint8 tiles -> one uint8 image of `columns` per row, `gap` pixels apart."""
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    shape = (rows * (h + gap) - gap, columns * (w + gap) - gap) + tiles[0].shape[2:]
    grid = np.full(shape, fill, np.uint8)
    for i, tile in enumerate(tiles):
        top, left = (i // columns) * (h + gap), (i % columns) * (w + gap)
        grid[top : top + h, left : left + w] = tile
    return grid
