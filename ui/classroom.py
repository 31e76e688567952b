"""The Class tab: a teacher opens a room and follows the class's drawings live; a student joins with a code or a link
and sends drawings from the Draw tab (render_send_bar). The rooms live in digitdemo.rooms, reached via st.connection.

A student's anonymous token is kept in the address (?room=CODE&student=TOKEN), so that a reload keeps the room and
the drawings sent; the teacher key is held in the session only and leaves the address bar, which a projector shows.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import segno
import sqlalchemy as sa
import streamlit as st

from digitdemo.activations import my_softmax
from digitdemo.catalog import LAB, shipped_models
from digitdemo.data import N_CLASSES, Dataset
from digitdemo.errors import DigitDemoError, RoomError, StorageUnavailableError
from digitdemo.live_training import MIN_CLASS_DRAWINGS, TrainingSettings, split_class_drawings, start_training
from digitdemo.metrics import accuracy, confusion_matrix
from digitdemo.numpy_model import NumpyModel
from digitdemo.rooms import (
    ClassStats,
    RoomStore,
    build_engine,
    csv_bytes,
    engine_options,
    is_student_token,
    new_student_token,
    normalize_code,
    npz_bytes,
    resolve_database_url,
)
from ui import state
from ui.address import page_link
from ui.charts import confusion_figure, digit_image, per_digit_figure, png_url
from ui.i18n import error_text, t
from ui.mistakes import FILTER_WIDTHS, cached_predictions
from ui.model_tab import cached_model, epoch_line, model_label
from ui.presenter import plotly_chart, render_lesson_caption

REFRESH_SECONDS = 3  # how often an open class view reads the room again
PROGRESS_SECONDS = 1.0  # how often the class training's progress is looked at
ROOM_PARAM, STUDENT_PARAM, TEACHER_PARAM = "room", "student", "teacher"
ADDRESS_PARAMS = (ROOM_PARAM, STUDENT_PARAM)  # what the address keeps across reloads (never the key)
QR_SCALE = 10  # px per QR module: sharp when shown QR_WIDTH wide on a projector
QR_WIDTH = 300
CODE_STYLE = "font-weight:700;letter-spacing:0.08em;font-family:monospace;white-space:nowrap;line-height:1.2;"
TEACHER_CODE_SIZE = "clamp(2.6rem, 11vw, 6rem)"  # as large as the column allows: read from the back of the room
STUDENT_CODE_SIZE = "2rem"
GALLERY_LIMIT = 48  # misread drawings shown at once
GALLERY_SCALE = 5
GALLERY_WIDTH = 100
MINE_SCALE = 4
MINE_WIDTH = 80
# This module's session keys: read and written only here (the Draw tab's send bar is drawn by this module too).
JOINED = "classroom_joined"  # the room code this browser joined as a student
LINK_READ = "classroom_link_read"  # the (room, teacher key) of the address this session has acted on
TEACHER = "classroom_teacher"  # (code, key) of the room this browser opened or came back to with its teacher link
NOTICE = "classroom_notice"  # why the last join, open or teacher link did not work, or worked without the database
SENT = "classroom_sent"  # the last send: Sent, or the error that refused it
TRIAL = "classroom_trial"  # the class training: ClassTrial
TRIAL_ERROR = "classroom_trial_error"  # why the class training did not start
DIGIT_KEY = "classroom_send_digit"
CODE_KEY = "classroom_code_input"
CONFUSION_KEY = "classroom_confusion"
FILTER_KEYS = ("classroom_true", "classroom_pred")
STATE_KEYS = (*FILTER_KEYS, CODE_KEY)  # handed back after a tab or language switch
SEND_KEYS = (DIGIT_KEY,)  # the send bar's, kept with the Draw tab's (whose run comes before the Class tab's keys)


class Sent(NamedTuple):
    """A drawing this browser sent: its input's digest, the digit meant, the network's reading."""

    digest: str
    label: int
    prediction: int


class ClassTrial(NamedTuple):
    """The class training: its run number, the class's drawings kept unseen (k, 400), (k, 1), how many drawings were
    added to the training digits, and (model name, accuracy on the unseen ones) of the models before it: the one in
    use and, when another, the shipped model of the same lab recipe (the fair comparison: only the class differs)."""

    run: int
    X_test: np.ndarray
    y_test: np.ndarray
    n_added: int
    before: tuple[tuple[str, float], ...]


# -- storage ---------------------------------------------------------------------------------------------------------
def database_url() -> str:
    """DIGITDEMO_DATABASE_URL, else [connections.rooms] url in secrets.toml, else the SQLite file in the data folder."""
    try:
        secret = st.secrets["connections"]["rooms"]["url"]
    except (KeyError, FileNotFoundError):  # no secrets.toml, or no rooms URL in it
        secret = None
    return resolve_database_url(secret)


@st.cache_resource(show_spinner=False)
def prepared_store(url: str) -> RoomStore:
    """The rooms in the database at `url`, its schema brought up to date, once per process; a failure raises
    StorageUnavailableError and is not cached, so the next action tries again."""
    try:
        engine = st.connection("rooms", type="sql", url=url, **engine_options(url)).engine
    except (sa.exc.ArgumentError, ImportError):
        engine = build_engine(url)  # raises the StorageUnavailableError that words a bad URL or a missing driver
    store = RoomStore(engine)
    store.prepare()
    return store


def rooms() -> RoomStore:
    """This server's room store; StorageUnavailableError while the database cannot be reached."""
    return prepared_store(database_url())


