"""Bad data and model files: refused with an error naming the file and what to do; pickles never executed.

tests/test_data.py and tests/test_keras_model.py cover wrong shapes, NaN, labels, missing and garbage files; these add
executable payloads, truncated and empty files, other architectures, and what the app shows for real broken files.
"""

from __future__ import annotations

import importlib.util
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import digitdemo.data
import digitdemo.numpy_model
from digitdemo.catalog import shipped_models
from digitdemo.data import SHIPPED_FILE, load_dataset
from digitdemo.errors import DataFileError, DigitDemoError, ModelFileError
from digitdemo.network import WEIGHT_SHAPES
from digitdemo.numpy_model import load_model

# Only the tests marked needs_keras skip without Keras (a failure under CI); they import it themselves, so the rest
# run without loading TensorFlow.
needs_keras = pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="keras is not installed")

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TIMEOUT = 60
ACTIONS = ("rebuild", "replace", "retrain", "restore", "save", "train", "delete", "pick", "use")


class Payload:
    """Unpickling this creates `marker`: proof that a loader executed a pickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def lab_weights() -> dict[str, np.ndarray]:
    return {key: np.zeros(shape, np.float32) for key, shape in WEIGHT_SHAPES.items()}


def good_data() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((10, 400), np.float32), np.zeros((10, 1), np.int64)


def truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


# Each builder writes a broken file into a folder and returns (the file to name, how to load it).
def pickled_x(folder: Path, marker: Path):
    np.save(folder / "X.npy", np.array([Payload(marker)], dtype=object), allow_pickle=True)
    np.save(folder / "y.npy", good_data()[1])
    return folder / "X.npy", load_dataset


def pickled_y(folder: Path, marker: Path):
    np.save(folder / "X.npy", good_data()[0])
    np.save(folder / "y.npy", np.array([Payload(marker)] * 10, dtype=object)[:, None], allow_pickle=True)
    return folder / "y.npy", load_dataset


def raw_pickle_as_npy(folder: Path, marker: Path):
    import pickle

    (folder / "X.npy").write_bytes(pickle.dumps(Payload(marker)))
    np.save(folder / "y.npy", good_data()[1])
    return folder / "X.npy", load_dataset


def pickled_in_shipped_archive(folder: Path, marker: Path):
    np.savez(folder / SHIPPED_FILE, X=np.array([Payload(marker)], dtype=object), y=good_data()[1])
    return folder / SHIPPED_FILE, load_dataset


def pickled_in_model(folder: Path, marker: Path):
    np.savez(folder / "m.npz", **{**lab_weights(), "W1": np.array([Payload(marker)], dtype=object)})
    return folder / "m.npz", load_model


@pytest.mark.parametrize(
    "build", [pickled_x, pickled_y, raw_pickle_as_npy, pickled_in_shipped_archive, pickled_in_model]
)
def test_pickles_are_refused_and_never_executed(tmp_path, build) -> None:
    """A .npy/.npz whose pickle would create a file when loaded is refused, naming the file, and the file never
    appears."""
    marker = tmp_path / "executed"
    folder = tmp_path / "files"
    folder.mkdir()
    path, load = build(folder, marker)
    assert not marker.exists()
    with pytest.raises(DigitDemoError) as info:
        load(folder if load is load_dataset else path)
    assert path.name in str(info.value)
    assert not marker.exists()


def dense_model(inputs: int = 400, units=(25, 15, 10), activations=("relu", "relu", "linear"), first=()):
    import keras

    layers = [keras.Input((inputs,)), *first]
    layers += [keras.layers.Dense(n, activation=a) for n, a in zip(units, activations, strict=True)]
    return keras.Sequential(layers)


@needs_keras
def test_keras_lambda_layer_is_refused_and_never_run(tmp_path) -> None:
    """A .keras file with a Lambda layer (arbitrary Python) is refused by safe mode; its code does not run."""
    import keras

    marker = tmp_path / "executed"

    def payload(x):
        marker.touch()
        return x

    dense_model(first=[keras.layers.Lambda(payload)]).save(tmp_path / "lambda.keras")
    marker.unlink()  # building the model ran it once, here, by us
    with pytest.raises(ModelFileError, match=r"lambda\.keras"):
        load_model(tmp_path / "lambda.keras")
    assert not marker.exists()


@needs_keras
def test_keras_config_naming_a_system_function_is_refused(tmp_path) -> None:
    """A .keras whose config.json names os.system as a layer class is refused and runs no command."""
    marker = tmp_path / "executed"
    dense_model().save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1].update(module="os", class_name="system", config=f"touch {marker}")
    with zipfile.ZipFile(tmp_path / "forged.keras", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, json.dumps(config) if name == "config.json" else data)
    with pytest.raises(ModelFileError, match=r"forged\.keras"):
        load_model(tmp_path / "forged.keras")
    assert not marker.exists()


def conv_model():
    import keras

    return keras.Sequential(
        [keras.Input((20, 20, 1)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(), keras.layers.Dense(10)]
    )


@needs_keras
@pytest.mark.parametrize(
    ("model", "message"),
    [
        (lambda: dense_model(inputs=784), r"W1 has shape \(784, 25\)"),
        (lambda: dense_model(units=(25, 15, 10, 10), activations=("relu", "relu", "linear", "linear")), "4 Dense"),
        (
            conv_model,
            "1 Dense",
        ),
        pytest.param(
            lambda: dense_model(activations=("sigmoid", "sigmoid", "linear")),
            "activation",
        ),
        pytest.param(
            lambda: dense_model(activations=("relu", "relu", "softmax")),
            "activation",
        ),
    ],
    ids=["784-inputs", "four-dense", "convolutional", "sigmoid-hidden", "softmax-output"],
)
def test_keras_file_of_another_architecture_is_refused(tmp_path, model, message) -> None:
    """A .keras file that is not 400-25 ReLU-15 ReLU-10 linear is refused, naming the file and the difference."""
    model().save(tmp_path / "other.keras")
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(tmp_path / "other.keras")
    assert "other.keras" in str(info.value)
    assert str(info.value).lower().count("retrain it") == 1  # what to do, said once


def lab_files(folder: Path) -> None:
    X, y = good_data()
    np.save(folder / "X.npy", X)
    np.save(folder / "y.npy", y)


def shipped_archive(folder: Path, **arrays) -> Path:
    X, y = good_data()
    np.savez(folder / SHIPPED_FILE, **{"X": X, "y": y, **arrays})
    return folder / SHIPPED_FILE


def truncated_npz_model(folder: Path) -> Path:
    np.savez(folder / "m.npz", **lab_weights())
    return truncate(folder / "m.npz")


def truncated_keras_model(folder: Path) -> Path:
    dense_model().save(folder / "m.keras")
    return truncate(folder / "m.keras")


def text_weights(folder: Path) -> Path:
    np.savez(folder / "m.npz", **{**lab_weights(), "W1": np.full((400, 25), "w")})
    return folder / "m.npz"


def npy_as_model(folder: Path) -> Path:
    np.save(folder / "m.npy", np.zeros((400, 25), np.float32))
    return folder / "m.npy"


def data_case(make: Callable[[Path], object], name: str):
    def build(folder: Path):
        make(folder)
        return folder / name, lambda: load_dataset(folder), DataFileError

    return build


def model_case(make: Callable[[Path], Path]):
    def build(folder: Path):
        path = make(folder)
        return path, lambda: load_model(path), ModelFileError

    return build


BROKEN = [
    pytest.param(data_case(lambda f: (lab_files(f), (f / "X.npy").write_bytes(b"")), "X.npy"), id="empty-X.npy"),
    pytest.param(
        data_case(lambda f: (lab_files(f), (f / "y.npy").unlink(), (f / "y.npy").mkdir()), "y.npy"),
        id="folder-as-y.npy",
    ),
    pytest.param(data_case(lambda f: (lab_files(f), truncate(f / "X.npy")), "X.npy"), id="truncated-X.npy"),
    pytest.param(
        data_case(lambda f: truncate(shipped_archive(f)), SHIPPED_FILE),
        id="truncated-archive",
    ),
    pytest.param(
        data_case(lambda f: np.savez(f / SHIPPED_FILE, X=good_data()[0]), SHIPPED_FILE), id="archive-without-y"
    ),
    pytest.param(
        data_case(lambda f: shipped_archive(f, X=np.zeros((10, 20, 20), np.float32)), SHIPPED_FILE),
        id="archive-of-20x20-images",
    ),
    pytest.param(model_case(lambda f: (f / "m.npz").write_bytes(b"") or f / "m.npz"), id="empty-model"),
    pytest.param(
        model_case(truncated_npz_model),
        id="truncated-npz-model",
    ),
    pytest.param(model_case(truncated_keras_model), id="truncated-keras-model", marks=needs_keras),
    pytest.param(model_case(text_weights), id="text-weights"),
    pytest.param(
        model_case(npy_as_model),
        id="npy-as-model",
    ),
]


@pytest.mark.parametrize("build", BROKEN)
def test_broken_file_gives_its_error_type_naming_it(tmp_path, build) -> None:
    """Empty, truncated, misplaced or misshapen data and model files raise DataFileError/ModelFileError naming the
    file."""
    path, load, error = build(tmp_path)
    with pytest.raises(error) as info:
        load()
    assert path.name in str(info.value)


MESSAGES = [
    pytest.param(
        data_case(lambda f: (lab_files(f), truncate(f / "X.npy")), "X.npy"),
        "damaged|truncated|cannot be read",
        id="truncated-X.npy-is-not-called-pickled",
    ),
    pytest.param(
        data_case(lambda f: np.savez(f / SHIPPED_FILE, X=good_data()[0]), SHIPPED_FILE),
        "has no 'y' array",
        id="archive-without-y-names-the-array",
    ),
    pytest.param(
        data_case(lambda f: shipped_archive(f, X=np.zeros((10, 784), np.float32)), SHIPPED_FILE),
        "|".join(ACTIONS),
        id="wrong-shape-says-what-to-do",
    ),
    pytest.param(
        model_case(truncated_keras_model),
        "|".join(ACTIONS),
        id="unreadable-keras-says-what-to-do",
        marks=needs_keras,
    ),
]


@pytest.mark.parametrize(("build", "pattern"), MESSAGES)
def test_error_message_says_what_happened_and_what_to_do(tmp_path, build, pattern) -> None:
    """Messages describe the actual problem and end with what to do about it."""
    _, load, error = build(tmp_path)
    with pytest.raises(error, match=pattern):
        load()


def run_app_with(monkeypatch, module, name: str, replacement) -> AppTest:
    """The app, with one loader of the package replaced, caches cleared before and after."""
    monkeypatch.setattr(module, name, replacement)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        return AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    finally:
        monkeypatch.undo()
        st.cache_data.clear()
        st.cache_resource.clear()


def assert_error_shown(at: AppTest, name: str) -> None:
    assert not at.exception
    assert any(name in message.value for message in at.error)
    assert not at.tabs


def test_app_shows_a_pickled_data_file_as_an_error(tmp_path, monkeypatch) -> None:
    """With a data folder holding a pickled X.npy, the app stops with st.error naming X.npy and runs no pickle."""
    marker = tmp_path / "executed"
    folder = tmp_path / "data"
    folder.mkdir()
    pickled_x(folder, marker)
    real = digitdemo.data.load_dataset
    at = run_app_with(monkeypatch, digitdemo.data, "load_dataset", lambda data_dir=folder: real(data_dir))
    assert_error_shown(at, "X.npy")
    assert not marker.exists()


def test_app_shows_a_model_of_another_architecture_as_an_error(tmp_path, monkeypatch) -> None:
    """With the shipped models replaced by a wider network's weights, the app stops with st.error naming the file."""
    for entry in shipped_models():
        np.savez(tmp_path / f"{entry.name}.npz", **{**lab_weights(), "W1": np.zeros((400, 30)), "b1": np.zeros(30)})
    real = digitdemo.numpy_model.load_model
    at = run_app_with(monkeypatch, digitdemo.numpy_model, "load_model", lambda name: real(tmp_path / f"{name}.npz"))
    assert_error_shown(at, ".npz: W1 has shape (400, 30)")


def test_app_shows_a_truncated_data_archive_as_an_error(tmp_path, monkeypatch) -> None:
    """A data archive cut short (an interrupted copy) stops the app with st.error naming it, not a traceback."""
    truncate(shipped_archive(tmp_path))
    real = digitdemo.data.load_dataset
    at = run_app_with(monkeypatch, digitdemo.data, "load_dataset", lambda data_dir=tmp_path: real(data_dir))
    assert_error_shown(at, SHIPPED_FILE)
