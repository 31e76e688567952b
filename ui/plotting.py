"""Showing a figure from ui.charts on the page: with the presenter view's larger text, selectable with one tap, and
handed to Streamlit without Plotly's object model."""

from __future__ import annotations

import functools
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from ui.charts import enlarge_text
from ui.presenter import TAP_LISTENER, presenting
from ui.theme import PLOTLY_CONFIG

CHART_TEXT = 18  # px: the smallest chart text in the presenter view
CHART_GROWTH = 1.35  # presenter charts are this much taller, for their larger text
select_on_tap = st.components.v2.component(
    "digitdemo_select_on_tap", js=(Path(__file__).parent / "select_on_tap.js").read_text(encoding="utf-8")
)


class ReadyFigure(go.Figure):
    """A figure dict from ui.charts as st.plotly_chart takes it, without Plotly's object model.

    Streamlit turns a go.Figure into its spec with `to_dict()`. A real go.Figure builds an object per trace and
    property and deep-copies them all for that, which cost more than the rest of a stroke's chart (the Why-section's
    speed row of `python benchmarks/speed.py`). This one hands over the dict with the default template (Streamlit's
    theme) that Plotly's own `to_dict` adds; NumPy arrays stay arrays, which orjson writes out directly
    (tests/test_charts.py checks the spec means what Plotly's does)."""

    def __init__(self, figure: dict) -> None:  # go.Figure.__init__, the costly part, is exactly what this skips
        self._figure = figure

    def to_dict(self) -> dict:
        """The figure with the default template in its layout; the dict handed in is left as it was."""
        return {**self._figure, "layout": {"template": default_template(), **self._figure.get("layout", {})}}


@functools.cache
def default_template() -> dict:
    """Plotly's default template as a dict (Streamlit sets it to its own theme on import), made once."""
    return pio.templates[pio.templates.default].to_plotly_json()


def plotly_chart(figure: dict, key: str, where=st, growth: float = CHART_GROWTH, **options: object) -> None:
    """Show a figure from ui.charts in `where` (st, a column), with st.plotly_chart's `options`: in the presenter view
    with text at least CHART_TEXT px and `growth` times as tall; a chart with `on_select` selects with one tap."""
    if presenting():
        figure = enlarge_text(figure, CHART_TEXT, growth)
    if "on_select" in options:
        select_on_tap(key=key + TAP_LISTENER, data={"chart": key})
    # Unvalidated (Streamlit validates a dict property by property on every run); tests/test_charts.py validates
    # every builder instead.
    where.plotly_chart(ReadyFigure(figure), key=key, config=PLOTLY_CONFIG, **options)
