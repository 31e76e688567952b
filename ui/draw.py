"""The Draw tab: draw, load or upload a digit (ui/draw_inputs.py); see what the network sees, what it predicts, why
(ui/explanations.py), and a look inside; a student in a class room sends it from here (ui/send_bar.py)."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from digitdemo.data import Dataset
from digitdemo.explanation import UNSURE_BELOW
from digitdemo.network import LAYERS, Activations
from digitdemo.numpy_model import NumpyModel
from ui import explanations, links, state
from ui.charts import hidden_chart, logit_chart, probability_chart
from ui.draw_inputs import (
    DEFAULT_PEN_WIDTH,
    PEN_WIDTH_RANGE,
    render_canvas_input,
    render_example_input,
    render_upload_input,
)
from ui.i18n import t
from ui.pictures import digit_image, png_url, weight_tiles
from ui.plotting import plotly_chart
from ui.send_bar import SEND_KEYS, render_send_bar

SEES_SCALE = 12
WEIGHT_SCALE = 4
# The widgets whose values the app hands back after a language switch (the file uploader cannot be set, so it is not).
STATE_KEYS = (
    state.DRAW_SOURCE,
    "draw_pen_width",
    state.DRAW_EXAMPLE,
    "draw_steps",
    "draw_logits",
    "draw_inside",
    *explanations.STATE_KEYS,
    *SEND_KEYS,
)


def render(model: NumpyModel, dataset: Dataset) -> None:
    """The whole tab; every interaction in it reruns only its fragment, and a stroke only the inner one."""
    render_fragment(model, dataset)


@st.fragment
def render_fragment(model: NumpyModel, dataset: Dataset) -> None:
    """The choice of input, and above the canvas its Undo, Clear and pen width; then the input and what the network
    makes of it, a fragment of its own that a stroke reruns without redrawing these controls."""
    labels = {
        "canvas": t("draw.source_canvas"),
        "example": t("draw.source_example"),
        "upload": t("draw.source_upload"),
    }
    # One row for both, where there is room: the canvas, and the prediction beside it, start as high as they can.
    with st.container(horizontal=True, vertical_alignment="bottom", key="draw_controls"):
        # Back to the canvas, it is drawn anew: start it from the strokes it had.
        source = st.radio(
            t("draw.input"),
            state.DRAW_SOURCES,
            format_func=labels.get,
            key=state.DRAW_SOURCE,
            horizontal=True,
            on_change=state.reseed_canvas,
            label_visibility="collapsed",  # its options say what it is; the row it would take goes to the canvas
        )
        if source == "canvas":
            render_canvas_buttons()
    render_input_fragment(model, dataset, source)


def render_canvas_buttons() -> None:
    """Undo, clear and pen width, always visible, unlike the canvas's own toolbar, which shows only under a mouse
    pointer."""
    st.session_state.setdefault("draw_pen_width", DEFAULT_PEN_WIDTH)
    with st.container(horizontal=True, key="draw_canvas_buttons"):
        st.button(t("presenter.undo"), key="draw_undo", icon=":material/undo:", on_click=state.undo_stroke)
        st.button(t("presenter.clear"), key="draw_clear", icon=":material/delete:", on_click=state.clear_canvas)
        with st.popover(t("draw.pen_width"), icon=":material/edit:"):
            st.slider(t("draw.pen_width"), *PEN_WIDTH_RANGE, key="draw_pen_width")


@st.fragment
def render_input_fragment(model: NumpyModel, dataset: Dataset, source: str) -> None:
    """Input on the left, what the network sees and predicts on the right, the explanations and the hidden layers
    below."""
    left, right = st.columns([1, 1.4], gap="medium")
    picture = None  # the picture drawn or uploaded, for the explanations' unframed resize
    with left:
        if source == "example":
            x = render_example_input(model, dataset)
        elif source == "upload":
            x, picture = render_upload_input(model)
        else:
            x, picture = render_canvas_input(model)
    render_reading(model, dataset, x, picture, source, right)
    links.publish()


def render_reading(
    model: NumpyModel,
    dataset: Dataset,
    x: np.ndarray | None,
    picture: np.ndarray | None,
    source: str,
    beside: DeltaGenerator | None = None,
) -> None:
    """What the model makes of the (400,) input x (None while there is none) made from `picture`: the prediction and
    the send bar in `beside` (the input's neighbouring column), the explanations and the hidden layers below.

    The served forward pass runs once, here where the prediction is shown; the explanations, the send bar and the
    look inside are handed its results."""
    activations = None if x is None else model.forward(x)
    logits = None if activations is None else activations.logits[0]
    state.set_current_logits(logits)
    explanation = explanations.explain(model, dataset, x, picture, logits)
    with beside or st.container():
        render_prediction(x, logits, explanation, source, model.name)
    explanations.render_why(model, dataset, explanation)
    render_look_inside(model, activations)


def render_prediction(
    x: np.ndarray | None,
    logits: np.ndarray | None,
    explanation: explanations.Explanation | None,
    source: str,
    model_name: str,
) -> None:
    """What the network sees of the (400,) input x, the predicted digit from its (10,) logits as a metric (with a
    warning when the `explanation` finds the input unlike every training digit of that class), a class room's send
    bar, and the ten probabilities; an invitation to draw or upload without an input."""
    if x is None or logits is None or explanation is None:
        st.info(t("draw.invite_upload") if source == "upload" else t("draw.invite_draw"))
        render_send_bar(model_name, None, None, recent=source == "canvas")
        return
    proba = explanation.probabilities  # calibrated: softmax(logits / the model's temperature)
    digit = int(np.argmax(proba))
    # The verdict first, the picture the network sees beside it (on a phone too: ui/page.css), and a student's send
    # bar right under them, above the chart: the digit meant is chosen with the drawing still in view.
    verdict, sees = st.container(key="draw_result").columns([1, 1])
    with verdict, st.container(key="draw_verdict"):
        st.metric(
            t("draw.prediction"),
            str(digit),
            delta=t("draw.probability", p=proba[digit]),
            delta_color="off",
            delta_arrow="off",
        )
        if proba[digit] < UNSURE_BELOW:
            st.warning(t("draw.unsure", threshold=UNSURE_BELOW))
        explanations.render_not_a_digit(explanation)
        show_logits = st.toggle(t("draw.show_logits"), key="draw_logits")
    with sees:
        st.image(png_url(digit_image(x, SEES_SCALE)), caption=t("draw.sees"))
    render_send_bar(model_name, x, proba, recent=source == "canvas")  # the canvas's: redrawn on every stroke
    calibration = explanation.calibration
    temperature = 1.0 if calibration is None else calibration.temperature
    if show_logits:
        figure = logit_chart(logits, t("draw.axis_logit"))
    else:
        axis = t("draw.axis_probability") if temperature == 1.0 else t("draw.axis_calibrated")
        figure = probability_chart(proba, axis)
    plotly_chart(figure, "draw_chart")
    if temperature != 1.0 and not show_logits:
        st.caption(t("draw.calibrated", temperature=temperature))


@st.cache_data(max_entries=4)
def first_layer_tiles(fingerprint: str, _W1: np.ndarray) -> tuple[list[str], int]:
    """(400, 25) first-layer weights -> 25 pictures (PNG data URLs), one per unit's weight vector, and their width in
    px; computed once per model (keyed on its weights' fingerprint)."""
    tiles = weight_tiles(_W1, WEIGHT_SCALE)
    return [png_url(tile) for tile in tiles], tiles[0].shape[1]


def render_look_inside(model: NumpyModel, activations: Activations | None) -> None:
    """An expander with the 25 and 15 hidden `activations` of the current input (None without one) and the 25
    first-layer weights, built only while open (the fragment reruns on every stroke, and the expander starts
    closed)."""
    inside = st.expander(t("draw.inside"), key="draw_inside", on_change="rerun")
    if not inside.open:
        return
    with inside:
        if activations is None:
            st.caption(t("draw.inside_empty"))
        else:
            hidden_layers = LAYERS[: len(activations.hidden)]
            columns = st.columns([layer.units for layer in hidden_layers])
            for number, (column, layer, values) in enumerate(
                zip(columns, hidden_layers, activations.hidden, strict=True), start=1
            ):
                title = t("draw.hidden_layer", number=number, units=layer.units)
                plotly_chart(hidden_chart(values[0], title), f"draw_a{number}", column)
        mosaic, text = st.columns([1, 1])
        tiles, width = first_layer_tiles(model.fingerprint, model.weights["W1"])
        # Numbered as the first hidden layer's bars are, so that a bar can be matched to its unit's weights.
        mosaic.image(tiles, caption=[str(j) for j in range(len(tiles))], width=width)
        text.markdown(t("draw.weights_explained"))
