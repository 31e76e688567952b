"""AppTest checks of links: a page opened from a link starts from its view, the URL follows what is changed, and
unknown, malformed or hostile query values fall back to the defaults without an error."""

from __future__ import annotations

import json

import pytest

from digitdemo.i18n import message
from digitdemo.relu_lab import SLIDER_MAX
from ui.links import LESSON_CSS

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
        {
            "tab": "softmax",
            "lang": "zh",
            "model": "lab",
            "present": "1",
            "input": "example",
            "example": "7",
            "z": "0.5,2,12.3",
            "T": "2.5",
            "w1": "1",
            "b1": "-1.04",
        }
    )
    at.run()
    assert not at.exception
    assert at.session_state["tabs"] == message("zh", "tabs.softmax")
    assert at.sidebar.radio(key="model_choice").value == "lab"
    assert at.session_state["app_present"]
    assert at.radio(key="draw_source").value == "example" and at.number_input(key="draw_example").value == 7
    # 12.3 is beyond the lab's 0.1..10 sliders, so they switch to the wide range.
    assert at.session_state["softmax_classes"] == 3
    assert [at.session_state[f"softmax_z{j}"] for j in range(3)] == [0.5, 2.0, 12.3]
    assert at.session_state["softmax_wide"] and at.session_state["softmax_temperature"] == 2.5
    assert at.session_state["relu_w1"] == 1.0 and at.session_state["relu_b1"] == -1.0


def test_url_follows_the_view(new_app) -> None:
    """After changes on the page the URL's query names them, and feeding that query to a new session restores them."""
    at = new_app(tabs="Softmax explorer").run()
    at.session_state["softmax_z1"] = 7.5  # as the board's release leaves them
    at.session_state["softmax_temperature"] = 0.5
    at.run()
    at.radio(key="draw_source").set_value("example").run()
    query = dict(at.query_params)
    assert query["tab"] == "softmax" and query["z"] == "1,7.5,3,4" and query["T"] == "0.5"
    assert query["input"] == "example" and query["example"] == "1015"

    again = new_app()
    again.query_params.update(query)
    again.run()
    assert not again.exception
    assert again.session_state["softmax_z1"] == 7.5 and again.session_state["softmax_temperature"] == 0.5
    assert again.number_input(key="draw_example").value == 1015


def test_lesson_link_locks_one_tab(new_app) -> None:
    """A lesson link opens its tab locked: the page's style hides the other tabs, the controls it names are hidden
    (the board is told, the button is not drawn) and the address keeps the lock."""
    at = new_app()
    at.query_params.update({"tab": "softmax", "lock": "1", "hide": "temperature,load", "z": "1,5"})
    at.run()
    assert not at.exception
    assert at.session_state["tabs"] == message("en", "tabs.softmax")
    assert any(LESSON_CSS in element.proto.body for element in at.get("html"))
    [board] = [e for e in at.get("bidi_component") if e.proto.id.endswith("softmax_live")]
    assert json.loads(board.proto.json)["hidden"] == ["temperature", "load"]
    assert "softmax_load_logits" not in [button.key for button in at.button]
    query = dict(at.query_params)
    assert (query["tab"], query["lock"], query["hide"], query["z"]) == ("softmax", "1", "temperature,load", "1,5")


@pytest.mark.parametrize(
    "query",
    [
        {"tab": "nowhere", "lock": "1"},
        {"tab": "softmax", "lock": "1", "hide": "temperature,everything"},
        {"tab": "relu", "lock": "1", "hide": "load"},  # the Softmax explorer's button, not the game's
        {"tab": "softmax", "lock": "yes"},
        {"tab": "softmax", "lock": "1", "hide": "x" * 5000},
    ],
    ids=range(5),
)
def test_lesson_link_asking_for_the_unknown_opens_the_full_app(new_app, query) -> None:
    """A lesson link naming an unknown tab or control, or a lock that is not 1, opens the full app: no lesson style,
    every control drawn, no lock in the address."""
    at = new_app()
    at.query_params.update(query)
    at.run()
    assert not at.exception
    assert not any(LESSON_CSS in element.proto.body for element in at.get("html"))
    assert at.session_state["links_lesson"] is None
    assert "lock" not in dict(at.query_params)
