"""The Draw tab: draw, load or upload a digit; see what the network sees, what it predicts, and a look inside."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from digitdemo.activations import my_softmax
from digitdemo.data import LAB_EXAMPLE, Dataset
from digitdemo.errors import DigitDemoError
from digitdemo.explanation import UNSURE_BELOW
from digitdemo.images import decode_image
from digitdemo.network import LAYERS
from digitdemo.numpy_model import NumpyModel
from digitdemo.preprocess import CANVAS_SIDE, preprocess_steps, steps_to_input
from digitdemo.strokes import draw_strokes
from ui import classroom, explanations, links, presenter, state
from ui.charts import (
    GRID_LEVEL,
    digit_image,
    enlarge,
    hidden_chart,
    logit_chart,
    png_url,
    probability_chart,
    weight_tiles,
)
from ui.i18n import error_text, t

PEN_WIDTH_RANGE = (8, 40)
DEFAULT_PEN_WIDTH = 22
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "webp", "bmp"]  # what digitdemo.images decodes
SEES_SCALE = 12
STEP_SIDE = 96  # px of each preprocessing step's picture
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
            t("draw.input"), state.DRAW_SOURCES, format_func=labels.get, key=state.DRAW_SOURCE, horizontal=True,
            on_change=state.reseed_canvas,
        )  # fmt: skip
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
            x = render_example_input(dataset)
        elif source == "upload":
            x, picture = render_upload_input()
        else:
            x, picture = render_canvas_input()
    # The served forward pass, once; the explanations compute nothing more until a part of them is shown.
    explanation = explanations.explain(model, dataset, x, picture)
    with right:
        render_prediction(explanation, source)
        classroom.render_send_bar(model.name)
    explanations.render_why(model, dataset, explanation)
    render_look_inside(model, explanation)
    links.publish()


def render_canvas_input() -> tuple[np.ndarray | None, np.ndarray | None]:
    """The canvas (white pen on black) -> (400,) network input, or None while blank, and the RGBA picture it came
    from.

    The canvas is as large as its column and the window allow (measured in the browser); what it last sent is kept,
    so a canvas drawn anew (after a language switch, another input or a new size) starts from the same strokes and
    the prediction beside it stays the prediction of what it shows."""
    side = presenter.canvas_side(presenter.measure_space(), presenter.presenting())
    state.fit_canvas(side)
    pen_width = st.session_state["draw_pen_width"] * side / CANVAS_SIDE  # the same stroke on any canvas size
    result = st_canvas(
        stroke_width=max(1, round(pen_width)),
        stroke_color="#ffffff",
        background_color="#000000",
        update_streamlit=True,
        height=side,
        width=side,
        drawing_mode="freedraw",
        return_image_data=False,  # its strokes alone, drawn into the picture here: a PNG per stroke costs far more
        initial_drawing=state.canvas_seed(),
        key="draw_canvas",
    )
    sent = draw_strokes(result.json_data, side)  # the picture of the strokes the canvas sent
    if sent is not None:  # None from a canvas just mounted, which has sent nothing yet
        state.save_drawing(result.json_data, sent)
    picture = state.saved_drawing()[1]
    if picture is None:  # before the first stroke
        return None, None
    steps = preprocess_steps(picture)  # once, for the steps shown and the input
    render_steps(steps)
    return steps_to_input(steps), picture


def render_example_input(dataset: Dataset) -> np.ndarray:
    """A number input choosing a training example -> its (400,) row."""
    last = len(dataset.X) - 1
    st.session_state.setdefault(state.DRAW_EXAMPLE, LAB_EXAMPLE)
    index = st.number_input(t("draw.example", last=last), min_value=0, max_value=last, step=1, key=state.DRAW_EXAMPLE)
    label = int(dataset.y[index, 0])
    st.image(png_url(digit_image(dataset.X[index], scale=8)), caption=t("draw.example_label", label=label))
    return dataset.X[index]


def render_upload_input() -> tuple[np.ndarray | None, np.ndarray | None]:
    """A file uploader (PNG/JPEG/WebP) -> (400,) input and the decoded (h, w, 4) uint8 picture; None for the input
    (with a message) when nothing usable was uploaded."""
    upload = st.file_uploader(t("draw.upload"), type=UPLOAD_TYPES, key="draw_upload")
    if upload is None:
        return None, None
    try:
        picture = decode_image(upload.getvalue())
        steps = preprocess_steps(picture)
    except DigitDemoError as exc:
        st.error(t("draw.upload_error", error=error_text(exc)))
        return None, None
    st.image(picture, caption=t("draw.your_picture"), width=CANVAS_SIDE)
    render_steps(steps)
    x = steps_to_input(steps)
    if x is None:
        st.warning(t("draw.no_digit"))
    return x, picture


def render_steps(steps: dict[str, np.ndarray]) -> None:
    """On request, `preprocess_steps`' pictures: how the drawing or picture became the network's 20x20 input."""
    if not st.toggle(t("draw.show_steps"), key="draw_steps"):
        return
    names = {
        "ink": t("draw.step_ink"),
        "cropped": t("draw.step_cropped"),
        "scaled": t("draw.step_scaled"),
        "centred": t("draw.step_centred"),
        "network input": t("draw.step_input"),
    }
    images = [png_url(step_image(step)) for step in steps.values()]
    st.image(images, caption=[names.get(name, name) for name in steps], width=STEP_SIDE)


def step_image(step: np.ndarray) -> np.ndarray:
    """(h, w) float image about 0..1 -> square uint8 image of about STEP_SIDE px, centred on black, pixels visible."""
    side = max(step.shape)
    square = np.zeros((side, side), np.uint8)
    top, left = (side - step.shape[0]) // 2, (side - step.shape[1]) // 2
    square[top : top + step.shape[0], left : left + step.shape[1]] = np.round(np.clip(step, 0, 1) * 255)
    # A gray frame keeps neighbouring steps apart.
    return np.pad(enlarge(square, max(1, STEP_SIDE // side), grid=False), 2, constant_values=GRID_LEVEL)


def render_prediction(explanation: explanations.Explanation | None, source: str) -> None:
    """What the network sees, the predicted digit as a metric (with a warning when the `explanation` finds the input
    unlike every training digit of that class) and the ten probabilities; an invitation to draw or upload without an
    input."""
    if explanation is None:
        state.set_current_input(None, None)
        if source == "upload":
            st.info(t("draw.invite_upload"))
        else:
            st.info(t("draw.invite_draw"))
        return
    x, logits = explanation.x, explanation.logits
    proba = my_softmax(logits.astype(np.float64))
    digit = int(np.argmax(proba))
    state.set_current_input(x, logits)
    # The verdict first: on a phone the columns stack, and the digit should be the first thing under the canvas.
    verdict, sees = st.columns([1, 1])
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
    if show_logits:
        figure = logit_chart(logits, t("draw.axis_logit"))
    else:
        figure = probability_chart(proba, t("draw.axis_probability"))
    presenter.plotly_chart(figure, "draw_chart")


@st.cache_data(max_entries=4)
def first_layer_tiles(fingerprint: str, _W1: np.ndarray) -> tuple[list[str], int]:
    """(400, 25) first-layer weights -> 25 pictures (PNG data URLs), one per unit's weight vector, and their width in
    px; computed once per model (keyed on its weights' fingerprint)."""
    tiles = weight_tiles(_W1, WEIGHT_SCALE)
    return [png_url(tile) for tile in tiles], tiles[0].shape[1]


def render_look_inside(model: NumpyModel, explanation: explanations.Explanation | None) -> None:
    """An expander with the 25 and 15 hidden activations of the current input and the 25 first-layer weights, built
    only while open (the fragment reruns on every stroke, and the expander starts closed)."""
    inside = st.expander(t("draw.inside"), key="draw_inside", on_change="rerun")
    if not inside.open:
        return
    with inside:
        if explanation is None:
            st.caption(t("draw.inside_empty"))
        else:
            activations = model.forward(explanation.x)  # its hidden layers, only while the expander is open
            hidden_layers = LAYERS[: len(activations.hidden)]
            columns = st.columns([layer.units for layer in hidden_layers])
            for number, (column, layer, values) in enumerate(
                zip(columns, hidden_layers, activations.hidden, strict=True), start=1
            ):
                title = t("draw.hidden_layer", number=number, units=layer.units)
                presenter.plotly_chart(hidden_chart(values[0], title), f"draw_a{number}", column)
        mosaic, text = st.columns([1, 1])
        tiles, width = first_layer_tiles(model.fingerprint, model.weights["W1"])
        # Numbered as the first hidden layer's bars are, so that a bar can be matched to its unit's weights.
        mosaic.image(tiles, caption=[str(j) for j in range(len(tiles))], width=width)
        text.markdown(t("draw.weights_explained"))
