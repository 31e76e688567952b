"""Every picture and Plotly figure the tabs show, in one theme: digits enlarged with visible pixels, and bar, line,
heatmap and per-epoch figures as plain dicts (cheaper for Streamlit than plotly.graph_objects). Titles come translated."""

from __future__ import annotations

import base64
import functools
import io
import re
from typing import NamedTuple

import numpy as np
from PIL import Image

from digitdemo.data import N_PIXELS, SIDE, roll_up
from digitdemo.network import LAYERS

# The theme: one palette and one set of sizes for every figure and picture.
WINNER_COLOR = "#ff4b4b"  # the largest bar; the curve that matters (a loss, the ReLU sum)
OTHER_COLOR = "#8c96a8"  # every other bar; the ReLU unit that is fixed
ACCENT_COLOR = "#4c78a8"  # bars and curves with no winner: softmax panels, activations, ReLU unit 1
SECOND_COLOR = "#f58518"  # ReLU unit 2
TARGET_COLOR = "#2ca02c"  # what the ReLU units should match
UNIT_COLORS = (OTHER_COLOR, ACCENT_COLOR, SECOND_COLOR)  # ReLU unit 0 (fixed) in gray, the learner's units in color
POSITIVE_RGB = np.array([230, 60, 50], np.float32)  # red for weights above zero
NEGATIVE_RGB = np.array([40, 110, 220], np.float32)  # blue for weights below zero
ERROR_COLOR = "#d62728"  # confusion-matrix cells off the diagonal, at their largest count
CORRECT_COLOR = "#dff0d8"  # confusion-matrix diagonal
SELECTED_COLOR = "#1f4e9c"  # the outline of a chosen cell
TEXT_COLOR = "#222"
GRID_LEVEL = 60  # gray of the lines between enlarged pixels: visible on black and on white
DIGIT_TICK_SIZE = 16  # the digits under the probability bars
TICK_SIZE = 14
SMALL_TICK_SIZE = 11
TITLE_SIZE = 14
CELL_TEXT_SIZE = 13
MARGIN = {"l": 50, "r": 10, "t": 20, "b": 40}  # px around a plot: room for tick labels and axis titles
LEVEL_TITLE_SPACE = 30  # px of top margin for a y-axis title written level above the axis
PLOTLY_CONFIG = {"displayModeBar": False}  # every chart: no Plotly toolbar over it
DIGITS = [str(d) for d in range(10)]
# Chinese, Japanese and Korean characters, which read badly turned on their side as Plotly turns y-axis titles.
CJK = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


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


def png_url(image: np.ndarray) -> str:
    """(h, w) or (h, w, 3) uint8 picture -> a data: URL of it as PNG, for st.image.

    Handed an array, st.image stores a quality-100 JPEG that the page then fetches: 32 KB for the 240 px digit the
    Draw tab shows on every stroke, against 1.1 KB of PNG here, which is lossless (the grid lines stay sharp) and
    comes inside the page's message, with no request per picture."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)  # level 1: pixel blocks compress anyway
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


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


def set_y_title(layout: dict, text: str) -> dict:
    """Title `layout`'s y axis with `text`: along the axis as Plotly does, or, for Chinese, Japanese or Korean text,
    written level above the plot from the figure's left edge, the top margin grown to hold it. Returns `layout`."""
    if not text or not CJK.search(text):
        layout["yaxis"]["title"] = {"text": text}
        return layout
    layout.setdefault("annotations", []).append(
        # From the figure's left edge rightwards: in a narrow figure a title ending at the axis would be cut off.
        {"text": text, "xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left", "yanchor": "bottom",
         "xshift": -layout["margin"]["l"], "yshift": 4, "showarrow": False, "font": {"size": TITLE_SIZE}}
    )  # fmt: skip
    layout["margin"]["t"] = max(layout["margin"]["t"], LEVEL_TITLE_SPACE)
    return layout


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
    yaxis = {"zeroline": True}
    if y_range is not None:
        yaxis["range"] = list(y_range)
    layout = {
        "height": height,
        "margin": dict(MARGIN),
        "xaxis": {"type": "category", "tickfont": {"size": DIGIT_TICK_SIZE}},
        "yaxis": yaxis,
        "showlegend": False,
    }
    bars = {
        "type": "bar",
        "x": labels,
        "y": values.tolist(),
        "marker": {"color": colors},
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{x}: %{y:" + text_format + "}<extra></extra>",
    }
    if labelled:
        bars["text"] = [bar_label(v, text_format) for v in values]
    return {"data": [bars], "layout": set_y_title(layout, y_title)}


def bar_label(value: float, text_format: str) -> str:
    """A bar's label: its value, or nothing where the value shows as zero (ten "0.00" labels only hide the winner)."""
    text = format(value, text_format)
    return "" if float(text) == 0 else text


