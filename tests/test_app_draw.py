"""AppTest checks of the Draw tab: invitation when blank, training examples, injected drawings, uploads, hidden
layers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

from digitdemo.i18n import LANGUAGES, message
from digitdemo.images import FORMAT_NAMES
from digitdemo.network import WEIGHT_SHAPES
from digitdemo.numpy_model import NumpyModel

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TIMEOUT = 60
SIDE = 280  # the Draw tab's canvas
ONE = [(0.5, 0.15), (0.5, 0.85)]
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]


def canvas_image(points: list[tuple[float, float]], transparent: bool = False, width: int = 22) -> np.ndarray:
    """A (280, 280, 4) RGBA drawing like the canvas sends: white strokes on black, or on a transparent background."""
    image = Image.new("RGBA", (SIDE, SIDE), (0, 0, 0, 0 if transparent else 255))
    ImageDraw.Draw(image).line([(x * SIDE, y * SIDE) for x, y in points], fill=(255, 255, 255, 255), width=width)
    return np.asarray(image)


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def prediction(at: AppTest):
    """The Prediction metric (labelled in any language), or None when none is shown."""
    labels = {message(code, "draw.prediction") for code in LANGUAGES}
    metrics = [metric for metric in at.metric if metric.label in labels]
    assert len(metrics) <= 1
    return metrics[0] if metrics else None


def show_image(image, model=None):
    """The Draw tab's view of one canvas image, as the fragment renders it (AppTest cannot drive the canvas)."""
    from digitdemo.data import load_dataset
    from digitdemo.numpy_model import load_model
    from digitdemo.preprocess import preprocess
    from ui import draw

    model = model or load_model("lab")
    draw.render_reading(model, load_dataset(), preprocess(image), image, "canvas")


def run_view(image: np.ndarray, model: NumpyModel | None = None) -> AppTest:
    return AppTest.from_function(show_image, default_timeout=TIMEOUT, args=(image, model)).run()


def test_blank_canvas_invites_to_draw() -> None:
    """The app opens on the canvas with an invitation to draw, no prediction and no logits for the Softmax tab."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.radio(key="draw_source").value == "canvas"
    assert prediction(at) is None
    assert message("en", "draw.invite_draw") in [info.value for info in at.info]
    assert "current_logits" not in at.session_state


def test_training_example_1015_predicts_two_with_the_models_probability(dataset, lab_model) -> None:
    """Example 1015 (the lab's "2") shows 2 with the probability the lab model gives, and shares its logits."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.sidebar.radio(key="model_choice").set_value("lab").run()
    at.radio(key="draw_source").set_value("example").run()
    assert not at.exception
    assert at.number_input(key="draw_example").value == 1015
    proba = lab_model.predict_proba(dataset.X[1015])[0]
    metric = prediction(at)
    assert metric.value == "2"
    assert metric.proto.delta == f"probability {proba[2]:.1%}"
    np.testing.assert_allclose(at.session_state["current_logits"], lab_model.predict_logits(dataset.X[1015])[0])
    at.number_input(key="draw_example").set_value(0).run()
    assert prediction(at).value == str(lab_model.predict(dataset.X[0])[0])


@pytest.mark.parametrize("transparent", [False, True], ids=["black background", "transparent background"])
@pytest.mark.parametrize(("points", "digit"), [(ONE, "1"), (SEVEN, "7")], ids=["one", "seven"])
def test_injected_drawing_is_recognised(points, digit, transparent) -> None:
    """A canvas image of a drawn 1 or 7 gives that prediction, whether the background is painted black or
    transparent."""
    at = run_view(canvas_image(points, transparent))
    assert not at.exception
    assert prediction(at).value == digit
    assert at.session_state["current_logits"].shape == (10,)


@pytest.mark.parametrize("transparent", [False, True], ids=["black background", "transparent background"])
def test_injected_blank_canvas_shows_no_prediction(transparent) -> None:
    """A canvas with nothing drawn (black or transparent) shows the invitation and no metric."""
    at = run_view(canvas_image([(0.5, 0.5), (0.5, 0.5)], transparent, width=0))
    assert not at.exception
    assert prediction(at) is None
    assert message("en", "draw.invite_draw") in [info.value for info in at.info]


def test_unsure_network_says_so() -> None:
    """A network whose ten outputs are equal (top probability 0.1) warns that it is not sure."""
    flat = NumpyModel({key: np.zeros(shape, np.float32) for key, shape in WEIGHT_SHAPES.items()}, name="flat")
    at = run_view(canvas_image(ONE), flat)
    assert not at.exception
    assert prediction(at).proto.delta == message("en", "draw.probability", p=0.1)
    assert message("en", "draw.unsure", threshold=0.5) in [warning.value for warning in at.warning]


def test_upload_of_a_digit_and_of_a_bad_file() -> None:
    """An uploaded PNG of a 7 is predicted as 7 and its preprocessing steps can be shown; a file that is not an image
    gives st.error, not a traceback."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.radio(key="draw_source").set_value("upload").run()
    assert prediction(at) is None
    at.file_uploader(key="draw_upload").upload("seven.png", png_bytes(canvas_image(SEVEN)), "image/png").run()
    assert not at.exception
    assert prediction(at).value == "7"
    at.toggle(key="draw_steps").set_value(True).run()
    assert not at.exception
    steps = [image for image in at.image if message("en", "draw.step_input") in image.captions]
    assert len(steps) == 1 and steps[0].captions[0] == message("en", "draw.step_ink")
    at.file_uploader(key="draw_upload").upload("broken.png", b"this is not a picture", "image/png").run()
    assert not at.exception
    refusal = message("en", "image.not_a_picture", formats=FORMAT_NAMES)
    assert [error.value for error in at.error] == [message("en", "draw.upload_error", error=refusal)]
    assert prediction(at) is None


def chart_values(at: AppTest, key: str) -> list[float]:
    """The bar heights of the Plotly chart whose widget key is `key`."""
    (chart,) = [chart for chart in at.get("plotly_chart") if chart.proto.id.endswith(f"-{key}")]
    return json.loads(chart.proto.spec)["data"][0]["y"]


def test_logits_toggle_and_look_inside(dataset, lab_model) -> None:
    """The chart shows probabilities, or the raw logits when toggled; the expander shows both hidden layers'
    activations."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.sidebar.radio(key="model_choice").set_value("lab").run()
    at.radio(key="draw_source").set_value("example").run()
    activations = lab_model.forward(dataset.X[1015])
    np.testing.assert_allclose(chart_values(at, "draw_chart"), lab_model.predict_proba(dataset.X[1015])[0], atol=1e-6)
    assert not [chart for chart in at.get("plotly_chart") if chart.proto.id.endswith("-draw_a1")]  # closed: not built
    at.session_state["draw_inside"] = True
    at.run()
    np.testing.assert_allclose(chart_values(at, "draw_a1"), activations.hidden[0][0], atol=1e-5)
    np.testing.assert_allclose(chart_values(at, "draw_a2"), activations.hidden[1][0], atol=1e-5)
    at.toggle(key="draw_logits").set_value(True).run()
    assert not at.exception
    np.testing.assert_allclose(chart_values(at, "draw_chart"), activations.logits[0], atol=1e-5)
