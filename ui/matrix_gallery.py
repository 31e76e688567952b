"""A confusion matrix whose cells filter a gallery of digits, as the Mistakes tab and the class view show it: a click on
a cell sets the two filters (true digit, predicted digit), which the filters' row also sets and clears."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from digitdemo.data import N_CLASSES
from ui.charts import confusion_figure
from ui.i18n import t
from ui.pictures import digit_image, png_url
from ui.plotting import plotly_chart
from ui.presenter import presenting

# The two digit filters and their Clear button: room for the button's word in a narrow column ("Clear", "清除").
FILTER_WIDTHS = [2, 2, 1.4]
# (scale, px on the page) of the gallery's 20x20 digits: 100 px, and 140 on a projector, read from the back of a room.
GALLERY_SIZES = ((5, 100), (7, 140))


@dataclass(frozen=True)
class MatrixGallery:
    """One matrix and its gallery's filters, named by the keys of their widgets (prefixed by their tab); `on_change`
    runs after any filter changes (the Mistakes gallery then starts from its first page again)."""

    matrix_key: str
    label_key: str
    prediction_key: str
    clear_key: str
    on_change: Callable[[], None] | None = None

    def filters(self) -> tuple[int | None, int | None]:
        """(true digit, predicted digit) chosen, None for any."""
        return st.session_state.get(self.label_key), st.session_state.get(self.prediction_key)

    def select_cell(self) -> None:
        """Matrix callback: a clicked cell sets both filters (label = row, prediction = column)."""
        points = st.session_state[self.matrix_key]["selection"]["points"]
        if points:
            st.session_state[self.prediction_key] = int(round(points[0]["x"]))
            st.session_state[self.label_key] = int(round(points[0]["y"]))
            self.changed()

    def clear(self) -> None:
        """Clear button callback: any digit, both filters."""
        st.session_state[self.label_key] = None
        st.session_state[self.prediction_key] = None
        self.changed()

    def changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def render_matrix(self, counts: np.ndarray, where=st) -> None:
        """(10, 10) counts (rows the true digits) as the clickable matrix, the chosen cell outlined."""
        render_confusion(counts, self.matrix_key, where, self.filters(), on_select=self.select_cell)

    def render_filters(self) -> tuple[int | None, int | None]:
        """The filters' row: a true digit, a predicted digit and Clear -> (true digit, predicted digit) chosen."""
        columns = st.columns(FILTER_WIDTHS, vertical_alignment="bottom")
        # No format_func: AppTest calls it outside the session, where the language is unknown; None means any digit.
        choice = {"options": range(N_CLASSES), "index": None, "placeholder": t("mistakes.any")}
        if self.on_change is not None:
            choice["on_change"] = self.on_change
        columns[0].selectbox(t("mistakes.true_digit"), key=self.label_key, **choice)
        columns[1].selectbox(t("mistakes.predicted_digit"), key=self.prediction_key, **choice)
        columns[2].button(
            t("mistakes.clear"), key=self.clear_key, on_click=self.clear, help=t("mistakes.clear_help"), width="stretch"
        )
        return self.filters()


def render_confusion(
    counts: np.ndarray, key: str, where=st, selected: tuple[int | None, int | None] = (None, None), **select: object
) -> None:
    """(10, 10) counts (rows the true digits) as a confusion matrix keyed `key` in `where`, the `selected` cell
    outlined; clickable when given st.plotly_chart's `on_select`."""
    titles = (t("mistakes.axis_prediction"), t("mistakes.axis_label"))
    # Plotly fills in the %{...} fields when the pointer is on a cell.
    hover = t("mistakes.hover", label="%{y}", prediction="%{x}", count="%{customdata}")
    options = {**select, "selection_mode": "points"} if select else {}
    plotly_chart(confusion_figure(counts, selected, titles, hover), key, where, **options)


def render_digits(rows: list[np.ndarray], captions: list[str]) -> None:
    """The gallery's (400,) digits side by side, each over its caption, larger in the presenter view."""
    scale, width = GALLERY_SIZES[presenting()]
    st.image([png_url(digit_image(x, scale, grid=False)) for x in rows], caption=captions, width=width)