def probability_chart(proba: np.ndarray, y_title: str = "") -> dict:
    """(10,) probabilities -> bar figure dict on a 0..1 axis with the most likely digit highlighted."""
    return bar_chart(proba, int(np.argmax(proba)), y_title, (0.0, 1.1))


def logit_chart(logits: np.ndarray, y_title: str = "") -> dict:
    """(10,) logits -> bar figure dict with the largest highlighted."""
    return bar_chart(logits, int(np.argmax(logits)), y_title, text_format=".1f")


def hidden_chart(values: np.ndarray, title: str) -> dict:
    """(k,) activations of one hidden layer -> bar figure dict titled `title`, bars numbered from 0."""
    figure = bar_chart(values, int(np.argmax(values)), "a", labels=[str(j) for j in range(len(values))],
                       text_format=".1f", height=220, labelled=False)  # fmt: skip
    figure["layout"]["title"] = {"text": title, "font": {"size": TITLE_SIZE}}
    figure["layout"]["margin"]["t"] = 40
    figure["layout"]["xaxis"]["tickfont"] = {"size": SMALL_TICK_SIZE}
    return figure


def bars_figure(panels: list[tuple[np.ndarray, str, tuple[float, float] | None, str]], height: int) -> dict:
    """Panels of (k,) values (values, title, x range or None, number format) -> one Plotly figure dict `height` px
    tall of side-by-side horizontal bar charts sharing the rows z0..z(k-1), each panel's largest bar highlighted."""
    n_panels, gap = len(panels), 0.1
    width = (1 - gap * (n_panels - 1)) / n_panels
    data, layout = [], {}
    for p, (values, title, x_range, text_format) in enumerate(panels):
        values = np.asarray(values, dtype=float)
        axis = "x" if p == 0 else f"x{p + 1}"
        winner = int(np.argmax(values))
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "x": values.tolist(),
                "y": [f"z{j}" for j in range(len(values))],
                "xaxis": axis,
                "marker": {"color": [WINNER_COLOR if j == winner else ACCENT_COLOR for j in range(len(values))]},
                "text": [format(v, text_format) for v in values],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x:" + text_format + "}<extra></extra>",
            }
        )
        # Room beside the longest bar for its label, so it does not run into the next panel.
        low, high = x_range or (min(0.0, values.min() * 1.35), max(0.0, values.max() * 1.35))
        left = p * (width + gap)
        layout["xaxis" if p == 0 else f"xaxis{p + 1}"] = {
            "domain": [left, left + width], "range": [low, high], "fixedrange": True, "zeroline": True, "nticks": 4,
        }  # fmt: skip
        layout.setdefault("annotations", []).append(
            {"text": f"<b>{title}</b>", "x": left + width / 2, "y": 1, "xref": "paper", "yref": "paper",
             "yanchor": "bottom", "showarrow": False, "font": {"size": TITLE_SIZE}}
        )  # fmt: skip
    return {
        "data": data,
        "layout": {
            **layout,
            "height": height,
            "margin": {"l": 35, "r": 30, "t": 30, "b": 25},
            "yaxis": {"autorange": "reversed", "fixedrange": True, "tickfont": {"size": TICK_SIZE}},
            "bargap": 0.35,
            "showlegend": False,
        },
    }


def line_figure(
    traces: list[dict], x_title: str, y_title: str, height: int, y_range: list[float] | None = None
) -> dict:
    """Plotly line traces (dicts with x, y, name, color, dash) -> a figure dict with a legend above the plot."""
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            # Arrays, not lists: Plotly validates a list element by element, an array at once (faster slider moves).
            "x": np.asarray(trace["x"]),
            "y": np.asarray(trace["y"]),
            "name": trace["name"],
            "line": {"color": trace["color"], "width": trace.get("width", 3), "dash": trace.get("dash", "solid")},
            "hovertemplate": "%{x:.2f}, %{y:.2f}<extra>" + trace["name"] + "</extra>",
        }
        for trace in traces
    ]
    yaxis = {"zeroline": True, "fixedrange": True}
    if y_range is not None:
        yaxis["range"] = y_range
    layout = {
        "height": height,
        "margin": {**MARGIN, "l": 45, "t": 30 if len(traces) > 1 else 10},
        "xaxis": {"title": {"text": x_title}, "zeroline": True, "fixedrange": True},
        "yaxis": yaxis,
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "showlegend": len(traces) > 1,
    }
    return {"data": data, "layout": set_y_title(layout, y_title)}


def activation_figure(z: np.ndarray, a: np.ndarray, name: str) -> dict:
    """(n,) inputs z and activations a -> line figure dict of a over z."""
    return line_figure([{"x": z, "y": a, "name": name, "color": ACCENT_COLOR}], "z", "a", 230)


