"""The explorers' live boards: a Streamlit component (st.components.v2, inline JavaScript and CSS from this folder, no
build step) whose sliders redraw their bars or curves in the browser on every move and send their values to the server
once, on release; each explorer hands it its values, limits and texts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

from digitdemo.i18n import CATALOGUES, DEFAULT_LANGUAGE
from ui.i18n import lang
from ui.presenter import presenting
from ui.theme import ACCENT_COLOR, TARGET_COLOR, UNIT_COLORS, WINNER_COLOR

FOLDER = Path(__file__).resolve().parent
board = st.components.v2.component(
    "digitdemo_live",
    js=(FOLDER / "live.js").read_text(encoding="utf-8"),
    css=(FOLDER / "live.css").read_text(encoding="utf-8"),
)
COLORS = {"winner": WINNER_COLOR, "accent": ACCENT_COLOR, "target": TARGET_COLOR, "units": list(UNIT_COLORS)}


def template(msg_id: str) -> str:
    """A message's text in this session's language (English where that language lacks it), its {parameters} left in
    for the board to fill in."""
    return CATALOGUES.get(lang(), {}).get(msg_id) or CATALOGUES[DEFAULT_LANGUAGE][msg_id]


def sequence_key(key: str) -> str:
    """The session key of the number of the last release the board `key` sent, which the board is handed back."""
    return f"{key}_seq"


def released(key: str) -> dict | None:
    """In the board `key`'s release callback: the values it sent (a dict), or None if what came is not such a dict."""
    commit = (st.session_state.get(key) or {}).get("commit")
    if not isinstance(commit, dict) or not isinstance(commit.get("seq"), int):
        return None
    st.session_state[sequence_key(key)] = commit["seq"]
    return commit


def render_board(
    key: str,
    part: str,
    values: dict,
    limits: dict,
    text: dict[str, str],
    on_release: Callable[[], None],
    hidden: Sequence[str] = (),
) -> None:
    """The live board `part` ("softmax" or "relu") showing `values`, its sliders within `limits`, its words from
    `text` (message templates it fills in as str.format would); `on_release` runs when a release sends new values,
    which `released(key)` then gives; the controls named in `hidden` are left out."""
    data = {
        "part": part,
        "seq": st.session_state.get(sequence_key(key), 0),
        "values": values,
        "limits": limits,
        "text": text,
        "colors": COLORS,
        "present": presenting(),
        "hidden": list(hidden),
    }
    board(key=key, data=data, on_commit_change=on_release)
