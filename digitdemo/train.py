"""Training the lab's network with a catalogue recipe, and saving it with a JSON record of how it was made."""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np

from digitdemo.augment import augmented_copies
from digitdemo.catalog import LAB, MODELS_DIR, ROBUST, ModelEntry, Recipe, RobustRecipe
from digitdemo.data import N_CLASSES, checksum, stratified_split
from digitdemo.keras_model import build_model, keras_weights, save_keras_model
from digitdemo.metrics import confusion_matrix, count_errors, per_digit_accuracy
from digitdemo.numpy_model import NumpyModel, save_record, save_weights
from digitdemo.preprocess import network_rows
from digitdemo.shapes import non_digit_shapes

# (epoch done, epochs, loss, the weights after it) -> True to stop training there.
EpochCallback = Callable[[int, int, float, dict[str, np.ndarray]], bool | None]

HELDOUT_FRACTION = 0.2
SPLIT_SEED = 0


class _EpochProgress(keras.callbacks.Callback):
    def __init__(self, on_epoch: EpochCallback, epochs: int) -> None:
        super().__init__()
        self.on_epoch, self.epochs = on_epoch, epochs

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        loss = float((logs or {}).get("loss", float("nan")))
        if self.on_epoch(epoch + 1, self.epochs, loss, keras_weights(self.model)):
            self.model.stop_training = True


class _ValidationAccuracy(keras.callbacks.Callback):
    """Adds 'val_accuracy' to each epoch's logs (the loss is compiled without metrics), for early stopping."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        super().__init__()
        self.X, self.y = X, y

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        errors = count_errors(NumpyModel(keras_weights(self.model)), self.X, self.y)
        if logs is not None:
            logs["val_accuracy"] = 1 - errors / len(self.X)


def outlier_exposure_loss(weight: float) -> Callable:
    """A Keras loss on (m, 1) labels and (m, 10) logits: cross-entropy for a digit (label 0-9), and for a non-digit
    (label N_CLASSES) `weight` times the cross-entropy to even probabilities over the ten digits (Hendrycks et al.)."""
    ops = keras.ops

    def loss(y_true, logits):
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        log_p = ops.log_softmax(logits, axis=-1)
        digit = ops.take_along_axis(log_p, ops.minimum(labels, N_CLASSES - 1)[:, None], axis=1)[:, 0]
        return -ops.where(labels >= N_CLASSES, weight * ops.mean(log_p, axis=-1), digit)

    return loss


def fit(
    X: np.ndarray,
    y: np.ndarray,
    recipe: Recipe = LAB,
    on_epoch: EpochCallback | None = None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    callbacks: tuple[keras.callbacks.Callback, ...] = (),
) -> tuple[keras.Model, list[float]]:
    """Train a fresh lab network on X (m, 400), y (m, 1) (label N_CLASSES: a non-digit, see outlier_exposure_loss);
    return it, compiled with the lab's loss, and the loss per epoch."""
    keras.utils.set_random_seed(recipe.seed)
    model = build_model(recipe.learning_rate)
    lab_loss = model.loss
    outliers = bool((np.asarray(y) >= N_CLASSES).any())
    # For a network this small Python's per-batch overhead dominates: a whole epoch per compiled call gives the same
    # updates in the same order about 2.4x faster (benchmarks/speed.py), and on_epoch still fires after every epoch.
    steps = math.ceil(len(X) / recipe.batch_size)
    loss = outlier_exposure_loss(recipe.outlier_weight) if outliers else lab_loss
    model.compile(loss=loss, optimizer=model.optimizer, steps_per_execution=steps)
    callbacks = [*callbacks, _EpochProgress(on_epoch, recipe.epochs)] if on_epoch else list(callbacks)
    history = model.fit(
        X,
        y,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        verbose=0,
        callbacks=callbacks,
        validation_data=validation_data,
    )
    if outliers:  # saved as the lab's network: a .keras file naming a loss of this module would not load elsewhere
        model.compile(loss=lab_loss, optimizer=model.optimizer)
    return model, [float(v) for v in history.history["loss"]]


