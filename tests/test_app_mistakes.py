"""AppTest of the Mistakes tab: the error count for the model in use, the filtered gallery, the 8x8 grid."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from digitdemo.catalog import SESSION_LABEL_ID
from digitdemo.i18n import message
from digitdemo.live_training import TrainingJob, TrainingSettings
from digitdemo.numpy_model import NumpyModel

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
MISTAKES_TAB = 3


def lab_app() -> AppTest:
    """The app with the Mistakes tab open and the shipped lab model chosen (the default is robust), not yet run."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["tabs"] = "Mistakes"  # built only while open
    at.session_state["model_choice"] = "lab"
    return at


@pytest.fixture
def at() -> AppTest:
    return lab_app().run()


@pytest.fixture(scope="module")
def lab_errors(dataset, lab_model) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the shipped lab model's errors and its predictions, from argmax of the logits."""
    predicted = np.argmax(lab_model.predict_logits(dataset.X), axis=1)
    return np.flatnonzero(predicted != dataset.y[:, 0]), predicted


def gallery_indices(at: AppTest) -> list[int]:
    """Training-set indices of the gallery's images, read from their '#index' captions."""
    images = at.tabs[MISTAKES_TAB].get("image")
    galleries = [im for im in images if any("#" in c for c in im.captions)]
    if not galleries:
        return []
    return [int(c.rsplit("#", 1)[1]) for c in galleries[0].captions]


def test_error_count_and_gallery_of_the_lab_model(at, dataset, lab_errors):
    """'N errors out of 5000 images' with N counted here; the gallery shows those images in index order,
    titled label, prediction (probability)."""
    errors, predicted = lab_errors
    assert not at.exception
    heading = message("en", "mistakes.errors_heading", n_errors=len(errors), n=5000)
    assert heading in [s.value for s in at.tabs[MISTAKES_TAB].subheader]
    # Why the lab recipe makes few errors here (and the robust model more).
    assert message("en", "presenter.errors_lab") in [c.value for c in at.tabs[MISTAKES_TAB].caption]
    shown = gallery_indices(at)
    assert shown == errors[:24].tolist()
    first = [im for im in at.tabs[MISTAKES_TAB].get("image") if im.captions and "#" in im.captions[0]][0]
    i = errors[0]
    assert first.captions[0].startswith(f"{dataset.y[i, 0]}, {predicted[i]} (")


@pytest.mark.parametrize("key", ["mistakes_true", "mistakes_pred"])
def test_filters_reduce_the_gallery(at, dataset, lab_errors, key):
    """Filtering by the label (or prediction) of the first error leaves exactly the errors with that digit."""
    errors, predicted = lab_errors
    digit_of = dataset.y[:, 0] if key == "mistakes_true" else predicted
    digit = int(digit_of[errors[0]])
    at.selectbox(key=key).set_value(digit).run()
    assert not at.exception
    expected = [int(i) for i in errors if digit_of[i] == digit]
    assert 0 < len(expected) < len(errors)
    assert gallery_indices(at) == expected


def test_cell_choice_by_both_filters(at, dataset, lab_errors):
    """Choosing a confusion-matrix cell (label row, prediction column) shows only that cell's images."""
    errors, predicted = lab_errors
    label, prediction = int(dataset.y[errors[0], 0]), int(predicted[errors[0]])
    at.selectbox(key="mistakes_true").set_value(label)
    at.selectbox(key="mistakes_pred").set_value(prediction).run()
    expected = [int(i) for i in errors if dataset.y[i, 0] == label and predicted[i] == prediction]
    assert gallery_indices(at) == expected
    at.button(key="mistakes_clear_filters").click().run()
    assert at.selectbox(key="mistakes_true").value is None
    assert len(gallery_indices(at)) == min(24, len(errors))


def test_diagonal_cell_says_correct(at):
    """Label 4 predicted 4 is no mistake: no gallery, a note instead."""
    at.selectbox(key="mistakes_true").set_value(4)
    at.selectbox(key="mistakes_pred").set_value(4).run()
    assert not at.exception
    assert gallery_indices(at) == []
    assert message("en", "mistakes.diagonal", label=4, prediction=4) in [i.value for i in at.tabs[MISTAKES_TAB].info]


def test_session_model_is_counted_and_capped(dataset, lab_model):
    """A model trained in this session (here: the lab's with noisy first-layer weights) is the one counted;
    the gallery shows 24 at first and 24 more per 'show more'."""
    weights = dict(lab_model.weights)
    weights["W1"] = weights["W1"] + np.random.default_rng(0).normal(0, 0.15, weights["W1"].shape).astype(np.float32)
    noisy = NumpyModel(weights, name="session")
    errors = np.flatnonzero(noisy.predict(dataset.X) != dataset.y[:, 0])
    assert len(errors) > 48
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["tabs"] = "Mistakes"
    # What a finished run in the Model tab leaves in the session.
    at.session_state["training_job"] = TrainingJob(TrainingSettings(), 5000, state="done", model=noisy)
    at.run()
    assert not at.exception
    heading = message("en", "mistakes.errors_heading", n_errors=len(errors), n=5000)
    assert heading in [s.value for s in at.tabs[MISTAKES_TAB].subheader]
    caption = message(
        "en", "mistakes.model_caption", model=message("en", SESSION_LABEL_ID), accuracy=1 - len(errors) / 5000
    )
    assert caption in [c.value for c in at.tabs[MISTAKES_TAB].caption]
    assert gallery_indices(at) == errors[:24].tolist()
    at.button(key="mistakes_show_more").click().run()
    assert gallery_indices(at) == errors[:48].tolist()


def test_reshuffle_draws_new_digits(at):
    """The 8x8 grid is one image; the reshuffle button replaces it with another draw."""

    def grid_url() -> str:
        [grid] = [im for im in at.tabs[MISTAKES_TAB].get("image") if not im.captions or not any(im.captions)]
        return grid.proto.imgs[0].url

    before = grid_url()
    at.button(key="mistakes_reshuffle").click().run()
    assert not at.exception
    assert grid_url() != before


def test_chinese(lab_errors):
    """In Chinese the count reads '5000 张图片中有 N 张识别错误', the model is named by its Chinese name and the
    filters have Chinese labels."""
    errors, _ = lab_errors
    at = lab_app()
    at.session_state["lang"] = "zh"
    at.run()
    at.selectbox(key="mistakes_true").set_value(3).run()
    assert not at.exception
    assert f"5000 张图片中有 {len(errors)} 张识别错误" in [s.value for s in at.tabs[MISTAKES_TAB].subheader]
    assert at.selectbox(key="mistakes_true").label == "标签（真实数字）"
    assert any(c.value.startswith("模型：实验配方；") for c in at.tabs[MISTAKES_TAB].caption)
