"""This browser's way into the class rooms: the server's room store (digitdemo.rooms, reached via st.connection), the
room it joined as a student or teaches, and the links that bring it there.

A student's anonymous token is kept in the address (?room=CODE&student=TOKEN), so that a reload keeps the room and
the drawings sent; the teacher key is held in the session only and leaves the address bar, which a projector shows.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
import streamlit as st

from digitdemo.errors import RoomError, StorageUnavailableError
from digitdemo.rooms import (
    RoomStore,
    build_engine,
    engine_options,
    is_student_token,
    new_student_token,
    normalize_code,
    resolve_database_url,
)
from ui.i18n import error_text

ROOM_PARAM, STUDENT_PARAM, TEACHER_PARAM = "room", "student", "teacher"
ADDRESS_PARAMS = (ROOM_PARAM, STUDENT_PARAM)  # what the address keeps across reloads (never the key)
# The session's room, read and written only through this module and the Class tab's and send bar's callbacks.
JOINED = "classroom_joined"  # the room code this browser joined as a student
LINK_READ = "classroom_link_read"  # the (room, teacher key) of the address this session has acted on
TEACHER = "classroom_teacher"  # (code, key) of the room this browser opened or came back to with its teacher link
NOTICE = "classroom_notice"  # why the last join, open or teacher link did not work, or worked without the database
SENT = "classroom_sent"  # the last send: send_bar.Sent, or the error that refused it
CAME_BACK = "classroom_came_back"  # set when a teacher link has just brought this browser back to its room
REFUSAL_SECONDS = 5  # how old an answer to "does the room still take drawings?" a stroke's send bar may show


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


def room_refusal(code: str) -> RoomError | None:
    """Why the room `code` no longer takes drawings (closed, or deleted), or None while it does or while the database
    cannot say (a send then says why it failed)."""
    try:
        rooms().join_room(code)
    except RoomError as exc:
        return exc
    except StorageUnavailableError:
        return None
    return None


@st.cache_resource(ttl=REFUSAL_SECONDS, max_entries=1000, show_spinner=False)
def recent_refusal(code: str) -> RoomError | None:
    """room_refusal(code) as this server last found it, at most REFUSAL_SECONDS ago: for what is redrawn on every
    stroke (a class of pupils drawing asked the database on each); a send still asks it, and a closed room refuses."""
    return room_refusal(code)


def in_room() -> bool:
    """Whether this browser joined a class room as a student."""
    return JOINED in st.session_state


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
        st.session_state[CAME_BACK] = True
