"""The Draw tab's send bar, for a student in a class room: the digit they meant, a send button and the outcome."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np
import streamlit as st

from digitdemo.data import N_CLASSES
from digitdemo.errors import DigitDemoError, RoomError
from ui.i18n import error_text, spaced, t
from ui.room_access import JOINED, NOTICE, SENT, recent_refusal, room_refusal, rooms, student_token

DIGIT_KEY = "classroom_send_digit"
SEND_KEYS = (DIGIT_KEY,)  # kept with the Draw tab's widgets


class Sent(NamedTuple):
    """A drawing this browser sent: its input's digest, the digit meant, the network's reading."""

    digest: str
    label: int
    prediction: int


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
        if isinstance(exc, RoomError):
            recent_refusal.clear(code)  # the bar under the next stroke shows the room's refusal at once
        return
    st.session_state[SENT] = Sent(digest(x), label, int(np.argmax(proba)))
    st.session_state.pop(NOTICE, None)  # the database answered: an earlier "cannot be reached" no longer holds
    st.session_state[DIGIT_KEY] = None  # the next drawing needs its own answer


def render_send_bar(model_name: str, x: np.ndarray | None, proba: np.ndarray | None, recent: bool = False) -> None:
    """Under the Draw tab's prediction of the (400,) input x with its (10,) probabilities shown (None while there is
    no input), for a student in a room: the digit they meant, a send button, the outcome; disabled, saying why, once
    the room no longer takes drawings (the teacher closed it), which `recent` lets be known up to REFUSAL_SECONDS
    late (the canvas's prediction, drawn again on every stroke)."""
    code = st.session_state.get(JOINED)
    if code is None:
        return
    with st.container(border=True, key="classroom_send_bar"):
        st.markdown(t("classroom.send_heading", code=spaced(code)))
        refusal = recent_refusal(code) if recent else room_refusal(code)
        if x is None or proba is None:
            if refusal is None:
                st.caption(t("classroom.send_draw_first"))
            else:
                st.warning(error_text(refusal))
            return
        sent = st.session_state.get(SENT)
        already = isinstance(sent, Sent) and sent.digest == digest(x)
        st.pills(t("classroom.meant"), range(N_CLASSES), key=DIGIT_KEY, disabled=already or refusal is not None)
        label = st.session_state.get(DIGIT_KEY)
        st.button(
            t("classroom.send"),
            key="classroom_send",
            type="primary",
            disabled=label is None or already or refusal is not None,
            on_click=send_drawing,
            args=(code, x, proba, model_name),
        )
        if refusal is not None:
            st.warning(error_text(refusal))
        elif isinstance(sent, DigitDemoError):
            st.warning(error_text(sent))
        elif already:
            outcome = "classroom.sent_right" if sent.label == sent.prediction else "classroom.sent_wrong"
            st.success(t(outcome, label=sent.label, prediction=sent.prediction))
