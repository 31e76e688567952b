"""Softmax explorer: the lab's z sliders with e^z and softmax(z) beside them, temperature, and the stable formula."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import streamlit as st

from digitdemo.activations import my_softmax
from ui import links, live, state
from ui.i18n import t

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
BOARD_KEY = "softmax_live"  # the live board (ui/live): the sliders and their bars


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


# Controls a lesson link can hide: the board's, and the button that loads the drawing's logits.
LINK = links.TabLink(
    restore=restore_link,
    query=link_query,
    controls={
        "classes": "softmax.classes",
        "temperature": "softmax.temperature",
        "wide": "softmax.wide",
        "shift": "softmax.shift",
        "load": "softmax.load",
    },
)


def on_release() -> None:
    """The board's release callback: its values (number of classes, z, temperature, range, shift) into the session,
    each rounded to its slider's step and kept in its range."""
    commit = live.released(BOARD_KEY)
    try:
        n, wide = int(commit["n"]), bool(commit["wide"])
        z = np.asarray(commit["z"], dtype=np.float64)
        temperature, shift = float(commit["T"]), float(commit["shift"])
    except (TypeError, KeyError, ValueError):
        return
    if not MIN_CLASSES <= n <= MAX_CLASSES or z.shape != (n,) or not np.isfinite([*z, temperature, shift]).all():
        return
    session = st.session_state
    session["softmax_classes"], session["softmax_wide"] = n, wide
    session["softmax_temperature"] = float(np.clip(round(temperature, 1), T_MIN, T_MAX))
    session["softmax_shift"] = int(np.clip(round(shift / SHIFT_STEP) * SHIFT_STEP, 0, SHIFT_MAX))
    set_sliders(to_slider_values(z, wide))


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


def board_texts() -> dict[str, str]:
    """The board's words in this session's language, its messages as templates it fills in."""
    ids = {
        "classes": "softmax.classes",
        "temperature": "softmax.temperature",
        "temperature_help": "softmax.temperature_help",
        "wide": "softmax.wide",
        "wide_help": "softmax.wide_help",
        "share": "softmax.share",
        "sum": "softmax.sum",
        "colder": "softmax.colder",
        "warmer": "softmax.warmer",
        "stable_heading": "softmax.stable_heading",
        "shift": "softmax.shift",
        "shift_help": "softmax.shift_help",
        "naive": "softmax.naive",
        "stable": "softmax.stable",
        "overflow_ok": "softmax.overflow_ok",
        "overflow_fails": "softmax.overflow_fails",
    }
    return {name: live.template(msg_id) for name, msg_id in ids.items()}


def board_limits() -> dict:
    """The board's sliders' ranges and steps, and the numbers it needs."""
    return {
        "z_min": Z_MIN,
        "z_max": Z_MAX,
        "z_step": Z_STEP,
        "wide_min": WIDE_MIN,
        "wide_max": WIDE_MAX,
        "t_min": T_MIN,
        "t_max": T_MAX,
        "t_step": 0.1,
        "n_min": MIN_CLASSES,
        "n_max": MAX_CLASSES,
        "shift_max": SHIFT_MAX,
        "shift_step": SHIFT_STEP,
        "defaults": Z_DEFAULTS,
        "exp_overflow": EXP_OVERFLOW,
    }


@st.fragment
def render_explorer() -> None:
    """The live board (every slider, its bars, the sum and the naive formula's table), then the numbers; a release
    reruns only this part of the page."""
    session = st.session_state
    session.setdefault("softmax_classes", LAB_CLASSES)
    session.setdefault("softmax_temperature", T_DEFAULT)
    session.setdefault("softmax_wide", False)
    session.setdefault("softmax_shift", 0)
    n, wide, temperature = session["softmax_classes"], session["softmax_wide"], session["softmax_temperature"]
    for j in range(MAX_CLASSES):
        session.setdefault(z_key(j), float(to_slider_values(Z_DEFAULTS[j], wide)))
    hidden = links.lesson_hidden(LINK)
    if "load" not in hidden:
        st.button(t("softmax.load"), key="softmax_load_logits", on_click=load_logits, help=t("softmax.load_help"))
    z = np.array([session[z_key(j)] for j in range(n)], dtype=np.float64)
    render_loaded_note(z)
    values = {
        "n": n,
        "z": [session[z_key(j)] for j in range(MAX_CLASSES)],
        "T": temperature,
        "wide": wide,
        "shift": session["softmax_shift"],
    }
    live.render_board(BOARD_KEY, "softmax", values, board_limits(), board_texts(), on_release, hidden)
    links.publish()
    render_teaching_points()
    scaled = z / temperature
    with st.expander(t("softmax.numbers")):
        st.dataframe(
            pd.DataFrame(
                {"z": z, "z/T": scaled, "e^(z/T)": np.exp(scaled), "softmax": my_softmax(scaled)},
                index=[f"z{j}" for j in range(n)],
            ),
        )


def render() -> None:
    """The Softmax explorer tab: the sliders and their bars first (above the fold on a projector), then the lesson."""
    render_explorer()