def relu_unit_figure(x: np.ndarray, z: np.ndarray, a: np.ndarray, unit: int) -> dict:
    """(n,) x with one ReLU unit's z = w x + b (dotted) and a = max(0, z) (solid) -> line figure dict."""
    traces = [
        {"x": x, "y": z, "name": "z", "color": UNIT_COLORS[unit], "dash": "dot", "width": 2},
        {"x": x, "y": a, "name": "max(0, z)", "color": UNIT_COLORS[unit]},
    ]
    return line_figure(traces, "x", "", 230, [-4.5, 4.5])


def relu_sum_figure(x: np.ndarray, target: np.ndarray, output: np.ndarray, names: tuple[str, str]) -> dict:
    """(n,) x, the target and the units' sum -> line figure dict; `names` are the target's and the sum's legends."""
    traces = [
        {"x": x, "y": target, "name": names[0], "color": TARGET_COLOR, "width": 6},
        {"x": x, "y": output, "name": names[1], "color": WINNER_COLOR},
    ]
    return line_figure(traces, "x", "", 330, [-1.0, 6.0])


def confusion_figure(
    counts: np.ndarray, selected: tuple[int | None, int | None], titles: tuple[str, str], hover: str
) -> dict:
    """(10, 10) counts -> heatmap figure dict: errors red, the diagonal (correct) green, the chosen cell (label,
    prediction) outlined; `titles` are the x (prediction) and y (label) axes', `hover` a cell's Plotly hover text."""
    n = len(counts)
    digits = list(range(n))
    off = [[None if r == c else int(counts[r, c]) for c in digits] for r in digits]
    on = [[int(counts[r, c]) if r == c else None for c in digits] for r in digits]
    most_errors = max(1, int(counts[~np.eye(n, dtype=bool)].max(initial=0)))
    cells = [
        {"type": "heatmap", "z": z, "x": digits, "y": digits, "colorscale": scale, "zmin": 0, "zmax": zmax,
         "showscale": False, "hoverinfo": "skip", "xgap": 1, "ygap": 1}
        for z, scale, zmax in [(off, [[0, "#ffffff"], [1, ERROR_COLOR]], most_errors),
                               (on, [[0, CORRECT_COLOR], [1, CORRECT_COLOR]], 1)]
    ]  # fmt: skip
    rows, cols = np.divmod(np.arange(n * n), n)
    flat = counts.reshape(-1)
    # The counts as text on invisible markers, which also make the cells clickable: Streamlit reports selected
    # points, not heatmap cells. Zero mistakes stay blank so the errors stand out.
    picker = {
        "type": "scatter",
        "mode": "markers+text",
        "x": cols.tolist(),
        "y": rows.tolist(),
        "text": ["" if count == 0 and r != c else str(count) for count, r, c in zip(flat, rows, cols, strict=True)],
        "textfont": {"size": CELL_TEXT_SIZE, "color": TEXT_COLOR},
        "customdata": flat.tolist(),
        "marker": {"symbol": "square", "size": 30, "color": "rgba(0,0,0,0.01)"},
        "hovertemplate": hover + "<extra></extra>",
    }
    shapes = []
    if None not in selected:
        label, prediction = selected
        shapes.append({"type": "rect", "x0": prediction - 0.5, "x1": prediction + 0.5, "y0": label - 0.5,
                       "y1": label + 0.5, "line": {"color": SELECTED_COLOR, "width": 3}})  # fmt: skip
    axis = {"tickmode": "array", "tickvals": digits, "fixedrange": True, "tickfont": {"size": TICK_SIZE},
            "showgrid": False}  # fmt: skip
    layout = {
        "height": 440,
        "margin": {**MARGIN, "l": 60, "t": 10, "b": 55},
        "xaxis": {**axis, "title": {"text": titles[0]}, "range": [-0.5, n - 0.5]},
        "yaxis": {**axis, "range": [n - 0.5, -0.5]},
        "shapes": shapes,
        "showlegend": False,
        "dragmode": False,
    }
    return {"data": [*cells, picker], "layout": set_y_title(layout, titles[1])}


def epoch_figure(
    values: list[float], titles: tuple[str, str], epochs: int | None = None, percent: bool = False
) -> dict:
    """A figure per epoch (loss, errors, accuracy) -> line figure dict titled (x, y) `titles`; the x axis spans
    `epochs` when given, so a growing curve keeps its axis; `percent` shows 0..1 values as percentages."""
    x = list(range(1, len(values) + 1))
    yaxis = {"range": [0, 1], "tickformat": ".0%"} if percent else {"rangemode": "tozero"}
    layout = {
        "height": 280,
        "margin": {**MARGIN, "t": 10},
        "xaxis": {"title": {"text": titles[0]}, "range": [0.5, (epochs or len(values)) + 0.5]},
        "yaxis": yaxis,
        "showlegend": False,
    }
    data = [{"type": "scatter", "mode": "lines+markers", "x": x, "y": values, "line": {"color": WINNER_COLOR}}]
    return {"data": data, "layout": set_y_title(layout, titles[1])}


