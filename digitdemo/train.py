"""Training the lab's network with the lab's recipe, and saving it with a JSON record of how it was made."""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np

from digitdemo.data import checksum, stratified_split
from digitdemo.files import write_atomic
from digitdemo.inference import MODELS_DIR, NumpyModel, save_weights
from digitdemo.model import build_model, keras_weights, save_keras_model

EpochCallback = Callable[[int, int, float], None]  # (epoch done, epochs, loss)


@dataclass(frozen=True)
class Recipe:
    """How a model is trained: the lab's settings by default."""

    name: str = "lab"
    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 0.001
    seed: int = 1234


LAB = Recipe()
HELDOUT_FRACTION = 0.2
SPLIT_SEED = 0


class _EpochProgress(keras.callbacks.Callback):
    def __init__(self, on_epoch: EpochCallback, epochs: int) -> None:
        super().__init__()
        self.on_epoch, self.epochs = on_epoch, epochs

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.on_epoch(epoch + 1, self.epochs, float((logs or {}).get("loss", float("nan"))))


def fit(
    X: np.ndarray,
    y: np.ndarray,
    recipe: Recipe = LAB,
    on_epoch: EpochCallback | None = None,
    steps_per_execution: int | None = None,
) -> tuple[keras.Model, list[float]]:
    """Train a fresh lab network on X (m, 400), y (m, 1); return it and the loss per epoch."""
    keras.utils.set_random_seed(recipe.seed)
    model = build_model(recipe.learning_rate)
    # For a network this small Python's per-batch overhead dominates: a whole epoch per compiled call gives the same
    # updates in the same order about 2.4x faster (benchmarks/speed.py), and on_epoch still fires after every epoch.
    steps = steps_per_execution or math.ceil(len(X) / recipe.batch_size)
    model.compile(loss=model.loss, optimizer=model.optimizer, steps_per_execution=steps)
    callbacks = [_EpochProgress(on_epoch, recipe.epochs)] if on_epoch else []
    history = model.fit(X, y, epochs=recipe.epochs, batch_size=recipe.batch_size, verbose=0, callbacks=callbacks)
    return model, [float(v) for v in history.history["loss"]]


def count_errors(model: NumpyModel, X: np.ndarray, y: np.ndarray) -> int:
    """Number of rows of X (m, 400) whose argmax prediction differs from y (m, 1)."""
    return int(np.sum(model.predict(X) != np.asarray(y).reshape(-1)))


def heldout_accuracy(X: np.ndarray, y: np.ndarray, recipe: Recipe = LAB, on_epoch: EpochCallback | None = None) -> dict:
    """Train a second model on a stratified 80% of the data and score it on the other 20%."""
    train_idx, test_idx = stratified_split(y, HELDOUT_FRACTION, SPLIT_SEED)
    model, _ = fit(X[train_idx], y[train_idx], recipe, on_epoch)
    errors = count_errors(NumpyModel(keras_weights(model)), X[test_idx], y[test_idx])
    return {
        "method": f"second model, same recipe, trained on a shuffled stratified {1 - HELDOUT_FRACTION:.0%} "
        f"(split seed {SPLIT_SEED}) and scored on the other {HELDOUT_FRACTION:.0%}",
        "n_train": int(len(train_idx)),
        "n_test": int(len(test_idx)),
        "errors": errors,
        "accuracy": 1 - errors / len(test_idx),
    }


def versions() -> dict[str, str]:
    """Versions of the libraries a model was made with."""
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


def save_trained(model: keras.Model, record: dict, name: str, models_dir: Path = MODELS_DIR) -> Path:
    """Write models_dir/<name>.keras, .npz (for serving) and .json (the record); return the .npz path."""
    models_dir = Path(models_dir)
    save_keras_model(model, models_dir / f"{name}.keras")
    write_atomic(models_dir / f"{name}.json", lambda tmp: tmp.write_text(json.dumps(record, indent=2) + "\n"))
    return save_weights(keras_weights(model), models_dir / f"{name}.npz")


def train_and_record(
    X: np.ndarray,
    y: np.ndarray,
    recipe: Recipe = LAB,
    data_source: str = "",
    heldout: bool = True,
    on_epoch: EpochCallback | None = None,
) -> tuple[keras.Model, dict]:
    """Train on all of X (m, 400), y (m, 1) and build the record that goes beside the saved model."""
    start = time.perf_counter()
    model, losses = fit(X, y, recipe, on_epoch)
    seconds = time.perf_counter() - start
    record = {
        "recipe": asdict(recipe),
        "parameters": int(model.count_params()),
        "loss_per_epoch": losses,
        "train_errors": count_errors(NumpyModel(keras_weights(model)), X, y),
        "n_examples": int(len(X)),
        "train_seconds": round(seconds, 2),
        "heldout": heldout_accuracy(X, y, recipe) if heldout else None,
        "data_checksum": checksum(X, y),
        "data_source": data_source,
        "versions": versions(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return model, record
