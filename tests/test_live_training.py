"""In-app training runs on its own thread: progress per epoch, stop, step, one run per server, bad settings refused."""

from __future__ import annotations

import time

import numpy as np
import pytest

from digitdemo.catalog import SESSION_MODEL
from digitdemo.live_training import (
    EPOCHS_RANGE,
    MIN_CLASS_DRAWINGS,
    ClassTooSmallError,
    TrainingBusyError,
    TrainingSettings,
    TrainingSettingsError,
    split_class_drawings,
    start_training,
)
from digitdemo.numpy_model import load_model

RUN_SECONDS = 120


def wait_for(condition, seconds: float = RUN_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the training run did not get there in time"
        time.sleep(0.05)


@pytest.fixture
def small(dataset):
    """Every tenth digit: 500 examples, 50 of each class (the runs train with Keras)."""
    pytest.importorskip("keras")
    return dataset.X[::10], dataset.y[::10]


def test_run_reports_every_epoch_and_ends_with_a_model(small):
    """A finished run has one EpochStats per epoch (errors counted on its training digits), a model and .keras bytes."""
    X, y = small
    job = start_training(X, y, TrainingSettings(epochs=3, learning_rate=0.005))
    job.join(RUN_SECONDS)
    assert job.state == "done", job.error
    assert [s.epoch for s in job.history] == [1, 2, 3]
    assert all(s.n_train == len(X) and s.heldout_accuracy is None for s in job.history)
    assert job.model is not None and job.model.name == SESSION_MODEL and job.model.origin == SESSION_MODEL
    # The last epoch's error count is the finished model's.
    assert job.history[-1].train_errors == int(np.sum(job.model.predict(X) != y[:, 0]))
    assert job.history[-1].loss < job.history[0].loss
    assert job.keras_bytes[:2] == b"PK"  # a .keras file is a zip archive


def test_holdout_trains_on_four_fifths_and_scores_the_rest(small):
    """With holdout, the run trains on a stratified 80% and reports accuracy on the other 20% after every epoch."""
    X, y = small
    job = start_training(X, y, TrainingSettings(epochs=2, learning_rate=0.005, holdout=True))
    job.join(RUN_SECONDS)
    assert job.state == "done", job.error
    assert job.n_examples == 400 and all(s.n_train == 400 for s in job.history)
    assert all(0.0 <= s.heldout_accuracy <= 1.0 for s in job.history)
    assert job.history[-1].heldout_accuracy > 0.5  # well above chance (0.1) after two epochs at this rate


def test_a_second_run_is_refused_while_one_trains(small):
    """One run per server: a second start raises TrainingBusyError until the first has ended, then works."""
    X, y = small
    first = start_training(X, y, TrainingSettings(epochs=3, step=True))
    try:
        with pytest.raises(TrainingBusyError) as refused:
            start_training(X, y, TrainingSettings(epochs=1))
        assert refused.value.msg_id == "training.busy"
    finally:
        first.stop()
        first.join(RUN_SECONDS)
    second = start_training(X, y, TrainingSettings(epochs=1))
    second.join(RUN_SECONDS)
    assert second.state == "done", second.error


def test_stepped_run_waits_after_each_epoch_and_stop_keeps_its_weights(small):
    """A stepped run pauses after every epoch until step(); stop() ends it with the model of the last epoch."""
    X, y = small
    job = start_training(X, y, TrainingSettings(epochs=5, step=True))
    wait_for(lambda: job.state == "waiting")
    assert len(job.history) == 1
    job.step()
    wait_for(lambda: len(job.history) == 2 and job.state == "waiting")
    job.stop()
    job.join(RUN_SECONDS)
    assert job.state == "stopped" and len(job.history) == 2
    assert job.model is not None and job.model.fingerprint == job.latest.fingerprint


@pytest.mark.parametrize(
    "settings",
    [TrainingSettings(epochs=0), TrainingSettings(epochs=EPOCHS_RANGE[1] + 1), TrainingSettings(learning_rate=0.5)],
)
def test_settings_out_of_range_are_refused_before_training(small, settings):
    """Epochs or a learning rate outside the allowed ranges raise TrainingSettingsError and start nothing."""
    with pytest.raises(TrainingSettingsError):
        start_training(*small, settings)
    job = start_training(*small, TrainingSettings(epochs=1))  # the server was not left busy
    job.join(RUN_SECONDS)
    assert job.state == "done"


def test_fingerprint_is_of_the_weights():
    """Equal weights give equal fingerprints; a changed weight gives another."""
    lab, robust = load_model("lab"), load_model("robust")
    assert lab.fingerprint == load_model("lab").fingerprint != robust.fingerprint
    changed = {key: value.copy() for key, value in lab.weights.items()}
    changed["b3"][0] += 1e-3
    assert type(lab)(changed).fingerprint != lab.fingerprint


def test_class_split_adds_a_stratified_half_and_keeps_the_other_unseen(dataset):
    """split_class_drawings: the training digits plus half of each digit's class drawings; the other half apart;
    every drawing on exactly one side; a digit drawn once stays on the training side."""
    rng = np.random.default_rng(0)
    y_class = np.array([*[3] * 6, *[7] * 4, 9]).reshape(-1, 1)
    X_class = rng.random((len(y_class), 400)).astype(np.float32)
    split = split_class_drawings(dataset.X, dataset.y, X_class, y_class)
    assert split.n_added == 6 and len(split.X_test) == 5
    assert split.X_train.shape == (len(dataset.X) + 6, 400) and split.y_train.shape == (len(dataset.X) + 6, 1)
    np.testing.assert_array_equal(split.X_train[: len(dataset.X)], dataset.X)
    assert sorted(split.y_test[:, 0].tolist()) == [3, 3, 3, 7, 7]
    assert sorted(split.y_train[len(dataset.X) :, 0].tolist()) == [3, 3, 3, 7, 7, 9]
    added = {row.tobytes() for row in split.X_train[len(dataset.X) :]}
    kept = {row.tobytes() for row in split.X_test}
    assert not added & kept and added | kept == {row.tobytes() for row in X_class}


@pytest.mark.parametrize("labels", [list(range(9)), list(range(10))])
def test_class_split_refuses_too_few_drawings(dataset, labels):
    """Nine drawings, or ten with no digit drawn twice (nothing to keep unseen), are ClassTooSmallError."""
    y_class = np.array(labels).reshape(-1, 1)
    with pytest.raises(ClassTooSmallError) as refused:
        split_class_drawings(dataset.X, dataset.y, np.zeros((len(y_class), 400), np.float32), y_class)
    assert refused.value.msg_id == "classroom.too_few_to_train"
    assert refused.value.params == {"count": len(labels), "minimum": MIN_CLASS_DRAWINGS}
