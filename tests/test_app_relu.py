"""AppTest of the ReLU explorer: the match-the-target game's sliders, error figure and solution button."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from digitdemo.i18n import message

RELU_TAB = 2
PARAMS = ("relu_w1", "relu_b1", "relu_w2", "relu_b2")


@pytest.fixture
def at(new_app) -> AppTest:
    return new_app(tabs="ReLU explorer").run()


def shown_error(at: AppTest, lang: str = "en") -> float:
    [metric] = [m for m in at.tabs[RELU_TAB].metric if m.label == message(lang, "relu.error")]
    return float(metric.value)


def expected_error(w1: float, b1: float, w2: float, b2: float) -> float:
    """Mean squared error on 301 points of [0, 3], written out here independently of digitdemo.relu_lab."""
    x = np.linspace(0, 3, 301)
    out = np.maximum(0, -2 * x + 2) + np.maximum(0, w1 * x + b1) + np.maximum(0, w2 * x + b2)
    want = np.where(x < 1, -2 * x + 2, np.where(x < 2, x - 1, 3 * x - 5))
    return float(np.mean((out - want) ** 2))


def test_start_at_zero_with_the_fixed_unit_only(at):
    """The four sliders start at 0, range -4..4 step 0.1; the error shown is that of unit 0 alone."""
    assert not at.exception
    for key in PARAMS:
        slider = at.slider(key=key)
        assert (slider.value, slider.min, slider.max, slider.step) == (0.0, -4.0, 4.0, 0.1)
    assert shown_error(at) == pytest.approx(expected_error(0, 0, 0, 0), abs=5e-5)
    assert not at.tabs[RELU_TAB].success


def test_moving_sliders_updates_the_error(at):
    """With only unit 1 set (w1=1, b1=-1) the error drops to that of the missing third piece."""
    at.slider(key="relu_w1").set_value(1.0).run()
    at.slider(key="relu_b1").set_value(-1.0).run()
    assert not at.exception
    assert shown_error(at) == pytest.approx(expected_error(1, -1, 0, 0), abs=5e-5)
    assert 0 < shown_error(at) < expected_error(0, 0, 0, 0)


def test_show_solution_gives_zero_error(at):
    """The solution button sets w1=1, b1=-1, w2=2, b2=-4; the error reads 0 and the match is announced."""
    at.button(key="relu_show_solution").click().run()
    assert not at.exception
    assert [at.slider(key=k).value for k in PARAMS] == [1.0, -1.0, 2.0, -4.0]
    assert shown_error(at) == 0.0
    assert message("en", "relu.perfect") in [s.value for s in at.tabs[RELU_TAB].success]


def test_reset_returns_to_zero(at):
    """After the solution, reset puts all four sliders back at 0."""
    at.button(key="relu_show_solution").click().run()
    at.button(key="relu_reset").click().run()
    assert [at.slider(key=k).value for k in PARAMS] == [0.0] * 4


def test_chinese(new_app):
    """In Chinese the game and its lesson render with Chinese labels; the solution still gives 0."""
    at = new_app(tabs="ReLU explorer")
    at.session_state["lang"] = "zh"
    at.run()
    at.button(key="relu_show_solution").click().run()
    assert not at.exception
    assert at.button(key="relu_show_solution").label == "显示答案"
    assert shown_error(at, "zh") == 0.0
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
