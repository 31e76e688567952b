"""The Class tab: a teacher opens a room and follows the class's drawings live (ui/classroom_view.py) and trains on
them (ui/classroom_training.py); a student joins with a code or a link and sends drawings from the Draw tab's send
bar (ui/send_bar.py). How a browser gets into a room: ui/room_access.py."""

from __future__ import annotations

import streamlit as st

from digitdemo.data import Dataset
from digitdemo.errors import DigitDemoError
from digitdemo.numpy_model import NumpyModel
from digitdemo.rooms import csv_bytes, npz_bytes
from ui import classroom_view, links
from ui.address import page_link
from ui.classroom_training import TRIAL, render_class_training
from ui.classroom_view import render_class_view, teacher_action
from ui.i18n import error_text, lang, spaced, t
from ui.pictures import digit_image, png_url
from ui.presenter import render_lesson_caption
from ui.qr import qr_png
from ui.room_access import (
    ADDRESS_PARAMS,
    CAME_BACK,
    JOINED,
    NOTICE,
    ROOM_PARAM,
    TEACHER,
    TEACHER_PARAM,
    join_room,
    leave_room,
    room_refusal,
    rooms,
    student_token,
)

CODE_STYLE = "font-weight:700;letter-spacing:0.08em;font-family:monospace;white-space:nowrap;line-height:1.2;"
# As large as its column allows (cqi: a hundredth of the column, ui/page.css): read from the back of the room.
TEACHER_CODE_SIZE = "clamp(2rem, 19cqi, 6rem)"
CLASS_TAB = "classroom"  # the Class tab's name in links (ui/links.py): where a teacher link opens
STUDENT_CODE_SIZE = "2rem"
MINE_SCALE = 4
MINE_WIDTH = 80
CODE_KEY = "classroom_code_input"
STATE_KEYS = (*classroom_view.STATE_KEYS, CODE_KEY)  # handed back after a tab or language switch
LINK = links.TabLink(kept=ADDRESS_PARAMS)  # the room and student token, which the room's code writes itself


def render_code(code: str, size: str) -> None:
    """The room code in large letters that never break across lines."""
    st.markdown(f"<div style='{CODE_STYLE}font-size:{size}'>{spaced(code)}</div>", unsafe_allow_html=True)


def join_typed_code() -> None:
    """Join button callback: join the room whose code was typed."""
    join_room(st.session_state.get(CODE_KEY) or "")


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


def render(model: NumpyModel, dataset: Dataset) -> None:
    """The teacher's room and class view, a student's room and drawings, or the ways in: join a room or open one."""
    if NOTICE in st.session_state:
        st.warning(error_text(st.session_state[NOTICE]))
    teacher = st.session_state.get(TEACHER)
    if teacher is not None:
        if st.session_state.pop(CAME_BACK, False):
            st.success(t("classroom.came_back", code=spaced(teacher[0])))
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
    """The room this student is in (or that it has closed), how to send, and their own sent drawings marked right or
    wrong."""
    refusal = room_refusal(code)
    st.subheader(t("classroom.in_room") if refusal is None else t("classroom.was_in_room"))
    render_code(code, STUDENT_CODE_SIZE)
    if refusal is None:
        st.caption(t("classroom.student_how"))
    else:
        st.warning(error_text(refusal))
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
    """The room code, join link and QR code beside the live class view, so that a projector shows both at once; the
    teacher's actions. Everything here needs the room's teacher key, which only this session holds."""
    # The links keep the page's language: a Chinese lesson's students land on the Chinese page.
    join_link = page_link({ROOM_PARAM: code, "lang": lang()})
    join, live = st.container(key="classroom_room").columns([1, 2], gap="large")
    with join.container(key="classroom_join"):
        st.markdown(t("classroom.room_code_label"))
        render_code(code, TEACHER_CODE_SIZE)
        st.markdown(t("classroom.join_at"))
        st.container(key="classroom_join_link").code(join_link, language=None, wrap_lines=True)
        st.container(key="classroom_qr").image(qr_png(join_link), width="stretch", caption=t("classroom.qr_caption"))
        # Outside the collapsed expander, so that it is read; the key itself stays inside, off the projected page.
        render_lesson_caption(t("classroom.teacher_link_reminder"), "classroom_teacher_link_reminder")
        with st.expander(t("classroom.teacher_link_heading")):
            st.caption(t("classroom.teacher_link_caption"))
            teacher_link = page_link({ROOM_PARAM: code, TEACHER_PARAM: key, "tab": CLASS_TAB, "lang": lang()})
            st.code(teacher_link, language=None, wrap_lines=True)
    with live:
        render_class_view(code, key, model, dataset)
    st.divider()
    render_actions(code, key)
    st.divider()
    render_class_training(code, key, model, dataset)


def render_actions(code: str, key: str) -> None:
    """Clear (after a confirmation), close, leave, and the exports in the lab's format, built only when asked for."""
    st.subheader(t("classroom.actions_heading"))
    clear, close, leave = st.columns(3)
    with clear.popover(t("classroom.clear"), width="stretch"):
        st.caption(t("classroom.clear_confirm"))
        st.button(
            t("classroom.clear_yes"),
            key="classroom_clear",
            type="primary",
            on_click=teacher_action,
            args=("clear", code, key),
        )
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
        files = (
            ("classroom.export_csv", "csv", csv_bytes(X, y), "text/csv"),
            ("classroom.export_npz", "npz", npz_bytes(X, y), "application/octet-stream"),
        )
        for column, (label_id, kind, data, mime) in zip(st.columns(len(files)), files, strict=True):
            column.download_button(
                t(label_id),
                data,
                file_name=f"class-{code}.{kind}",
                mime=mime,
                key=f"classroom_{kind}",
                on_click="ignore",
            )
