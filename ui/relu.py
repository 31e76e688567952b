"""ReLU explorer: the lab's activations, and the companion lab's game of matching a target with ReLU units."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import streamlit as st

from digitdemo import relu_lab
from digitdemo.activations import linear, relu, sigmoid
from ui import links
from ui.charts import activation_figure, relu_sum_figure, relu_unit_figure
from ui.i18n import t
from ui.plotting import plotly_chart
from ui.presenter import presenting

Z_RANGE = (-5.0, 5.0)
PARAMS = ("w1", "b1", "w2", "b2")


def slider_key(name: str) -> str:
    return f"relu_{name}"


# The widgets whose values the app keeps while another tab is open (the tab is not built then).
STATE_KEYS = tuple(map(slider_key, PARAMS))
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


LINK = links.TabLink(restore=restore_link, query=link_query)


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


@st.fragment
def render_game() -> None:
    """Sliders w1, b1, w2, b2 and the plots they move; a slider change reruns only this part of the page."""
    left, right = st.container(key="relu_board").columns([1, 2])
    with left:
        for name in PARAMS:
            st.session_state.setdefault(slider_key(name), 0.0)
            st.slider(
                name,
                relu_lab.SLIDER_MIN,
                relu_lab.SLIDER_MAX,
                step=relu_lab.SLIDER_STEP,
                format="%.1f",
                key=slider_key(name),
            )
        buttons = st.columns(2)
        buttons[0].button(t("relu.show_solution"), key="relu_show_solution", on_click=show_solution, width="stretch")
        buttons[1].button(t("relu.reset"), key="relu_reset", on_click=reset_sliders, width="stretch")
        if presenting():
            # On a projector the task sits under the sliders, so that the board's result fits above the fold.
            st.markdown(t("relu.game_intro"))
    params = {name: float(st.session_state[slider_key(name)]) for name in PARAMS}
    x = relu_lab.x_grid()
    z, a = relu_lab.unit_outputs(x, **params)
    output = a.sum(axis=0)
    error = relu_lab.mean_squared_error(**params, x=x)
    with right:
        # The result first, so that a projector shows it with the sliders.
        with st.container(key="relu_result"):
            st.metric(t("relu.error"), f"{error:.4f}")
            if error < MATCH_TOLERANCE:
                st.session_state[SOLVED_KEY] = True
                st.success(t("relu.perfect"))
        figure = relu_sum_figure(x, relu_lab.target(x), output, (t("relu.target"), t("relu.sum")))
        plotly_chart(figure, "relu_sum_chart", growth=1.0)  # so that it fits under the result at 1280x720
    w, b = relu_lab.unit_parameters(**params)
    for unit, column in enumerate(st.columns(3)):
        name = t("relu.unit_fixed", unit=unit) if unit == 0 else t("relu.unit", unit=unit)
        sign = "-" if b[unit] < 0 else "+"
        column.markdown(f"**{name}**: z = {w[unit]:.1f}·x {sign} {abs(b[unit]):.1f}")
        figure = relu_unit_figure(x, z[unit], a[unit], unit)
        plotly_chart(figure, f"relu_unit{unit}_chart", column)
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
