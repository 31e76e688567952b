"""The Model tab: the network's layers and weights, the shipped model's loss curve, and training a model in the app.

Also the sidebar's model choice. TensorFlow is imported only inside `train_session_model`.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np
import streamlit as st

from digitdemo.catalog import CATALOG, MODELS_DIR, SESSION_LABEL_ID
from digitdemo.data import Dataset
from digitdemo.inference import NumpyModel, load_record
from digitdemo.metrics import count_errors
from digitdemo.network import LAYERS
from ui.charts import PLOTLY_CONFIG, loss_figure
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
    """A model's display name in this session's language: 'lab' -> "lab recipe", 'session' -> "trained in this session"."""
    if name == SESSION_MODEL_NAME:
        return t(SESSION_LABEL_ID)
    return t(CATALOG[name].label_id) if name in CATALOG else name


def render_model_choice(available: list[str]) -> str:
    """The sidebar's choice between the shipped models -> the chosen name; a note when a session model overrides it."""
    if st.session_state.get("model_choice") not in available:
        st.session_state["model_choice"] = available[0]
    # Labels fixed now: a format_func that reads the language later would break AppTest outside the script run.
    labels = {name: model_label(name) for name in available}
    choice = st.sidebar.radio(t("sidebar.model"), available, format_func=labels.get, key="model_choice")
    if st.session_state.get("session_model") is not None:
        st.sidebar.info(t("sidebar.using_session_model"))
    return choice


def parameter_count(weights: dict[str, np.ndarray]) -> int:
    """Total number of weights and biases of a model."""
    return int(sum(array.size for array in weights.values()))


def summary_table(weights: dict[str, np.ndarray]) -> list[dict[str, str]]:
    """One row per Dense layer: name, units, activation, output shape, weight shapes, parameters."""
    rows = []
    for number, layer in enumerate(LAYERS, start=1):
        units, activation, name = layer.units, layer.activation, layer.name
        w, b = f"W{number}", f"b{number}"
        rows.append({
            t("model.layer"): f"{name} (Dense)",
            t("model.activation"): activation,
            t("model.output_shape"): f"(None, {units})",
            t("model.weights"): f"{w} {weights[w].shape}",
            t("model.biases"): f"{b} {weights[b].shape}",
            t("model.parameters"): f"{weights[w].size + weights[b].size:,}",
        })  # fmt: skip
    return rows


def loss_titles() -> tuple[str, str]:
    """The loss figures' axis titles (x, y) in this session's language."""
    return t("model.axis_epoch"), t("model.axis_loss")


def render(model: NumpyModel, dataset: Dataset) -> None:
    """Summary and weight shapes of the model in use, the shipped model's loss curve, and in-app training."""
    st.subheader(t("model.network_heading"))
    n_params, label = parameter_count(model.weights), model_label(model.name)
    st.markdown(t("model.network", model=label, n_params=n_params))
    st.dataframe(summary_table(model.weights), hide_index=True, key="model_summary")
    st.caption(t("model.total_parameters", n_params=n_params))
    render_shipped_record(st.session_state.get("model_choice") or model.name)
    st.divider()
    render_training(dataset)


def render_shipped_record(name: str) -> None:
    """The loss curve and outcomes recorded when the shipped model `name` was trained."""
    record = load_record(name)
    label = model_label(name)
    st.subheader(t("model.record_heading", model=label))
    if record is None:
        st.caption(t("model.no_record"))
        return
    figure = loss_figure(record["loss_per_epoch"], loss_titles())
    st.plotly_chart(figure, key="model_shipped_loss", config=PLOTLY_CONFIG)
    recipe = record.get("recipe", {})
    facts = [
        t("model.recipe", **{key: recipe.get(key) for key in ("epochs", "learning_rate", "batch_size")}),
        t("model.record_errors", errors=record.get("train_errors"), n=record.get("n_examples")),
    ]
    heldout = record.get("heldout")
    if heldout:
        facts.append(t("model.heldout", accuracy=heldout["accuracy"], n_test=heldout["n_test"]))
    st.caption(" · ".join(facts))


def render_training(dataset: Dataset) -> None:
    """Epochs and learning rate, a train button, and the session model's controls once one exists."""
    st.subheader(t("model.train_heading"))
    st.caption(t("model.train_caption"))
    epochs_col, rate_col, _ = st.columns([1, 1, 2])
    epochs = epochs_col.number_input(t("model.epochs"), *EPOCHS_RANGE, DEFAULT_EPOCHS, step=1, key="model_epochs")
    rate = rate_col.number_input(
        t("model.learning_rate"), *LEARNING_RATE_RANGE, DEFAULT_LEARNING_RATE,
        step=0.0005, format="%.4f", key="model_learning_rate",
    )  # fmt: skip
    if st.button(t("model.train"), key="model_train", type="primary"):
        train_session_model(dataset, int(epochs), float(rate))
    session = st.session_state.get("session_model")
    if session is None:
        return
    losses = st.session_state.get("session_losses", [])
    errors = st.session_state.get("session_errors")
    st.success(t("model.session_success", loss=losses[-1], errors=errors, n=len(dataset.X)))
    st.plotly_chart(loss_figure(losses, loss_titles()), key="model_session_loss", config=PLOTLY_CONFIG)
    download_col, reset_col, _ = st.columns([1, 1, 2])
    download_col.download_button(
        t("model.download"), st.session_state["session_keras"],
        file_name="my_model.keras", mime="application/octet-stream", key="model_download",
    )  # fmt: skip
    if reset_col.button(t("model.back_to_shipped"), key="model_reset"):
        for key in ("session_model", "session_losses", "session_errors", "session_keras"):
            st.session_state.pop(key, None)
        st.rerun()


def train_session_model(dataset: Dataset, epochs: int, learning_rate: float) -> None:
    """Train a fresh lab network with a growing loss curve; store it in this session; refuse if another is training."""
    if not TRAINING_LOCK.acquire(blocking=False):
        st.warning(t("model.busy"))
        return
    try:
        from digitdemo.catalog import LAB, Recipe
        from digitdemo.model import keras_weights, save_keras_model
        from digitdemo.train import fit

        progress = st.progress(0.0, text=t("model.starting"))
        curve = st.empty()
        losses: list[float] = []

        def on_epoch(done: int, total: int, loss: float, _weights: dict) -> None:
            losses.append(loss)
            progress.progress(done / total, text=t("model.epoch_progress", done=done, total=total, loss=loss))
            curve.plotly_chart(loss_figure(losses, loss_titles(), total), config=PLOTLY_CONFIG)

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