# -- links -----------------------------------------------------------------------------------------------------------
def spaced(code: str) -> str:
    """'ACD34X' -> 'ACD-34X', easier to read off a projector (the dash is optional when typed)."""
    return f"{code[:3]}-{code[3:]}"


def render_code(code: str, size: str) -> None:
    """The room code in large letters that never break across lines."""
    st.markdown(f"<div style='{CODE_STYLE}font-size:{size}'>{spaced(code)}</div>", unsafe_allow_html=True)


@st.cache_data(max_entries=16, show_spinner=False)
def qr_png(text: str) -> bytes:
    """`text` -> a PNG of its QR code (error correction M), QR_SCALE px per module."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=QR_SCALE, border=2)
    return out.getvalue()


def student_token() -> str:
    """This browser's anonymous token, kept in the address so that it survives a reload; made on first use."""
    token = st.query_params.get(STUDENT_PARAM, "")
    if not is_student_token(token):
        token = new_student_token()
        st.query_params[STUDENT_PARAM] = token
    return token


def read_link() -> None:
    """At the top of every run, act once on the address: ?room=CODE joins that room as a student (the room stays in the
    address, for a reload); ?room=CODE&teacher=KEY comes back to it as its teacher, and both leave the address bar, so
    that the key is not projected."""
    code, key = st.query_params.get(ROOM_PARAM), st.query_params.get(TEACHER_PARAM)
    if code is None or (code, key) == st.session_state.get(LINK_READ):
        return
    st.session_state[LINK_READ] = (code, key)
    if key is None:
        join_room(code)
    else:
        del st.query_params[TEACHER_PARAM]
        del st.query_params[ROOM_PARAM]
        become_teacher(code, key)
    if NOTICE in st.session_state:
        st.warning(error_text(st.session_state[NOTICE]))


def checked(code: str, check_room: Callable[[str], object]) -> str | None:
    """The canonical code if `check_room(code)` finds the room, or if the database cannot say (every later request
    checks again); None when the room is refused. Why it was refused or unchecked is kept as the notice."""
    st.session_state.pop(NOTICE, None)
    try:
        canonical = normalize_code(code)
        check_room(canonical)
    except StorageUnavailableError as exc:
        st.session_state[NOTICE] = exc
    except RoomError as exc:
        st.session_state[NOTICE] = exc
        return None
    return canonical


def join_room(code: str) -> None:
    """Join the room `code` as a student: the room and this browser's token go into the address."""
    canonical = checked(code, lambda room: rooms().join_room(room))
    if canonical is None:
        leave_room()
        return
    st.session_state[JOINED] = canonical
    st.query_params[ROOM_PARAM] = canonical
    student_token()
    st.session_state[LINK_READ] = (canonical, None)


def join_typed_code() -> None:
    """Join button callback: join the room whose code was typed."""
    join_room(st.session_state.get(CODE_KEY) or "")


def leave_room() -> None:
    """Stop being a student of a room (the token stays: it names no one)."""
    st.session_state.pop(JOINED, None)
    st.session_state.pop(SENT, None)
    st.query_params.pop(ROOM_PARAM, None)


def become_teacher(code: str, key: str) -> None:
    """Hold the teacher key of room `code` in this session, if it is that room's key."""
    canonical = checked(code, lambda room: rooms().teacher_room(room, key))
    if canonical is not None:
        st.session_state[TEACHER] = (canonical, key)


