"""The lab's activations and softmax as NumPy functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


def my_softmax(z: np.ndarray) -> np.ndarray:
    """(..., n) logits -> (..., n) float64 probabilities over the last axis; stable for large z."""
    z = np.asarray(z, dtype=np.float64)
    # Subtracting the max leaves softmax unchanged and keeps exp() from overflowing.
    ez = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return ez / np.sum(ez, axis=-1, keepdims=True)


def naive_softmax(z: np.ndarray) -> np.ndarray:
    """(..., n) -> (..., n) the textbook exp(z) / sum(exp(z)); overflows to NaN once z passes about 709."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        ez = np.exp(z)
        return ez / np.sum(ez, axis=-1, keepdims=True)


def relu(z: np.ndarray) -> np.ndarray:
    """Elementwise max(0, z), same shape as z."""
    return np.maximum(0, z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Elementwise 1 / (1 + e^-z), same shape as z, float64."""
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def linear(z: np.ndarray) -> np.ndarray:
    """The identity activation: returns z unchanged."""
    return np.asarray(z)


def relu_slope(z: np.ndarray) -> np.ndarray:
    """Elementwise slope of ReLU at z (1 where z > 0, else 0), same shape as z, float64."""
    return (np.asarray(z) > 0).astype(np.float64)


def linear_slope(z: np.ndarray) -> np.ndarray:
    """Elementwise slope of the identity: ones, same shape as z, float64."""
    return np.ones(np.shape(z))


class Activation(NamedTuple):
    """A layer's activation and its slope: piecewise-linear ones through 0 (a = slope(z) * z) make the network
    linear at each input's on/off pattern, which the exact attributions rely on."""

    function: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray]


# Keyed by the names Keras gives them, which the network's layers use (digitdemo/network.py).
ACTIVATIONS = {"relu": Activation(relu, relu_slope), "linear": Activation(linear, linear_slope)}