def fit_robust(
    X: np.ndarray, y: np.ndarray, recipe: RobustRecipe = ROBUST, on_epoch: EpochCallback | None = None
) -> tuple[keras.Model, list[float], dict]:
    """Train on augmented copies of a stratified part of X (m, 400), y (m, 1), deskewed after augmenting if the recipe
    says so, beside its non-digit shapes if any, stopping early on the rest of the digits.

    Returns the model (best validation accuracy), the training loss per epoch and the validation figures."""
    train_idx, val_idx = stratified_split(y, recipe.validation_fraction, recipe.seed)
    X_train, y_train = augmented_copies(X[train_idx], y[train_idx], recipe.copies, recipe.seed, recipe.augmentation)
    X_train = network_rows(X_train, recipe.deskew)
    if recipe.outliers:
        shapes = network_rows(non_digit_shapes(recipe.outliers, recipe.seed), recipe.deskew)
        X_train = np.concatenate([X_train, shapes])
        y_train = np.concatenate([y_train, np.full((len(shapes), 1), N_CLASSES, dtype=y_train.dtype)])
    X = network_rows(X, recipe.deskew)
    # Stop on validation accuracy, not loss: on clean digits the loss soon rises from overconfidence while the
    # accuracy still improves.
    scorer = _ValidationAccuracy(X[val_idx], y[val_idx])
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_accuracy",
        mode="max",
        patience=recipe.patience,
        restore_best_weights=True,
        start_from_epoch=recipe.min_epochs,
    )
    history = keras.callbacks.History()
    model, losses = fit(
        X_train,
        y_train,
        recipe,
        on_epoch,
        validation_data=(X[val_idx], y[val_idx]),
        callbacks=(scorer, stopper, history),
    )
    val_accuracy = [float(v) for v in history.history["val_accuracy"]]
    errors = count_errors(NumpyModel(keras_weights(model)), X[val_idx], y[val_idx])
    validation = {
        "method": f"shuffled stratified {recipe.validation_fraction:.0%} of the digits (split seed {recipe.seed}), "
        f"never augmented nor trained on; from epoch {recipe.min_epochs + 1} on, training stops after "
        f"{recipe.patience} epochs without a better validation accuracy and keeps the best epoch's weights",
        "n_train": int(len(train_idx)),
        "n_train_augmented": int((y_train < N_CLASSES).sum()),
        "n_outliers": int((y_train >= N_CLASSES).sum()),
        "n_validation": int(len(val_idx)),
        "epochs_run": len(losses),
        "best_epoch": int(stopper.best_epoch) + 1 if stopper.best_weights is not None else len(losses),  # kept
        "val_accuracy_per_epoch": val_accuracy,
        "val_loss_per_epoch": [float(v) for v in history.history["val_loss"]],
        "errors": errors,
        "accuracy": 1 - errors / len(val_idx),
    }
    return model, losses, validation


def fit_recipe(
    X: np.ndarray, y: np.ndarray, recipe: Recipe = LAB, on_epoch: EpochCallback | None = None
) -> tuple[keras.Model, list[float], dict]:
    """Train with either recipe on the dataset's rows X (m, 400), y (m, 1) (deskewed here if the recipe says so); return
    the model, its loss per epoch and extra record fields (robust: validation)."""
    if isinstance(recipe, RobustRecipe):
        model, losses, validation = fit_robust(X, y, recipe, on_epoch)
        return model, losses, {"validation": validation}
    model, losses = fit(network_rows(X, recipe.deskew), y, recipe, on_epoch)
    return model, losses, {}


def fit_heldout(
    X: np.ndarray, y: np.ndarray, recipe: Recipe = LAB, on_epoch: EpochCallback | None = None
) -> tuple[NumpyModel, np.ndarray, np.ndarray]:
    """Train a second model on a stratified 80% of X (m, 400), y (m, 1); return it and the (train, test) rows."""
    train_idx, test_idx = stratified_split(y, HELDOUT_FRACTION, SPLIT_SEED)
    model, _, _ = fit_recipe(X[train_idx], y[train_idx], recipe, on_epoch)
    return NumpyModel(keras_weights(model), name="heldout", deskew=recipe.deskew), train_idx, test_idx


def heldout_accuracy(X: np.ndarray, y: np.ndarray, recipe: Recipe = LAB, on_epoch: EpochCallback | None = None) -> dict:
    """Train a second model on a stratified 80% of the data and score it on the other 20%, overall and per digit."""
    model, train_idx, test_idx = fit_heldout(X, y, recipe, on_epoch)
    predicted = model.predict(model.inputs(X[test_idx]))
    errors = int((predicted != y[test_idx, 0]).sum())
    return {
        "method": f"second model, same recipe, trained on a shuffled stratified {1 - HELDOUT_FRACTION:.0%} "
        f"(split seed {SPLIT_SEED}) and scored on the other {HELDOUT_FRACTION:.0%}",
        "n_train": int(len(train_idx)),
        "n_test": int(len(test_idx)),
        "errors": errors,
        "accuracy": 1 - errors / len(test_idx),
        "per_digit": per_digit_accuracy(confusion_matrix(y[test_idx, 0], predicted)).tolist(),
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


def save_trained(model: keras.Model, record: dict, entry: ModelEntry, models_dir: Path = MODELS_DIR) -> Path:
    """Write the entry's files models_dir/<entry name>.keras, .npz (for serving) and .json (the record); return the
    .npz path."""
    save_keras_model(model, entry.file(".keras", models_dir))
    save_record(record, entry.file(".json", models_dir))
    return save_weights(keras_weights(model), entry.weights_path(models_dir))


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
    model, losses, extra = fit_recipe(X, y, recipe, on_epoch)
    seconds = time.perf_counter() - start
    record = {
        "recipe": asdict(recipe),
        "parameters": int(model.count_params()),
        "loss_per_epoch": losses,
        "train_errors": count_errors(NumpyModel(keras_weights(model)), network_rows(X, recipe.deskew), y),
        "n_examples": int(len(X)),
        "train_seconds": round(seconds, 2),
        "heldout": heldout_accuracy(X, y, recipe) if heldout else None,
        "data_checksum": checksum(X, y),
        "data_source": data_source,
        "versions": versions(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }
    return model, record
