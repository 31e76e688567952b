"""The Model tab: the network's layers and weights, the shipped model's loss curve, and training a model in the app.

Also the sidebar's model choice. TensorFlow is imported only inside `train_session_model`.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np
import streamlit as st

from digitdemo.data import Dataset
from digitdemo.inference import LAYER_UNITS, MODELS_DIR, NumpyModel, load_record
from digitdemo.metrics import count_errors
from ui.charts import PLOTLY_CONFIG
from ui.i18n import t

SHIPPED_MODELS = ("robust", "lab")  # in order of preference
SESSION_MODEL_NAME = "session"
EPOCHS_RANGE = (1, 60)
DEFAULT_EPOCHS = 10
DEFAULT_LEARNING_RATE = 0.001
LEARNING_RATE_RANGE = (0.0001, 0.05)
# One training at a time per server: training takes both CPU cores for its duration.
TRAINING_LOCK = threading.Lock()


def shipped_models(models_dir: Path = MODELS_DIR) -> list[str]:
    """Names of the shipped models present in models/, the preferred one first."""
    return [name for name in SHIPPED_MODELS if (models_dir / f"{name}.npz").exists()]


def model_label(name: str) -> str:
    """A model's name as shown: 'lab' -> "lab recipe", 'robust', 'session' -> "trained in this session"."""
    labels = {
        "lab": t("lab recipe", "实验配方"), "robust": t("robust", "稳健"),
        SESSION_MODEL_NAME: t("trained in this session", "本次会话训练的"),
    }  # fmt: skip
    return labels.get(name, name)


def render_model_choice(available: list[str]) -> str:
    """The sidebar's choice between the shipped models -> the chosen name; a note when a session model overrides it."""
    if st.session_state.get("model_choice") not in available:
        st.session_state["model_choice"] = available[0]
    # Labels fixed now: a format_func that reads the language later would break AppTest outside the script run.
    labels = {name: model_label(name) for name in available}
    choice = st.sidebar.radio(t("Model", "模型"), available, format_func=labels.get, key="model_choice")
    if st.session_state.get("session_model") is not None:
        st.sidebar.info(t("You are using the model you trained in this session (Model tab).",
                          "正在使用你在本次会话中训练的模型（见“模型”页）。"))  # fmt: skip
    return choice


def parameter_count(weights: dict[str, np.ndarray]) -> int:
    """Total number of weights and biases of a model."""
    return int(sum(array.size for array in weights.values()))


def summary_table(weights: dict[str, np.ndarray]) -> list[dict[str, str]]:
    """One row per Dense layer: name, units, activation, output shape, weight shapes, parameters."""
    rows = []
    for number, (units, activation, name) in enumerate(LAYER_UNITS, start=1):
        w, b = f"W{number}", f"b{number}"
        rows.append({
            t("Layer", "层"): f"{name} (Dense)",
            t("Activation", "激活函数"): activation,
            t("Output shape", "输出形状"): f"(None, {units})",
            t("Weights", "权重"): f"{w} {weights[w].shape}",
            t("Biases", "偏置"): f"{b} {weights[b].shape}",
            t("Parameters", "参数"): f"{weights[w].size + weights[b].size:,}",
        })  # fmt: skip
    return rows


def loss_figure(losses: list[float], epochs: int | None = None) -> dict:
    """Loss per epoch -> Plotly line figure dict; the x axis spans `epochs` when given, so a growing curve keeps its axis."""
    x = list(range(1, len(losses) + 1))
    return {
        "data": [{"type": "scatter", "mode": "lines+markers", "x": x, "y": losses, "line": {"color": "#ff4b4b"}}],
        "layout": {
            "height": 280,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "xaxis": {"title": {"text": t("epoch", "轮次")}, "range": [0.5, (epochs or len(losses)) + 0.5]},
            "yaxis": {"title": {"text": t("loss", "损失")}, "rangemode": "tozero"},
            "showlegend": False,
        },
    }


def render(model: NumpyModel, dataset: Dataset) -> None:
    """Summary and weight shapes of the model in use, the shipped model's loss curve, and in-app training."""
    st.subheader(t("The network", "网络结构"))
    n_params, label = parameter_count(model.weights), model_label(model.name)
    st.markdown(t(
        f"Input 400 pixels -> 25 ReLU units -> 15 ReLU units -> 10 linear outputs (logits). "
        f"Model in use: **{label}**, **{n_params:,}** parameters.",
        f"输入 400 个像素 -> 25 个 ReLU 单元 -> 15 个 ReLU 单元 -> 10 个线性输出（logits）。"
        f"当前模型：**{label}**，共 **{n_params:,}** 个参数。",
    ))  # fmt: skip
    st.dataframe(summary_table(model.weights), hide_index=True, key="model_summary")
    st.caption(t(f"Total parameters: {n_params:,}", f"参数总数：{n_params:,}"))
    render_shipped_record(st.session_state.get("model_choice") or model.name)
    st.divider()
    render_training(dataset)


