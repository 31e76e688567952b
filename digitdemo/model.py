"""The lab's Keras network: building, saving and reading it back. The only module besides train.py to import TensorFlow."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from digitdemo.errors import ModelFileError
from digitdemo.files import write_atomic
from digitdemo.inference import LAYER_SHAPES, LAYER_UNITS, RETRAIN, check_weights

N_INPUTS = 400


def build_model(learning_rate: float = 0.001) -> keras.Sequential:
    """The lab's my_model: 400 -> Dense 25 ReLU -> Dense 15 ReLU -> Dense 10 linear, compiled with a from_logits loss."""
    model = keras.Sequential(
        [keras.Input(shape=(N_INPUTS,))]
        + [keras.layers.Dense(units, activation=act, name=name) for units, act, name in LAYER_UNITS],
        name="my_model",
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
    )
    return model


def keras_weights(model: keras.Model) -> dict[str, np.ndarray]:
    """A built lab model -> {'W1': (400, 25), 'b1': (25,), ..., 'b3': (10,)} float32 arrays."""
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    arrays = [array for layer in dense for array in layer.get_weights()]
    if len(arrays) != len(LAYER_SHAPES):
        raise ModelFileError(f"model {model.name!r} has {len(dense)} Dense layers; the lab's network has 3; {RETRAIN}.")
    for layer, (_, activation, name) in zip(dense, LAYER_UNITS, strict=True):
        if layer.activation.__name__ != activation:
            raise ModelFileError(
                f"model {model.name!r}: layer {layer.name} uses activation {layer.activation.__name__}; "
                f"the lab's {name} uses {activation}; {RETRAIN}."
            )
    return check_weights(dict(zip(LAYER_SHAPES, arrays, strict=True)), f"model {model.name!r}")


def load_keras_model(path: Path | str) -> keras.Model:
    """Read a .keras file, refusing anything that is not the lab's architecture."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: missing; train it with `python -m digitdemo train`.")
    try:
        model = keras.models.load_model(path, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a damaged or foreign file
        # Keras's own text may suggest turning safe mode off: never the advice for a file from elsewhere.
        raise ModelFileError(
            f"{path}: cannot be read as a Keras model of the lab's network ({type(exc).__name__}); {RETRAIN}."
        ) from exc
    try:
        keras_weights(model)
    except ModelFileError as exc:  # its message already says what to do
        raise ModelFileError(f"{path}: {exc}") from exc
    return model


def save_keras_model(model: keras.Model, path: Path | str) -> Path:
    """Save `model` as a .keras file atomically."""
    return write_atomic(Path(path), lambda tmp: model.save(tmp))
