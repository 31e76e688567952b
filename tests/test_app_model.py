"""AppTest checks of the Model tab: the summary's figures, the shipped loss curve, in-app training for one session."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from digitdemo.i18n import message
from digitdemo.inference import NumpyModel, load_record
from ui.model_tab import TRAINING_LOCK

TRAIN_TIMEOUT = 180


def shown_probability(at: AppTest) -> str:
    (metric,) = [metric for metric in at.metric if metric.label == message("en", "draw.prediction")]
    return metric.proto.delta


def test_summary_counts_10575_parameters_with_the_labs_shapes(lab_example_session) -> None:
    """The summary lists L1-L3 with the lab's weight shapes and 10,575 parameters, and plots the shipped loss curve."""
    at = lab_example_session()
    assert not at.exception
    column = {name: message("en", f"model.{name}") for name in ("parameters", "weights", "output_shape")}
    (table,) = [frame.value for frame in at.dataframe if column["parameters"] in frame.value.columns]
    assert list(table[column["weights"]]) == ["W1 (400, 25)", "W2 (25, 15)", "W3 (15, 10)"]
    assert list(table[column["parameters"]]) == ["10,025", "390", "160"]
    assert list(table[column["output_shape"]]) == ["(None, 25)", "(None, 15)", "(None, 10)"]
    assert message("en", "model.total_parameters", n_params=10_575) in [caption.value for caption in at.caption]
    (curve,) = [chart for chart in at.get("plotly_chart") if chart.proto.id.endswith("-model_shipped_loss")]
    assert json.loads(curve.proto.spec)["data"][0]["y"] == load_record("lab")["loss_per_epoch"]


def test_training_serves_only_this_session(dataset, lab_model, lab_example_session) -> None:
    """Training 2 epochs sets this session's model (used by the Draw tab) and a download; another session keeps lab."""
    at = lab_example_session()
    at.number_input(key="model_epochs").set_value(2).run()
    at.button(key="model_train").click().run(timeout=TRAIN_TIMEOUT)
    assert not at.exception
    session = at.session_state["session_model"]
    assert isinstance(session, NumpyModel) and session.name == "session"
    assert len(at.session_state["session_losses"]) == 2
    assert at.session_state["session_keras"][:2] == b"PK"  # a .keras file is a zip archive
    proba = session.predict_proba(dataset.X[1015])[0]
    assert shown_probability(at) == message("en", "draw.probability", p=proba.max())
    assert message("en", "sidebar.using_session_model") in [info.value for info in at.sidebar.info]

    other = lab_example_session()
    assert "session_model" not in other.session_state
    lab_proba = lab_model.predict_proba(dataset.X[1015])[0]
    assert shown_probability(other) == message("en", "draw.probability", p=lab_proba.max())

    at.button(key="model_reset").click().run()
    assert "session_model" not in at.session_state
    assert shown_probability(at) == shown_probability(other)


def test_busy_server_refuses_a_second_training(lab_example_session) -> None:
    """While another training holds the lock, pressing Train says to wait and trains nothing."""
    at = lab_example_session()
    assert TRAINING_LOCK.acquire(blocking=False)
    try:
        at.button(key="model_train").click().run()
    finally:
        TRAINING_LOCK.release()
    assert not at.exception
    assert message("en", "model.busy") in [warning.value for warning in at.warning]
    assert "session_model" not in at.session_state
    assert not TRAINING_LOCK.locked()
