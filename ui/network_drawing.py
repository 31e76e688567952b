"""The network drawn as one Plotly figure: the input's 20x20 picture, every layer's units as circles and the strongest
weights as lines; the places of its nodes, made once per layer sizes, and the drawing's shape on the screen."""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from digitdemo.data import SIDE
from digitdemo.network import LAYERS
from ui.pictures import as_image
from ui.theme import ACCENT_COLOR, DIGITS, OTHER_COLOR, SELECTED_COLOR, TICK_SIZE, WINNER_COLOR

INPUT_SPAN = 4.5  # x width of the input's 20x20 picture; the layers after it stand NETWORK_GAP apart
INPUT_HEIGHT = 0.5  # y height of the input's picture (the layers span 0..1); the axes' scales keep its pixels square
NETWORK_GAP = 2.2  # with these, the drawing is about 1.3 times as wide as tall, as the Draw tab's wide column
EDGE_WIDTHS = (0.6, 1.6, 3.2)  # thin, middle, strong thirds of the edges shown


def network_ranges(columns: int) -> tuple[list[float], list[float]]:
    """The x and y ranges of the network drawing with `columns` columns of nodes (the input's picture the first)."""
    cell = INPUT_SPAN / (SIDE - 1)
    return [-cell, INPUT_SPAN + (columns - 1) * NETWORK_GAP + 0.7], [-0.02, 1.02]


def drawing_aspect(columns: int) -> float:
    """Width / height of the network drawing on the screen, its y units drawn INPUT_SPAN / INPUT_HEIGHT times as
    long as its x units (square input pixels)."""
    (x0, x1), (y0, y1) = network_ranges(columns)
    return (x1 - x0) / ((y1 - y0) * INPUT_SPAN / INPUT_HEIGHT)


# The drawing's chart on the page is as tall as its width makes the drawing (ui/presenter.py): no blank bands.
NETWORK_ASPECT = round(drawing_aspect(len(LAYERS) + 1), 3)


def layer_positions(n: int, column: int) -> tuple[np.ndarray, np.ndarray]:
    """Node positions of a layer of n nodes: the input (column 0) as its 20x20 picture, centred in the height, other
    layers as a column spread over the whole height -> (n,) x and (n,) y."""
    if column == 0:
        pixel = np.arange(n)
        side = int(round(np.sqrt(n)))
        # Lab rows are column-major: pixel i sits at row i % 20, column i // 20 of the upright picture.
        top = 0.5 + INPUT_HEIGHT / 2
        return pixel // side * INPUT_SPAN / (side - 1), top - pixel % side * INPUT_HEIGHT / (side - 1)
    x = INPUT_SPAN + column * NETWORK_GAP
    return np.full(n, x), 1 - (np.arange(n) + 0.5) / n


class NetworkPlaces(NamedTuple):
    """Where the network drawing puts its nodes, read-only: each column's (n_l, 2) node positions, the input picture's
    column and row coordinates, and the circles' (every column but the first) x and y."""

    positions: list[np.ndarray]
    picture_x: np.ndarray
    picture_y: np.ndarray
    circle_x: np.ndarray
    circle_y: np.ndarray


@functools.cache
def network_places(sizes: tuple[int, ...]) -> NetworkPlaces:
    """The drawing's places for columns of `sizes` nodes (the input's pixels first): the same on every stroke, so made
    once. C-ordered arrays, which orjson writes as they are."""
    positions = [np.column_stack(layer_positions(n, column)) for column, n in enumerate(sizes)]
    circles = np.ascontiguousarray(np.concatenate(positions[1:]).T)
    places = NetworkPlaces(
        positions, np.unique(positions[0][:, 0]), np.unique(positions[0][:, 1])[::-1].copy(), circles[0], circles[1]
    )
    for array in (*positions, *places[1:]):
        array.setflags(write=False)
    return places


