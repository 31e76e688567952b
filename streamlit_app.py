"""digitdemo: draw a digit and watch the lab's network recognise it. This file is the table of contents."""

import streamlit as st

from digitdemo.data import Dataset, load_dataset
from digitdemo.inference import NumpyModel, load_model
from ui import draw, mistakes, model_tab, relu, softmax
from ui.i18n import render_language_switch, t

st.set_page_config(page_title="digitdemo", page_icon="✏️", layout="wide")
render_language_switch()


@st.cache_data
def cached_dataset() -> Dataset:
    return load_dataset()


@st.cache_resource
def cached_model(name: str) -> NumpyModel:
    return load_model(name)


dataset = cached_dataset()
# A model trained in this browser session serves this session only; everyone else keeps the shipped one.
model = st.session_state.get("session_model") or cached_model("lab")

tab_draw, tab_softmax, tab_relu, tab_mistakes, tab_model = st.tabs(
    [t("Draw", "手写"), t("Softmax explorer", "Softmax 探索"), t("ReLU explorer", "ReLU 探索"),
     t("Mistakes", "错误样本"), t("Model", "模型")]
)  # fmt: skip
with tab_draw:
    draw.render(model, dataset)
with tab_softmax:
    softmax.render()
with tab_relu:
    relu.render()
with tab_mistakes:
    mistakes.render(model, dataset)
with tab_model:
    model_tab.render(model, dataset)
