"""Bilingual text: every string of the interface is written in English and Chinese at the place it is used."""

from __future__ import annotations

import streamlit as st

LANG_KEY = "lang"
LANGUAGES = {"en": "English", "zh": "中文"}


def default_language() -> str:
    """'zh' when the browser's locale is Chinese, else 'en'."""
    locale = (st.context.locale or "").lower()
    return "zh" if locale.startswith("zh") else "en"


def lang() -> str:
    """The language of this session: 'en' or 'zh'."""
    return st.session_state.get(LANG_KEY) or "en"


def t(en: str, zh: str) -> str:
    """The string in this session's language."""
    return zh if lang() == "zh" else en


def render_language_switch() -> None:
    """A two-way switch in the sidebar, starting from the browser's locale."""
    st.session_state.setdefault(LANG_KEY, default_language())
    st.sidebar.segmented_control(
        "Language / 语言",
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANG_KEY,
        selection_mode="single",
    )
