"""The Draw tab's "Why this answer": the network drawn with one unit's arithmetic, why this digit and not another, the
nearest training digits and what framing does; and the "Not a digit?" warning beside the prediction. The numbers all
come from digitdemo.explanation / explain / neighbours; this module only draws them."""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import streamlit as st

from digitdemo.activations import my_softmax
from digitdemo.attribution import explain_unit
from digitdemo.catalog import SESSION_MODEL
from digitdemo.data import Dataset, checksum
from digitdemo.explanation import Explanation
from digitdemo.i18n import message
from digitdemo.neighbours import (
    Calibration,
    DigitIndex,
    Neighbours,
    build_index,
    load_calibration,
    training_rows,
)
from digitdemo.network import LAYERS
from digitdemo.numpy_model import NumpyModel, load_record
from ui import state
from ui.charts import unit_outputs_chart
from ui.i18n import lang, t
from ui.network_drawing import network_figure
from ui.pictures import digit_image, png_url, signed_image
from ui.plotting import plotly_chart
from ui.presenter import presenting, render_lesson_caption

# The views and their labels' ids, in a 12-year-old's order: the digits it has seen that look like this one first,
# then which pixels pushed it to this digit, then framing, and the arithmetic of the network last.
VIEW_LABELS = {
    "nearest": "why.view_nearest",
    "versus": "why.view_versus",
    "framing": "why.view_framing",
    "network": "why.view_network",
}
VIEWS = tuple(VIEW_LABELS)
RUNNER_UP = -1  # the "against" choice meaning the runner-up, whatever it is for the current input
# Sizes of the 20x20 pictures as (normal, presenter view), larger on a projector: (scale, px on the page) of pictures
# side by side (160 px shown at 200; 240 at 240) and of the five nearest digits in a row (a width of their own, or
# their captions would stretch them); the scale of a unit's weight pictures (100 px; 140).
PICTURE_SIZES = ((8, 200), (12, 240))
NEIGHBOUR_SIZES = ((6, 120), (8, 160))
UNIT_SCALES = (5, 7)
TERMS_SHOWN = 4  # the largest products w_i * x_i written out in a unit's sum
# Correlation of the framed input with the plainly resized picture above which the two look alike (0.95 for a "1" down
# the middle or a "2" over 60% of the canvas; 0.42 for a "7" filling it, -0.10 for a small "7" in a corner).
ALIKE_ABOVE = 0.9
# Kept across tab and language switches with the Draw tab's other widgets.
STATE_KEYS = ("draw_why", "draw_why_view", "draw_why_unit", "draw_why_against", "draw_why_numbers")
REFERENCE_KEY = "draw_why_reference"  # ((fingerprint, name), Reference): the session's hold on the cached reference


class Reference(NamedTuple):
    """What a model's explanations compare an input with: its training digits and its "not a digit" threshold."""

    index: DigitIndex
    calibration: Calibration | None  # None for a model trained in the app: it has no held-out calibration


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_reference(fingerprint: str, name: str, _model: NumpyModel, _dataset: Dataset) -> Reference:
    """The neighbour index and calibration of the model with this fingerprint and name, built once per server."""
    record = None if name == SESSION_MODEL else load_record(name)
    index = build_index(_model.weights, _model.inputs(_dataset.X), _dataset.y, rows=training_rows(record, _dataset.y))
    return Reference(index, load_calibration(record, checksum(_dataset.X, _dataset.y)))


def model_reference(model: NumpyModel, dataset: Dataset) -> Reference:
    """The model's Reference, built once per server and held by the session too: a lookup in Streamlit's cache
    hashes its arguments, a noticeable part of a stroke (`python benchmarks/speed.py`), where the session's own copy
    costs a dictionary lookup."""
    identity = (model.fingerprint, model.name)
    held = st.session_state.get(REFERENCE_KEY)
    if held is None or held[0] != identity:
        held = identity, cached_reference(model.fingerprint, model.name, model, dataset)
        st.session_state[REFERENCE_KEY] = held
    return held[1]


def explain(
    model: NumpyModel, dataset: Dataset, x: np.ndarray | None, picture: np.ndarray | None, logits: np.ndarray | None
) -> Explanation | None:
    """The (400,) input x as the model reads it (its own preprocessing applied) and the picture it came from (for
    framing), explained against the model's training digits,
    ranked by the (10,) logits the page shows; None without an input. Nothing else is computed until a part is
    shown."""
    if x is None or logits is None:
        return None
    reference = model_reference(model, dataset)
    return Explanation(model.weights, x, reference.index, reference.calibration, picture, logits)


def render_not_a_digit(explanation: Explanation) -> None:
    """Beside the prediction: a warning when the input is unlike every training digit of its class the model has
    seen, with the lesson that softmax must pick one of ten; a note when the model has no calibration to judge by."""
    calibration = explanation.calibration
    if calibration is None:
        st.caption(t("why.check_unavailable"))
    elif explanation.unlike_digits:
        st.error(
            t(
                "why.not_a_digit",
                digit=explanation.predicted,
                score=explanation.novelty,
                threshold=calibration.threshold,
            )
        )