def open_room() -> None:
    """Open-room button callback: a new room whose teacher key only this session holds."""
    try:
        opened = rooms().open_room()
    except DigitDemoError as exc:
        st.session_state[NOTICE] = exc
        return
    st.session_state.pop(NOTICE, None)
    st.session_state[TEACHER] = (opened.code, opened.teacher_key)


def forget_room() -> None:
    """Teacher's button: stop showing the room in this session (it stays in the database until it expires)."""
    st.session_state.pop(TEACHER, None)
    st.session_state.pop(TRIAL, None)


# -- the Draw tab's send bar -----------------------------------------------------------------------------------------
def digest(x: np.ndarray) -> str:
    """(400,) input -> a short hash, telling whether the drawing on screen is the one sent."""
    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest()[:16]


def send_drawing(code: str, x: np.ndarray, proba: np.ndarray, model_name: str) -> None:
    """Send button callback: store the drawing x (400,) with the digit chosen and the network's (10,) probabilities."""
    label = st.session_state.get(DIGIT_KEY)
    try:
        rooms().send_drawing(code, student_token(), x, label, proba, model_name)
    except DigitDemoError as exc:
        st.session_state[SENT] = exc
        return
    st.session_state[SENT] = Sent(digest(x), label, int(np.argmax(proba)))
    st.session_state.pop(NOTICE, None)  # the database answered: an earlier "cannot be reached" no longer holds
    st.session_state[DIGIT_KEY] = None  # the next drawing needs its own answer


def render_send_bar(model_name: str) -> None:
    """Under the Draw tab's prediction, for a student in a room: the digit they meant, a send button, the outcome."""
    code = st.session_state.get(JOINED)
    if code is None:
        return
    x, logits = state.current_input(), state.current_logits()
    with st.container(border=True, key="classroom_send_bar"):
        st.markdown(t("classroom.send_heading", code=spaced(code)))
        if x is None:
            st.caption(t("classroom.send_draw_first"))
            return
        sent = st.session_state.get(SENT)
        already = isinstance(sent, Sent) and sent.digest == digest(x)
        st.pills(t("classroom.meant"), range(N_CLASSES), key=DIGIT_KEY, disabled=already)
        label = st.session_state.get(DIGIT_KEY)
        st.button(
            t("classroom.send"), key="classroom_send", type="primary", disabled=label is None or already,
            on_click=send_drawing, args=(code, x, my_softmax(logits), model_name),
        )  # fmt: skip
        if isinstance(sent, DigitDemoError):
            st.warning(error_text(sent))
        elif already:
            outcome = "classroom.sent_right" if sent.label == sent.prediction else "classroom.sent_wrong"
            st.success(t(outcome, label=sent.label, prediction=sent.prediction))


# -- the Class tab ---------------------------------------------------------------------------------------------------
def render(model: NumpyModel, dataset: Dataset) -> None:
    """The teacher's room and class view, a student's room and drawings, or the ways in: join a room or open one."""
    if NOTICE in st.session_state:
        st.warning(error_text(st.session_state[NOTICE]))
    teacher = st.session_state.get(TEACHER)
    if teacher is not None:
        render_teacher(*teacher, model, dataset)
    elif JOINED in st.session_state:
        render_student(st.session_state[JOINED])
    else:
        render_start()


def render_start() -> None:
    """Join a room with its code, or open one as a teacher."""
    join, teach = st.columns(2, gap="large")
    with join:
        st.subheader(t("classroom.join_heading"))
        st.caption(t("classroom.join_caption"))
        st.text_input(t("classroom.code"), key=CODE_KEY, max_chars=12, placeholder="ACD-34X")
        st.button(t("classroom.join"), key="classroom_join", type="primary", on_click=join_typed_code)
    with teach:
        st.subheader(t("classroom.teach_heading"))
        st.caption(t("classroom.teach_caption"))
        st.button(t("classroom.open"), key="classroom_open", on_click=open_room)
        render_lesson_caption(t("classroom.come_back"), "classroom_come_back")


def render_student(code: str) -> None:
    """The room this student is in, how to send, and their own sent drawings marked right or wrong."""
    st.subheader(t("classroom.in_room"))
    render_code(code, STUDENT_CODE_SIZE)
    st.caption(t("classroom.student_how"))
    st.button(t("classroom.leave"), key="classroom_leave", on_click=leave_room)
    try:
        mine = rooms().my_drawings(code, student_token())
    except DigitDemoError as exc:
        st.warning(error_text(exc))
        return
    right = sum(d.label == d.prediction for d in mine)
    st.markdown(t("classroom.mine_heading", count=len(mine), right=right))
    if mine:
        marks = {True: t("classroom.mark_right"), False: t("classroom.mark_wrong")}
        st.image(
            [png_url(digit_image(d.x, MINE_SCALE, grid=False)) for d in mine],
            caption=[f"{d.label} → {d.prediction} {marks[d.label == d.prediction]}" for d in mine],
            width=MINE_WIDTH,
        )


