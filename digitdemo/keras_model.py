"""The lab's Keras network: building, saving and reading it back. The only module besides train.py to import
TensorFlow."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from digitdemo.errors import ModelFileError
from digitdemo.files import write_atomic
from digitdemo.network import LAYERS, N_INPUTS, RETRAIN, WEIGHT_SHAPES, check_weights


def build_model(learning_rate: float = 0.001) -> keras.Sequential:
    """The lab's my_model, layer by layer from network.LAYERS (400 -> 25 ReLU -> 15 ReLU -> 10 linear), compiled with a
    from_logits loss."""
    model = keras.Sequential(
        [keras.Input(shape=(N_INPUTS,))]
        + [keras.layers.Dense(layer.units, activation=layer.activation, name=layer.name) for layer in LAYERS],
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
    source = f"model {model.name!r}"
    if len(arrays) != len(WEIGHT_SHAPES):
        raise ModelFileError(
            "model_file.layer_count", source=source, found=len(dense), expected=len(LAYERS), action=RETRAIN
        )
    for found, layer in zip(dense, LAYERS, strict=True):
        if found.activation.__name__ != layer.activation:
            raise ModelFileError(
                "model_file.activation",
                source=source,
                layer=found.name,
                found=found.activation.__name__,
                name=layer.name,
                expected=layer.activation,
                action=RETRAIN,
            )
    return check_weights(dict(zip(WEIGHT_SHAPES, arrays, strict=True)), source)


def load_keras_model(path: Path | str) -> keras.Model:
    """Read a .keras file, refusing anything that is not the lab's architecture."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError("model_file.missing", path=str(path))
    try:
        model = keras.models.load_model(path, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a damaged or foreign file
        # Keras's own text may suggest turning safe mode off: never the advice for a file from elsewhere.
        raise ModelFileError(
            "model_file.unreadable_keras", path=str(path), kind=type(exc).__name__, action=RETRAIN
        ) from exc
    try:
        keras_weights(model)
    except ModelFileError as exc:  # name the file in the same message, which already says what to do
        raise ModelFileError(exc.msg_id, **{**exc.params, "source": f"{path}: {exc.params['source']}"}) from exc
    return model


def save_keras_model(model: keras.Model, path: Path | str) -> Path:
    """Save `model` as a .keras file atomically."""
    return write_atomic(Path(path), lambda tmp: model.save(tmp))