def render_why(model: NumpyModel, dataset: Dataset, explanation: Explanation | None) -> None:
    """The "Why this answer" expander for the current input, built only while open: the fragment reruns on every
    stroke, and the expander starts closed."""
    why = st.expander(t("why.heading"), key="draw_why", on_change="rerun")
    if not why.open:
        return
    with why:
        if explanation is None:
            render_lesson_caption(t("why.empty"), "draw_why_empty")
            return
        labels = {view: t(label_id) for view, label_id in VIEW_LABELS.items()}
        st.session_state.setdefault("draw_why_view", VIEWS[0])
        view = st.segmented_control(
            t("why.view"),
            VIEWS,
            format_func=labels.get,
            key="draw_why_view",
            required=True,
            label_visibility="collapsed",
        )
        # Each view says it in plain words; its formulas and exact sums are one click away, for the curious.
        numbers = st.toggle(t("why.numbers"), key="draw_why_numbers")
        if view == "network":
            render_network(model, explanation, numbers)
        elif view == "versus":
            against = render_against_choice()
            render_versus(explanation, None if against == RUNNER_UP else against, numbers)
        elif view == "nearest":
            render_nearest(dataset, explanation, numbers)
        else:
            render_framing(explanation)


def render_against_choice() -> int:
    """A choice of the class to compare the prediction with -> a digit, or RUNNER_UP; never the predicted digit."""
    logits = state.current_logits()
    predicted = int(np.argmax(logits))
    st.session_state.setdefault("draw_why_against", RUNNER_UP)
    options = [RUNNER_UP, *(d for d in range(len(logits)) if d != predicted)]
    if st.session_state["draw_why_against"] not in options:  # the prediction has become the digit chosen
        st.session_state["draw_why_against"] = RUNNER_UP
    names = {RUNNER_UP: t("why.runner_up")} | {d: str(d) for d in options[1:]}
    return st.selectbox(t("why.against", digit=predicted), options, format_func=names.get, key="draw_why_against")


@functools.cache
def unit_names(language: str) -> dict[tuple[int, int], str]:
    """Every hidden unit as (layer, unit), layer 1-based, with its name in `language`: made once per language, not for
    the 40 options on every stroke."""
    return {
        (number, unit): message(language, "why.unit_option", layer=number, unit=unit)
        for number, layer in enumerate(LAYERS[:-1], start=1)
        for unit in range(layer.units)
    }


@functools.cache
def node_hovers(language: str) -> list[str]:
    """The network drawing's hover template for each circle in `language`, hidden units then logits; Plotly writes in
    each circle's value, so they are made once per language, not on every stroke."""
    hovers = [message(language, "why.hover_unit", layer=layer, unit=unit) for layer, unit in unit_names(language)]
    return hovers + [message(language, "why.hover_logit", digit=digit) for digit in range(LAYERS[-1].units)]


def render_network(model: NumpyModel, explanation: Explanation, numbers: bool) -> None:
    """The network drawn, and the chosen hidden unit's weights, what it adds up (its sum w.x + b written out when
    `numbers`), its ReLU and its share per output."""
    language = lang()
    names = unit_names(language)
    # First open: the unit that answers this input most strongly in layer 1.
    st.session_state.setdefault("draw_why_unit", (1, int(np.argmax(explanation.layers[0].a))))
    picture, arithmetic = st.columns([1.5, 1], gap="medium")
    with arithmetic:
        layer, unit = st.selectbox(t("why.unit"), list(names), format_func=names.get, key="draw_why_unit")
        render_unit(model, explanation, layer, unit, numbers)
    with picture:
        graph = explanation.graph
        figure = network_figure(graph.nodes, graph.edges, (layer, unit), t("why.hover_pixel"), node_hovers(language))
        plotly_chart(figure, "draw_why_network", height="stretch")  # as tall as the page's style makes its box
        render_lesson_caption(t("why.network_caption", edges=len(graph.edges[0].value)), "draw_why_network")