def render_teacher(code: str, key: str, model: NumpyModel, dataset: Dataset) -> None:
    """The room code, join link and QR code, large enough for a projector; the live class view; the teacher's
    actions. Everything here needs the room's teacher key, which only this session holds."""
    join_link = page_link({ROOM_PARAM: code})
    words, qr = st.columns([3, 2], vertical_alignment="center")
    with words:
        st.markdown(t("classroom.room_code_label"))
        render_code(code, TEACHER_CODE_SIZE)
        st.markdown(t("classroom.join_at"))
        st.code(join_link, language=None, wrap_lines=True)
    qr.image(qr_png(join_link), width=QR_WIDTH, caption=t("classroom.qr_caption"))
    # Outside the collapsed expander, so that it is read; the key itself stays inside, off the projected page.
    render_lesson_caption(t("classroom.teacher_link_reminder"), "classroom_teacher_link_reminder")
    with st.expander(t("classroom.teacher_link_heading")):
        st.caption(t("classroom.teacher_link_caption"))
        st.code(page_link({ROOM_PARAM: code, TEACHER_PARAM: key}), language=None, wrap_lines=True)
    render_class_view(code, key, model, dataset)
    st.divider()
    render_actions(code, key)
    st.divider()
    render_class_training(code, key, model, dataset)


def on_cell_select() -> None:
    """Class matrix callback: a clicked cell sets both gallery filters (label = row, prediction = column)."""
    points = st.session_state[CONFUSION_KEY]["selection"]["points"]
    if points:
        st.session_state[FILTER_KEYS[1]] = int(round(points[0]["x"]))
        st.session_state[FILTER_KEYS[0]] = int(round(points[0]["y"]))


def clear_filters() -> None:
    for filter_key in FILTER_KEYS:
        st.session_state[filter_key] = None


@st.fragment(run_every=REFRESH_SECONDS)
def render_class_view(code: str, key: str, model: NumpyModel, dataset: Dataset) -> None:
    """The class's drawings, read again every REFRESH_SECONDS: counts, accuracy, the class's confusion matrix beside
    the training set's, per-digit accuracy, and the misread drawings by label and prediction."""
    label, prediction = (st.session_state.get(filter_key) for filter_key in FILTER_KEYS)
    try:
        room, stats, misread = rooms().class_view(code, key, label, prediction, limit=GALLERY_LIMIT)
    except DigitDemoError as exc:
        st.warning(error_text(exc))
        return
    count, status, read_right = st.columns(3)
    count.metric(t("classroom.count"), stats.count)
    read_right.metric(t("classroom.accuracy"), "–" if stats.accuracy is None else f"{stats.accuracy:.0%}")
    status.metric(t("classroom.status"), t("classroom.closed") if room.closed else t("classroom.open_now"))
    render_matrices(stats, model, dataset)
    st.markdown(f"**{t('classroom.per_digit_heading')}**")
    figure = per_digit_figure(stats.per_digit, stats.confusion.sum(axis=1), t("classroom.axis_accuracy"))
    plotly_chart(figure, "classroom_per_digit")
    render_misread(code, key, misread)


def render_matrices(stats: ClassStats, model: NumpyModel, dataset: Dataset) -> None:
    """The class's confusion matrix (clickable, like the Mistakes tab's) beside the training set's for the model in
    use."""
    preds = cached_predictions(model.fingerprint, (dataset.source, len(dataset.X)), model, dataset.X)
    train_counts = confusion_matrix(dataset.y, preds.predicted)
    titles = (t("mistakes.axis_prediction"), t("mistakes.axis_label"))
    hover = t("mistakes.hover", label="%{y}", prediction="%{x}", count="%{customdata}")
    selected = (st.session_state.get(FILTER_KEYS[0]), st.session_state.get(FILTER_KEYS[1]))
    ours, theirs = st.columns(2)
    with ours:
        st.markdown(f"**{t('classroom.class_matrix')}**")
        figure = confusion_figure(stats.confusion, selected, titles, hover)
        plotly_chart(figure, CONFUSION_KEY, on_select=on_cell_select, selection_mode="points")
    with theirs:
        st.markdown(f"**{t('classroom.training_matrix', model=model_label(model.name))}**")
        figure = confusion_figure(train_counts, (None, None), titles, hover)
        plotly_chart(figure, "classroom_training_confusion")


