"""Mistakes tab: the training digits the model in use gets wrong, its confusion matrix, and the lab's 8x8 grid."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw, ImageFont

from digitdemo.catalog import CATALOG
from digitdemo.data import Dataset
from digitdemo.metrics import Predictions, confusion_matrix, misclassified
from digitdemo.numpy_model import NumpyModel
from ui.i18n import t
from ui.matrix_gallery import MatrixGallery, render_digits
from ui.models import cached_predictions, model_label
from ui.pictures import digit_image, png_url, tile_grid

GALLERY_PAGE = 24  # images added by each "show more"
GRID_SIDE = 8  # the lab's 8x8 grid of random training digits
GRID_SCALE = 4
TITLE_HEIGHT = 28
TITLE_FONT_SIZE = 22
RIGHT_RGB, WRONG_RGB = (30, 30, 30), (220, 40, 40)
LIMIT_KEY = "mistakes_limit"
SEED_KEY = "mistakes_seed"


def reset_gallery() -> None:
    st.session_state[LIMIT_KEY] = GALLERY_PAGE


GALLERY = MatrixGallery(
    "mistakes_confusion", "mistakes_true", "mistakes_pred", "mistakes_clear_filters", on_change=reset_gallery
)
STATE_KEYS = (GALLERY.label_key, GALLERY.prediction_key)  # handed back after a tab or language switch


def show_more() -> None:
    st.session_state[LIMIT_KEY] = st.session_state.get(LIMIT_KEY, GALLERY_PAGE) + GALLERY_PAGE


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
    true_digit, pred_digit = GALLERY.render_filters()
    chosen = misclassified(labels, preds.predicted, true_digit, pred_digit)
    if true_digit is not None and true_digit == pred_digit:
        st.info(t("mistakes.diagonal", label=true_digit, prediction=pred_digit))
        return
    limit = st.session_state.get(LIMIT_KEY, GALLERY_PAGE)
    shown = chosen[:limit]
    st.caption(t("mistakes.gallery_caption", n_matching=len(chosen), n_shown=len(shown)))
    if len(shown):
        render_digits(
            [X[i] for i in shown],
            [f"{labels[i]}, {preds.predicted[i]} ({preds.probability[i]:.2f}) #{i}" for i in shown],
        )
    if len(chosen) > len(shown):
        more = min(GALLERY_PAGE, len(chosen) - len(shown))
        st.button(t("mistakes.show_more", count=more), key="mistakes_show_more", on_click=show_more)


@st.fragment
def render_errors(X: np.ndarray, labels: np.ndarray, preds: Predictions) -> None:
    """The confusion matrix beside the gallery; a filter or cell choice reruns only this part of the page."""
    # Side by side where both fit, else the gallery under the matrix (ui/page.css): at 1024x768 a matrix in half the
    # row had cells too narrow for their numbers.
    matrix, gallery = st.container(key="mistakes_errors").columns([1, 1.25])
    with matrix:
        st.markdown(f"**{t('mistakes.confusion_heading')}**")
        st.caption(t("mistakes.confusion_caption"))
        GALLERY.render_matrix(confusion_matrix(labels, preds.predicted))
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
