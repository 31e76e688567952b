"""digitdemo: draw a digit and watch the lab's network recognise it. This file is the table of contents."""

import streamlit as st

from digitdemo.data import LAB_X_FILE, LAB_Y_FILE, SHIPPED_FILE, Dataset, load_dataset
from digitdemo.errors import DigitDemoError
from digitdemo.i18n import LANGUAGES, message
from digitdemo.inference import NumpyModel, load_model
from ui import draw, mistakes, model_tab, relu, softmax
from ui.i18n import error_text, render_language_switch, t

st.set_page_config(page_title="digitdemo", page_icon="✏️", layout="wide")
render_language_switch()


@st.cache_resource
def cached_dataset() -> Dataset:
    # One copy for every session (cache_data would hand each run its own 8 MB copy); read-only, as it is shared.
    dataset = load_dataset()
    dataset.X.flags.writeable = False
    dataset.y.flags.writeable = False
    return dataset


@st.cache_resource
def cached_model(name: str) -> NumpyModel:
    return load_model(name)


try:
    dataset = cached_dataset()
    available = model_tab.shipped_models()
    if not available:
        raise DigitDemoError("app.no_shipped_model")
    # A model trained in this browser session serves this session only; everyone else keeps the shipped one.
    shipped = cached_model(model_tab.render_model_choice(available))
    model = st.session_state.get("session_model") or shipped
except DigitDemoError as exc:
    st.error(t("app.cannot_start", error=error_text(exc)))
    st.stop()
if dataset.lab_files:
    st.sidebar.caption(t("sidebar.data_lab", x_file=LAB_X_FILE, y_file=LAB_Y_FILE))
else:
    st.sidebar.caption(t("sidebar.data_shipped", file=SHIPPED_FILE))

st.markdown(t("app.intro"))
TABS = ("tabs.draw", "tabs.softmax", "tabs.relu", "tabs.mistakes", "tabs.model")
labels = [t(msg_id) for msg_id in TABS]
# The open tab is remembered by its label: after a language switch, name it in the new language.
opened = [
    i for i, msg_id in enumerate(TABS) if st.session_state.get("tabs") in {message(code, msg_id) for code in LANGUAGES}
]
if opened:
    st.session_state["tabs"] = labels[opened[0]]
tab_draw, tab_softmax, tab_relu, tab_mistakes, tab_model = st.tabs(labels, key="tabs", on_change="rerun")
# Only the Draw tab, whose canvas holds the drawing, is built whatever tab is open: the others are built while open,
# which keeps the first page light. The explorers' slider values are handed back each run so that they survive.
for key in (*softmax.STATE_KEYS, *relu.STATE_KEYS):
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
with tab_draw:
    draw.render(model, dataset)
with tab_softmax:
    if tab_softmax.open:
        softmax.render()
with tab_relu:
    if tab_relu.open:
        relu.render()
with tab_mistakes:
    if tab_mistakes.open:
        mistakes.render(model, dataset)
with tab_model:
    if tab_model.open:
        model_tab.render(model, dataset)
