"""QR codes of the app's links (a shared view, a class room's join link), readable across a classroom."""

from __future__ import annotations

import io

import segno
import streamlit as st

QR_SCALE = 12  # px per QR module: a link's code is then about 400-500 px, sharp when a projector shows it smaller


@st.cache_data(max_entries=16, show_spinner=False)
def qr_png(link: str) -> bytes:
    """A link -> PNG bytes of its QR code (medium error correction: it still reads on a blurry projector)."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=2)
    return buffer.getvalue()
