"""Two sessions at once: a training running in one is private to it, and a second one is told to wait.

tests/test_app_model.py covers sessions one after the other and a lock held by hand; these run a real training in
one session's thread while another session uses the app.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from streamlit.runtime import Runtime
from streamlit.testing.v1 import AppTest

from digitdemo.inference import load_model
from ui.model_tab import TRAINING_LOCK

TIMEOUT = 60
TRAIN_TIMEOUT = 240
EXAMPLE = 1015


def run_beside(at: AppTest, runtime: object) -> AppTest:
    """Run `at` while another AppTest is mid-run in a thread, then give that run back the runtime it set.

    AppTest installs a mock Runtime as a process-wide singleton for each run and clears it after; a real server
    has one Runtime for all sessions, so restoring it is what a real server would look like.
    """
    try:
        return at.run()
    finally:
        Runtime._instance = runtime


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_training_in_one_session_is_private_and_exclusive(dataset, lab_model, lab_example_session) -> None:
    """While A trains: B keeps the lab model's prediction and B's Train is told to wait; after: only A's model changed."""
    a, b = lab_example_session(), lab_example_session()
    assert not a.exception and not b.exception
    lab_logits = lab_model.predict_logits(dataset.X[EXAMPLE])[0]
    np.testing.assert_allclose(a.session_state["current_logits"], lab_logits, rtol=1e-6)
    np.testing.assert_allclose(b.session_state["current_logits"], lab_logits, rtol=1e-6)

    a.number_input(key="model_epochs").set_value(3)
    a.number_input(key="model_learning_rate").set_value(0.01)
    a.button(key="model_train").click()
    errors: list[BaseException] = []

    def train_a() -> None:
        try:
            a.run(timeout=TRAIN_TIMEOUT)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    trainer = threading.Thread(target=train_a, daemon=True)
    trainer.start()
    wait_for(TRAINING_LOCK.locked, TIMEOUT)
    runtime_of_a = Runtime._instance

    b.number_input(key="draw_example").set_value(0)
    run_beside(b, runtime_of_a)
    b.number_input(key="draw_example").set_value(EXAMPLE)
    run_beside(b, runtime_of_a)
    assert TRAINING_LOCK.locked(), "A's training ended before B was checked; make it longer"
    np.testing.assert_allclose(b.session_state["current_logits"], lab_logits, rtol=1e-6)
    b.button(key="model_train").click()
    run_beside(b, runtime_of_a)
    assert not b.exception
    assert any("Wait a minute" in warning.value for warning in b.warning)
    assert "session_model" not in b.session_state

    trainer.join(TRAIN_TIMEOUT)
    assert not trainer.is_alive() and not errors, errors
    assert not a.exception
    assert not TRAINING_LOCK.locked()
    assert a.session_state["session_model"].name == "session"
    assert not np.allclose(a.session_state["current_logits"], lab_logits, atol=1e-3)  # A now serves its own model

    b.run()
    assert not b.exception
    assert "session_model" not in b.session_state and "session_losses" not in b.session_state
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
    np.testing.assert_allclose(b.session_state["current_logits"], lab_model.predict_logits(dataset.X[EXAMPLE])[0],
                               rtol=1e-6)  # fmt: skip
    assert not np.allclose(a.session_state["current_logits"], b.session_state["current_logits"])
