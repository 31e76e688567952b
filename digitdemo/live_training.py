"""Training a model in the app: a run on its own thread that a page can follow, stop or step through, one per server.

The run outlives the page that started it (a click, a tab or a language switch reruns the page, not the run).
Importing this module needs NumPy only; the run imports TensorFlow when it starts.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from digitdemo.catalog import LAB, SESSION_MODEL, Recipe
from digitdemo.data import stratified_split
from digitdemo.errors import DigitDemoError
from digitdemo.metrics import accuracy, count_errors
from digitdemo.numpy_model import NumpyModel

EPOCHS_RANGE = (1, 60)
LEARNING_RATE_RANGE = (0.0001, 0.05)
HOLDOUT_FRACTION = 0.2  # of the digits kept unseen when held-out accuracy is asked for
HOLDOUT_SEED = 0
CLASS_TEST_FRACTION = 0.5  # of a class's drawings kept unseen, to measure the model before and after
MIN_CLASS_DRAWINGS = 10  # fewer, and the half kept unseen says little
STEP_WAIT_SECONDS = 600  # a stepped run left waiting this long stops, so that it frees the server
# One training at a time per server: it takes both CPU cores while it runs.
_SERVER_LOCK = threading.Lock()
_RUN_NUMBERS = itertools.count(1)


class TrainingBusyError(DigitDemoError):
    """Another training is running on this server."""


@dataclass(frozen=True)
class EpochStats:
    """One epoch's figures: loss, errors on the training digits (out of n_train), held-out accuracy if measured."""

    epoch: int
    loss: float
    train_errors: int
    n_train: int
    heldout_accuracy: float | None


@dataclass(frozen=True)
class TrainingSettings:
    """What the user chose: epochs, learning rate, whether to hold digits out, whether to pause after each epoch."""

    epochs: int = 10
    learning_rate: float = 0.001
    holdout: bool = False
    step: bool = False

    def check(self) -> TrainingSettings:
        """Self, or TrainingSettingsError naming the setting outside its range."""
        if not EPOCHS_RANGE[0] <= self.epochs <= EPOCHS_RANGE[1]:
            raise TrainingSettingsError("training.bad_epochs", low=EPOCHS_RANGE[0], high=EPOCHS_RANGE[1])
        if not LEARNING_RATE_RANGE[0] <= self.learning_rate <= LEARNING_RATE_RANGE[1]:
            raise TrainingSettingsError(
                "training.bad_learning_rate", low=LEARNING_RATE_RANGE[0], high=LEARNING_RATE_RANGE[1]
            )
        return self


class TrainingSettingsError(DigitDemoError):
    """A training setting outside its range."""


@dataclass
class TrainingJob:
    """A training run and everything a page shows of it; read from any thread, written by the run's thread only.

    state: 'running', 'waiting' (stepped, paused after an epoch), 'done', 'stopped' or 'failed'."""

    settings: TrainingSettings
    n_examples: int
    number: int = field(default_factory=lambda: next(_RUN_NUMBERS))  # tells this server's runs apart
    state: str = "running"
    history: list[EpochStats] = field(default_factory=list)
    latest: NumpyModel | None = None  # the weights after the last epoch, for pictures that follow the training
    model: NumpyModel | None = None  # the finished model (also after a stop, from the last epoch)
    keras_bytes: bytes | None = None
    error: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _go: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")

    def stop(self) -> None:
        """Ask the run to stop after the current epoch; it keeps the weights it has."""
        self._stop.set()
        self._go.set()

    def step(self) -> None:
        """A stepped run waiting after an epoch goes on to the next one."""
        self._go.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the run's thread to end (for tests and the command line)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _on_epoch(self, done: int, total: int, loss: float, weights: dict[str, np.ndarray], data: _Data) -> bool:
        model = NumpyModel(weights, name=SESSION_MODEL, origin=SESSION_MODEL)
        heldout = None
        if data.X_held is not None:
            heldout = accuracy(model, data.X_held, data.y_held)
        errors = count_errors(model, data.X_train, data.y_train)
        self.history.append(EpochStats(done, loss, errors, len(data.X_train), heldout))
        self.latest = model
        if self.settings.step and done < total and not self._stop.is_set():
            self.state = "waiting"
            self._go.clear()
            if not self._go.wait(STEP_WAIT_SECONDS):
                self._stop.set()
            self.state = "running"
        return self._stop.is_set()


