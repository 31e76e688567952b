"""Links that restore a view: the URL's query follows the tab, language, model, input and explorer values; a page opened
from such a link starts from them (a value that is unknown, malformed or out of range is ignored); the share dialog
shows the link and its QR code."""

from __future__ import annotations

import math

import streamlit as st

from digitdemo import relu_lab
from digitdemo.catalog import SESSION_MODEL
from digitdemo.i18n import LANGUAGES, message
from ui import presenter, relu, softmax, state
from ui.address import page_link
from ui.i18n import LANG_KEY, t
from ui.qr import qr_png
from ui.room_access import ADDRESS_PARAMS

RESTORED_KEY = "links_restored"  # set once the session's first run has read its link
TABS_KEY = "links_tabs"  # the tabs' label ids, in their order, for the fragments that publish
MAX_VALUE_CHARS = 200  # a longer query value is not one this page wrote


def tab_name(label_id: str) -> str:
    """'tabs.softmax' -> 'softmax', the tab's name in links."""
    return label_id.rpartition(".")[2]


def parse_float(text: str | None, low: float, high: float, step: float) -> float | None:
    """A query value -> the number rounded to `step`, or None unless it is a finite number within [low, high]."""
    try:
        value = float(text) if text is not None and len(text) <= MAX_VALUE_CHARS else math.nan
    except ValueError:
        return None
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return round(round(value / step) * step, 6)


def parse_int(text: str | None, low: int, high: int) -> int | None:
    """A query value -> the integer, or None unless it is a plain integer within [low, high]."""
    if text is None or len(text) > MAX_VALUE_CHARS or not text.isascii() or not text.removeprefix("-").isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def restore(label_ids: list[str], shipped: list[str], n_examples: int) -> None:
    """On a session's first run, before any widget is drawn: start from the view its URL describes."""
    st.session_state[TABS_KEY] = tuple(label_ids)
    if st.session_state.get(RESTORED_KEY):
        return
    st.session_state[RESTORED_KEY] = True
    query = st.query_params
    if query.get("lang") in LANGUAGES:
        st.session_state[LANG_KEY] = query["lang"]
    if query.get("present") == "1":
        st.session_state[presenter.PRESENT_KEY] = True
    if query.get("model") in shipped:
        st.session_state[state.MODEL_CHOICE] = query["model"]
    names = {tab_name(label_id): label_id for label_id in label_ids}
    if query.get("tab") in names:
        language = st.session_state.get(LANG_KEY) or next(iter(LANGUAGES))
        st.session_state[state.OPEN_TAB] = message(language, names[query["tab"]])
    if query.get("input") in state.DRAW_SOURCES:
        st.session_state[state.DRAW_SOURCE] = query["input"]
    example = parse_int(query.get("example"), 0, n_examples - 1)
    if example is not None:
        st.session_state[state.DRAW_EXAMPLE] = example
    restore_softmax(query)
    for name in relu.PARAMS:
        value = parse_float(query.get(name), relu_lab.SLIDER_MIN, relu_lab.SLIDER_MAX, relu_lab.SLIDER_STEP)
        if value is not None:
            st.session_state[relu.slider_key(name)] = value


def restore_softmax(query) -> None:
    """The Softmax explorer's z values (2 to 10, comma separated), temperature and range from the URL."""
    temperature = parse_float(query.get("T"), softmax.T_MIN, softmax.T_MAX, 0.1)
    if temperature is not None:
        st.session_state["softmax_temperature"] = temperature
    text = query.get("z") or ""
    parts = text.split(",") if len(text) <= MAX_VALUE_CHARS else []
    values = [parse_float(part, softmax.WIDE_MIN, softmax.WIDE_MAX, softmax.Z_STEP) for part in parts]
    if not softmax.MIN_CLASSES <= len(values) <= softmax.MAX_CLASSES or None in values:
        return
    wide = query.get("wide") == "1" or any(not softmax.Z_MIN <= value <= softmax.Z_MAX for value in values)
    st.session_state["softmax_wide"] = wide
    st.session_state["softmax_classes"] = len(values)
    softmax.set_sliders(softmax.to_slider_values(values, wide))


def view_query() -> dict[str, str]:
    """This session's view as query parameters: what differs from a fresh page, and always the tab and language."""
    session = st.session_state
    label_ids = session[TABS_KEY]
    open_label = session.get(state.OPEN_TAB)
    open_ids = [i for i in label_ids if open_label in {message(code, i) for code in LANGUAGES}]
    query = {"tab": tab_name(open_ids[0] if open_ids else label_ids[0]), "lang": session.get(LANG_KEY) or "en"}
    if presenter.presenting():
        query["present"] = "1"
    if session.get(state.MODEL_CHOICE) not in (None, SESSION_MODEL):
        query["model"] = session[state.MODEL_CHOICE]
    source = session.get(state.DRAW_SOURCE, state.DRAW_SOURCES[0])
    if source != state.DRAW_SOURCES[0]:
        query["input"] = source
    if source == "example" and state.DRAW_EXAMPLE in session:
        query["example"] = str(session[state.DRAW_EXAMPLE])
    if "softmax_classes" in session:
        n = session["softmax_classes"]
        query["z"] = ",".join(f"{session.get(softmax.z_key(j), softmax.Z_DEFAULTS[j]):g}" for j in range(n))
        query["T"] = f"{session.get('softmax_temperature', softmax.T_DEFAULT):g}"
        if session.get("softmax_wide"):
            query["wide"] = "1"
    for name in relu.PARAMS:
        if relu.slider_key(name) in session:
            query[name] = f"{session[relu.slider_key(name)]:g}"
    return query


def publish() -> None:
    """Write this session's view into the URL (after a run of the page or of a fragment that changes it), keeping the
    class room's own parameters (the room joined and this browser's student token)."""
    current = st.query_params.to_dict()
    query = {**view_query(), **{name: current[name] for name in ADDRESS_PARAMS if name in current}}
    if current != query:
        st.query_params.from_dict(query)


def share_link() -> str:
    """The full link to this session's view."""
    return page_link(view_query())


def render_share_button() -> None:
    """The share button, which opens a dialog with the link to copy and its QR code to scan."""
    if st.button(t("presenter.share"), key="app_share", icon=":material/qr_code_2:"):
        st.dialog(t("presenter.share"), width="large")(render_share)()


def render_share() -> None:
    link = share_link()
    st.code(link, language=None, wrap_lines=True)
    st.image(qr_png(link), caption=t("presenter.share_scan"))
