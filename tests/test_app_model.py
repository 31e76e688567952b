"""AppTest checks of the Model tab: the summary's figures, the shipped loss curve, and in-app training, which runs on
its own thread, serves only its session, survives other clicks, and can be stopped."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from digitdemo.catalog import SESSION_MODEL, shipped_models
from digitdemo.i18n import message
from digitdemo.live_training import TrainingSettings, start_training
from digitdemo.model_card import model_card
from digitdemo.numpy_model import load_record

RUN_SECONDS = 180


def shown_probability(at: AppTest) -> str:
    (metric,) = [metric for metric in at.metric if metric.label == message("en", "draw.prediction")]
    return metric.proto.delta


def finish_training(at: AppTest) -> None:
    """Wait for the session's run to end, then run the page once more (what the open tab's poll would do)."""
    job = at.session_state["training_job"]
    job.join(RUN_SECONDS)
    assert job.finished, "training did not end in time"
    at.run()


def test_summary_counts_10575_parameters_with_the_labs_shapes(lab_example_session) -> None:
    """The summary lists L1-L3 with the lab's weight shapes and 10,575 parameters, and plots the shipped loss curve."""
    at = lab_example_session()
    assert not at.exception
    column = {name: message("en", f"model.{name}") for name in ("parameters", "weights", "output_shape")}
    (table,) = [frame.value for frame in at.table if column["parameters"] in frame.value.columns]
    assert list(table[column["weights"]]) == ["W1 (400, 25)", "W2 (25, 15)", "W3 (15, 10)"]
    assert list(table[column["parameters"]]) == ["10,025", "390", "160"]
    assert list(table[column["output_shape"]]) == ["(None, 25)", "(None, 15)", "(None, 10)"]
    assert message("en", "model.total_parameters", n_params=10_575) in [caption.value for caption in at.caption]
    (curve,) = [chart for chart in at.get("plotly_chart") if chart.proto.id.endswith("-model_shipped_loss")]
    assert json.loads(curve.proto.spec)["data"][0]["y"] == load_record("lab")["loss_per_epoch"]


def test_training_serves_only_this_session(dataset, lab_model, lab_example_session) -> None:
    """A finished run becomes this session's model, chosen in the sidebar beside the shipped ones (and switchable back),
    with a download; another session keeps the lab model."""
    at = lab_example_session()
    at.number_input(key="model_epochs").set_value(2).run()
    at.button(key="model_train").click().run()
    finish_training(at)
    assert not at.exception
    job = at.session_state["training_job"]
    assert len(job.history) == 2 and job.keras_bytes[:2] == b"PK"  # a .keras file is a zip archive
    choice = at.sidebar.radio(key="model_choice")
    assert choice.options == [message("en", entry.label_id) for entry in shipped_models()] + [
        message("en", "catalog.session")
    ]
    assert choice.value == SESSION_MODEL
    proba = job.model.predict_proba(dataset.X[1015])[0]
    assert shown_probability(at) == message("en", "draw.probability", p=proba.max())
    assert message("en", "sidebar.using_session_model") in [info.value for info in at.sidebar.info]

    other = lab_example_session()
    assert "training_job" not in other.session_state
    lab_proba = lab_model.predict_proba(dataset.X[1015])[0]
    assert shown_probability(other) == message("en", "draw.probability", p=lab_proba.max())

    at.sidebar.radio(key="model_choice").set_value("lab").run()  # switchable like the others
    assert shown_probability(at) == shown_probability(other)
    at.sidebar.radio(key="model_choice").set_value(SESSION_MODEL).run()
    assert shown_probability(at) == message("en", "draw.probability", p=proba.max())
    at.button(key="model_reset").click().run()
    assert "training_job" not in at.session_state
    assert at.sidebar.radio(key="model_choice").value == shipped_models()[0].name  # back to the app's first choice


