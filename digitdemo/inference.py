"""The trained network as NumPy arrays: loading weights and the forward pass, with no TensorFlow."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from digitdemo.activations import my_softmax, relu
from digitdemo.errors import ModelFileError
from digitdemo.files import load_arrays, write_atomic

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "models"
DEFAULT_MODEL = "lab"
RETRAIN = "retrain it with `python -m digitdemo train` or restore the file"
# The lab's network: name, shape of each layer's weights and biases.
LAYER_SHAPES = {
    "W1": (400, 25), "b1": (25,),
    "W2": (25, 15), "b2": (15,),
    "W3": (15, 10), "b3": (10,),
}  # fmt: skip
# Its layers: units, activation and name; the weights of layer i are W{i} and b{i} above.
LAYER_UNITS = ((25, "relu", "L1"), (15, "relu", "L2"), (10, "linear", "L3"))


class Activations(NamedTuple):
    """One forward pass: a1 (n, 25), a2 (n, 15) ReLU outputs, logits (n, 10)."""

    a1: np.ndarray
    a2: np.ndarray
    logits: np.ndarray


@dataclass(frozen=True)
class NumpyModel:
    """The lab's 400-25-15-10 network held as arrays (float32 when loaded); it computes in their dtype."""

    weights: dict[str, np.ndarray]
    name: str = DEFAULT_MODEL

    def forward(self, X: np.ndarray) -> Activations:
        """(n, 400) or (400,) inputs -> Activations with a leading n axis."""
        w = self.weights
        X = np.atleast_2d(np.asarray(X, dtype=w["W1"].dtype))
        a1 = relu(X @ w["W1"] + w["b1"])
        a2 = relu(a1 @ w["W2"] + w["b2"])
        return Activations(a1, a2, a2 @ w["W3"] + w["b3"])

    def predict_logits(self, X: np.ndarray) -> np.ndarray:
        """(n, 400) or (400,) inputs -> (n, 10) logits in the weights' dtype."""
        return self.forward(X).logits

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(n, 400) or (400,) inputs -> (n, 10) float64 softmax probabilities."""
        return my_softmax(self.predict_logits(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """(n, 400) or (400,) inputs -> (n,) int64 predicted digits (argmax of the logits)."""
        return np.argmax(self.predict_logits(X), axis=1)


def check_weights(weights: dict[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    """Validate the six arrays against LAYER_SHAPES; return them as float32."""
    missing = sorted(set(LAYER_SHAPES) - set(weights))
    if missing:
        raise ModelFileError(f"{name}: lacks {', '.join(missing)}; it is not a model of the lab's network; {RETRAIN}.")
    for key, shape in LAYER_SHAPES.items():
        if weights[key].dtype.kind not in "fiu":
            raise ModelFileError(f"{name}: {key} holds {weights[key].dtype} values, not numbers; {RETRAIN}.")
        if weights[key].shape != shape:
            raise ModelFileError(
                f"{name}: {key} has shape {weights[key].shape}, the lab's network needs {shape}; "
                f"it holds another architecture; {RETRAIN}."
            )
        if not np.isfinite(weights[key]).all():
            raise ModelFileError(f"{name}: {key} holds NaN or infinite values; {RETRAIN}.")
    return {key: np.asarray(weights[key], dtype=np.float32) for key in LAYER_SHAPES}


def resolve_model_path(name_or_path: str | Path) -> Path:
    """A shipped model's name ('lab', 'robust') -> models/<name>.npz; any other string is taken as a path."""
    path = Path(name_or_path)
    if path.suffix == "" and path.parent == Path("."):
        return MODELS_DIR / f"{path.name}.npz"
    return path


def load_weights(path: Path) -> dict[str, np.ndarray]:
    """The six weight arrays from a .npz (NumPy only) or a .keras file (imports TensorFlow)."""
    if not path.exists():
        raise ModelFileError(f"{path}: missing; train it with `python -m digitdemo train` or pick a shipped model.")
    if path.suffix == ".keras":
        from digitdemo.model import keras_weights, load_keras_model

        return keras_weights(load_keras_model(path))
    if path.suffix != ".npz":
        raise ModelFileError(f"{path}: not a model file; use the .npz or .keras files that training writes.")
    arrays = load_arrays(path, ModelFileError, RETRAIN)
    if not isinstance(arrays, dict):
        raise ModelFileError(f"{path}: holds one array, not a model's weights; {RETRAIN}.")
    return arrays


def load_model(name_or_path: str | Path = DEFAULT_MODEL) -> NumpyModel:
    """A shipped model by name ('lab', 'robust') or a .npz/.keras path -> NumpyModel ready to predict."""
    path = resolve_model_path(name_or_path)
    weights = check_weights(load_weights(path), str(path))
    return NumpyModel(weights, name=path.stem)


def save_weights(weights: dict[str, np.ndarray], path: Path) -> Path:
    """Write the six arrays to a .npz atomically."""
    weights = check_weights(weights, str(path))
    return write_atomic(Path(path), lambda tmp: np.savez(tmp, **weights))


def record_path(name_or_path: str | Path, models_dir: Path = MODELS_DIR) -> Path:
    """Where the JSON record of a model ('lab' or a path to its .npz/.keras) lives."""
    path = Path(name_or_path)
    return Path(models_dir) / f"{path.name}.json" if path.suffix == "" else path.with_suffix(".json")


def load_record(name_or_path: str | Path, models_dir: Path = MODELS_DIR) -> dict | None:
    """The JSON record beside a model ('lab' or a path to its .npz/.keras), or None when there is none."""
    sidecar = record_path(name_or_path, models_dir)
    if not sidecar.exists():
        return None
    return json.loads(sidecar.read_text())


def save_record(record: dict, name_or_path: str | Path, models_dir: Path = MODELS_DIR) -> Path:
    """Write a model's JSON record atomically; return its path."""
    return write_atomic(
        record_path(name_or_path, models_dir), lambda tmp: tmp.write_text(json.dumps(record, indent=2) + "\n")
    )
