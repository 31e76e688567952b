"""Mistakes tab: the training digits the model in use gets wrong, its confusion matrix, and the lab's 8x8 grid."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw, ImageFont

from digitdemo.data import N_CLASSES, Dataset
from digitdemo.inference import NumpyModel
from digitdemo.metrics import Predictions, confusion_matrix, misclassified, predict_dataset
from ui.charts import PLOTLY_CONFIG, digit_image, tile_grid
from ui.i18n import t

GALLERY_PAGE = 24  # images added by each "show more"
GALLERY_SCALE = 5  # 20x20 digits drawn 100x100
GALLERY_WIDTH = 100
GRID_SIDE = 8  # the lab's 8x8 grid of random training digits
GRID_SCALE = 4
TITLE_HEIGHT = 28
TITLE_FONT_SIZE = 22
RIGHT_RGB, WRONG_RGB = (30, 30, 30), (220, 40, 40)
LIMIT_KEY = "mistakes_limit"
SEED_KEY = "mistakes_seed"
CONFUSION_KEY = "mistakes_confusion"
FILTER_KEYS = ("mistakes_true", "mistakes_pred")


@st.cache_data(max_entries=8, show_spinner=False)
def cached_predictions(
    model_name: str, weights: dict[str, np.ndarray], dataset_id: tuple, _X: np.ndarray
) -> Predictions:
    """Predictions over the dataset's (m, 400) digits, computed once per model weights and dataset."""
    # The weights (10,575 numbers) are hashed by content, so a model trained in this session gets its own entry;
    # _X is left unhashed (8 MB) and identified by dataset_id, since the app loads the dataset once per process.
    return predict_dataset(NumpyModel(weights, model_name), _X)


def reset_gallery() -> None:
    st.session_state[LIMIT_KEY] = GALLERY_PAGE


def clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state[key] = None
    reset_gallery()


def show_more() -> None:
    st.session_state[LIMIT_KEY] = st.session_state.get(LIMIT_KEY, GALLERY_PAGE) + GALLERY_PAGE


def on_cell_select() -> None:
    """Chart callback: a clicked confusion-matrix cell sets both filters (label = row, prediction = column)."""
    points = st.session_state[CONFUSION_KEY]["selection"]["points"]
    if points:
        st.session_state["mistakes_pred"] = int(round(points[0]["x"]))
        st.session_state["mistakes_true"] = int(round(points[0]["y"]))
        reset_gallery()


def confusion_figure(counts: np.ndarray, selected: tuple[int | None, int | None]) -> dict:
    """(10, 10) counts -> heatmap figure dict: errors red, the diagonal (correct) green, the chosen cell outlined."""
    n = len(counts)
    digits = list(range(n))
    off = [[None if r == c else int(counts[r, c]) for c in digits] for r in digits]
    on = [[int(counts[r, c]) if r == c else None for c in digits] for r in digits]
    most_errors = max(1, int(counts[~np.eye(n, dtype=bool)].max(initial=0)))
    cells = [
        {"type": "heatmap", "z": z, "x": digits, "y": digits, "colorscale": scale, "zmin": 0, "zmax": zmax,
         "showscale": False, "hoverinfo": "skip", "xgap": 1, "ygap": 1}
        for z, scale, zmax in [(off, [[0, "#ffffff"], [1, "#d62728"]], most_errors),
                               (on, [[0, "#dff0d8"], [1, "#dff0d8"]], 1)]
    ]  # fmt: skip
    rows, cols = np.divmod(np.arange(n * n), n)
    flat = counts.reshape(-1)
    # The counts as text on invisible markers, which also make the cells clickable: Streamlit reports selected
    # points, not heatmap cells. Zero mistakes stay blank so the errors stand out.
    picker = {
        "type": "scatter",
        "mode": "markers+text",
        "x": cols.tolist(),
        "y": rows.tolist(),
        "text": ["" if count == 0 and r != c else str(count) for count, r, c in zip(flat, rows, cols, strict=True)],
        "textfont": {"size": 13, "color": "#222"},
        "customdata": flat.tolist(),
        "marker": {"symbol": "square", "size": 30, "color": "rgba(0,0,0,0.01)"},
        "hovertemplate": t(
            "label %{y}, prediction %{x}: %{customdata} images", "标签 %{y}，预测 %{x}：%{customdata} 张"
        )
        + "<extra></extra>",
    }
    shapes = []
    if None not in selected:
        label, prediction = selected
        shapes.append({"type": "rect", "x0": prediction - 0.5, "x1": prediction + 0.5, "y0": label - 0.5,
                       "y1": label + 0.5, "line": {"color": "#1f4e9c", "width": 3}})  # fmt: skip
    axis = {"tickmode": "array", "tickvals": digits, "fixedrange": True, "tickfont": {"size": 14}, "showgrid": False}
    return {
        "data": [*cells, picker],
        "layout": {
            "height": 440,
            "margin": {"l": 60, "r": 10, "t": 10, "b": 55},
            "xaxis": {**axis, "title": {"text": t("prediction", "预测")}, "range": [-0.5, n - 0.5]},
            "yaxis": {**axis, "title": {"text": t("label", "标签")}, "range": [n - 0.5, -0.5]},
            "shapes": shapes,
            "showlegend": False,
            "dragmode": False,
        },
    }


