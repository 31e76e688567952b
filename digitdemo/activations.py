"""The lab's activations and softmax as NumPy functions."""

from __future__ import annotations

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
