"""AppTest of the Softmax explorer: slider values, classes, temperature, the overflow demo and loading logits."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from digitdemo.i18n import message
from ui.softmax import EXP_OVERFLOW

SOFTMAX_TAB = 1


def by_definition(z) -> np.ndarray:
    """e^z_i / sum_j e^z_j straight from the definition (the app's values are small enough not to overflow), so
    the page is checked against the formula, not against the my_softmax it calls."""
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / e.sum()


@pytest.fixture
def at(new_app) -> AppTest:
    return new_app(tabs="Softmax explorer").run()


def slider_z(at: AppTest) -> np.ndarray:
    """The z values on the explorer's sliders, z0 first."""
    n = at.slider(key="softmax_classes").value
    return np.array([at.slider(key=f"softmax_z{j}").value for j in range(n)])


def numbers(at: AppTest):
    """The explorer's table of z, z/T, e^(z/T) and softmax."""
    return at.tabs[SOFTMAX_TAB].dataframe[0].value


def test_lab_start_sums_to_one_and_matches_by_definition(at):
    """The lab's start: four sliders at 1, 2, 3, 4; the probabilities shown are e^z / sum e^z and sum to 1."""
    assert not at.exception
    np.testing.assert_array_equal(slider_z(at), [1, 2, 3, 4])
    table = numbers(at)
    np.testing.assert_allclose(table["softmax"], by_definition([1.0, 2, 3, 4]), atol=1e-12)
    np.testing.assert_allclose(table["e^(z/T)"], np.exp([1.0, 2, 3, 4]))
    # Plain text, not a metric: it is a check, not the tab's result.
    assert f"{message('en', 'softmax.sum')}: **1.000000**" in [m.value for m in at.tabs[SOFTMAX_TAB].markdown]


def test_moved_sliders_and_temperature(at):
    """After moving z0 and setting T = 2, the table shows by_definition(z / 2) for the new slider values."""
    at.slider(key="softmax_z0").set_value(7.5).run()
    at.slider(key="softmax_temperature").set_value(2.0).run()
    assert not at.exception
    z = slider_z(at)
    assert z[0] == 7.5
    table = numbers(at)
    np.testing.assert_allclose(table["softmax"], by_definition(z / 2.0), atol=1e-12)
    assert table["softmax"].sum() == pytest.approx(1.0, abs=1e-12)


def test_ten_classes_add_sliders(at):
    """Setting the number of classes to 10 adds sliders z4..z9; the table then has 10 rows summing to 1."""
    assert "softmax_z4" not in [s.key for s in at.slider]
    at.slider(key="softmax_classes").set_value(10).run()
    assert not at.exception
    assert [f"softmax_z{j}" for j in range(10)] == [s.key for s in at.slider if s.key.startswith("softmax_z")]
    table = numbers(at)
    assert len(table) == 10
    np.testing.assert_allclose(table["softmax"], by_definition(slider_z(at)), atol=1e-12)


def test_overflow_demo_naive_nan_stable_finite(at):
    """Adding 800 to every z: the naive formula shows nan, the stable one the unshifted softmax; the error says so."""
    at.slider(key="softmax_shift").set_value(800).run()
    assert not at.exception
    table = at.tabs[SOFTMAX_TAB].table[0].value
    assert (table[message("en", "softmax.naive")] == "nan").all()
    stable = table[message("en", "softmax.stable")].astype(float).to_numpy()
    assert np.isfinite(stable).all()
    np.testing.assert_allclose(stable, by_definition([1.0, 2, 3, 4]), atol=5e-5)
    assert message("en", "softmax.overflow_fails", limit=EXP_OVERFLOW) in [e.value for e in at.tabs[SOFTMAX_TAB].error]


def test_no_overflow_below_709(at):
    """With z below 709.78 both columns agree and no error is shown."""
    at.slider(key="softmax_shift").set_value(700).run()
    table = at.tabs[SOFTMAX_TAB].table[0].value
    assert (table[message("en", "softmax.naive")] == table[message("en", "softmax.stable")]).all()
    assert not at.tabs[SOFTMAX_TAB].error


def test_load_logits_puts_the_drawing_on_ten_sliders(at):
    """With current_logits set by the Draw tab, the button shows 10 classes, the wide range, and the logits
    rounded to 0.1 on the sliders; the probabilities match the logits' softmax within rounding."""
    logits = np.array([-3.24, 1.5, 12.71, 4.0, -8.1, 0.33, 2.2, 5.5, -41.0, 0.0])
    at.session_state["current_logits"] = logits
    at.button(key="softmax_load_logits").click().run()
    assert not at.exception
    assert at.slider(key="softmax_classes").value == 10
    assert at.toggle(key="softmax_wide").value is True
    np.testing.assert_allclose(slider_z(at), np.round(logits, 1))
    np.testing.assert_allclose(numbers(at)["softmax"], by_definition(logits), atol=0.01)
    gap = np.abs(by_definition(np.round(logits, 1)) - by_definition(logits)).max()
    assert message("en", "softmax.loaded", gap=gap) in [s.value for s in at.tabs[SOFTMAX_TAB].success]


def test_load_without_a_drawing_says_so(at):
    """Without current_logits the button leaves the sliders alone and asks for a drawing."""
    at.session_state["current_logits"] = None
    at.button(key="softmax_load_logits").click().run()
    assert not at.exception
    np.testing.assert_array_equal(slider_z(at), [1, 2, 3, 4])
    assert message("en", "softmax.draw_first") in [i.value for i in at.tabs[SOFTMAX_TAB].info]


def test_narrow_range_clips_loaded_logits(at):
    """Turning the wide range off after loading keeps every z inside the lab's 0.1..10."""
    at.session_state["current_logits"] = np.array([-5.0, 20.0, 3.0, 0.0, 1, 2, 3, 4, 5, 6])
    at.button(key="softmax_load_logits").click().run()
    at.toggle(key="softmax_wide").set_value(False).run()
    assert not at.exception
    z = slider_z(at)
    assert z.min() >= 0.1 and z.max() <= 10.0
    assert z[1] == 10.0 and z[0] == 0.1


def test_chinese(new_app):
    """In Chinese the explorer renders with Chinese labels and the sum still reads 1."""
    at = new_app(tabs="Softmax explorer")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert "概率之和: **1.000000**" in [m.value for m in at.tabs[SOFTMAX_TAB].markdown]
    assert at.slider(key="softmax_classes").label == "类别数"
