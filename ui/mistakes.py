"""Mistakes tab: the training digits the model in use gets wrong, its confusion matrix, and the lab's 8x8 grid."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw, ImageFont

from digitdemo.catalog import CATALOG
from digitdemo.data import N_CLASSES, Dataset
from digitdemo.metrics import Predictions, confusion_matrix, misclassified, predict_dataset
from digitdemo.numpy_model import NumpyModel
from ui.charts import confusion_figure, digit_image, png_url, tile_grid
from ui.i18n import t
from ui.model_tab import model_label
from ui.presenter import plotly_chart

GALLERY_PAGE = 24  # images added by each "show more"
GALLERY_SCALE = 5  # 20x20 digits drawn 100x100
GALLERY_WIDTH = 100
# The two digit filters and their Clear button: room for the button's word in a narrow column ("Clear", "清除").
FILTER_WIDTHS = [2, 2, 1.4]
GRID_SIDE = 8  # the lab's 8x8 grid of random training digits
GRID_SCALE = 4
TITLE_HEIGHT = 28
TITLE_FONT_SIZE = 22
RIGHT_RGB, WRONG_RGB = (30, 30, 30), (220, 40, 40)
LIMIT_KEY = "mistakes_limit"
SEED_KEY = "mistakes_seed"
CONFUSION_KEY = "mistakes_confusion"
FILTER_KEYS = ("mistakes_true", "mistakes_pred")
STATE_KEYS = FILTER_KEYS  # handed back after a visit to another tab or a language switch


@st.cache_data(max_entries=8, show_spinner=False)
def cached_predictions(fingerprint: str, dataset_id: tuple, _model: NumpyModel, _X: np.ndarray) -> Predictions:
    """Predictions over the dataset's (m, 400) digits, computed once per model weights and dataset."""
    # Keyed on the weights' fingerprint, so a model trained in this session gets its own entry; the model and the
    # 8 MB of digits are left unhashed: dataset_id names the digits, which the app loads once per process.
    return predict_dataset(_model, _X)


def reset_gallery() -> None:
    st.session_state[LIMIT_KEY] = GALLERY_PAGE


def clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state[key] = None
    reset_gallery()


def show_more() -> None:
    st.session_state[LIMIT_KEY] = st.session_state.get(LIMIT_KEY, GALLERY_PAGE) + GALLERY_PAGE


def on_cell_select() -> None:
    """Chart callback: a clicked confusion-matrix cell sets both filters (label = row, prediction = column)."""
    points = st.session_state[CONFUSION_KEY]["selection"]["points"]
    if points:
        st.session_state["mistakes_pred"] = int(round(points[0]["x"]))
        st.session_state["mistakes_true"] = int(round(points[0]["y"]))
        reset_gallery()


def titled_tile(row: np.ndarray, title: str, wrong: bool) -> np.ndarray:
    """(400,) lab row -> (20*GRID_SCALE + TITLE_HEIGHT, 20*GRID_SCALE, 3) uint8: the digit under its title."""
    digit = digit_image(row, GRID_SCALE, grid=False)
    tile = Image.new("RGB", (digit.shape[1], digit.shape[0] + TITLE_HEIGHT), "white")
    tile.paste(Image.fromarray(digit).convert("RGB"), (0, TITLE_HEIGHT))
    draw = ImageDraw.Draw(tile)
    font = ImageFont.load_default(size=TITLE_FONT_SIZE)
    draw.text(
        (digit.shape[1] / 2, TITLE_HEIGHT / 2), title, fill=WRONG_RGB if wrong else RIGHT_RGB, font=font, anchor="mm"
    )
    return np.asarray(tile)


