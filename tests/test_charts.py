"""Every figure ui/charts.py builds is a valid Plotly figure, as built and as enlarged for the presenter view, with
English and with Chinese titles: the page hands figures to Streamlit without Plotly's per-run validation."""

from __future__ import annotations

import base64
import json

import numpy as np
import orjson
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from digitdemo.attribution import network_graph
from digitdemo.calibration import reliability_bins
from ui import charts, network_drawing, theme
from ui.plotting import ReadyFigure

RNG = np.random.default_rng(0)
X = np.linspace(-5, 5, 21)


def figures(lab_model, dataset, title: str) -> dict[str, dict]:
    """One figure from each builder, on small real inputs, every title `title`."""
    graph = network_graph(lab_model.weights, dataset.X[1015])
    hover = [title] * sum(len(values) for values in graph.nodes[1:])
    counts = RNG.integers(0, 50, (10, 10))
    return {
        "probability": charts.probability_chart(RNG.dirichlet(np.ones(10)), title),
        "logits": charts.logit_chart(RNG.normal(0, 10, 10), title),
        "hidden": charts.hidden_chart(RNG.random(25), title),
        "unit outputs": charts.unit_outputs_chart(RNG.normal(0, 1, 10), 3, title),
        "line": charts.line_figure([{"x": X, "y": X, "name": title, "color": theme.ACCENT_COLOR}], title, title, 200),
        "activation": charts.activation_figure(X, np.maximum(0, X), title),
        "confusion": charts.confusion_figure(counts, (3, 5), (title, title), title + " %{customdata}"),
        "epochs": charts.epoch_figure([1.0, 0.5, 0.3], (title, title), 10),
        "accuracy per epoch": charts.epoch_figure([0.5, 0.8], (title, title), 10, percent=True),
        "percent bars": charts.bar_chart(RNG.random(10), None, title, (0.0, 1.1), text_format=".1%"),
        "per digit": charts.per_digit_figure(np.r_[RNG.random(9), np.nan], np.arange(10), title),
        "reliability": charts.reliability_figure(
            [(reliability_bins(RNG.dirichlet(np.ones(10), 50), RNG.integers(0, 10, 50)), title, theme.WINNER_COLOR)],
            (title, title),
            title,
        ),
        "network": network_drawing.network_figure(graph.nodes, graph.edges, (1, 3), title, hover),
    }


@pytest.mark.parametrize("title", ["probability", "概率"])
def test_every_figure_passes_plotlys_validation(lab_model, dataset, title) -> None:
    """Plotly's own validation accepts each builder's figure and its presenter-view enlargement."""
    for name, figure in figures(lab_model, dataset, title).items():
        for shown in (figure, charts.enlarge_text(figure, 18, 1.3)):
            try:
                go.Figure(shown)
            except ValueError as exc:  # Plotly names the bad property
                pytest.fail(f"{name}: {exc}")


def test_every_figure_takes_orjsons_direct_path(lab_model, dataset) -> None:
    """Each figure as the page hands it over is one orjson writes as it is (NumPy arrays C-ordered): given anything
    else, Plotly first walks and copies the whole figure, template included, on every run."""
    for name, figure in figures(lab_model, dataset, "probability").items():
        for shown in (figure, charts.enlarge_text(figure, 18, 1.3)):
            try:
                orjson.dumps(ReadyFigure(shown).to_dict(), option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
            except TypeError as exc:
                pytest.fail(f"{name}: {exc}")


def test_validation_would_catch_a_misspelt_property() -> None:
    """The check above can fail: a property Plotly does not know is refused."""
    figure = charts.probability_chart(np.full(10, 0.1))
    figure["layout"]["yaxis"]["rnage"] = [0, 1]
    with pytest.raises(ValueError, match="rnage"):
        go.Figure(figure)


def plain(node: object) -> object:
    """A figure's JSON with every array as a list of floats, whether written as a list or as Plotly's typed array
    ({dtype, bdata (base64), shape})."""
    if isinstance(node, dict) and "bdata" in node:
        flat = np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"]).astype(float)
        return flat.reshape([int(n) for n in str(node.get("shape", flat.size)).split(",")]).tolist()
    if isinstance(node, dict):
        return {key: plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    return node


@pytest.mark.parametrize("title", ["probability", "概率"])
def test_ready_figures_give_streamlit_what_plotly_would(lab_model, dataset, title) -> None:
    """The page's fast path (ReadyFigure) hands Streamlit a spec equal to the one Plotly's Figure.to_dict() makes of
    each figure, template included (arrays compared as numbers, to float32 precision), and leaves the figure as it
    was."""
    for name, figure in figures(lab_model, dataset, title).items():
        for shown in (figure, charts.enlarge_text(figure, 18, 1.3)):
            before = pio.to_json(shown, validate=False)
            ready = plain(json.loads(pio.to_json(ReadyFigure(shown).to_dict(), validate=False)))
            assert pio.to_json(shown, validate=False) == before, f"{name}: the figure handed in was changed"
            # Last: go.Figure takes each trace's "type" out of the dict it is given.
            plotlys = plain(json.loads(pio.to_json(go.Figure(shown, _validate=False))))
            assert_same(ready, plotlys, name)


def assert_same(ours: object, theirs: object, where: str) -> None:
    """Two plain figure JSONs are equal, numbers to float32 precision (float32 arrays are written out as their
    shortest decimals in one and as their bytes in the other), a gap in a line (NaN) as JSON's null or as NaN."""
    if {ours is None, theirs is None} == {True, False}:
        gap = theirs if ours is None else ours
        assert isinstance(gap, float) and np.isnan(gap), f"{where}: {ours!r} vs {theirs!r}"
        return
    assert type(ours) is type(theirs) or {type(ours), type(theirs)} <= {int, float}, f"{where}: {ours!r} vs {theirs!r}"
    if isinstance(ours, dict):
        assert ours.keys() == theirs.keys(), f"{where}: {sorted(ours)} vs {sorted(theirs)}"
        for key in ours:
            assert_same(ours[key], theirs[key], f"{where}/{key}")
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), f"{where}: {len(ours)} vs {len(theirs)} items"
        for i, (mine, its) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(mine, its, f"{where}[{i}]")
    elif isinstance(ours, float):
        assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-12), where
    else:
        assert ours == theirs, f"{where}: {ours!r} vs {theirs!r}"
