"""AppTest of the ReLU explorer: what the game's live board is handed, the verdict and the solution button. The board's
own curves and error while dragging are checked in tests/browser/test_explorers.py."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from digitdemo import relu_lab
from digitdemo.i18n import message
from ui.relu import BOARD_KEY

RELU_TAB = 2
PARAMS = ("relu_w1", "relu_b1", "relu_w2", "relu_b2")


@pytest.fixture
def at(new_app) -> AppTest:
    return new_app(tabs="ReLU explorer").run()


def board(at: AppTest) -> dict:
    """The data the live board was handed on the last run."""
    [element] = [e for e in at.get("bidi_component") if e.proto.id.endswith(BOARD_KEY)]
    return json.loads(element.proto.json)


def expected_error(w1: float, b1: float, w2: float, b2: float) -> float:
    """Mean squared error on 301 points of [0, 3], written out here independently of digitdemo.relu_lab."""
    x = np.linspace(0, 3, 301)
    out = np.maximum(0, -2 * x + 2) + np.maximum(0, w1 * x + b1) + np.maximum(0, w2 * x + b2)
    want = np.where(x < 1, -2 * x + 2, np.where(x < 2, x - 1, 3 * x - 5))
    return float(np.mean((out - want) ** 2))


def test_start_at_zero_with_the_fixed_unit_only(at):
    """The board starts at 0 for all four, its sliders -4..4 step 0.1 on the lab's grid with unit 0 fixed at
    w = -2, b = 2; nothing is matched yet."""
    assert not at.exception
    data = board(at)
    assert data["values"] == {"w1": 0.0, "b1": 0.0, "w2": 0.0, "b2": 0.0}
    limits = data["limits"]
    assert (limits["min"], limits["max"], limits["step"], limits["points"]) == (-4.0, 4.0, 0.1, 301)
    assert (limits["fixed_w0"], limits["fixed_b0"], limits["x_min"], limits["x_max"]) == (-2.0, 2.0, 0.0, 3.0)
    assert expected_error(0, 0, 0, 0) == pytest.approx(relu_lab.mean_squared_error(0, 0, 0, 0), abs=1e-12)
    assert not at.tabs[RELU_TAB].success


def test_values_set_by_a_release_reach_the_board(at):
    """With w1 = 1, b1 = -1 in the session (as a release leaves them), the board shows them and no match is claimed:
    the third piece is still missing."""
    at.session_state["relu_w1"] = 1.0
    at.session_state["relu_b1"] = -1.0
    at.run()
    assert not at.exception
    assert board(at)["values"] == {"w1": 1.0, "b1": -1.0, "w2": 0.0, "b2": 0.0}
    assert 0 < expected_error(1, -1, 0, 0) < expected_error(0, 0, 0, 0)
    assert not at.tabs[RELU_TAB].success


def test_show_solution_gives_zero_error(at):
    """The solution button sets w1=1, b1=-1, w2=2, b2=-4; the error reads 0 and the match is announced."""
    at.button(key="relu_show_solution").click().run()
    assert not at.exception
    assert [at.session_state[k] for k in PARAMS] == [1.0, -1.0, 2.0, -4.0]
    assert board(at)["values"] == relu_lab.SOLUTION
    assert message("en", "relu.perfect") in [s.value for s in at.tabs[RELU_TAB].success]


def test_reset_returns_to_zero(at):
    """After the solution, reset puts all four sliders back at 0."""
    at.button(key="relu_show_solution").click().run()
    at.button(key="relu_reset").click().run()
    assert [at.session_state[k] for k in PARAMS] == [0.0] * 4
    assert not at.tabs[RELU_TAB].success


def test_chinese(new_app):
    """In Chinese the game and its lesson render with Chinese labels; the solution still gives 0."""
    at = new_app(tabs="ReLU explorer")
    at.session_state["lang"] = "zh"
    at.run()
    at.button(key="relu_show_solution").click().run()
    assert not at.exception
    assert at.button(key="relu_show_solution").label == "显示答案"
    assert board(at)["text"]["error"] == message("zh", "relu.error")
    assert [s.value for s in at.tabs[RELU_TAB].success] == [message("zh", "relu.perfect")]
    assert any("要点" in i.value for i in at.tabs[RELU_TAB].info)


def test_lesson_waits_for_the_game(at):
    """The lesson, which gives the answer away, is not on the page before the game is won; Show solution brings it."""
    lesson = message("en", "relu.lesson")
    assert lesson not in [box.value for box in at.tabs[RELU_TAB].info]
    assert message("en", "presenter.relu_lesson_later") in [c.value for c in at.tabs[RELU_TAB].caption]
    at.button(key="relu_show_solution").click().run()
    assert lesson in [box.value for box in at.tabs[RELU_TAB].info]


@pytest.mark.parametrize("present", [False, True])
def test_task_shown_once(new_app, present):
    """The game's task is on the page once: above the board, or in the presenter view under the sliders (the board's
    result then fits above the fold); the won game still says so."""
    at = new_app(tabs="ReLU explorer", app_present=present).run()
    at.button(key="relu_show_solution").click().run()
    assert not at.exception
    task = message("en", "relu.game_intro")
    assert [m.value for m in at.tabs[RELU_TAB].markdown].count(task) == 1
    assert [s.value for s in at.tabs[RELU_TAB].success] == [message("en", "relu.perfect")]
