"""Softmax explorer: the lab's z sliders with e^z and softmax(z) beside them, temperature, and the stable formula."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import streamlit as st

from digitdemo.activations import my_softmax, naive_softmax
from ui import links, state
from ui.charts import bars_figure
from ui.i18n import t
from ui.plotting import plotly_chart

Z_MIN, Z_MAX, Z_STEP = 0.1, 10.0, 0.1  # the lab's sliders
# The network's logits run from about -50 to 30, so loading them switches the sliders to a wide range.
WIDE_MIN, WIDE_MAX = -60.0, 60.0
# The lab starts z0..z3 at 1, 2, 3, 4; further classes get values that keep the picture readable.
Z_DEFAULTS = (1.0, 2.0, 3.0, 4.0, 2.5, 1.5, 3.5, 0.5, 2.0, 3.0)
MIN_CLASSES, MAX_CLASSES, LAB_CLASSES = 2, 10, 4
T_MIN, T_MAX, T_DEFAULT = 0.1, 5.0, 1.0
SHIFT_MAX, SHIFT_STEP = 1000, 10
EXP_OVERFLOW = float(np.log(np.finfo(np.float64).max))  # about 709.78: e^z beyond this is inf in float64
LOADED_KEY = "softmax_loaded"  # the logits last loaded from the Draw tab and the slider values they became
# px: one bar per slider row (a slider without a label, no gap between: ui/presenter.py's styles), so the bars line
# up with their sliders; the chart's margins (panel titles above, the axis below) on top of the rows; the space above
# the first slider that brings it level with the first row, under the panel titles.
SLIDER_HEIGHT, CHART_MARGINS, SLIDERS_TOP = 40, 67, 30


def z_key(j: int) -> str:
    return f"softmax_z{j}"


# The widgets whose values the app keeps while another tab is open (the tab is not built then).
STATE_KEYS = ("softmax_classes", "softmax_temperature", "softmax_wide", "softmax_shift", *map(z_key, range(10)))


def slider_range(wide: bool) -> tuple[float, float]:
    return (WIDE_MIN, WIDE_MAX) if wide else (Z_MIN, Z_MAX)


def to_slider_values(z: np.ndarray, wide: bool) -> np.ndarray:
    """(k,) values -> (k,) rounded to the sliders' 0.1 steps and clipped into their range."""
    low, high = slider_range(wide)
    return np.clip(np.round(np.asarray(z, dtype=np.float64), 1), low, high)


def set_sliders(values: np.ndarray) -> None:
    for j, value in enumerate(values):
        st.session_state[z_key(j)] = float(value)


def restore_link(query: Mapping[str, str]) -> None:
    """The explorer's z values (2 to 10, comma separated), temperature and range from a link's query."""
    temperature = links.parse_float(query.get("T"), T_MIN, T_MAX, 0.1)
    if temperature is not None:
        st.session_state["softmax_temperature"] = temperature
    text = query.get("z") or ""
    parts = text.split(",") if len(text) <= links.MAX_VALUE_CHARS else []
    values = [links.parse_float(part, WIDE_MIN, WIDE_MAX, Z_STEP) for part in parts]
    if not MIN_CLASSES <= len(values) <= MAX_CLASSES or None in values:
        return
    wide = query.get("wide") == "1" or any(not Z_MIN <= value <= Z_MAX for value in values)
    st.session_state["softmax_wide"] = wide
    st.session_state["softmax_classes"] = len(values)
    set_sliders(to_slider_values(values, wide))


def link_query() -> dict[str, str]:
    """The explorer's values as a link's query parameters, once it has been opened."""
    session = st.session_state
    if "softmax_classes" not in session:
        return {}
    n = session["softmax_classes"]
    query = {
        "z": ",".join(f"{session.get(z_key(j), Z_DEFAULTS[j]):g}" for j in range(n)),
        "T": f"{session.get('softmax_temperature', T_DEFAULT):g}",
    }
    if session.get("softmax_wide"):
        query["wide"] = "1"
    return query


LINK = links.TabLink(restore=restore_link, query=link_query)


def on_range_change() -> None:
    """Toggle callback: keep the shown z inside the new range (the sliders are rebuilt with new bounds)."""
    n = st.session_state["softmax_classes"]
    current = [st.session_state.get(z_key(j), Z_DEFAULTS[j]) for j in range(n)]
    set_sliders(to_slider_values(current, st.session_state["softmax_wide"]))


def load_logits() -> None:
    """Button callback: put the Draw tab's 10 logits on the sliders (runs before the fragment draws them)."""
    logits = state.current_logits()
    if logits is None:
        st.session_state[LOADED_KEY] = None  # the note then says to draw first
        return
    values = to_slider_values(logits, wide=True)
    st.session_state["softmax_classes"] = len(values)
    st.session_state["softmax_wide"] = True
    st.session_state["softmax_temperature"] = T_DEFAULT  # the drawing's probabilities are softmax at T = 1
    set_sliders(values)
    st.session_state[LOADED_KEY] = {"logits": logits, "values": values}


def render_teaching_points() -> None:
    st.latex(r"\mathrm{softmax}(z)_j = \frac{e^{z_j / T}}{\sum_k e^{z_k / T}}")
    st.markdown(t("softmax.teaching_points"))


