"""The page on every screen: the presenter switch and its styles (large, high contrast, few words), the styles for
phones and every page (ui/page.css, ui/presenter.css), and the captions a lesson keeps on a projector."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from digitdemo.i18n import LANGUAGES, message
from ui.network_drawing import NETWORK_ASPECT

PRESENT_KEY = "app_present"  # the switch; ?present=1 turns it on
PHONE_WIDTH = 640  # px: a window narrower than this is laid out for a phone (Streamlit stacks columns below it)
LESSON_CAPTION = "_lesson_caption"  # ends the key of a caption the presenter view keeps (render_lesson_caption)
TAP_LISTENER = "_select_on_tap"  # ends the key of a chart's tap listener (ui/plotting.py), hidden by ui/page.css


@functools.cache
def stylesheet(name: str) -> str:
    """The stylesheet ui/<name>.css with each ${NAME} filled in from this module's sizes and keys."""
    css = (Path(__file__).parent / f"{name}.css").read_text(encoding="utf-8")
    values = {
        "PHONE_WIDTH": PHONE_WIDTH,
        "PHONE_WIDE": PHONE_WIDTH + 1,
        "NETWORK_ASPECT": NETWORK_ASPECT,
        "TAP_LISTENER": TAP_LISTENER,
        "LESSON_CAPTION": LESSON_CAPTION,
    }
    for name_, value in values.items():
        css = css.replace("${" + name_ + "}", str(value))
    return css


def presenting() -> bool:
    """Whether this session shows the presenter view."""
    return bool(st.session_state.get(PRESENT_KEY))


def sidebar_state() -> str:
    """The sidebar as the page opens: collapsed for the presenter view, as Streamlit chooses otherwise."""
    return "collapsed" if presenting() else "auto"


def render_switch() -> None:
    """The presenter switch, labelled in every language of the catalogues, so that anyone finds it."""
    st.session_state.setdefault(PRESENT_KEY, False)
    st.toggle(" / ".join(message(code, "presenter.switch") for code in LANGUAGES), key=PRESENT_KEY)


def render_style() -> None:
    """The page's styles: for every screen always, for the projector when presenting (a <style> alone takes no
    space)."""
    st.html(f"<style>{stylesheet('page')}{stylesheet('presenter') if presenting() else ''}</style>")


def render_lesson_caption(text: str, name: str) -> None:
    """A caption the lesson needs (what a picture's colours mean, what will appear), in a container keyed `name` +
    LESSON_CAPTION: the presenter view keeps it, where it hides other captions."""
    st.container(key=name + LESSON_CAPTION).caption(text)