def per_digit_figure(accuracy: np.ndarray, totals: np.ndarray, y_title: str) -> dict:
    """(10,) share read right (NaN for a digit never drawn) and (10,) drawings per digit -> bar figure dict on a 0..1
    axis, each bar labelled "right/drawn"."""
    values = np.nan_to_num(np.asarray(accuracy, dtype=float), nan=0.0)
    figure = bar_chart(values, None, y_title, (0.0, 1.15), height=240)
    right = np.rint(values * totals).astype(int)
    figure["data"][0]["text"] = [f"{r}/{n}" if n else "" for r, n in zip(right, totals, strict=True)]
    figure["data"][0]["marker"]["color"] = ACCENT_COLOR
    figure["layout"]["yaxis"]["tickformat"] = ".0%"
    return figure


def at_least(font: dict, minimum: int) -> dict:
    """A Plotly font dict -> a copy at least `minimum` px, in the text colour unless it has one."""
    return {"color": TEXT_COLOR, **font, "size": max(font.get("size", 0), minimum)}


def enlarge_text(figure: dict, minimum: int, growth: float) -> dict:
    """A figure dict -> a copy with every font at least `minimum` px, `growth` times its height, and axes whose
    margins grow to fit their larger labels (the presenter view)."""

    def walk(node: object, name: str = "") -> object:
        if isinstance(node, dict):
            copied = {key: walk(value, key) for key, value in node.items()}
            if name.endswith("font"):
                copied = at_least(copied, minimum)
            if name.startswith(("xaxis", "yaxis")):
                # Streamlit's theme sizes tick labels and axis titles itself unless the axis names a size.
                copied["tickfont"] = at_least(copied.get("tickfont", {}), minimum)
                title = copied.get("title") or {}
                title = {"text": title} if isinstance(title, str) else title
                copied["title"] = {**title, "font": at_least(title.get("font", {}), minimum)}
                copied["automargin"] = True
            return copied
        if isinstance(node, list):
            return [walk(item, name) for item in node]
        return node

    enlarged = walk(figure)
    layout = enlarged.setdefault("layout", {})
    layout["font"] = at_least(layout.get("font", {}), minimum)
    legend = layout.setdefault("legend", {})  # the theme sizes legends itself too
    legend["font"] = at_least(legend.get("font", {}), minimum)
    if "height" in layout:
        layout["height"] = round(layout["height"] * growth)
    return enlarged


def weight_tiles(W1: np.ndarray, scale: int = 4, border: int = 3) -> list[np.ndarray]:
    """(400, n) first-layer weights -> n RGB pictures (20*scale + 2*border square, 3) uint8 of the units' weight
    vectors, each in a white frame that keeps neighbouring tiles apart on the page."""
    frame = ((border, border), (border, border), (0, 0))
    return [np.pad(signed_image(W1[:, j], scale), frame, constant_values=255) for j in range(W1.shape[1])]


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
    data = [{"type": "heatmap", "z": picture, "x": places.picture_x, "y": places.picture_y,
             "colorscale": [[0, "#000000"], [1, "#ffffff"]], "zmin": 0, "zmax": 1,
             "showscale": False, "hovertemplate": pixel_hover + "<extra></extra>", "xgap": 1, "ygap": 1}]  # fmt: skip
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
            data.append({"type": "scatter", "mode": "lines", "x": xs[start:end].ravel(), "y": ys[start:end].ravel(),
                         "hoverinfo": "skip", "line": {"color": color, "width": width}, "opacity": 0.55})  # fmt: skip
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
    data.append({
        "type": "scatter", "mode": "markers+text",
        "x": places.circle_x,
        "y": places.circle_y,
        "customdata": np.concatenate(nodes[1:]),
        "text": [""] * (len(ring_width) - last) + DIGITS[:last], "textposition": "middle right",
        "textfont": {"size": TICK_SIZE}, "hovertemplate": [hover + "<extra></extra>" for hover in node_hovers],
        "marker": {"size": np.where(ring_width > 1, 18, 13), "color": np.concatenate(shades), "opacity": 1,
                   "colorscale": [[0, "#ffffff"], [1, WINNER_COLOR]], "cmin": 0, "cmax": 1,
                   "line": {"color": np.where(ring_width > 1, SELECTED_COLOR, OTHER_COLOR).tolist(), "width": ring_width}},
    })  # fmt: skip
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