def render_loaded_note(z: np.ndarray) -> None:
    """Say where the sliders' values came from while they still hold the drawing's logits."""
    if LOADED_KEY in st.session_state and st.session_state[LOADED_KEY] is None:  # the last load found no drawing
        st.info(t("softmax.draw_first"))
    loaded = st.session_state.get(LOADED_KEY)
    if not loaded or len(z) != len(loaded["values"]) or not np.allclose(z, loaded["values"]):
        return
    gap = float(np.max(np.abs(my_softmax(z) - my_softmax(loaded["logits"]))))
    note = t("softmax.loaded", gap=gap)
    n_clipped = int(np.sum((loaded["logits"] < WIDE_MIN) | (loaded["logits"] > WIDE_MAX)))
    if n_clipped:
        note += t("softmax.clipped", n_clipped=n_clipped, low=WIDE_MIN, high=WIDE_MAX)
    st.success(note)


def render_overflow_demo(z: np.ndarray) -> None:
    """Naive exp(z)/sum(exp(z)) against the stable form, for the sliders' z plus a large constant."""
    st.subheader(t("softmax.stable_heading"))
    st.session_state.setdefault("softmax_shift", 0)
    shift = st.slider(
        t("softmax.shift"), 0, SHIFT_MAX, step=SHIFT_STEP, key="softmax_shift", help=t("softmax.shift_help")
    )
    pushed = z + shift
    naive, stable = naive_softmax(pushed), my_softmax(pushed)
    with np.errstate(over="ignore"):
        exp_pushed = np.exp(pushed)
    table = pd.DataFrame(
        {
            "z": [f"{v:.1f}" for v in pushed],
            "e^z": [f"{v:.4g}" for v in exp_pushed],
            t("softmax.naive"): [f"{v:.4f}" for v in naive],
            t("softmax.stable"): [f"{v:.4f}" for v in stable],
        },
        index=[f"z{j}" for j in range(len(z))],
    )
    st.table(table)
    if np.isfinite(naive).all():
        st.info(t("softmax.overflow_ok", largest=pushed.max(), limit=EXP_OVERFLOW))
    else:
        st.error(t("softmax.overflow_fails", limit=EXP_OVERFLOW))


def temperature_note(temperature: float) -> str:
    """What the chosen temperature does, or nothing at the network's own T = 1."""
    if temperature < T_DEFAULT:
        return t("softmax.colder", temperature=temperature)
    if temperature > T_DEFAULT:
        return t("softmax.warmer", temperature=temperature)
    return ""


@st.fragment
def render_explorer() -> None:
    """The sliders and the three bar charts; moving a slider reruns only this part of the page."""
    st.session_state.setdefault("softmax_classes", LAB_CLASSES)
    top = st.columns([2, 2, 1.3], vertical_alignment="bottom")
    n = top[0].slider(t("softmax.classes"), MIN_CLASSES, MAX_CLASSES, key="softmax_classes")
    st.session_state.setdefault("softmax_temperature", T_DEFAULT)
    temperature = top[1].slider(
        t("softmax.temperature"), T_MIN, T_MAX, step=0.1, format="%.1f", key="softmax_temperature",
        help=t("softmax.temperature_help"),
    )  # fmt: skip
    top[2].button(
        t("softmax.load"), key="softmax_load_logits", on_click=load_logits, help=t("softmax.load_help"), width="stretch"
    )

    wide = top[2].toggle(t("softmax.wide"), key="softmax_wide", on_change=on_range_change, help=t("softmax.wide_help"))
    low, high = slider_range(wide)
    sliders, charts = st.container(key="softmax_board").columns([1.1, 3])
    with sliders:
        st.space(SLIDERS_TOP)
        for j in range(n):
            st.session_state.setdefault(z_key(j), float(to_slider_values(Z_DEFAULTS[j], wide)))
            # Unlabelled, so that ten fit on a screen: each lines up with its bars, which the chart names z0, z1, ...
            st.slider(f"z{j}", low, high, step=Z_STEP, format="%.1f", key=z_key(j), label_visibility="collapsed")
    z = np.array([st.session_state[z_key(j)] for j in range(n)], dtype=np.float64)
    scaled = z / temperature
    exp_z = np.exp(scaled)
    proba = my_softmax(scaled)
    panels = [
        (z, "z", None if wide else (0.0, Z_MAX), ".1f"),
        (exp_z, "e<sup>z/T</sup>", None, ".3g"),
        (proba, "softmax", (0.0, 1.0), ".3f"),
    ]
    with charts:
        figure = bars_figure(panels, CHART_MARGINS + SLIDER_HEIGHT * n)
        plotly_chart(figure, "softmax_chart", growth=1.0)  # its rows stay level with their sliders
    # Below the board: on a phone the chart alone stays in view above the sliders.
    st.caption(t("softmax.share", total=exp_z.sum()) + temperature_note(temperature))
    st.markdown(f"{t('softmax.sum')}: **{proba.sum():.6f}**")
    render_loaded_note(z)
    links.publish()
    render_teaching_points()
    with st.expander(t("softmax.numbers")):
        st.dataframe(
            pd.DataFrame(
                {"z": z, "z/T": scaled, "e^(z/T)": exp_z, "softmax": proba}, index=[f"z{j}" for j in range(n)]
            ),
        )
    render_overflow_demo(z)


def render() -> None:
    """The Softmax explorer tab: the sliders and their chart first (above the fold on a projector), then the lesson."""
    render_explorer()