@dataclass(frozen=True)
class _Data:
    X_train: np.ndarray
    y_train: np.ndarray
    X_held: np.ndarray | None
    y_held: np.ndarray | None


def split_for(settings: TrainingSettings, X: np.ndarray, y: np.ndarray) -> _Data:
    """The digits to train on and, when held-out accuracy is asked for, a stratified fifth kept unseen."""
    if not settings.holdout:
        return _Data(X, y, None, None)
    train_idx, held_idx = stratified_split(y, HOLDOUT_FRACTION, HOLDOUT_SEED)
    return _Data(X[train_idx], y[train_idx], X[held_idx], y[held_idx])


class ClassSplit(NamedTuple):
    """What to train on: the training digits plus n_added of a class's drawings, (m, 400) and (m, 1); and the class's
    other drawings, (k, 400) and (k, 1), kept unseen to compare models on."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_added: int


class ClassTooSmallError(DigitDemoError):
    """Too few class drawings to train on half and measure on the other half."""


def split_class_drawings(
    X: np.ndarray, y: np.ndarray, X_class: np.ndarray, y_class: np.ndarray, seed: int = HOLDOUT_SEED
) -> ClassSplit:
    """Training digits X (m, 400), y (m, 1) and a class's drawings (n, 400), (n, 1) -> ClassSplit: the training digits
    plus half of the drawings (stratified by label: a digit drawn once stays on the training side), and the other half.

    Raises ClassTooSmallError with fewer than MIN_CLASS_DRAWINGS drawings, or when no digit was drawn twice."""
    too_few = ClassTooSmallError("classroom.too_few_to_train", count=len(X_class), minimum=MIN_CLASS_DRAWINGS)
    if len(X_class) < MIN_CLASS_DRAWINGS:
        raise too_few
    added, kept = stratified_split(y_class, CLASS_TEST_FRACTION, seed)
    if not len(kept):
        raise too_few
    X_class = np.asarray(X_class, dtype=X.dtype)
    y_class = np.asarray(y_class, dtype=y.dtype).reshape(-1, 1)
    return ClassSplit(
        np.concatenate([X, X_class[added]]),
        np.concatenate([y, y_class[added]]),
        X_class[kept],
        y_class[kept],
        len(added),
    )


def start_training(X: np.ndarray, y: np.ndarray, settings: TrainingSettings) -> TrainingJob:
    """Start a run of the lab's recipe with these settings on X (m, 400), y (m, 1) on its own thread.

    Raises TrainingBusyError when another run holds the server, TrainingSettingsError for a setting out of range."""
    settings.check()
    if not _SERVER_LOCK.acquire(blocking=False):
        raise TrainingBusyError("training.busy")
    data = split_for(settings, X, y)
    job = TrainingJob(settings, n_examples=len(data.X_train))
    recipe = replace(LAB, epochs=settings.epochs, learning_rate=settings.learning_rate)
    job._thread = threading.Thread(target=_run, args=(job, data, recipe), name="digitdemo-training", daemon=True)
    try:
        job._thread.start()
    except BaseException:
        _SERVER_LOCK.release()
        raise
    return job


def _run(job: TrainingJob, data: _Data, recipe: Recipe) -> None:
    """The run's thread: fit, keep the model and its .keras bytes, release the server."""
    try:
        from digitdemo.keras_model import keras_weights, save_keras_model
        from digitdemo.train import fit

        def on_epoch(done: int, total: int, loss: float, weights: dict[str, np.ndarray]) -> bool:
            return job._on_epoch(done, total, loss, weights, data)

        keras_model, _ = fit(data.X_train, data.y_train, recipe, on_epoch)
        job.model = NumpyModel(keras_weights(keras_model), name=SESSION_MODEL, origin=SESSION_MODEL)
        with tempfile.TemporaryDirectory() as tmp:
            job.keras_bytes = save_keras_model(keras_model, Path(tmp) / "my_model.keras").read_bytes()
        job.state = "stopped" if job._stop.is_set() else "done"
    except Exception as exc:  # shown on the page; the thread must never die silently holding the lock
        job.error = f"{type(exc).__name__}: {exc}"
        job.state = "failed"
    finally:
        _SERVER_LOCK.release()
