"""Every figure ui/charts.py builds is a valid Plotly figure, as built and as enlarged for the presenter view, with
English and with Chinese titles: the page hands figures to Streamlit without Plotly's per-run validation."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from digitdemo.explain import network_graph
from ui import charts

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
        "bars": charts.bars_figure(
            [(RNG.random(4), title, None, ".2f"), (RNG.random(4), title, (0.0, 1.0), ".3f")], 300
        ),
        "line": charts.line_figure([{"x": X, "y": X, "name": title, "color": charts.ACCENT_COLOR}], title, title, 200),
        "activation": charts.activation_figure(X, np.maximum(0, X), title),
        "relu unit": charts.relu_unit_figure(X, X, np.maximum(0, X), 1),
        "relu sum": charts.relu_sum_figure(X, X, X, (title, title)),
        "confusion": charts.confusion_figure(counts, (3, 5), (title, title), title + " %{customdata}"),
        "epochs": charts.epoch_figure([1.0, 0.5, 0.3], (title, title), 10),
        "accuracy per epoch": charts.epoch_figure([0.5, 0.8], (title, title), 10, percent=True),
        "per digit": charts.per_digit_figure(np.r_[RNG.random(9), np.nan], np.arange(10), title),
        "network": charts.network_figure(graph.nodes, graph.edges, (1, 3), title, hover),
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


def test_validation_would_catch_a_misspelt_property() -> None:
    """The check above can fail: a property Plotly does not know is refused."""
    figure = charts.probability_chart(np.full(10, 0.1))
    figure["layout"]["yaxis"]["rnage"] = [0, 1]
    with pytest.raises(ValueError, match="rnage"):
        go.Figure(figure)
