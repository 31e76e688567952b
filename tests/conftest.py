"""Shared fixtures: the shipped dataset and model, loaded once per test run."""

from __future__ import annotations

import numpy as np
import pytest

from digitdemo.data import Dataset, load_dataset
from digitdemo.inference import NumpyModel, load_model


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="session")
def lab_model() -> NumpyModel:
    return load_model("lab")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
