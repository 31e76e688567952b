"""ReLU explorer: the lab's activations, and the companion lab's game of matching a target with ReLU units."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import streamlit as st

from digitdemo import relu_lab
from digitdemo.activations import linear, relu, sigmoid
from ui import links, live
from ui.charts import activation_figure
from ui.i18n import t
from ui.plotting import plotly_chart
from ui.presenter import presenting

Z_RANGE = (-5.0, 5.0)
PARAMS = ("w1", "b1", "w2", "b2")


def slider_key(name: str) -> str:
    return f"relu_{name}"


# The widgets whose values the app keeps while another tab is open (the tab is not built then).
STATE_KEYS = tuple(map(slider_key, PARAMS))
BOARD_KEY = "relu_live"  # the live board (ui/live): the sliders and the curves they move
SOLVED_KEY = "relu_solved"  # set once the sum has matched the target (or the solution was shown): the lesson shows
MATCH_TOLERANCE = 1e-9  # below this mean squared error the sum is the target up to rounding
# The activations the lab plots, each with its formula's message id; a new one is its function and a line here.
ACTIVATIONS = (("relu.linear", linear), ("relu.sigmoid", sigmoid), ("relu.relu", relu))


def restore_link(query: Mapping[str, str]) -> None:
    """The game's w1, b1, w2, b2 from a link's query."""
    for name in PARAMS:
        value = links.parse_float(query.get(name), relu_lab.SLIDER_MIN, relu_lab.SLIDER_MAX, relu_lab.SLIDER_STEP)
        if value is not None:
            st.session_state[slider_key(name)] = value


def link_query() -> dict[str, str]:
    """The game's values as a link's query parameters, those it has set."""
    return {name: f"{st.session_state[slider_key(name)]:g}" for name in PARAMS if slider_key(name) in st.session_state}


# Controls a lesson link can hide: the Show solution button.
LINK = links.TabLink(restore=restore_link, query=link_query, controls={"solution": "relu.show_solution"})


def render_activations() -> None:
    """The lab's row of plots over z in [-5, 5], one per activation: linear, sigmoid, ReLU."""
    st.subheader(t("relu.activations_heading"))
    z = np.linspace(*Z_RANGE, 201)
    for column, (msg_id, activation) in zip(st.columns(len(ACTIVATIONS)), ACTIVATIONS, strict=True):
        title = t(msg_id)
        column.markdown(f"**{title}**")
        plotly_chart(activation_figure(z, activation(z), title), f"relu_{activation.__name__}_chart", column)
    st.caption(t("relu.activations_caption"))


def show_solution() -> None:
    """Button callback: move the four sliders to the lab's solution before they are drawn."""
    for name, value in relu_lab.SOLUTION.items():
        st.session_state[slider_key(name)] = value
    st.session_state[SOLVED_KEY] = True


def reset_sliders() -> None:
    for name in PARAMS:
        st.session_state[slider_key(name)] = 0.0


def on_release() -> None:
    """The board's release callback: w1, b1, w2, b2 into the session, each rounded to the slider's step and kept in
    its range."""
    commit = live.released(BOARD_KEY)
    try:
        values = {name: float(commit[name]) for name in PARAMS}
    except (TypeError, KeyError, ValueError):
        return
    for name, value in values.items():
        if math.isfinite(value):
            step = relu_lab.SLIDER_STEP
            rounded = round(round(value / step) * step, 6)
            st.session_state[slider_key(name)] = min(relu_lab.SLIDER_MAX, max(relu_lab.SLIDER_MIN, rounded))


def board_limits() -> dict:
    """The board's sliders, the grid its curves are drawn on and the fixed unit 0."""
    return {
        "params": PARAMS,
        "min": relu_lab.SLIDER_MIN,
        "max": relu_lab.SLIDER_MAX,
        "step": relu_lab.SLIDER_STEP,
        "points": relu_lab.GRID_POINTS,
        "x_min": relu_lab.X_MIN,
        "x_max": relu_lab.X_MAX,
        "fixed_w0": relu_lab.FIXED_W0,
        "fixed_b0": relu_lab.FIXED_B0,
    }


def board_texts() -> dict[str, str]:
    """The board's words in this session's language, its messages as templates it fills in."""
    ids = {
        "target": "relu.target",
        "sum": "relu.sum",
        "error": "relu.error",
        "unit": "relu.unit",
        "unit_fixed": "relu.unit_fixed",
    }
    return {name: live.template(msg_id) for name, msg_id in ids.items()}


@st.fragment
def render_game() -> None:
    """The live board (sliders w1, b1, w2, b2, the units' curves, their sum against the target and the error), then
    the verdict; a release reruns only this part of the page."""
    for name in PARAMS:
        st.session_state.setdefault(slider_key(name), 0.0)
    params = {name: float(st.session_state[slider_key(name)]) for name in PARAMS}
    hidden = links.lesson_hidden(LINK)
    live.render_board(BOARD_KEY, "relu", params, board_limits(), board_texts(), on_release, hidden)
    buttons = st.columns(4)
    if "solution" not in hidden:
        buttons[0].button(t("relu.show_solution"), key="relu_show_solution", on_click=show_solution, width="stretch")
    buttons[1].button(t("relu.reset"), key="relu_reset", on_click=reset_sliders, width="stretch")
    if presenting():
        # On a projector the task sits under the board, so that the board fits above the fold.
        st.markdown(t("relu.game_intro"))
    with st.container(key="relu_result"):
        if relu_lab.mean_squared_error(**params) < MATCH_TOLERANCE:
            st.session_state[SOLVED_KEY] = True
            st.success(t("relu.perfect"))
    # The lesson gives the answer away, so it waits until the game is won or given up.
    if st.session_state.get(SOLVED_KEY):
        st.info(t("relu.lesson"))
    else:
        st.caption(t("presenter.relu_lesson_later"))
    links.publish()


def render() -> None:
    """The ReLU explorer tab: the game first (its result above the fold), the activations' plots below."""
    st.subheader(t("relu.game_heading"))
    if not presenting():
        st.markdown(t("relu.game_intro"))
    render_game()
    render_activations()
