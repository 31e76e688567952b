"""The Draw tab: draw, load or upload a digit; see what the network sees, what it predicts, and a look inside."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from digitdemo.activations import my_softmax
from digitdemo.data import Dataset
from digitdemo.errors import DigitDemoError
from digitdemo.images import decode_image
from digitdemo.inference import Activations, NumpyModel
from digitdemo.preprocess import preprocess_steps, steps_to_input
from digitdemo.why import UNSURE_BELOW
from ui.charts import (
    GRID_LEVEL,
    PLOTLY_CONFIG,
    bar_chart,
    digit_image,
    enlarge,
    logit_chart,
    probability_chart,
    signed_image,
    tile_grid,
)
from ui.i18n import t

CANVAS_SIDE = 280  # fits a phone's width
CANVAS_TOOLBAR_SPACE = 24  # px of extra space above the canvas, on top of Streamlit's gaps around it
PEN_WIDTH_RANGE = (8, 40)
DEFAULT_PEN_WIDTH = 22
DEFAULT_EXAMPLE = 1015  # the lab's "2"
SOURCES = ("canvas", "example", "upload")
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp"]
SEES_SCALE = 12
STEP_SIDE = 96  # px of each preprocessing step's picture
WEIGHT_SCALE = 4
WEIGHT_COLUMNS = 5


def render(model: NumpyModel, dataset: Dataset) -> None:
    """The whole tab; every interaction in it reruns only its fragment."""
    render_fragment(model, dataset)


@st.fragment
def render_fragment(model: NumpyModel, dataset: Dataset) -> None:
    """Input on the left, what the network sees and predicts on the right, the hidden layers below."""
    labels = {
        "canvas": t("Draw", "手写"),
        "example": t("Training example", "训练样本"),
        "upload": t("Upload a picture", "上传图片"),
    }
    source = st.radio(
        t("Input", "输入"), SOURCES, format_func=labels.get, key="draw_source", horizontal=True
    )  # fmt: skip
    if source == "canvas":
        # On hover the canvas's toolbar floats about 42 px above it: keep it clear of the radio above.
        st.space(CANVAS_TOOLBAR_SPACE)
    left, right = st.columns([1, 1.4], gap="medium")
    with left:
        if source == "example":
            x = render_example_input(dataset)
        elif source == "upload":
            x = render_upload_input()
        else:
            x = render_canvas_input()
    with right:
        activations = render_prediction(model, x, source)
    render_look_inside(model, activations)


def render_canvas_input() -> np.ndarray | None:
    """The canvas (white pen on black) and its pen width -> (400,) network input, or None while it is blank."""
    result = st_canvas(
        stroke_width=st.session_state.get("draw_pen_width", DEFAULT_PEN_WIDTH),
        stroke_color="#ffffff",
        background_color="#000000",
        update_streamlit=True,
        height=CANVAS_SIDE,
        width=CANVAS_SIDE,
        drawing_mode="freedraw",
        return_image_data=True,
        key="draw_canvas",
    )
    st.caption(t("Undo, redo or clear with the buttons that appear above the canvas.",
                 "用画布上方出现的按钮撤销、重做或清空。"))  # fmt: skip
    # Below the canvas, so that the canvas's toolbar never covers it on a narrow screen.
    st.slider(t("Pen width", "笔宽"), *PEN_WIDTH_RANGE, DEFAULT_PEN_WIDTH, key="draw_pen_width")
    if result.image_data is None:  # before the first stroke
        return None
    steps = preprocess_steps(result.image_data)  # once, for the steps shown and the input
    render_steps(steps)
    return steps_to_input(steps)


def render_example_input(dataset: Dataset) -> np.ndarray:
    """A number input choosing a training example -> its (400,) row."""
    index = st.number_input(
        t(f"Training example (0 to {len(dataset.X) - 1})", f"训练样本（0 到 {len(dataset.X) - 1}）"),
        min_value=0, max_value=len(dataset.X) - 1, value=DEFAULT_EXAMPLE, step=1, key="draw_example",
    )  # fmt: skip
    label = int(dataset.y[index, 0])
    st.image(digit_image(dataset.X[index], scale=8), caption=t(f"Its label: {label}", f"它的标签：{label}"))
    return dataset.X[index]


def render_upload_input() -> np.ndarray | None:
    """A file uploader (PNG/JPEG/WebP) -> (400,) input; None with a message when nothing usable was uploaded."""
    upload = st.file_uploader(
        t("A picture of one digit", "一张只含一个数字的图片"), type=UPLOAD_TYPES, key="draw_upload"
    )  # fmt: skip
    if upload is None:
        return None
    try:
        picture = decode_image(upload.getvalue())
        steps = preprocess_steps(picture)
    except DigitDemoError as exc:
        st.error(t(f"This picture cannot be used: {exc}", f"无法使用这张图片：{exc}"))
        return None
    st.image(picture, caption=t("Your picture", "你的图片"), width=CANVAS_SIDE)
    render_steps(steps)
    x = steps_to_input(steps)
    if x is None:
        st.warning(t("No digit found in this picture.", "这张图片里没有找到数字。"))
    return x


def render_steps(steps: dict[str, np.ndarray]) -> None:
    """On request, `preprocess_steps`' pictures: how the drawing or picture became the network's 20x20 input."""
    if not st.toggle(t("Show how the picture becomes the input", "显示图片如何变成网络输入"), key="draw_steps"):
        return
    names = {
        "ink": t("ink", "墨迹"), "cropped": t("cropped", "裁剪"), "scaled": t("scaled", "缩放"),
        "centred": t("centred 28x28", "居中 28x28"), "network input": t("input 20x20", "输入 20x20"),
    }  # fmt: skip
    images = [step_image(step) for step in steps.values()]
    st.image(images, caption=[names.get(name, name) for name in steps], width=STEP_SIDE)


def step_image(step: np.ndarray) -> np.ndarray:
    """(h, w) float image about 0..1 -> square uint8 image of about STEP_SIDE px, centred on black, pixels visible."""
    side = max(step.shape)
    square = np.zeros((side, side), np.uint8)
    top, left = (side - step.shape[0]) // 2, (side - step.shape[1]) // 2
    square[top : top + step.shape[0], left : left + step.shape[1]] = np.round(np.clip(step, 0, 1) * 255)
    # A gray frame keeps neighbouring steps apart.
    return np.pad(enlarge(square, max(1, STEP_SIDE // side), grid=False), 2, constant_values=GRID_LEVEL)


def render_prediction(model: NumpyModel, x: np.ndarray | None, source: str) -> Activations | None:
    """What the network sees, the predicted digit as a metric and the ten probabilities; None when nothing is shown."""
    if x is None:
        st.session_state.pop("current_logits", None)
        if source == "upload":
            st.info(t("Upload a picture of a digit to see what the network makes of it.",
                      "上传一张数字图片，看看网络怎么识别它。"))  # fmt: skip
        else:
            st.info(t("Draw a digit on the black canvas: the prediction appears after every stroke.",
                      "在黑色画布上写一个数字：每画一笔，预测都会更新。"))  # fmt: skip
        return None
    activations = model.forward(x)
    logits = activations.logits[0]
    proba = my_softmax(logits.astype(np.float64))
    digit = int(np.argmax(proba))
    st.session_state["current_logits"] = logits.astype(np.float64)
    # The verdict first: on a phone the columns stack, and the digit should be the first thing under the canvas.
    verdict, sees = st.columns([1, 1])
    with verdict:
        st.metric(
            t("Prediction", "预测"), str(digit),
            delta=t(f"probability {proba[digit]:.1%}", f"概率 {proba[digit]:.1%}"),
            delta_color="off", delta_arrow="off",
        )  # fmt: skip
        if proba[digit] < UNSURE_BELOW:
            st.warning(t(f"Not sure: no digit gets even {UNSURE_BELOW:.0%}. Try drawing it larger or clearer.",
                         f"网络没有把握：没有哪个数字的概率达到 {UNSURE_BELOW:.0%}。试着写大一点、清楚一点。"))  # fmt: skip
        show_logits = st.toggle(t("Show raw logits", "显示原始 logits"), key="draw_logits")
    with sees:
        st.image(digit_image(x, SEES_SCALE), caption=t("What the network sees: 20x20 pixels", "网络看到的：20x20 像素"))
    if show_logits:
        figure = logit_chart(logits, t("logit z", "logit z"))
    else:
        figure = probability_chart(proba, t("probability", "概率"))
    st.plotly_chart(figure, key="draw_chart", config=PLOTLY_CONFIG)
    return activations


@st.cache_data(max_entries=4)
def weight_mosaic(W1: np.ndarray) -> np.ndarray:
    """(400, 25) first-layer weights -> one RGB image of the 25 weight vectors as 20x20 tiles, 5 per row."""
    return tile_grid([signed_image(W1[:, j], WEIGHT_SCALE) for j in range(W1.shape[1])], WEIGHT_COLUMNS)


def render_look_inside(model: NumpyModel, activations: Activations | None) -> None:
    """An expander with the 25 and 15 hidden activations of the current input and the 25 first-layer weights, built
    only while open (the fragment reruns on every stroke, and the expander starts closed)."""
    inside = st.expander(t("A look inside the network", "看看网络内部"), key="draw_inside", on_change="rerun")
    if not inside.open:
        return
    with inside:
        if activations is None:
            st.caption(
                t(
                    "The hidden units' activations appear once there is a digit.",
                    "有了数字之后，这里会显示隐藏单元的激活值。",
                )
            )
        else:
            layer1, layer2 = st.columns([25, 15])
            with layer1:
                st.plotly_chart(hidden_chart(activations.a1[0], t("layer 1: 25 ReLU units", "第 1 层：25 个 ReLU 单元")),
                                key="draw_a1", config=PLOTLY_CONFIG)  # fmt: skip
            with layer2:
                st.plotly_chart(hidden_chart(activations.a2[0], t("layer 2: 15 ReLU units", "第 2 层：15 个 ReLU 单元")),
                                key="draw_a2", config=PLOTLY_CONFIG)  # fmt: skip
        mosaic, explanation = st.columns([1, 1])
        mosaic.image(weight_mosaic(model.weights["W1"]), width="stretch")
        explanation.markdown(t(
            "**The 25 first-layer weight vectors** W1[:, j], each drawn as a 20x20 image (unit 0 top left, row by "
            "row). Unit j computes max(0, x · W1[:, j] + b1[j]): ink on **red** pixels pushes it on, ink on "
            "**blue** pixels holds it off. The bars above show how strongly each unit answers the current digit.",
            "**第一层的 25 个权重向量** W1[:, j]，每个画成 20x20 图像（单元 0 在左上，逐行排列）。"
            "单元 j 计算 max(0, x · W1[:, j] + b1[j])：落在**红色**像素上的笔迹使它激活，落在**蓝色**像素上的笔迹抑制它。"
            "上方的柱子显示每个单元对当前数字的反应有多强。",
        ))  # fmt: skip


def hidden_chart(values: np.ndarray, title: str) -> dict:
    """(k,) activations of one hidden layer -> bar figure dict titled `title`, bars numbered from 0."""
    figure = bar_chart(values, int(np.argmax(values)), "a", labels=[str(j) for j in range(len(values))],
                       text_format=".1f", height=220, labelled=False)  # fmt: skip
    figure["layout"]["title"] = {"text": title, "font": {"size": 14}}
    figure["layout"]["margin"]["t"] = 40
    figure["layout"]["xaxis"]["tickfont"] = {"size": 11}
    return figure
