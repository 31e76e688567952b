"""The lab's network as data: one list of layers that building, checking, the NumPy forward pass and the summary read.

NumPy only: the serving path and the app's text use it without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from digitdemo.activations import ACTIVATIONS
from digitdemo.data import N_CLASSES, N_PIXELS
from digitdemo.errors import ModelFileError
from digitdemo.i18n import Message

# What to do about a model file that is not the lab's network; every such error ends with it.
RETRAIN = Message("model_file.retrain", {})


@dataclass(frozen=True)
class Layer:
    """One Dense layer: its Keras name, units and activation; its weights are W{number} and b{number}."""

    name: str
    units: int
    activation: str


# The lab's my_model: 400 -> 25 ReLU -> 15 ReLU -> 10 linear outputs (the logits).
LAYERS = (Layer("L1", 25, "relu"), Layer("L2", 15, "relu"), Layer("L3", N_CLASSES, "linear"))
N_INPUTS = N_PIXELS


def weight_shapes(layers: tuple[Layer, ...] = LAYERS, n_inputs: int = N_INPUTS) -> dict[str, tuple[int, ...]]:
    """Layers -> {'W1': (400, 25), 'b1': (25,), ...}: each layer's weight and bias shapes, in order."""
    shapes, fan_in = {}, n_inputs
    for number, layer in enumerate(layers, start=1):
        shapes[f"W{number}"] = (fan_in, layer.units)
        shapes[f"b{number}"] = (layer.units,)
        fan_in = layer.units
    return shapes


WEIGHT_SHAPES = weight_shapes()
N_PARAMETERS = int(sum(np.prod(shape) for shape in WEIGHT_SHAPES.values()))


class Activations(NamedTuple):
    """One forward pass over n inputs: each hidden layer's outputs (n, units) in order, and the (n, 10) logits."""

    hidden: tuple[np.ndarray, ...]
    logits: np.ndarray


class LayerOutput(NamedTuple):
    """One layer at one or more inputs: its pre-activation z and activation a, (units,) or (n, units); for the
    linear output a is z."""

    z: np.ndarray
    a: np.ndarray


def forward_layers(weights: dict[str, np.ndarray], X: np.ndarray, dtype: np.dtype | None = None) -> list[LayerOutput]:
    """Weights of LAYERS' depth (any widths) and (n0,) or (n, n0) inputs -> one LayerOutput per layer with the inputs'
    leading axes, in `dtype` (default: the weights')."""
    dtype = weights["W1"].dtype if dtype is None else dtype
    a = np.asarray(X, dtype=dtype)
    outputs = []
    for number, layer in enumerate(LAYERS, start=1):
        W, b = weights[f"W{number}"].astype(dtype, copy=False), weights[f"b{number}"].astype(dtype, copy=False)
        z = a @ W + b
        a = ACTIVATIONS[layer.activation].function(z)
        outputs.append(LayerOutput(z, a))
    return outputs


def forward(weights: dict[str, np.ndarray], X: np.ndarray) -> Activations:
    """Checked weights and (n, 400) or (400,) inputs -> Activations with a leading n axis, in the weights' dtype."""
    outputs = forward_layers(weights, np.atleast_2d(X))
    return Activations(tuple(layer.a for layer in outputs[:-1]), outputs[-1].a)


def check_weights(weights: dict[str, np.ndarray], source: str) -> dict[str, np.ndarray]:
    """Validate arrays named as in WEIGHT_SHAPES against those shapes; return them as float32.

    `source` names where they came from (a path or a model) in the error."""
    missing = sorted(set(WEIGHT_SHAPES) - set(weights))
    if missing:
        raise ModelFileError("model_file.missing_arrays", source=source, names=", ".join(missing), action=RETRAIN)
    for key, shape in WEIGHT_SHAPES.items():
        array = np.asarray(weights[key])
        if array.dtype.kind not in "fiu":
            raise ModelFileError(
                "model_file.not_numbers", source=source, name=key, dtype=str(array.dtype), action=RETRAIN
            )
        if array.shape != shape:
            raise ModelFileError(
                "model_file.wrong_shape",
                source=source,
                name=key,
                shape=str(array.shape),
                expected=str(shape),
                action=RETRAIN,
            )
        if not np.isfinite(array).all():
            raise ModelFileError("model_file.not_finite", source=source, name=key, action=RETRAIN)
    return {key: np.asarray(weights[key], dtype=np.float32) for key in WEIGHT_SHAPES}
