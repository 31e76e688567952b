"""AppTest of the Softmax explorer: what its live board is handed (values, limits, texts), the numbers table, and
loading the drawing's logits. The board's own drawing and dragging are checked in tests/browser/test_explorers.py."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from digitdemo.i18n import message
from ui.softmax import BOARD_KEY, EXP_OVERFLOW

SOFTMAX_TAB = 1


def by_definition(z) -> np.ndarray:
    """e^z_i / sum_j e^z_j straight from the definition (the app's values are small enough not to overflow), so
    the page is checked against the formula, not against the my_softmax it calls."""
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / e.sum()


@pytest.fixture
def at(new_app) -> AppTest:
    return new_app(tabs="Softmax explorer").run()


def board(at: AppTest, key: str = BOARD_KEY) -> dict:
    """The data the live board `key` was handed on the last run."""
    [element] = [e for e in at.get("bidi_component") if e.proto.id.endswith(key)]
    return json.loads(element.proto.json)


def board_z(at: AppTest) -> np.ndarray:
    """The z values on the board's sliders, z0 first."""
    values = board(at)["values"]
    return np.array(values["z"][: values["n"]])


def numbers(at: AppTest):
    """The explorer's table of z, z/T, e^(z/T) and softmax."""
    return at.tabs[SOFTMAX_TAB].dataframe[0].value


def test_lab_start_sums_to_one_and_matches_by_definition(at):
    """The lab's start: four sliders at 1, 2, 3, 4 at T = 1; the probabilities are e^z / sum e^z and sum to 1."""
    assert not at.exception
    values = board(at)["values"]
    assert (values["n"], values["T"], values["wide"], values["shift"]) == (4, 1.0, False, 0)
    np.testing.assert_array_equal(board_z(at), [1, 2, 3, 4])
    table = numbers(at)
    np.testing.assert_allclose(table["softmax"], by_definition([1.0, 2, 3, 4]), atol=1e-12)
    np.testing.assert_allclose(table["e^(z/T)"], np.exp([1.0, 2, 3, 4]))


def test_board_limits_are_the_labs(at):
    """The board's sliders run as the lab's (0.1..10 step 0.1, or -60..60), T 0.1..5, 2..10 classes; the overflow
    limit is float64's."""
    limits = board(at)["limits"]
    assert (limits["z_min"], limits["z_max"], limits["z_step"]) == (0.1, 10.0, 0.1)
    assert (limits["wide_min"], limits["wide_max"], limits["t_min"], limits["t_max"]) == (-60.0, 60.0, 0.1, 5.0)
    assert (limits["n_min"], limits["n_max"]) == (2, 10)
    assert limits["exp_overflow"] == pytest.approx(709.78, abs=0.01) == EXP_OVERFLOW


def test_moved_values_and_temperature(at):
    """With z0 at 7.5 and T = 2 in the session (as a release leaves them), the board and the table show them and the
    table is by_definition(z / 2)."""
    at.session_state["softmax_z0"] = 7.5
    at.session_state["softmax_temperature"] = 2.0
    at.run()
    assert not at.exception
    z = board_z(at)
    assert z[0] == 7.5 and board(at)["values"]["T"] == 2.0
    table = numbers(at)
    np.testing.assert_allclose(table["softmax"], by_definition(z / 2.0), atol=1e-12)
    assert table["softmax"].sum() == pytest.approx(1.0, abs=1e-12)


def test_ten_classes(at):
    """With 10 classes the board has ten values, z4..z9 at their defaults, and the table 10 rows summing to 1."""
    at.session_state["softmax_classes"] = 10
    at.run()
    assert not at.exception
    z = board_z(at)
    np.testing.assert_array_equal(z, [1.0, 2.0, 3.0, 4.0, 2.5, 1.5, 3.5, 0.5, 2.0, 3.0])
    table = numbers(at)
    assert len(table) == 10
    np.testing.assert_allclose(table["softmax"], by_definition(z), atol=1e-12)


def test_load_logits_puts_the_drawing_on_ten_sliders(at):
    """With current_logits set by the Draw tab, the button gives the board 10 classes, the wide range, T = 1 and the
    logits rounded to 0.1; the probabilities match the logits' softmax within rounding."""
    logits = np.array([-3.24, 1.5, 12.71, 4.0, -8.1, 0.33, 2.2, 5.5, -41.0, 0.0])
    at.session_state["current_logits"] = logits
    at.session_state["softmax_temperature"] = 3.0
    at.button(key="softmax_load_logits").click().run()
    assert not at.exception
    values = board(at)["values"]
    assert (values["n"], values["wide"], values["T"]) == (10, True, 1.0)
    np.testing.assert_allclose(board_z(at), np.round(logits, 1))
    np.testing.assert_allclose(numbers(at)["softmax"], by_definition(logits), atol=0.01)
    gap = np.abs(by_definition(np.round(logits, 1)) - by_definition(logits)).max()
    assert message("en", "softmax.loaded", gap=gap) in [s.value for s in at.tabs[SOFTMAX_TAB].success]


def test_load_without_a_drawing_says_so(at):
    """Without current_logits the button leaves the sliders alone and asks for a drawing."""
    at.session_state["current_logits"] = None
    at.button(key="softmax_load_logits").click().run()
    assert not at.exception
    np.testing.assert_array_equal(board_z(at), [1, 2, 3, 4])
    assert message("en", "softmax.draw_first") in [i.value for i in at.tabs[SOFTMAX_TAB].info]


def test_loaded_logits_beyond_the_range_are_clipped(at):
    """Logits beyond -60..60 land on the wide range's ends, and the note says how many were clipped."""
    at.session_state["current_logits"] = np.array([-75.0, 90.0, 3.0, 0.0, 1, 2, 3, 4, 5, 6])
    at.button(key="softmax_load_logits").click().run()
    assert not at.exception
    z = board_z(at)
    assert z[0] == -60.0 and z[1] == 60.0
    note = message("en", "softmax.clipped", n_clipped=2, low=-60.0, high=60.0)
    assert any(note in s.value for s in at.tabs[SOFTMAX_TAB].success)


def test_chinese(new_app):
    """In Chinese the board's words are the Chinese catalogue's, its templates left for the board to fill in."""
    at = new_app(tabs="Softmax explorer")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    text = board(at)["text"]
    assert text["classes"] == "类别数"
    assert "{total:.4g}" in text["share"] and text["sum"] == message("zh", "softmax.sum")
