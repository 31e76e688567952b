"""The models the app shows: their names in the page's language, the shipped ones read once per server, their
predictions over the training digits, the sidebar's choice among them, and a training run's progress in one line."""

from __future__ import annotations

import numpy as np
import streamlit as st

from digitdemo import numpy_model
from digitdemo.catalog import CATALOG, SESSION_LABEL_ID, SESSION_MODEL
from digitdemo.live_training import TrainingJob
from digitdemo.metrics import Predictions, predict_dataset
from digitdemo.numpy_model import NumpyModel
from ui import state
from ui.i18n import t


def model_label(name: str) -> str:
    """A model's display name in this session's language: 'lab' -> "lab recipe", 'session' -> "trained in this
    session"."""
    return t(SESSION_LABEL_ID) if name == SESSION_MODEL else t(CATALOG[name].label_id)


@st.cache_resource
def cached_model(name: str) -> NumpyModel:
    """The shipped model `name`, read from disk once per server and shared by every session and tab (never changed)."""
    # Looked up on the module at each call, so that a test replacing numpy_model.load_model reaches this loader.
    return numpy_model.load_model(name)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_predictions(fingerprint: str, dataset_id: tuple, _model: NumpyModel, _X: np.ndarray) -> Predictions:
    """Predictions over the dataset's (m, 400) digits, computed once per model weights and dataset."""
    # Keyed on the weights' fingerprint, so a model trained in this session gets its own entry; the model and the
    # 8 MB of digits are left unhashed: dataset_id names the digits, which the app loads once per process.
    return predict_dataset(_model, _X)


def render_model_choice(shipped: list[str]) -> NumpyModel:
    """The sidebar's choice among the shipped models and, once this session has one, its own -> the model in use."""
    options = state.model_choices(shipped)
    state.keep((state.MODEL_CHOICE,))
    # Labels fixed now: a format_func that reads the language later would break AppTest outside the script run.
    labels = {name: model_label(name) for name in options}
    choice = st.sidebar.radio(t("sidebar.model"), options, format_func=labels.get, key=state.MODEL_CHOICE)
    if choice == SESSION_MODEL:
        st.sidebar.info(t("sidebar.using_session_model"))
        return state.session_model()
    return cached_model(choice)


def epoch_line(job: TrainingJob) -> str:
    """The last epoch's figures in one line: loss, training errors and, when measured, held-out accuracy."""
    last = job.history[-1]
    line = t(
        "model.run_epoch",
        done=last.epoch,
        total=job.settings.epochs,
        loss=last.loss,
        errors=last.train_errors,
        n=last.n_train,
    )
    if last.heldout_accuracy is not None:
        line += " · " + t("model.run_heldout", accuracy=last.heldout_accuracy)
    return line
