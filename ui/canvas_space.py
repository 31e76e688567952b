"""The canvas's size: a component measures the space where the canvas goes, and the canvas takes as much of it as the
screen allows (the whole column on a phone or a projector, down to the window's bottom edge)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from digitdemo.preprocess import CANVAS_SIDE
from ui.presenter import PHONE_WIDTH

SPACE_KEY = "draw_space"  # the measuring component in the Draw tab: its column's width and the window's size
MIN_CANVAS_SIDE = 200  # px: the smallest canvas a finger can still draw a digit on
# px of the window's height the canvas leaves below itself: on a phone for the steps switch and the predicted digit
# with its probability, which stack under it, and for a student in a class room the send bar too (the digit meant
# and Send, chosen with the drawing in view); on a projector a margin (the prediction is beside it).
PHONE_BELOW, PHONE_SENDING_BELOW, PRESENTER_BELOW = 230, 360, 24
CANVAS_STEP = 4  # px: sizes are rounded down to this, so a window resized by a pixel does not redraw the canvas
measure = st.components.v2.component(
    "digitdemo_measure", js=(Path(__file__).parent / "measure.js").read_text(encoding="utf-8")
)


def measure_space() -> dict | None:
    """The measuring component, placed where the canvas goes -> {'width', 'height', 'window'} in px, or None before
    the browser has reported."""
    # A state needs a callback to exist; the rerun its change triggers is all the canvas needs.
    result = measure(key=SPACE_KEY, default={"space": None}, on_space_change=lambda: None)
    return result.get("space")


def canvas_side(space: dict | None, present: bool, sending: bool = False) -> int:
    """The measured space ({'width': column px, 'top': the canvas's px from the top of the page, 'height' and
    'window': the window's px}) -> the canvas's side in px: as wide as its column and, on a projector or a phone, as
    tall as the window leaves below its top (on a phone, `sending` leaves room for the send bar too); CANVAS_SIDE at
    most otherwise, and before anything was measured."""
    if not space:
        return CANVAS_SIDE
    try:
        width, top = int(space["width"]), int(space["top"])
        height, window = int(space["height"]), int(space["window"])
    except (KeyError, TypeError, ValueError):
        return CANVAS_SIDE
    if present:
        side = min(width, height - top - PRESENTER_BELOW)
    elif window < PHONE_WIDTH:
        side = min(width, height - top - (PHONE_SENDING_BELOW if sending else PHONE_BELOW))
    else:
        side = min(width, CANVAS_SIDE)
    side = max(side, min(MIN_CANVAS_SIDE, width))
    return max(CANVAS_STEP, side - side % CANVAS_STEP)
