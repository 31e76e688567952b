"""The Draw tab's inputs: the canvas (sized to the space it has), a training example by index, or an uploaded picture,
each turned into the network's (400,) input; and, on request, the preprocessing steps that made it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from digitdemo.data import LAB_EXAMPLE, Dataset
from digitdemo.errors import DigitDemoError
from digitdemo.images import decode_image
from digitdemo.numpy_model import NumpyModel
from digitdemo.preprocess import CANVAS_SIDE, steps_to_input
from digitdemo.strokes import draw_strokes
from ui import links, state
from ui.canvas_space import canvas_side, measure_space
from ui.i18n import error_text, t
from ui.pictures import digit_image, enlarge, png_url
from ui.presenter import presenting
from ui.room_access import in_room
from ui.theme import GRID_LEVEL

PEN_WIDTH_RANGE = (8, 40)
DEFAULT_PEN_WIDTH = 22
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "webp", "bmp"]  # what digitdemo.images decodes
STEP_SIDE = 96  # px of each preprocessing step's picture


def render_canvas_input(model: NumpyModel) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The canvas (white pen on black) -> (400,) network input, or None while blank, and the RGBA picture it came
    from.

    The canvas is as large as its column and the window allow (measured in the browser); what it last sent is kept,
    so a canvas drawn anew (after a language switch, another input or a new size) starts from the same strokes and
    the prediction beside it stays the prediction of what it shows."""
    space = measure_space()
    if space is None:
        # Not drawn before its size is known: a canvas shown at a first guess and redrawn smaller once the browser
        # has reported would move under a stroke begun on it (at 1024x768 it went from 280 to 216 px).
        st.container(height=CANVAS_SIDE, border=False, key="draw_canvas_pending")
        return None, None
    side = canvas_side(space, presenting(), sending=in_room())
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
        return_image_data=False,  # its strokes alone, drawn into the picture here: lighter than a PNG per stroke
        initial_drawing=state.canvas_seed(),
        key="draw_canvas",
    )
    # The strokes the canvas holds (a canvas just mounted holds the seed it started from), drawn into their picture.
    sent = draw_strokes(result.json_data, side)
    if sent is not None:
        state.save_drawing(result.json_data, sent)
    picture = state.saved_drawing()[1]
    if picture is None:  # before the first stroke
        return None, None
    steps = model.input_steps(picture)  # once, for the steps shown and the input, with the model's preprocessing
    render_steps(steps)
    return steps_to_input(steps), picture


def render_example_input(model: NumpyModel, dataset: Dataset) -> np.ndarray:
    """A number input choosing a training example -> its (400,) row."""
    last = len(dataset.X) - 1
    st.session_state.setdefault(state.DRAW_EXAMPLE, LAB_EXAMPLE)
    index = st.number_input(t("draw.example", last=last), min_value=0, max_value=last, step=1, key=state.DRAW_EXAMPLE)
    label = int(dataset.y[index, 0])
    st.image(png_url(digit_image(dataset.X[index], scale=8)), caption=t("draw.example_label", label=label))
    return model.inputs(dataset.X[index])  # deskewed for a model trained so


def render_upload_input(model: NumpyModel) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A file uploader (PNG/JPEG/WebP) -> (400,) input and the decoded (h, w, 4) uint8 picture; None for the input
    (with a message) when nothing usable was uploaded."""
    upload = st.file_uploader(t("draw.upload"), type=UPLOAD_TYPES, key="draw_upload")
    if upload is None:
        return None, None
    try:
        picture = decode_image(upload.getvalue())
        steps = model.input_steps(picture)
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
        "deskewed": t("draw.step_deskewed"),
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


def restore_link(query: Mapping[str, str], n_examples: int) -> None:
    """The Draw tab's input (canvas, example, upload) and example index from the URL."""
    if query.get("input") in state.DRAW_SOURCES:
        st.session_state[state.DRAW_SOURCE] = query["input"]
    example = links.parse_int(query.get("example"), 0, n_examples - 1)
    if example is not None:
        st.session_state[state.DRAW_EXAMPLE] = example


def link_query() -> dict[str, str]:
    """The Draw tab's input and example as query parameters, where they differ from a fresh page."""
    session = st.session_state
    query = {}
    source = session.get(state.DRAW_SOURCE, state.DRAW_SOURCES[0])
    if source != state.DRAW_SOURCES[0]:
        query["input"] = source
    if source == "example" and state.DRAW_EXAMPLE in session:
        query["example"] = str(session[state.DRAW_EXAMPLE])
    return query