def render_unit(model: NumpyModel, explanation: Explanation, layer: int, unit: int, numbers: bool) -> None:
    """One unit's arithmetic at the explained input: its weights (a picture in layer 1), what it adds up in words (the
    sum with its numbers when `numbers`), ReLU's verdict and how much it adds to each output."""
    unit_math = explain_unit(model.weights, explanation.x, layer, unit, explanation.layers)
    products = unit_math.weights * unit_math.inputs
    if layer == 1:
        scale = UNIT_SCALES[presenting()]
        st.image(
            [weights_picture(unit_math.weights.tobytes(), scale), png_url(signed_image(products, scale))],
            caption=[t("why.unit_weights"), t("why.unit_products")],
        )
    st.markdown(t("why.unit_plain", n=unit_math.inputs.size, z=unit_math.z))
    if numbers:
        largest = np.argsort(-np.abs(products), kind="stable")[:TERMS_SHOWN]
        terms = " + ".join(f"{unit_math.weights[i]:.2f}×{unit_math.inputs[i]:.2f}" for i in largest if products[i] != 0)
        st.markdown(
            t(
                "why.unit_sum",
                inputs=int(np.count_nonzero(unit_math.inputs)),
                n=unit_math.inputs.size,
                terms=terms or "0",
                dot=unit_math.dot,
                bias=unit_math.bias,
                z=unit_math.z,
            )
        )
    if unit_math.passes:
        st.success(t("why.relu_passes", a=unit_math.a))
    else:
        st.info(t("why.relu_blocks", z=unit_math.z))
    figure = unit_outputs_chart(unit_math.to_outputs, explanation.predicted, t("why.axis_adds"))
    plotly_chart(figure, "draw_why_unit_outputs")


@functools.lru_cache(maxsize=128)
def weights_picture(weights: bytes, scale: int) -> str:
    """A first-layer unit's (400,) float64 weights, as bytes -> their picture (PNG data URL), made once per unit and
    scale: they change only with the model, and a stroke need not draw them again."""
    return png_url(signed_image(np.frombuffer(weights), scale))


def render_versus(explanation: Explanation, against: int | None, numbers: bool) -> None:
    """Each pixel's share of (logit predicted - logit other: the runner-up, or `against`) over the input; when
    `numbers`, the check that the shares add up and why they are exact."""
    attribution = explanation.versus(against)
    total = float(attribution.pixels.sum())
    scale, width = PICTURE_SIZES[presenting()]
    seen, shares = st.columns([1, 1])
    seen.image(png_url(digit_image(explanation.x, scale)), caption=t("draw.sees"), width=width)
    shares.image(
        png_url(signed_image(attribution.pixels, scale, grid=True)),
        caption=t("why.contributions", digit=attribution.cls, other=attribution.against),
        width=width,
    )
    render_lesson_caption(t("why.versus_explained"), "draw_why_versus")
    if not numbers:
        return
    st.markdown(
        t(
            "why.versus_check",
            digit=attribution.cls,
            other=attribution.against,
            pixels=total,
            bias=attribution.bias,
            total=total + attribution.bias,
            score=attribution.score,
            gap=abs(total + attribution.bias - attribution.score),
        )
    )
    st.markdown(t("why.versus_exact"))


def neighbour_row(dataset: Dataset, neighbours: Neighbours) -> None:
    """The neighbours' pictures in one row, each captioned with its label and distance."""
    scale, width = NEIGHBOUR_SIZES[presenting()]
    st.image(
        [png_url(digit_image(dataset.X[row], scale)) for row in neighbours.rows],
        width=width,
        caption=[
            t("why.neighbour", label=int(label), distance=float(distance), row=int(row))
            for row, label, distance in zip(neighbours.rows, neighbours.labels, neighbours.distances, strict=True)
        ],
    )


def render_nearest(dataset: Dataset, explanation: Explanation, numbers: bool) -> None:
    """The training digits nearest the input in pixels and in the last hidden layer, and, when `numbers`, how unlike
    them it is."""
    st.markdown(t("why.nearest_pixels"))
    neighbour_row(dataset, explanation.nearest_pixels)
    st.markdown(t("why.nearest_hidden"))
    neighbour_row(dataset, explanation.nearest_hidden)
    calibration = explanation.calibration
    if not numbers:
        return
    if calibration is None:
        st.caption(t("why.check_unavailable"))
    else:
        st.caption(
            t(
                "why.novelty",
                digit=explanation.predicted,
                score=explanation.novelty,
                row=explanation.novelty_row,
                threshold=calibration.threshold,
                typical=calibration.typical,
                n=calibration.n_heldout,
            )
        )


def render_framing(explanation: Explanation) -> None:
    """The framed input beside the picture plainly resized, with what the network predicts from each."""
    if explanation.unframed is None:
        st.info(t("why.framing_needs_picture"))
        return
    framed = my_softmax(explanation.layers[-1].a)
    unframed = my_softmax(explanation.unframed_logits)
    scale, width = PICTURE_SIZES[presenting()]
    st.image(
        [png_url(digit_image(explanation.x, scale)), png_url(digit_image(explanation.unframed, scale))],
        caption=[
            t("why.framed", digit=int(np.argmax(framed)), p=float(framed.max())),
            t("why.unframed", digit=int(np.argmax(unframed)), p=float(unframed.max())),
        ],
        width=width,
    )
    if np.corrcoef(explanation.x, explanation.unframed)[0, 1] > ALIKE_ABOVE:
        # A drawing near the middle about the training digits' size is framed already: the two pictures look alike,
        # and the general lesson would contradict them.
        st.markdown(t("why.framing_same"))
    else:
        st.markdown(t("why.framing_explained"))
