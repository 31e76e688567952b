"""The trained network as NumPy arrays: loading a model's weights and predicting, with no TensorFlow."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from digitdemo.activations import my_softmax
from digitdemo.catalog import CATALOG, DEFAULT_MODEL, MODELS_DIR
from digitdemo.errors import ModelFileError
from digitdemo.files import load_arrays, write_atomic
from digitdemo.network import RETRAIN, WEIGHT_SHAPES, Activations, check_weights, forward
from digitdemo.preprocess import network_rows, preprocess_steps


def weights_fingerprint(weights: dict[str, np.ndarray]) -> str:
    """The arrays named as in WEIGHT_SHAPES -> 16 hex digits of their SHA-256: equal weights, equal fingerprint."""
    digest = hashlib.sha256()
    for key in WEIGHT_SHAPES:
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(weights[key], dtype=np.float32).tobytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class NumpyModel:
    """The lab's network held as checked float32 arrays, its name, where it came from (a file's path, or
    "session" for a model trained in the app), the preprocessing it was trained with (whether its inputs are
    deskewed), the temperature that calibrates its probabilities and a fingerprint of its weights, computed once, for
    caches to key on.

    `input_steps` and `inputs` apply exactly its preprocessing: the app, the benchmarks and the tests reach the
    network's input through them."""

    weights: dict[str, np.ndarray]
    name: str = DEFAULT_MODEL
    origin: str = ""
    deskew: bool = False
    temperature: float = 1.0
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", weights_fingerprint(self.weights))

    def input_steps(self, image: np.ndarray | Image.Image | bytes) -> dict[str, np.ndarray]:
        """A drawing or picture -> preprocess_steps with this model's preprocessing (its last step is its input)."""
        return preprocess_steps(image, self.deskew)

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """(n, 400) or (400,) framed rows (the dataset's digits) -> the rows this model reads, same shape."""
        return network_rows(X, self.deskew)

    def forward(self, X: np.ndarray) -> Activations:
        """(n, 400) or (400,) inputs -> Activations: every hidden layer's outputs and the logits, leading n axis."""
        return forward(self.weights, X)

    def predict_logits(self, X: np.ndarray) -> np.ndarray:
        """(n, 400) or (400,) inputs -> (n, 10) logits in the weights' dtype."""
        return self.forward(X).logits

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(n, 400) or (400,) inputs -> (n, 10) float64 calibrated probabilities: softmax(logits / temperature)."""
        return my_softmax(np.asarray(self.predict_logits(X), np.float64) / self.temperature)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """(n, 400) or (400,) inputs -> (n,) int64 predicted digits (argmax of the logits)."""
        return np.argmax(self.predict_logits(X), axis=1)


def resolve_model_path(name_or_path: str | Path) -> Path:
    """A catalogue model's name ('robust', 'lab') -> its .npz in models/; any other string is taken as a path."""
    name = str(name_or_path)
    return CATALOG[name].weights_path() if name in CATALOG else Path(name_or_path)


def load_weights(path: Path) -> dict[str, np.ndarray]:
    """The weight arrays from a .npz (NumPy only) or a .keras file (imports TensorFlow), not yet checked."""
    if not path.exists():
        raise ModelFileError("model_file.missing", path=str(path))
    if path.suffix == ".keras":
        from digitdemo.keras_model import keras_weights, load_keras_model

        return keras_weights(load_keras_model(path))
    if path.suffix != ".npz":
        raise ModelFileError("model_file.not_model", path=str(path))
    arrays = load_arrays(path, ModelFileError, RETRAIN)
    if not isinstance(arrays, dict):
        raise ModelFileError("model_file.one_array", path=str(path), action=RETRAIN)
    return arrays


def load_model(name_or_path: str | Path = DEFAULT_MODEL) -> NumpyModel:
    """A catalogue model by name ('careful', 'robust', 'lab') or a .npz/.keras path -> NumpyModel ready to predict,
    with the preprocessing its record's recipe was trained with and the temperature its record holds (1 without)."""
    path = resolve_model_path(name_or_path)
    weights = check_weights(load_weights(path), str(path))
    record = load_record(path) or {}
    entry = CATALOG.get(path.stem)
    deskew = entry.deskew if entry else bool(record.get("recipe", {}).get("deskew", False))
    temperature = float(record.get("calibration", {}).get("temperature", 1.0))
    return NumpyModel(weights, name=path.stem, origin=str(path), deskew=deskew, temperature=temperature)


def save_weights(weights: dict[str, np.ndarray], path: Path) -> Path:
    """Write the arrays named as in WEIGHT_SHAPES to a .npz atomically."""
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
