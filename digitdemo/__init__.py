"""digitdemo: the lab's handwritten-digit network as plain functions, usable without the app.

Importing the package and predicting need NumPy and Pillow only; TensorFlow loads on first use of `build_model`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from digitdemo.activations import my_softmax
from digitdemo.data import load_data, mnist_to_lab
from digitdemo.numpy_model import load_model
from digitdemo.preprocess import preprocess

# Quiet TensorFlow's start-up log for whoever loads it through the package.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

if TYPE_CHECKING:
    from digitdemo.keras_model import build_model

__all__ = ["build_model", "load_data", "load_model", "mnist_to_lab", "my_softmax", "preprocess"]


def __getattr__(name: str):
    if name == "build_model":  # imported on demand so that serving never loads TensorFlow
        from digitdemo.keras_model import build_model

        return build_model
    raise AttributeError(f"module 'digitdemo' has no attribute {name!r}")
