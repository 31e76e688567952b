"""The session state that tabs share, read and written only through these accessors; each key is named once, here.

Widgets keep their own values under their keys (prefixed by tab); what a tab keeps across tab and language switches
is declared with the tab in streamlit_app.py and handed back by `keep`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from digitdemo.catalog import SESSION_MODEL
from digitdemo.fabric import scale_drawing, without_last_stroke
from digitdemo.i18n import LANGUAGES, message
from digitdemo.live_training import TrainingJob
from digitdemo.numpy_model import NumpyModel
from ui.i18n import t

OPEN_TAB = "tabs"  # the tabs' key: the open tab's label
MODEL_CHOICE = "model_choice"  # the sidebar's model radio: a catalogue name or SESSION_MODEL
CURRENT_LOGITS = "current_logits"  # (10,) float64 logits of the Draw tab's current input, for the Softmax explorer
TRAINING_JOB = "training_job"  # this session's in-app training run, running or finished
ADOPTED_RUN = "training_adopted"  # the number of the run whose model the sidebar last switched to
DRAWING = "draw_drawing"  # the canvas's latest strokes and picture, kept while the canvas is not on the page
CANVAS_SEED = "draw_canvas_seed"  # the strokes a (re)mounted canvas starts from
CANVAS_SIZE = "draw_canvas_size"  # px: the side of the canvas the saved strokes were drawn on
DRAW_SOURCE = "draw_source"  # the Draw tab's input radio, which a link can set
DRAW_SOURCES = ("canvas", "example", "upload")  # its options, the first the default
DRAW_EXAMPLE = "draw_example"  # the training example the Draw tab shows, which a link can set
SEED_REVISION = "draw_seed_revision"  # counts the seeds the buttons gave, so that each one differs from the last


def keep(keys: tuple[str, ...]) -> None:
    """Hand each widget's value back to it, so that it survives runs in which the widget is not drawn (a closed tab)
    and a remount after a language switch (the tab labels change, so the tabs and all they hold are new elements)."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def tab_labels(label_ids: list[str]) -> list[str]:
    """The tabs' labels in this session's language; the open tab, which the tabs remember by its label, is renamed to
    match (after a language switch it still holds the other language's label)."""
    labels = [t(msg_id) for msg_id in label_ids]
    for msg_id, label in zip(label_ids, labels, strict=True):
        if st.session_state.get(OPEN_TAB) in {message(code, msg_id) for code in LANGUAGES}:
            st.session_state[OPEN_TAB] = label
    return labels


def current_logits() -> np.ndarray | None:
    """The Draw tab's current (10,) logits, or None while it shows no digit."""
    return st.session_state.get(CURRENT_LOGITS)


def set_current_logits(logits: np.ndarray | None) -> None:
    """Record the (10,) logits of the Draw tab's current input, or None when it shows no digit."""
    if logits is None:
        st.session_state.pop(CURRENT_LOGITS, None)
    else:
        st.session_state[CURRENT_LOGITS] = np.asarray(logits, dtype=np.float64)


def training_job() -> TrainingJob | None:
    """This session's training run, if one was started."""
    return st.session_state.get(TRAINING_JOB)


def set_training_job(job: TrainingJob | None) -> None:
    """Remember a newly started run; None forgets the run and its model, and the sidebar goes back to a shipped one."""
    if job is None:
        st.session_state.pop(TRAINING_JOB, None)
        if st.session_state.get(MODEL_CHOICE) == SESSION_MODEL:
            st.session_state.pop(MODEL_CHOICE)
    else:
        st.session_state[TRAINING_JOB] = job


def session_model() -> NumpyModel | None:
    """The model this session trained, once its run has ended with one."""
    job = training_job()
    return job.model if job is not None and job.finished else None


def model_choices(shipped: list[str]) -> list[str]:
    """The sidebar's options: the shipped models, and the session's own once it has one; a finished run that the
    sidebar has not yet switched to is chosen now (it must be called before the radio is drawn)."""
    job = training_job()
    if session_model() is None:
        if st.session_state.get(MODEL_CHOICE) not in shipped:
            st.session_state[MODEL_CHOICE] = shipped[0]
        return shipped
    if st.session_state.get(ADOPTED_RUN) != job.number:
        st.session_state[ADOPTED_RUN] = job.number
        st.session_state[MODEL_CHOICE] = SESSION_MODEL
    return [*shipped, SESSION_MODEL]


def saved_drawing() -> tuple[dict | None, np.ndarray | None]:
    """The canvas's latest Fabric.js strokes and RGBA picture, or (None, None) before the first stroke."""
    return st.session_state.get(DRAWING, (None, None))


def save_drawing(strokes: dict | None, picture: np.ndarray | None) -> None:
    """Keep what the canvas last sent, so that it can be handed back when the canvas is drawn anew."""
    st.session_state[DRAWING] = (strokes, picture)


def canvas_seed() -> dict | None:
    """The strokes the canvas starts from when it is mounted; unchanged between remounts, so a rerun keeps its undo."""
    return st.session_state.get(CANVAS_SEED)


def reseed_canvas() -> None:
    """Before anything that remounts the canvas (a language switch, coming back to the Draw input): start it from the
    latest strokes."""
    st.session_state[CANVAS_SEED] = saved_drawing()[0]


def fit_canvas(side: int) -> None:
    """Before the canvas is drawn `side` px square: if its strokes were drawn on a canvas of another size, it starts
    again from them scaled to the new side (the canvas does not rescale what it loads)."""
    drawn_at = st.session_state.get(CANVAS_SIZE)
    st.session_state[CANVAS_SIZE] = side
    if drawn_at is None or drawn_at == side:
        return
    strokes, picture = saved_drawing()
    if strokes is not None:
        strokes = scale_drawing(strokes, side / drawn_at)
        save_drawing(strokes, picture)
        reseed(strokes)
    elif canvas_seed() is not None:
        reseed(scale_drawing(canvas_seed(), side / drawn_at))


def reseed(strokes: dict) -> None:
    """Load `strokes` into the canvas in place; the revision makes every seed new, so the canvas always loads it."""
    revision = st.session_state.get(SEED_REVISION, 0) + 1
    st.session_state[SEED_REVISION] = revision
    st.session_state[CANVAS_SEED] = {**strokes, "revision": revision}


def clear_canvas() -> None:
    """Button callback: an empty canvas, and no prediction until the next stroke."""
    save_drawing(None, None)
    reseed({"objects": []})


def undo_stroke() -> None:
    """Button callback: the canvas without its last stroke (nothing drawn left: as after a clear)."""
    strokes, picture = saved_drawing()
    remaining = without_last_stroke(strokes)
    if remaining["objects"]:
        save_drawing(remaining, picture)  # the canvas sends its new picture once it has loaded these strokes
        reseed(remaining)
    else:
        clear_canvas()
