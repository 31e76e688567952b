"""The load test's protocol client: against the real app it draws, clears, switches tabs and moves sliders with no
error and reads the drawn "2"; against a broken app it reports errors instead of passing. No timing is asserted."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.proto.BidiComponent_pb2 import BidiComponent
from streamlit.proto.Slider_pb2 import Slider

from benchmarks.load import KINDS, protocol_visit
from testkit.protocol import (
    Run,
    expect_board,
    expect_changed,
    expect_prediction,
    expect_tab,
    what_went_wrong,
    widget_key,
)
from testkit.server import serve

SERVER_START_SECONDS = 90


def visit_all(url: str, sessions: int, seconds: float) -> list:
    """`sessions` protocol visitors at once, each for `seconds` with short pauses."""

    async def visits():
        return await asyncio.gather(*(protocol_visit(url, seconds, 0.05, seed=i) for i in range(sessions)))

    # In a thread of its own: Playwright's sync API, used by the browser tests, keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, visits()).result()


@pytest.fixture(scope="module")
def app_url():
    """The app served by one `streamlit run` for this module."""
    with serve(timeout=SERVER_START_SECONDS) as server:
        yield server.url


def test_concurrent_visitors_see_every_result(app_url):
    """Two visitors at once: every kind of interaction answered and checked, no error, each drawn "2" read as 2."""
    sessions = visit_all(app_url, sessions=2, seconds=2)
    for session in sessions:
        assert session.errors == []
        assert session.attempts == sum(len(values) for values in session.latencies.values())
        assert session.load_ms is not None
        for kind in KINDS:
            assert session.latencies[kind], kind
        assert session.readings and set(session.readings) == {"2"}


def test_a_broken_app_is_reported(tmp_path):
    """An app that raises is one error naming the exception, and no latency."""
    script = tmp_path / "broken_app.py"
    script.write_text("import streamlit as st\nst.title('digitdemo')\nraise RuntimeError('boom')\n")
    with serve(str(script), timeout=SERVER_START_SECONDS) as server:
        (session,) = visit_all(server.url, sessions=1, seconds=1)
    assert session.load_ms is None
    assert session.errors == ["load: the page shows an exception: boom"]
    assert not any(session.latencies.values())


def test_checks_name_what_is_missing():
    """Each check passes on the result it expects and names what is wrong otherwise."""
    predicted, blank = Run(metrics={"Prediction": "2"}), Run()
    assert expect_prediction(True)(predicted) is None
    assert expect_prediction(True)(blank) == "no Prediction shown"
    assert expect_prediction(False)(predicted) == "a Prediction is still shown on a clear canvas"
    softmax_open = Run(widgets={"softmax_live": object(), "draw_canvas": object()})
    assert expect_tab("softmax_live", None)(softmax_open) is None
    assert expect_tab("draw_pen_width", "softmax_live")(softmax_open) == "draw_pen_width was not drawn"
    draw_open = Run(widgets={"draw_pen_width": object(), "softmax_live": object()})
    assert expect_tab("draw_pen_width", "softmax_live")(draw_open) == "softmax_live was drawn on a closed tab"
    before = Run(widgets={"softmax_live": object()})
    wide, narrow = Slider(min=0, max=2), Slider(min=0, max=1)
    assert expect_changed("chart", wide.SerializeToString())(Run(widgets={"chart": narrow})) is None
    assert expect_changed("chart", wide.SerializeToString())(Run(widgets={"chart": wide})) == "chart did not change"
    assert expect_changed("chart", wide.SerializeToString())(before) == "chart was not redrawn"
    drawn = Run(widgets={"softmax_live": BidiComponent(json=json.dumps({"seq": 3, "values": {"z": [1.1, 2.0]}}))})
    assert expect_board("softmax_live", 1.1, 3)(drawn) is None
    assert expect_board("softmax_live", 1.2, 3)(drawn) == "softmax_live shows z0 = 1.1, not 1.2"
    assert expect_board("softmax_live", 1.1, 4)(drawn) == "softmax_live was drawn for release 3, not 4"
    assert expect_board("softmax_live", 1.1, 3)(Run()) == "softmax_live was not redrawn"
    assert what_went_wrong(Run(status=2, metrics={"Prediction": "2"}), expect_prediction(True)) == (
        "the run ended with status 2"
    )
    assert what_went_wrong(Run(status=0, exceptions=["boom"]), expect_prediction(False)) == (
        "the page shows an exception: boom"
    )
    assert what_went_wrong(Run(status=3, metrics={"Prediction": "2"}), expect_prediction(True)) is None


def test_widget_key_reads_the_apps_key():
    """The key the app gave a widget, from the element id Streamlit makes of it; None without a key."""
    assert widget_key("$$ID-5d6c2bc3985865b7718ac043e4eb88ca-draw_canvas") == "draw_canvas"
    assert widget_key("$$ID-abc-relu_w1") == "relu_w1"
    assert widget_key("") is None
    assert widget_key("markdown-1") is None
    assert widget_key("$$ID-abc-None") is None