def titled_tile(row: np.ndarray, title: str, wrong: bool) -> np.ndarray:
    """(400,) lab row -> (20*GRID_SCALE + TITLE_HEIGHT, 20*GRID_SCALE, 3) uint8: the digit under its title."""
    digit = digit_image(row, GRID_SCALE, grid=False)
    tile = Image.new("RGB", (digit.shape[1], digit.shape[0] + TITLE_HEIGHT), "white")
    tile.paste(Image.fromarray(digit).convert("RGB"), (0, TITLE_HEIGHT))
    draw = ImageDraw.Draw(tile)
    font = ImageFont.load_default(size=TITLE_FONT_SIZE)
    draw.text(
        (digit.shape[1] / 2, TITLE_HEIGHT / 2), title, fill=WRONG_RGB if wrong else RIGHT_RGB, font=font, anchor="mm"
    )
    return np.asarray(tile)


def render_gallery(X: np.ndarray, labels: np.ndarray, preds: Predictions) -> None:
    """Filters by label and prediction, then the matching misclassified digits in index order."""
    # No format_func: AppTest calls it outside the session, where the language is unknown; None means any digit.
    filters = st.columns([2, 2, 1], vertical_alignment="bottom")
    any_digit = t("any", "全部")
    true_digit = filters[0].selectbox(t("Label (true digit)", "标签（真实数字）"), range(N_CLASSES), index=None,
                                      placeholder=any_digit, key="mistakes_true", on_change=reset_gallery)  # fmt: skip
    pred_digit = filters[1].selectbox(t("Prediction", "预测"), range(N_CLASSES), index=None,
                                      placeholder=any_digit, key="mistakes_pred", on_change=reset_gallery)  # fmt: skip
    filters[2].button(
        t("Clear", "清除"),
        key="mistakes_clear_filters",
        on_click=clear_filters,
        help=t("Show every mistake again.", "重新显示所有错误。"),
        width="stretch",
    )
    chosen = misclassified(labels, preds.predicted, true_digit, pred_digit)
    if true_digit is not None and true_digit == pred_digit:
        st.info(t(f"Label {true_digit} predicted as {pred_digit} is a correct answer, not a mistake; the diagonal "
                  "of the matrix counts those.",
                  f"标签 {true_digit} 被预测为 {pred_digit} 是正确的，不是错误；矩阵的对角线统计的就是这些。"))  # fmt: skip
        return
    limit = st.session_state.get(LIMIT_KEY, GALLERY_PAGE)
    shown = chosen[:limit]
    st.caption(
        t(
            f"{len(chosen)} matching mistakes, {len(shown)} shown. Each is titled label, prediction (probability"
            " the model gave its prediction) and #index in the training set.",
            f"符合条件的错误 {len(chosen)} 个，显示 {len(shown)} 个。每张的标题是 标签, 预测（模型给出该预测的概率）"
            "以及在训练集中的 #序号。",
        )
    )
    if len(shown):
        st.image(
            [digit_image(X[i], GALLERY_SCALE, grid=False) for i in shown],
            caption=[f"{labels[i]}, {preds.predicted[i]} ({preds.probability[i]:.2f}) #{i}" for i in shown],
            width=GALLERY_WIDTH,
        )
    if len(chosen) > len(shown):
        more = min(GALLERY_PAGE, len(chosen) - len(shown))
        st.button(t(f"Show {more} more", f"再显示 {more} 个"), key="mistakes_show_more", on_click=show_more)


