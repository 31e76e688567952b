"""The teacher's live class view: the class's drawings read again every few seconds: counts, accuracy, the class's
confusion matrix beside the misread drawings by label and prediction, the training set's matrix and per-digit
accuracy."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from digitdemo.data import Dataset
from digitdemo.errors import DigitDemoError
from digitdemo.metrics import confusion_matrix
from digitdemo.numpy_model import NumpyModel
from ui.charts import per_digit_figure
from ui.i18n import error_text, t
from ui.matrix_gallery import MatrixGallery, render_confusion, render_digits
from ui.models import cached_predictions, model_label
from ui.plotting import plotly_chart
from ui.room_access import NOTICE, rooms

REFRESH_SECONDS = 3  # how often an open class view reads the room again
GALLERY_LIMIT = 48  # misread drawings shown at once
GALLERY = MatrixGallery("classroom_confusion", "classroom_true", "classroom_pred", "classroom_clear_filters")
STATE_KEYS = (GALLERY.label_key, GALLERY.prediction_key)  # handed back after a tab or language switch


@st.fragment(run_every=REFRESH_SECONDS)
def render_class_view(code: str, key: str, model: NumpyModel, dataset: Dataset) -> None:
    """The class's drawings, read again every REFRESH_SECONDS: counts, accuracy, the class's confusion matrix beside
    the misread drawings its cells choose (a click shows them without scrolling), then the training set's matrix
    beside the class's per-digit accuracy. Each pair stacks where the screen is too narrow (ui/page.css)."""
    label, prediction = GALLERY.filters()
    try:
        room, stats, misread = rooms().class_view(code, key, label, prediction, limit=GALLERY_LIMIT)
    except DigitDemoError as exc:
        st.warning(error_text(exc))
        return
    count, status, read_right = st.columns(3)
    count.metric(t("classroom.count"), stats.count)
    read_right.metric(t("classroom.accuracy"), "–" if stats.accuracy is None else f"{stats.accuracy:.0%}")
    status.metric(t("classroom.status"), t("classroom.closed") if room.closed else t("classroom.open_now"))
    ours, gallery = st.container(key="classroom_live_row").columns(2, gap="medium")
    ours.markdown(f"**{t('classroom.class_matrix')}**")
    GALLERY.render_matrix(stats.confusion, ours)
    with gallery:
        render_misread(code, key, misread)
    theirs, per_digit = st.container(key="classroom_reference_row").columns(2, gap="medium")
    render_training_matrix(model, dataset, theirs)
    per_digit.markdown(f"**{t('classroom.per_digit_heading')}**")
    figure = per_digit_figure(stats.per_digit, stats.confusion.sum(axis=1), t("classroom.axis_accuracy"))
    plotly_chart(figure, "classroom_per_digit", per_digit)


def render_training_matrix(model: NumpyModel, dataset: Dataset, where: DeltaGenerator) -> None:
    """The training set's confusion matrix for the model in use, in `where`: what the class's is compared with."""
    preds = cached_predictions(model.fingerprint, (dataset.source, len(dataset.X)), model, dataset.X)
    where.markdown(f"**{t('classroom.training_matrix', model=model_label(model.name))}**")
    render_confusion(confusion_matrix(dataset.y, preds.predicted), "classroom_training_confusion", where)


def render_misread(code: str, key: str, misread: list) -> None:
    """Filters by label and prediction, the misread drawings that match, and removing one of them."""
    st.markdown(f"**{t('classroom.misread_heading')}**")
    GALLERY.render_filters()
    if not misread:
        st.caption(t("classroom.no_misread"))
        return
    st.caption(t("classroom.misread_caption", count=len(misread)))
    render_digits(
        [d.x for d in misread],
        [f"{d.label}, {d.prediction} ({d.probabilities[d.prediction]:.2f}) #{d.id}" for d in misread],
    )
    pick, remove = st.columns([2, 1], vertical_alignment="bottom")
    drawing = pick.selectbox(
        t("classroom.remove_pick"),
        [d.id for d in misread],
        index=None,
        format_func="#{}".format,
        placeholder=t("classroom.remove_placeholder"),
        key="classroom_remove_pick",
    )
    remove.button(
        t("classroom.remove"),
        key="classroom_remove",
        disabled=drawing is None,
        on_click=teacher_action,
        args=("remove", code, key, drawing),
        width="stretch",
    )


def teacher_action(action: str, code: str, key: str, drawing: int | None = None) -> None:
    """Button callback for 'remove' (one drawing), 'clear' (all drawings) and 'close'; a refusal becomes the notice."""
    st.session_state.pop(NOTICE, None)
    try:
        if action == "remove":
            rooms().remove_drawing(code, key, drawing)
        elif action == "clear":
            rooms().clear_room(code, key)
        else:
            rooms().close_room(code, key)
    except DigitDemoError as exc:
        st.session_state[NOTICE] = exc