def test_training_survives_tab_language_and_control_changes(lab_example_session) -> None:
    """Pressing Train, then opening another tab, switching language and touching a control, still ends with the model
    and its record; the settings are kept through it all."""
    at = lab_example_session()
    at.number_input(key="model_epochs").set_value(3).run()
    at.button(key="model_train").click().run()
    at.session_state["tabs"] = message("en", "tabs.draw")
    at.run()
    at.segmented_control(key="lang").set_value("zh").run()
    at.toggle(key="draw_logits").set_value(True).run()
    assert not at.exception
    finish_training(at)
    job = at.session_state["training_job"]
    assert job.state == "done" and [s.epoch for s in job.history] == [1, 2, 3]
    assert at.sidebar.radio(key="model_choice").value == SESSION_MODEL
    at.session_state["tabs"] = message("zh", "tabs.model")
    at.run()
    assert at.number_input(key="model_epochs").value == 3
    assert message(
        "zh", "model.run_done", done=3, total=3, loss=job.history[-1].loss, errors=job.history[-1].train_errors, n=5000
    ) in [s.value for s in at.success]


def test_stop_ends_a_stepped_run_with_the_last_epochs_model(lab_example_session) -> None:
    """One epoch at a time: the run waits after epoch 1 with Next epoch enabled; Stop ends it keeping that model."""
    at = lab_example_session()
    at.number_input(key="model_epochs").set_value(5).run()
    at.checkbox(key="model_step").check().run()
    at.button(key="model_train").click().run()
    job = at.session_state["training_job"]
    deadline = time.monotonic() + RUN_SECONDS
    while job.state != "waiting":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    at.run()
    assert not at.button(key="model_next_epoch").disabled
    at.button(key="model_stop").click().run()
    finish_training(at)
    assert job.state == "stopped" and len(job.history) == 1
    assert at.sidebar.radio(key="model_choice").value == SESSION_MODEL


def test_settings_survive_a_visit_to_another_tab(lab_example_session) -> None:
    """Epochs, learning rate and the two options keep their values after the Draw tab was open in between."""
    at = lab_example_session()
    at.number_input(key="model_epochs").set_value(7).run()
    at.number_input(key="model_learning_rate").set_value(0.005).run()
    at.checkbox(key="model_holdout").check().run()
    at.session_state["tabs"] = message("en", "tabs.draw")
    at.run()
    at.session_state["tabs"] = message("en", "tabs.model")
    at.run()
    assert at.number_input(key="model_epochs").value == 7
    assert at.number_input(key="model_learning_rate").value == 0.005
    assert at.checkbox(key="model_holdout").value is True


def test_busy_server_refuses_a_second_training(dataset, lab_example_session) -> None:
    """While another session's run holds the server, pressing Train says to wait and starts nothing."""
    other = start_training(dataset.X[::10], dataset.y[::10], TrainingSettings(epochs=2, step=True))
    try:
        at = lab_example_session()
        at.button(key="model_train").click().run()
    finally:
        other.stop()
        other.join(RUN_SECONDS)
    assert not at.exception
    assert message("en", "training.busy") in [warning.value for warning in at.warning]
    assert "training_job" not in at.session_state


@pytest.mark.parametrize("entry", shipped_models(), ids=lambda entry: entry.name)
def test_model_card_shows_the_records_figures(new_app, entry) -> None:
    """The Model tab's card for each shipped model words every line of digitdemo.model_card from the model's record,
    and its per-digit and reliability charts plot the record's own figures."""
    at = new_app(tabs="Model", model_choice=entry.name).run()
    assert not at.exception
    record = load_record(entry.name)
    card = model_card(entry, record)
    shown = "\n".join(markdown.value for markdown in at.markdown)
    assert message("en", "model.card_heading", model=message("en", entry.label_id)) in [h.value for h in at.subheader]
    for line in card.lines:
        assert message("en", line.msg_id, **line.params) in shown
    charts = {chart.proto.id.rpartition("-")[2]: json.loads(chart.proto.spec) for chart in at.get("plotly_chart")}
    if card.per_digit is not None:
        assert charts["model_card_per_digit"]["data"][0]["y"] == pytest.approx(card.per_digit)
    if card.reliability_after is not None:
        after = charts["model_card_reliability"]["data"][2]
        shown_bins = [i for i, n in enumerate(card.reliability_after["count"]) if n]
        assert after["y"] == pytest.approx([card.reliability_after["accuracy"][i] for i in shown_bins])
