"""Every Plotly figure the tabs show, in the app's one theme (ui/theme.py): bar, line, heatmap and per-epoch figures
as plain dicts (cheaper for Streamlit than plotly.graph_objects), and their text enlarged for a projector. Titles come
translated."""

from __future__ import annotations

import numpy as np

from ui.theme import (
    ACCENT_COLOR,
    CELL_TEXT_SIZE,
    CJK,
    CORRECT_COLOR,
    DIGIT_TICK_SIZE,
    DIGITS,
    ERROR_COLOR,
    LEVEL_TITLE_SPACE,
    MARGIN,
    OTHER_COLOR,
    SELECTED_COLOR,
    SMALL_TICK_SIZE,
    TEXT_COLOR,
    TICK_SIZE,
    TITLE_SIZE,
    WINNER_COLOR,
)


def set_y_title(layout: dict, text: str) -> dict:
    """Title `layout`'s y axis with `text`: along the axis as Plotly does, or, for Chinese, Japanese or Korean text,
    written level above the plot from the figure's left edge, the top margin grown to hold it. Returns `layout`."""
    if not text or not CJK.search(text):
        layout["yaxis"]["title"] = {"text": text}
        return layout
    layout.setdefault("annotations", []).append(
        # From the figure's left edge rightwards: in a narrow figure a title ending at the axis would be cut off.
        {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 1,
            "xanchor": "left",
            "yanchor": "bottom",
            "xshift": -layout["margin"]["l"],
            "yshift": 4,
            "showarrow": False,
            "font": {"size": TITLE_SIZE},
        }
    )
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
    """(k,) values -> a Plotly bar figure as a dict, bar `winner` highlighted, each bar labelled with its value if
    asked."""
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
    return "" if float(text.rstrip("%")) == 0 else text


def probability_chart(proba: np.ndarray, y_title: str = "") -> dict:
    """(10,) probabilities -> bar figure dict on a 0..1 axis with the most likely digit highlighted."""
    return bar_chart(proba, int(np.argmax(proba)), y_title, (0.0, 1.1))


def logit_chart(logits: np.ndarray, y_title: str = "") -> dict:
    """(10,) logits -> bar figure dict with the largest highlighted."""
    return bar_chart(logits, int(np.argmax(logits)), y_title, text_format=".1f")


def unit_outputs_chart(values: np.ndarray, winner: int, y_title: str) -> dict:
    """(10,) what one hidden unit adds to each digit's logit -> bar figure dict, the predicted digit highlighted, each
    bar labelled at a readable size (Plotly shrank the labels to the narrow bars' width, about 9 px)."""
    figure = bar_chart(values, winner, y_title, text_format=".1f", height=220)
    figure["data"][0]["constraintext"] = "none"
    figure["data"][0]["textfont"] = {"size": SMALL_TICK_SIZE + 1}
    return figure


def hidden_chart(values: np.ndarray, title: str) -> dict:
    """(k,) activations of one hidden layer -> bar figure dict titled `title`, bars numbered from 0."""
    figure = bar_chart(
        values,
        int(np.argmax(values)),
        "a",
        labels=[str(j) for j in range(len(values))],
        text_format=".1f",
        height=220,
        labelled=False,
    )
    figure["layout"]["title"] = {"text": title, "font": {"size": TITLE_SIZE}}
    figure["layout"]["margin"]["t"] = 40
    figure["layout"]["xaxis"]["tickfont"] = {"size": SMALL_TICK_SIZE}
    return figure


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
        {
            "type": "heatmap",
            "z": z,
            "x": digits,
            "y": digits,
            "colorscale": scale,
            "zmin": 0,
            "zmax": zmax,
            "showscale": False,
            "hoverinfo": "skip",
            "xgap": 1,
            "ygap": 1,
        }
        for z, scale, zmax in [
            (off, [[0, "#ffffff"], [1, ERROR_COLOR]], most_errors),
            (on, [[0, CORRECT_COLOR], [1, CORRECT_COLOR]], 1),
        ]
    ]
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
        shapes.append(
            {
                "type": "rect",
                "x0": prediction - 0.5,
                "x1": prediction + 0.5,
                "y0": label - 0.5,
                "y1": label + 0.5,
                "line": {"color": SELECTED_COLOR, "width": 3},
            }
        )
    axis = {
        "tickmode": "array",
        "tickvals": digits,
        "fixedrange": True,
        "tickfont": {"size": TICK_SIZE},
        "showgrid": False,
    }
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


def reliability_figure(curves: list[tuple[dict, str, str]], titles: tuple[str, str], perfect: str) -> dict:
    """Reliability diagram: [(bins from digitdemo.calibration.reliability_bins, name, colour)] -> each non-empty bin's
    accuracy against its mean confidence as points on a line, beside the dashed diagonal `perfect` (right as often as
    sure); titles (x, y)."""
    traces = [{"x": [0, 1], "y": [0, 1], "name": perfect, "color": OTHER_COLOR, "dash": "dash", "width": 2}]
    for bins, name, color in curves:
        shown = [i for i, n in enumerate(bins["count"]) if n]
        x = [bins["confidence"][i] for i in shown]
        traces.append({"x": x, "y": [bins["accuracy"][i] for i in shown], "name": name, "color": color})
    figure = line_figure(traces, titles[0], titles[1], 360, y_range=[0, 1.02])
    for trace in figure["data"][1:]:
        trace["mode"] = "lines+markers"
    # The legend under the x axis's title: above the plot its three names take two rows in a half-width column and
    # meet a Chinese y title, which is written level above the plot.
    figure["layout"]["legend"] = {"orientation": "h", "y": -0.3, "yanchor": "top", "x": 0}
    figure["layout"]["margin"] = {**figure["layout"]["margin"], "t": max(figure["layout"]["margin"]["t"], 10), "b": 110}
    figure["layout"]["xaxis"]["range"] = [0, 1.02]
    figure["layout"]["xaxis"]["tickformat"] = ".0%"
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
