"""AppTest checks of links: a page opened from a link starts from its view, the URL follows what is changed, and
unknown, malformed or hostile query values fall back to the defaults without an error."""

from __future__ import annotations

import pytest

from digitdemo.i18n import message
from digitdemo.relu_lab import SLIDER_MAX

HOSTILE = [
    {"tab": "../../etc/passwd", "lang": "<script>alert(1)</script>", "model": "'; DROP TABLE rooms; --"},
    {"z": "nan,inf,-inf", "T": "1e999", "w1": "NaN", "b1": "inf", "example": "-1"},
    {"z": "1," * 5000, "T": "0", "example": "99999999999999999999999", "input": "camera"},
    {"z": "1", "T": "abc", "w2": "0x10", "b2": "１", "example": "1.5", "present": "yes"},
    {"z": "1,2,3,4,5,6,7,8,9,10,11", "wide": "maybe", "tab": "", "lang": "", "example": "٣"},
    {"z": ",,,", "T": "-5", "w1": str(SLIDER_MAX * 10), "example": " 12"},
    {"tab": ["softmax", "nowhere"], "z": ["1,2", "1;2"], "lang": "zh\x00"},  # a repeated key: its last value counts
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_query_falls_back_to_defaults(new_app, query) -> None:
    """Each hostile query string opens the usual page: no exception, the Draw tab in English on the default model,
    the explorers at their lab values."""
    at = new_app()
    at.query_params.update(query)
    at.run()
    assert not at.exception
    assert at.tabs[0].label == message("en", "tabs.draw")
    assert at.session_state["lang"] == "en"
    assert at.radio(key="draw_source").value == "canvas"
    assert not at.session_state["app_present"]
    for key in ("softmax_classes", "softmax_temperature", "relu_w1", "relu_b1", "draw_example"):
        assert key not in at.session_state


def test_link_restores_its_view(new_app) -> None:
    """A link naming the Softmax tab in Chinese, the lab model, the presenter view, an example and explorer values
    opens with each of them set."""
    at = new_app()
    at.query_params.update(
        {"tab": "softmax", "lang": "zh", "model": "lab", "present": "1", "input": "example", "example": "7",
         "z": "0.5,2,12.3", "T": "2.5", "w1": "1", "b1": "-1.04"}
    )  # fmt: skip
    at.run()
    assert not at.exception
    assert at.session_state["tabs"] == message("zh", "tabs.softmax")
    assert at.sidebar.radio(key="model_choice").value == "lab"
    assert at.session_state["app_present"]
    assert at.radio(key="draw_source").value == "example" and at.number_input(key="draw_example").value == 7
    # 12.3 is beyond the lab's 0.1..10 sliders, so they switch to the wide range.
    assert [at.slider(key=f"softmax_z{j}").value for j in range(3)] == [0.5, 2.0, 12.3]
    assert at.toggle(key="softmax_wide").value and at.slider(key="softmax_temperature").value == 2.5
    assert at.session_state["relu_w1"] == 1.0 and at.session_state["relu_b1"] == -1.0


def test_url_follows_the_view(new_app) -> None:
    """After changes on the page the URL's query names them, and feeding that query to a new session restores them."""
    at = new_app(tabs="Softmax explorer").run()
    at.slider(key="softmax_z1").set_value(7.5).run()
    at.slider(key="softmax_temperature").set_value(0.5).run()
    at.radio(key="draw_source").set_value("example").run()
    query = dict(at.query_params)
    assert query["tab"] == "softmax" and query["z"] == "1,7.5,3,4" and query["T"] == "0.5"
    assert query["input"] == "example" and query["example"] == "1015"

    again = new_app()
    again.query_params.update(query)
    again.run()
    assert not again.exception
    assert again.slider(key="softmax_z1").value == 7.5 and again.slider(key="softmax_temperature").value == 0.5
    assert again.number_input(key="draw_example").value == 1015