@st.fragment
def render_errors(X: np.ndarray, labels: np.ndarray, preds: Predictions) -> None:
    """The confusion matrix beside the gallery; a filter or cell choice reruns only this part of the page."""
    counts = confusion_matrix(labels, preds.predicted)
    matrix, gallery = st.columns([1, 1.25])
    with matrix:
        st.markdown(f"**{t('Confusion matrix', '混淆矩阵')}**")
        st.caption(t("Rows are labels, columns predictions; off the diagonal are the mistakes. Click a cell to"
                     " see its images.", "行是标签，列是预测；对角线以外都是错误。点击一个格子即可查看对应的图片。"))  # fmt: skip
        selected = (st.session_state.get("mistakes_true"), st.session_state.get("mistakes_pred"))
        st.plotly_chart(
            confusion_figure(counts, selected),
            key=CONFUSION_KEY,
            on_select=on_cell_select,
            selection_mode="points",
            config=PLOTLY_CONFIG,
        )
    with gallery:
        st.markdown(f"**{t('Misclassified training images', '被分错的训练图片')}**")
        render_gallery(X, labels, preds)


def reshuffle() -> None:
    st.session_state[SEED_KEY] = int(np.random.default_rng().integers(2**31))


@st.fragment
def render_random_grid(X: np.ndarray, labels: np.ndarray, preds: Predictions) -> None:
    """The lab's 8x8 grid of random training digits titled "label, prediction", mistakes in red."""
    st.subheader(t("64 random training digits", "随机的 64 个训练数字"))
    st.session_state.setdefault(SEED_KEY, 0)
    picks = np.random.default_rng(st.session_state[SEED_KEY]).choice(len(X), GRID_SIDE * GRID_SIDE, replace=False)
    tiles = [titled_tile(X[i], f"{labels[i]}, {preds.predicted[i]}", labels[i] != preds.predicted[i]) for i in picks]
    left, right = st.columns([3, 1])
    with right:
        st.button(t("Reshuffle", "重新抽取"), key="mistakes_reshuffle", on_click=reshuffle, width="stretch")
        n_wrong = int(np.sum(labels[picks] != preds.predicted[picks]))
        st.caption(t(f"Each digit is titled label, prediction. Mistakes here: {n_wrong} (in red).",
                     f"每个数字的标题是 标签, 预测。这里的错误：{n_wrong} 个（红色）。"))  # fmt: skip
    left.image(tile_grid(tiles, GRID_SIDE, gap=6), width=GRID_SIDE * (20 * GRID_SCALE + 6))


def render(model: NumpyModel, dataset: Dataset) -> None:
    """The Mistakes tab for the model in use (shipped or trained in this session) on the dataset's digits."""
    preds = cached_predictions(model.name, model.weights, (dataset.source, len(dataset.X)), dataset.X)
    labels = dataset.y[:, 0]
    n_errors = int(np.sum(preds.predicted != labels))
    st.subheader(t(f"{n_errors} errors out of {len(labels)} images", f"{len(labels)} 张图片中有 {n_errors} 张识别错误"))
    trained_here = st.session_state.get("session_model") is model
    st.caption(
        t(
            f"Model: {'trained in this session' if trained_here else model.name}; accuracy on these training"
            f" digits {1 - n_errors / len(labels):.2%}.",
            f"模型：{'本次会话中训练的模型' if trained_here else model.name}；在这些训练数字上的准确率为"
            f" {1 - n_errors / len(labels):.2%}。",
        )
    )
    render_errors(dataset.X, labels, preds)
    render_random_grid(dataset.X, labels, preds)
