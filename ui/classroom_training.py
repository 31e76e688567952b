"""The Class tab's class training: the lab's recipe on the training digits plus half of the class's drawings, and the
other half read by the models before and after."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from digitdemo.catalog import LAB, shipped_models
from digitdemo.data import Dataset
from digitdemo.errors import DigitDemoError
from digitdemo.live_training import MIN_CLASS_DRAWINGS, TrainingSettings, split_class_drawings, start_training
from digitdemo.metrics import accuracy
from digitdemo.numpy_model import NumpyModel
from ui import state
from ui.i18n import error_text, t
from ui.models import cached_model, epoch_line, model_label
from ui.presenter import render_lesson_caption
from ui.room_access import rooms

PROGRESS_SECONDS = 1.0  # how often the class training's progress is looked at
TRIAL = "classroom_trial"  # the class training: ClassTrial
TRIAL_ERROR = "classroom_trial_error"  # why the class training did not start


class ClassTrial(NamedTuple):
    """The class training: its run number, the class's drawings kept unseen (k, 400), (k, 1), how many drawings were
    added to the training digits, and (model name, accuracy on the unseen ones) of the models before it: the one in
    use and, when another, the shipped model of the same lab recipe (the fair comparison: only the class differs)."""

    run: int
    X_test: np.ndarray
    y_test: np.ndarray
    n_added: int
    before: tuple[tuple[str, float], ...]


def start_class_training(code: str, key: str, model: NumpyModel, dataset: Dataset) -> None:
    """Train button callback: the lab's recipe on the training digits plus half of the class's drawings; the other
    half is scored now with the model in use, and again with the new model once it is trained."""
    st.session_state.pop(TRIAL_ERROR, None)
    try:
        X_class, y_class = rooms().export_arrays(code, key)
        split = split_class_drawings(dataset.X, dataset.y, X_class, y_class)
        # Before the training starts: a shipped model file refused is a message, not a run without its comparison.
        same_recipe = [cached_model(entry.name) for entry in shipped_models() if entry.recipe is LAB]
        settings = TrainingSettings(epochs=LAB.epochs, learning_rate=LAB.learning_rate)
        job = start_training(split.X_train, split.y_train, settings)
    except DigitDemoError as exc:
        st.session_state[TRIAL_ERROR] = exc
        return
    state.set_training_job(job)
    before = tuple(
        (earlier.name, accuracy(earlier, split.X_test, split.y_test))
        for earlier in [model, *same_recipe]
        if earlier is model or earlier.name != model.name
    )
    st.session_state[TRIAL] = ClassTrial(job.number, split.X_test, split.y_test, split.n_added, before)


def render_class_training(code: str, key: str, model: NumpyModel, dataset: Dataset) -> None:
    """Train on the training digits plus half of the class's drawings; the other half's accuracy before and after."""
    st.subheader(t("classroom.train_heading"))
    st.caption(t("classroom.train_caption", n_train=len(dataset.X), epochs=LAB.epochs))
    # Kept on a projector too: otherwise the teacher learns the minimum only from a refused Train.
    render_lesson_caption(t("classroom.train_minimum", minimum=MIN_CLASS_DRAWINGS), "classroom_train_minimum")
    job = state.training_job()
    running = job is not None and not job.finished
    st.button(
        t("classroom.train"),
        key="classroom_train",
        type="primary",
        disabled=running,
        on_click=start_class_training,
        args=(code, key, model, dataset),
    )
    if TRIAL_ERROR in st.session_state:
        st.warning(error_text(st.session_state[TRIAL_ERROR]))
    trial = st.session_state.get(TRIAL)
    if trial is None or job is None or job.number != trial.run:
        return
    if running:
        render_trial_progress()
    elif job.model is None:
        st.error(t("model.run_failed", error=job.error))
    else:
        render_trial_outcome(trial, job.model)


@st.fragment(run_every=PROGRESS_SECONDS)
def render_trial_progress() -> None:
    """The class training, looked at every PROGRESS_SECONDS; once it has ended the whole page is drawn again, so that
    the sidebar switches to the new model and the outcome is shown."""
    job = state.training_job()
    if job is None or job.finished:
        st.rerun(scope="app")
    if job.history:
        st.progress(job.history[-1].epoch / job.settings.epochs, text=epoch_line(job))
    else:
        st.progress(0.0, text=t("model.starting"))


def render_trial_outcome(trial: ClassTrial, new_model: NumpyModel) -> None:
    """The class's unseen drawings read by the models before and by the one just trained."""
    after = accuracy(new_model, trial.X_test, trial.y_test)
    *before_cols, after_col = st.columns(len(trial.before) + 1)
    for column, (name, score) in zip(before_cols, trial.before, strict=True):
        column.metric(t("classroom.before", model=model_label(name)), f"{score:.0%}")
    # Measured against the lab recipe's model when there is one: the same recipe without the class's drawings.
    name, score = trial.before[-1]
    delta = t("classroom.points", points=(after - score) * 100, model=model_label(name))
    after_col.metric(t("classroom.after"), f"{after:.0%}", delta=delta)
    # Kept on a projector too: it says what the points are (with 5 unseen drawings, one drawing is 20 points).
    caption = t(
        "classroom.trial_caption", n_test=len(trial.y_test), each=100 / len(trial.y_test), n_added=trial.n_added
    )
    render_lesson_caption(caption, "classroom_trial")