def network_figure(
    nodes: list[np.ndarray],
    edges: list[tuple],
    selected: tuple[int, int] | None,
    pixel_hover: str,
    node_hovers: list[str],
) -> dict:
    """The network drawn: nodes[0] (400,) input pixels as the 20x20 picture, nodes[l] (n_l,) hidden activations and
    logits as circles coloured by value, edges [(source, target, value) arrays per weight layer] as lines (red adds,
    blue takes away; width by strength), the `selected` (layer, unit) ringed. `pixel_hover` is the picture's Plotly
    hover template (%{z}); `node_hovers` one per circle, layer by layer (%{customdata} is the circle's value)."""
    places = network_places(tuple(len(values) for values in nodes))
    strongest = max((float(np.abs(e[2]).max()) for e in edges if len(e[2])), default=1.0) or 1.0
    # Arrays, not lists, and few traces: Plotly validates a list element by element and each trace on its own, and
    # this figure is rebuilt on every stroke. C-ordered arrays: orjson writes only those itself (given any other,
    # Plotly first walks and copies the whole figure, template included).
    picture = np.ascontiguousarray(np.round(as_image(nodes[0]), 3))
    data = [
        {
            "type": "heatmap",
            "z": picture,
            "x": places.picture_x,
            "y": places.picture_y,
            "colorscale": [[0, "#000000"], [1, "#ffffff"]],
            "zmin": 0,
            "zmax": 1,
            "showscale": False,
            "hovertemplate": pixel_hover + "<extra></extra>",
            "xgap": 1,
            "ygap": 1,
        }
    ]
    # Every layer's edges at once: (x, y) of both ends and the signed strength, then one trace per colour and width.
    starts = np.concatenate([places.positions[column][source] for column, (source, _, _) in enumerate(edges)])
    ends = np.concatenate([places.positions[column + 1][target] for column, (_, target, _) in enumerate(edges)])
    value = np.concatenate([value for _, _, value in edges])
    level = np.minimum(np.abs(value) / strongest * len(EDGE_WIDTHS), len(EDGE_WIDTHS) - 1).astype(int)
    # Each edge's trace: adding ones by width, then taking ones by width (an edge adding nothing is not drawn). Sorted
    # by trace, each trace's lines are one slice of (start, end, NaN) rows: NaN ends one line and starts the next.
    trace = np.where(value > 0, level, np.where(value < 0, len(EDGE_WIDTHS) + level, 2 * len(EDGE_WIDTHS)))
    order = np.argsort(trace, kind="stable")
    gaps = np.full(len(order), np.nan)
    xs = np.column_stack([starts[order, 0], ends[order, 0], gaps])
    ys = np.column_stack([starts[order, 1], ends[order, 1], gaps])
    bounds = np.searchsorted(trace[order], np.arange(2 * len(EDGE_WIDTHS) + 1))
    styles = [(color, width) for color in (WINNER_COLOR, ACCENT_COLOR) for width in EDGE_WIDTHS]
    for (color, width), start, end in zip(styles, bounds[:-1], bounds[1:], strict=True):
        if start < end:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": xs[start:end].ravel(),
                    "y": ys[start:end].ravel(),
                    "hoverinfo": "skip",
                    "line": {"color": color, "width": width},
                    "opacity": 0.55,
                }
            )
    # Every circle in one trace, each layer's values scaled to its own strongest: white (off) to red (strong); the
    # logits, which can be negative, from -strongest to +strongest.
    shades, ring_width = [], []
    for column, values in enumerate(nodes[1:], start=1):
        values = np.asarray(values, dtype=float)
        peak = float(np.abs(values).max()) or 1.0
        shades.append((values + peak) / (2 * peak) if column == len(nodes) - 1 else values / peak)
        ring = np.ones(len(values))
        if selected is not None and selected[0] == column:
            ring[selected[1]] = 4
        ring_width.append(ring)
    ring_width = np.concatenate(ring_width)
    last = len(nodes[-1])
    data.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": places.circle_x,
            "y": places.circle_y,
            "customdata": np.concatenate(nodes[1:]),
            "text": [""] * (len(ring_width) - last) + DIGITS[:last],
            "textposition": "middle right",
            "textfont": {"size": TICK_SIZE},
            "hovertemplate": [hover + "<extra></extra>" for hover in node_hovers],
            "marker": {
                "size": np.where(ring_width > 1, 18, 13),
                "color": np.concatenate(shades),
                "opacity": 1,
                "colorscale": [[0, "#ffffff"], [1, WINNER_COLOR]],
                "cmin": 0,
                "cmax": 1,
                "line": {"color": np.where(ring_width > 1, SELECTED_COLOR, OTHER_COLOR).tolist(), "width": ring_width},
            },
        }
    )
    hidden_axis = {"visible": False, "fixedrange": True}
    x_range, y_range = network_ranges(len(nodes))
    # No height: on the page the chart's box sets it (NETWORK_ASPECT, ui/presenter.py).
    layout = {
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": {**hidden_axis, "range": x_range, "constrain": "domain"},
        # One y unit as long as INPUT_SPAN / INPUT_HEIGHT x units on the screen, at any width: the drawing keeps its
        # shape and is centred in the space it has (its axes' domain shrinks) rather than stretched.
        "yaxis": {
            **hidden_axis,
            "range": y_range,
            "scaleanchor": "x",
            "scaleratio": INPUT_SPAN / INPUT_HEIGHT,
            "constrain": "domain",
        },
        "showlegend": False,
        "dragmode": False,
    }
    return {"data": data, "layout": layout}
