"""Two sessions at once: a training running in one is private to it, and a second one is told to wait."""

from __future__ import annotations

import time

import numpy as np

from digitdemo.i18n import message
from digitdemo.numpy_model import load_model

TIMEOUT = 180
EXAMPLE = 1015


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_training_in_one_session_is_private_and_exclusive(dataset, lab_model, lab_example_session) -> None:
    """While A trains: B keeps the lab model's prediction and B's Train is told to wait; after: only A's model
    changed."""
    a, b = lab_example_session(), lab_example_session()
    assert not a.exception and not b.exception
    lab_logits = lab_model.predict_logits(dataset.X[EXAMPLE])[0]
    np.testing.assert_allclose(a.session_state["current_logits"], lab_logits, rtol=1e-6)
    np.testing.assert_allclose(b.session_state["current_logits"], lab_logits, rtol=1e-6)

    # One epoch at a time, so A's run is still going (waiting after epoch 1) while B is checked.
    a.number_input(key="model_epochs").set_value(2).run()
    a.number_input(key="model_learning_rate").set_value(0.01).run()
    a.checkbox(key="model_step").check().run()
    a.button(key="model_train").click().run()
    job = a.session_state["training_job"]
    wait_for(lambda: job.state == "waiting", TIMEOUT)

    b.number_input(key="draw_example").set_value(0).run()
    b.number_input(key="draw_example").set_value(EXAMPLE).run()
    np.testing.assert_allclose(b.session_state["current_logits"], lab_logits, rtol=1e-6)
    b.button(key="model_train").click().run()
    assert not b.exception
    assert message("en", "training.busy") in [warning.value for warning in b.warning]
    assert "training_job" not in b.session_state

    job.step()
    job.join(TIMEOUT)
    assert job.state == "done", job.error
    a.run()
    assert not a.exception
    assert a.sidebar.radio(key="model_choice").value == "session"
    assert not np.allclose(a.session_state["current_logits"], lab_logits, atol=1e-3)  # A now serves its own model

    b.run()
    assert not b.exception
    assert "training_job" not in b.session_state
    np.testing.assert_allclose(b.session_state["current_logits"], lab_logits, rtol=1e-6)
    # The cached shipped model was not touched: it still equals the file on disk.
    for key, value in load_model("lab").weights.items():
        np.testing.assert_array_equal(lab_model.weights[key], value)


def test_choices_and_inputs_stay_in_their_session(dataset, lab_model, lab_example_session, new_app) -> None:
    """Language, input source and example chosen in one session leave another session's choices and result untouched."""
    b = lab_example_session()
    a = new_app().run()
    a.radio(key="draw_source").set_value("example").run()
    a.number_input(key="draw_example").set_value(7).run()
    # Last: after a language switch AppTest re-sends the model radio through an English format_func and fails.
    a.segmented_control(key="lang").set_value("zh").run()
    b.run()
    assert not a.exception and not b.exception
    assert a.session_state["lang"] == "zh" and b.session_state["lang"] == "en"
    assert [tab.label for tab in a.tabs][0] == "手写" and [tab.label for tab in b.tabs][0] == "Draw"
    assert b.number_input(key="draw_example").value == EXAMPLE
    np.testing.assert_allclose(
        b.session_state["current_logits"], lab_model.predict_logits(dataset.X[EXAMPLE])[0], rtol=1e-6
    )
    assert not np.allclose(a.session_state["current_logits"], b.session_state["current_logits"])