def render_gallery(X: np.ndarray, labels: np.ndarray, preds: Predictions) -> None:
    """Filters by label and prediction, then the matching misclassified digits in index order."""
    # No format_func: AppTest calls it outside the session, where the language is unknown; None means any digit.
    filters = st.columns(FILTER_WIDTHS, vertical_alignment="bottom")
    any_digit = t("mistakes.any")
    choice = {"options": range(N_CLASSES), "index": None, "placeholder": any_digit, "on_change": reset_gallery}
    true_digit = filters[0].selectbox(t("mistakes.true_digit"), key="mistakes_true", **choice)
    pred_digit = filters[1].selectbox(t("mistakes.predicted_digit"), key="mistakes_pred", **choice)
    filters[2].button(
        t("mistakes.clear"),
        key="mistakes_clear_filters",
        on_click=clear_filters,
        help=t("mistakes.clear_help"),
        width="stretch",
    )
    chosen = misclassified(labels, preds.predicted, true_digit, pred_digit)
    if true_digit is not None and true_digit == pred_digit:
        st.info(t("mistakes.diagonal", label=true_digit, prediction=pred_digit))
        return
    limit = st.session_state.get(LIMIT_KEY, GALLERY_PAGE)
    shown = chosen[:limit]
    st.caption(t("mistakes.gallery_caption", n_matching=len(chosen), n_shown=len(shown)))
    if len(shown):
        st.image(
            [png_url(digit_image(X[i], GALLERY_SCALE, grid=False)) for i in shown],
            caption=[f"{labels[i]}, {preds.predicted[i]} ({preds.probability[i]:.2f}) #{i}" for i in shown],
            width=GALLERY_WIDTH,
        )
    if len(chosen) > len(shown):
        more = min(GALLERY_PAGE, len(chosen) - len(shown))
        st.button(t("mistakes.show_more", count=more), key="mistakes_show_more", on_click=show_more)


@st.fragment
def render_errors(X: np.ndarray, labels: np.ndarray, preds: Predictions) -> None:
    """The confusion matrix beside the gallery; a filter or cell choice reruns only this part of the page."""
    counts = confusion_matrix(labels, preds.predicted)
    matrix, gallery = st.columns([1, 1.25])
    with matrix:
        st.markdown(f"**{t('mistakes.confusion_heading')}**")
        st.caption(t("mistakes.confusion_caption"))
        selected = (st.session_state.get("mistakes_true"), st.session_state.get("mistakes_pred"))
        titles = (t("mistakes.axis_prediction"), t("mistakes.axis_label"))
        # Plotly fills in the %{...} fields when the pointer is on a cell.
        hover = t("mistakes.hover", label="%{y}", prediction="%{x}", count="%{customdata}")
        plotly_chart(
            confusion_figure(counts, selected, titles, hover),
            CONFUSION_KEY,
            on_select=on_cell_select,
            selection_mode="points",
        )
    with gallery:
        st.markdown(f"**{t('mistakes.gallery_heading')}**")
        render_gallery(X, labels, preds)


def reshuffle() -> None:
    st.session_state[SEED_KEY] = int(np.random.default_rng().integers(2**31))


@st.fragment
def render_random_grid(X: np.ndarray, labels: np.ndarray, preds: Predictions) -> None:
    """The lab's 8x8 grid of random training digits titled "label, prediction", mistakes in red."""
    st.subheader(t("mistakes.grid_heading", count=GRID_SIDE * GRID_SIDE))
    st.session_state.setdefault(SEED_KEY, 0)
    picks = np.random.default_rng(st.session_state[SEED_KEY]).choice(len(X), GRID_SIDE * GRID_SIDE, replace=False)
    tiles = [titled_tile(X[i], f"{labels[i]}, {preds.predicted[i]}", labels[i] != preds.predicted[i]) for i in picks]
    left, right = st.columns([3, 1])
    with right:
        st.button(t("mistakes.reshuffle"), key="mistakes_reshuffle", on_click=reshuffle, width="stretch")
        n_wrong = int(np.sum(labels[picks] != preds.predicted[picks]))
        st.caption(t("mistakes.grid_caption", n_wrong=n_wrong))
    left.image(png_url(tile_grid(tiles, GRID_SIDE, gap=6)), width=GRID_SIDE * (20 * GRID_SCALE + 6))


def render(model: NumpyModel, dataset: Dataset) -> None:
    """The Mistakes tab for the model in use (shipped or trained in this session) on the dataset's digits."""
    preds = cached_predictions(model.fingerprint, (dataset.source, len(dataset.X)), model, dataset.X)
    labels = dataset.y[:, 0]
    n_errors = int(np.sum(preds.predicted != labels))
    st.subheader(t("mistakes.errors_heading", n_errors=n_errors, n=len(labels)))
    accuracy = 1 - n_errors / len(labels)
    st.caption(t("mistakes.model_caption", model=model_label(model.name), accuracy=accuracy))
    if model.name in CATALOG and CATALOG[model.name].errors_note:
        st.caption(t(CATALOG[model.name].errors_note))
    render_errors(dataset.X, labels, preds)
    render_random_grid(dataset.X, labels, preds)