def render_misread(code: str, key: str, misread: list) -> None:
    """Filters by label and prediction, the misread drawings that match, and removing one of them."""
    st.markdown(f"**{t('classroom.misread_heading')}**")
    filters = st.columns(FILTER_WIDTHS, vertical_alignment="bottom")
    choice = {"options": range(N_CLASSES), "index": None, "placeholder": t("mistakes.any")}
    filters[0].selectbox(t("mistakes.true_digit"), key=FILTER_KEYS[0], **choice)
    filters[1].selectbox(t("mistakes.predicted_digit"), key=FILTER_KEYS[1], **choice)
    filters[2].button(t("mistakes.clear"), key="classroom_clear_filters", on_click=clear_filters, width="stretch")
    if not misread:
        st.caption(t("classroom.no_misread"))
        return
    st.caption(t("classroom.misread_caption", count=len(misread)))
    st.image(
        [png_url(digit_image(d.x, GALLERY_SCALE, grid=False)) for d in misread],
        caption=[f"{d.label}, {d.prediction} ({d.probabilities[d.prediction]:.2f}) #{d.id}" for d in misread],
        width=GALLERY_WIDTH,
    )
    pick, remove = st.columns([2, 1], vertical_alignment="bottom")
    drawing = pick.selectbox(
        t("classroom.remove_pick"), [d.id for d in misread], index=None, format_func="#{}".format,
        placeholder=t("classroom.remove_placeholder"), key="classroom_remove_pick",
    )  # fmt: skip
    remove.button(
        t("classroom.remove"), key="classroom_remove", disabled=drawing is None, on_click=teacher_action,
        args=("remove", code, key, drawing), width="stretch",
    )  # fmt: skip


def teacher_action(action: str, code: str, key: str, drawing: int | None = None) -> None:
    """Button callback for 'remove' (one drawing), 'clear' (all drawings) and 'close'; a refusal becomes the notice."""
    st.session_state.pop(NOTICE, None)
    try:
        if action == "remove":
            rooms().remove_drawing(code, key, drawing)
        elif action == "clear":
            rooms().clear_room(code, key)
        else:
            rooms().close_room(code, key)
    except DigitDemoError as exc:
        st.session_state[NOTICE] = exc


def render_actions(code: str, key: str) -> None:
    """Clear (after a confirmation), close, leave, and the exports in the lab's format, built only when asked for."""
    st.subheader(t("classroom.actions_heading"))
    clear, close, leave = st.columns(3)
    with clear.popover(t("classroom.clear"), width="stretch"):
        st.caption(t("classroom.clear_confirm"))
        st.button(
            t("classroom.clear_yes"), key="classroom_clear", type="primary", on_click=teacher_action,
            args=("clear", code, key),
        )  # fmt: skip
    close.button(
        t("classroom.close"), key="classroom_close", on_click=teacher_action, args=("close", code, key), width="stretch"
    )
    leave.button(t("classroom.forget"), key="classroom_forget", on_click=forget_room, width="stretch")
    # Built only while open: an export reads every drawing, which the page should not do on each run.
    exports = st.expander(t("classroom.export_heading"), key="classroom_export", on_change="rerun")
    if not exports.open:
        return
    with exports:
        st.caption(t("classroom.export_caption"))
        try:
            X, y = rooms().export_arrays(code, key)  # read once for both files
        except DigitDemoError as exc:
            st.warning(error_text(exc))
            return
        csv_col, npz_col = st.columns(2)
        csv_col.download_button(
            t("classroom.export_csv"), csv_bytes(X, y), file_name=f"class-{code}.csv", mime="text/csv", key="classroom_csv",
            on_click="ignore",
        )  # fmt: skip
        npz_col.download_button(
            t("classroom.export_npz"), npz_bytes(X, y), file_name=f"class-{code}.npz", mime="application/octet-stream",
            key="classroom_npz", on_click="ignore",
        )  # fmt: skip


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
    st.caption(t("classroom.train_caption", n_train=len(dataset.X), epochs=LAB.epochs, minimum=MIN_CLASS_DRAWINGS))
    job = state.training_job()
    running = job is not None and not job.finished
    st.button(
        t("classroom.train"), key="classroom_train", type="primary", disabled=running, on_click=start_class_training,
        args=(code, key, model, dataset),
    )  # fmt: skip
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
    st.caption(t("classroom.trial_caption", n_test=len(trial.y_test), n_added=trial.n_added))