def render_shipped_record(name: str) -> None:
    """The loss curve and outcomes recorded when the shipped model `name` was trained."""
    record = load_record(name)
    label = model_label(name)
    st.subheader(t(f"How the shipped model “{label}” was trained", f"预置模型“{label}”的训练过程"))
    if record is None:
        st.caption(t("No training record was shipped with this model.", "这个模型没有附带训练记录。"))
        return
    st.plotly_chart(loss_figure(record["loss_per_epoch"]), key="model_shipped_loss", config=PLOTLY_CONFIG)
    recipe = record.get("recipe", {})
    facts = [
        t(f"{recipe.get('epochs')} epochs, learning rate {recipe.get('learning_rate')}, batch size {recipe.get('batch_size')}",
          f"{recipe.get('epochs')} 轮，学习率 {recipe.get('learning_rate')}，批大小 {recipe.get('batch_size')}"),
        t(f"{record.get('train_errors')} errors out of {record.get('n_examples')} training images",
          f"{record.get('n_examples')} 张训练图片中错了 {record.get('train_errors')} 张"),
    ]  # fmt: skip
    heldout = record.get("heldout")
    if heldout:
        facts.append(t(f"held-out accuracy {heldout['accuracy']:.1%} ({heldout['n_test']} images)",
                       f"留出集准确率 {heldout['accuracy']:.1%}（{heldout['n_test']} 张）"))  # fmt: skip
    st.caption(" · ".join(facts))


def render_training(dataset: Dataset) -> None:
    """Epochs and learning rate, a train button, and the session model's controls once one exists."""
    st.subheader(t("Train your own", "自己训练一个"))
    st.caption(t("The new model serves only this browser tab; other visitors keep the shipped one.",
                 "新模型只在这个浏览器页面里使用；其他访问者仍然使用预置模型。"))  # fmt: skip
    epochs_col, rate_col, _ = st.columns([1, 1, 2])
    epochs = epochs_col.number_input(t("Epochs", "训练轮数"), *EPOCHS_RANGE, DEFAULT_EPOCHS, step=1, key="model_epochs")
    rate = rate_col.number_input(
        t("Learning rate", "学习率"), *LEARNING_RATE_RANGE, DEFAULT_LEARNING_RATE,
        step=0.0005, format="%.4f", key="model_learning_rate",
    )  # fmt: skip
    if st.button(t("Train", "开始训练"), key="model_train", type="primary"):
        train_session_model(dataset, int(epochs), float(rate))
    session = st.session_state.get("session_model")
    if session is None:
        return
    losses = st.session_state.get("session_losses", [])
    st.success(t(f"This session uses your model: final loss {losses[-1]:.3f}, "
                 f"{st.session_state.get('session_errors')} training errors out of {len(dataset.X)}.",
                 f"本次会话正在使用你的模型：最终损失 {losses[-1]:.3f}，"
                 f"{len(dataset.X)} 张训练图片中错了 {st.session_state.get('session_errors')} 张。"))  # fmt: skip
    st.plotly_chart(loss_figure(losses), key="model_session_loss", config=PLOTLY_CONFIG)
    download_col, reset_col, _ = st.columns([1, 1, 2])
    download_col.download_button(
        t("Download as .keras", "下载 .keras 文件"), st.session_state["session_keras"],
        file_name="my_model.keras", mime="application/octet-stream", key="model_download",
    )  # fmt: skip
    if reset_col.button(t("Back to the shipped model", "换回预置模型"), key="model_reset"):
        for key in ("session_model", "session_losses", "session_errors", "session_keras"):
            st.session_state.pop(key, None)
        st.rerun()


def train_session_model(dataset: Dataset, epochs: int, learning_rate: float) -> None:
    """Train a fresh lab network with a growing loss curve; store it in this session; refuse if another is training."""
    if not TRAINING_LOCK.acquire(blocking=False):
        st.warning(t("Someone else is training a model on this server right now. Wait a minute and press Train again.",
                     "此刻服务器上有人正在训练模型。请稍等一分钟后再按“开始训练”。"))  # fmt: skip
        return
    try:
        from digitdemo.model import keras_weights, save_keras_model
        from digitdemo.train import LAB, Recipe, fit

        progress = st.progress(0.0, text=t("Starting TensorFlow…", "正在启动 TensorFlow…"))
        curve = st.empty()
        losses: list[float] = []

        def on_epoch(done: int, total: int, loss: float) -> None:
            losses.append(loss)
            progress.progress(
                done / total, text=t(f"Epoch {done}/{total}: loss {loss:.3f}", f"第 {done}/{total} 轮：损失 {loss:.3f}")
            )
            curve.plotly_chart(loss_figure(losses, total), config=PLOTLY_CONFIG)

        recipe = Recipe(name=SESSION_MODEL_NAME, epochs=epochs, learning_rate=learning_rate, seed=LAB.seed)
        keras_model, _ = fit(dataset.X, dataset.y, recipe, on_epoch)
        session = NumpyModel(keras_weights(keras_model), name=SESSION_MODEL_NAME)
        with tempfile.TemporaryDirectory() as tmp:
            keras_bytes = save_keras_model(keras_model, Path(tmp) / "my_model.keras").read_bytes()
        st.session_state.update(
            session_model=session,
            session_losses=losses,
            session_errors=count_errors(session, dataset.X, dataset.y),
            session_keras=keras_bytes,
        )
    finally:
        TRAINING_LOCK.release()
    st.rerun()
