"""Shared fixtures: the shipped dataset and model, loaded once per test run; a PostgreSQL server for the session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from digitdemo.data import Dataset, load_dataset
from digitdemo.numpy_model import NumpyModel, load_model
from scripts import postgres

# ci_skips: under CI (env CI set) any skip fails the run; pytester: for tests/test_ci_skips.py.
pytest_plugins = ("tests.ci_skips", "pytester")


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="session")
def lab_model() -> NumpyModel:
    return load_model("lab")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
APP_TIMEOUT = 60


@pytest.fixture
def new_app() -> Callable[..., AppTest]:
    """Factory: an AppTest of the app, not yet run, with session state preset (tabs="Model" opens that tab)."""

    def make(**state: object) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
        for key, value in state.items():
            at.session_state[key] = value
        return at

    return make


@pytest.fixture
def lab_example_session(new_app) -> Callable[[], AppTest]:
    """Factory: a run session on the lab model with the Model tab open, the Draw tab showing training example 1015."""

    def make() -> AppTest:
        at = new_app(tabs="Model").run()
        at.sidebar.radio(key="model_choice").set_value("lab").run()
        at.radio(key="draw_source").set_value("example").run()
        return at

    return make


class PostgresCluster(NamedTuple):
    """The test session's throwaway PostgreSQL server: its folder (for stop and start) and its URL."""

    folder: Path
    url: str


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL server for the whole session, on a free loopback port, removed at the end; skips if absent."""
    try:
        folder, url = postgres.start()
    except postgres.NotInstallableError as exc:
        pytest.skip(f"PostgreSQL cases skipped: {exc}")
    try:
        yield PostgresCluster(folder, url)
    finally:
        postgres.remove(folder)
