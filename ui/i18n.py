"""The page's language: the sidebar's switch, and every text looked up by message id in digitdemo's catalogues."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from digitdemo.errors import DigitDemoError, RoomError
from digitdemo.i18n import DEFAULT_LANGUAGE, LANGUAGES, message

LANG_KEY = "lang"


def default_language() -> str:
    """The catalogue language matching the browser's locale ('zh-CN' -> 'zh'), else the default language."""
    locale = (st.context.locale or "").lower()
    return next((code for code in LANGUAGES if locale.startswith(code)), DEFAULT_LANGUAGE)


def lang() -> str:
    """The language code of this session, one of LANGUAGES."""
    return st.session_state.get(LANG_KEY) or DEFAULT_LANGUAGE


def t(msg_id: str, **params: object) -> str:
    """The text of message `msg_id` in this session's language, with `params` filled in."""
    return message(lang(), msg_id, **params)


def spaced(code: str) -> str:
    """A room code 'ACD34X' -> 'ACD-34X', as the page writes it everywhere: easier to read off a projector (the dash
    is optional when typed)."""
    return f"{code[:3]}-{code[3:]}"


def error_text(exc: DigitDemoError) -> str:
    """A package error worded in this session's language; a room's code in it written as the page writes it."""
    params = exc.params
    if isinstance(exc, RoomError) and isinstance(params.get("code"), str):
        params = {**params, "code": spaced(params["code"])}
    return message(lang(), exc.msg_id, **params)


def render_language_switch(on_change: Callable[[], None]) -> None:
    """A switch between the catalogues' languages, starting from the browser's locale; `on_change` runs before the page
    is drawn in the new language."""
    st.session_state.setdefault(LANG_KEY, default_language())
    st.segmented_control(
        # Labelled in every language, so that anyone can find the way back to theirs.
        " / ".join(message(code, "language.switch") for code in LANGUAGES),
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANG_KEY,
        selection_mode="single",
        required=True,  # a click on the chosen language keeps it
        on_change=on_change,
        label_visibility="collapsed",  # each option names its language in that language
    )
