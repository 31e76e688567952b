"""AppTest checks of the Draw tab's "Why this answer": the numbers shown are digitdemo.explanation's Explanation's and
explain_unit's, and the "Not a digit?" warning appears for an input the check flags and not for the lab's example
1015."""

from __future__ import annotations

import base64
import json
import time

import numpy as np
import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

from digitdemo.activations import my_softmax
from digitdemo.attribution import explain_unit
from digitdemo.data import checksum, roll_up
from digitdemo.explanation import Explanation
from digitdemo.i18n import message
from digitdemo.neighbours import build_index, load_calibration, training_rows
from digitdemo.numpy_model import load_record
from digitdemo.preprocess import plain_resize, preprocess

TIMEOUT = 60
RUN_SECONDS = 180
SIDE = 280
EQUALS = [[(0.2, 0.4), (0.8, 0.4)], [(0.2, 0.6), (0.8, 0.6)]]  # an "=": read as a digit, unlike any
ONE = [[(0.5, 0.15), (0.5, 0.85)]]
SMALL_SEVEN = [[(0.05, 0.05), (0.25, 0.05), (0.12, 0.3)]]


def canvas_image(strokes: list[list[tuple[float, float]]]) -> np.ndarray:
    """(280, 280, 4) uint8 RGBA as the canvas sends it: white strokes 22 px wide on black."""
    image = Image.new("RGBA", (SIDE, SIDE), (0, 0, 0, 255))
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        pen.line([(x * SIDE, y * SIDE) for x, y in stroke], fill=(255, 255, 255, 255), width=22)
    return np.asarray(image)


@pytest.fixture(scope="module")
def lab_reference(dataset, lab_model):
    """The lab model's neighbour index and calibration, as the app builds them."""
    record = load_record("lab")
    index = build_index(lab_model.weights, dataset.X, dataset.y, rows=training_rows(record, dataset.y))
    return index, load_calibration(record, checksum(dataset.X, dataset.y))


def example_app(new_app, **state: object) -> AppTest:
    """The app on the lab model showing training example 1015, with `state` preset (the expander open, a view)."""
    at = new_app(**state).run()
    at.sidebar.radio(key="model_choice").set_value("lab").run()
    at.radio(key="draw_source").set_value("example").run()
    assert not at.exception
    return at


def chart_spec(at: AppTest, key: str) -> dict:
    (chart,) = [chart for chart in at.get("plotly_chart") if chart.proto.id.endswith(f"-{key}")]
    return json.loads(chart.proto.spec)


def plotly_array(value: list | dict) -> np.ndarray:
    """A figure's array as Plotly's JSON holds it: a list, or {dtype, bdata (base64), shape} for a NumPy array."""
    if isinstance(value, list):
        return np.asarray(value, dtype=float)
    flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return flat.reshape([int(n) for n in str(value.get("shape", flat.size)).split(",")])


def markdown_texts(at: AppTest) -> list[str]:
    return [element.value for element in at.markdown]


def not_a_digit_errors(at: AppTest) -> list[str]:
    head = message("en", "why.not_a_digit", digit=0, score=0, threshold=0).split("0")[0]
    return [error.value for error in at.error if error.value.startswith(head)]


def test_closed_section_is_not_built(new_app) -> None:
    """Closed (as it starts), the section builds none of its charts, so a stroke costs nothing more."""
    at = example_app(new_app)
    assert not [chart for chart in at.get("plotly_chart") if "draw_why" in chart.proto.id]
    assert message("en", "why.heading") in [expander.label for expander in at.expander]


def test_network_view_shows_the_chosen_units_arithmetic(new_app, dataset, lab_model, lab_reference) -> None:
    """For example 1015 the network figure's nodes are the Explanation's graph; the unit first shown is layer 1's most
    active, and a unit chosen by key shows its total in words, its sum w.x + b (with the numbers shown), ReLU verdict
    and share of each output."""
    at = example_app(new_app, draw_why=True, draw_why_view="network", draw_why_numbers=True)
    x = dataset.X[1015]
    explanation = Explanation(lab_model.weights, x, lab_reference[0], lab_reference[1])
    figure = chart_spec(at, "draw_why_network")
    picture = figure["data"][0]
    (circles,) = [trace for trace in figure["data"] if "customdata" in trace]
    np.testing.assert_allclose(plotly_array(picture["z"]), roll_up(x), atol=1e-3)
    np.testing.assert_allclose(
        plotly_array(circles["customdata"]), np.concatenate(explanation.graph.nodes[1:]), atol=1e-9
    )
    first = int(np.argmax(explanation.layers[0].a))
    assert at.selectbox(key="draw_why_unit").value == (1, first)
    for layer, unit in [(1, first), (2, 3), (1, 0)]:
        at.selectbox(key="draw_why_unit").set_value((layer, unit)).run()
        assert not at.exception
        unit_math = explain_unit(lab_model.weights, x, layer, unit)
        sum_line = f"z = {unit_math.dot:.3f} + ({unit_math.bias:.3f}) = **{unit_math.z:.3f}**"
        assert any(sum_line in text for text in markdown_texts(at)), sum_line
        assert message("en", "why.unit_plain", n=unit_math.inputs.size, z=unit_math.z) in markdown_texts(at)
        if unit_math.passes:
            assert message("en", "why.relu_passes", a=unit_math.a) in [s.value for s in at.success]
        else:
            assert message("en", "why.relu_blocks", z=unit_math.z) in [i.value for i in at.info]
        outputs = chart_spec(at, "draw_why_unit_outputs")["data"][0]["y"]
        np.testing.assert_allclose(plotly_array(outputs), unit_math.to_outputs, atol=1e-9)


def test_versus_view_shows_shares_that_add_up(new_app, dataset, lab_model, lab_reference) -> None:
    """Against the runner-up and then against a digit chosen by key, the check line (shown with the numbers) carries
    the Explanation's pixel shares, bias term and logit difference."""
    at = example_app(new_app, draw_why=True, draw_why_view="versus", draw_why_numbers=True)
    x = dataset.X[1015]
    for against in (None, 7):
        if against is not None:
            at.selectbox(key="draw_why_against").set_value(against).run()
        attribution = Explanation(lab_model.weights, x, *lab_reference).versus(against)
        total = float(attribution.pixels.sum())
        expected = message(
            "en",
            "why.versus_check",
            digit=attribution.cls,
            other=attribution.against,
            pixels=total,
            bias=attribution.bias,
            total=total + attribution.bias,
            score=attribution.score,
            gap=abs(total + attribution.bias - attribution.score),
        )
        assert expected in markdown_texts(at)
        assert attribution.cls == 2 and (against is None or attribution.against == against)


def test_nearest_view_names_the_nearest_training_digits(new_app, dataset, lab_model, lab_reference) -> None:
    """The nearest digits' captions are the Explanation's neighbours (example 1015 itself first, at distance 0)."""
    at = example_app(new_app, draw_why=True, draw_why_view="nearest")
    explanation = Explanation(lab_model.weights, dataset.X[1015], *lab_reference)
    captions = [img.caption for element in at.get("image") for img in element.proto.imgs]
    for neighbours in (explanation.nearest_pixels, explanation.nearest_hidden):
        for row, label, distance in zip(neighbours.rows, neighbours.labels, neighbours.distances, strict=True):
            assert message("en", "why.neighbour", label=int(label), distance=float(distance), row=int(row)) in captions
    assert explanation.nearest_pixels.rows[0] == 1015


def test_example_1015_is_not_flagged(new_app) -> None:
    """The lab's "2" gets no "Not a digit?" warning."""
    at = example_app(new_app)
    assert not_a_digit_errors(at) == []


def show_drawing(image):
    """The Draw tab's prediction and "Why this answer" for one canvas image on the lab model."""
    from digitdemo.data import load_dataset
    from digitdemo.numpy_model import load_model
    from digitdemo.preprocess import preprocess
    from ui import draw

    model, dataset = load_model("lab"), load_dataset()
    x = preprocess(image)
    draw.render_reading(model, dataset, x, image, "canvas")


def run_drawing(strokes: list, view: str = "network") -> AppTest:
    at = AppTest.from_function(show_drawing, default_timeout=TIMEOUT, args=(canvas_image(strokes),))
    at.session_state["draw_why"] = True
    at.session_state["draw_why_view"] = view
    return at.run()


def test_flagged_input_says_not_a_digit(lab_model, lab_reference) -> None:
    """An "=" is read as a digit with a high probability, yet flagged: the warning says so beside the prediction."""
    x = preprocess(canvas_image(EQUALS))
    explanation = Explanation(lab_model.weights, x, *lab_reference)
    assert explanation.unlike_digits  # the input this test needs
    at = run_drawing(EQUALS)
    assert not at.exception
    expected = message(
        "en",
        "why.not_a_digit",
        digit=explanation.predicted,
        score=explanation.novelty,
        threshold=lab_reference[1].threshold,
    )
    assert not_a_digit_errors(at) == [expected]


def test_framing_view_shows_both_predictions(lab_model) -> None:
    """A drawn "1" beside its plainly resized picture, each captioned with the network's answer for it."""
    image = canvas_image(ONE)
    at = run_drawing(ONE, "framing")
    assert not at.exception
    captions = [img.caption for element in at.get("image") for img in element.proto.imgs]
    for msg_id, x in (("why.framed", preprocess(image)), ("why.unframed", plain_resize(image))):
        proba = my_softmax(lab_model.forward(x).logits[0].astype(np.float64))
        assert message("en", msg_id, digit=int(np.argmax(proba)), p=float(proba.max())) in captions


def weight_tiles_shown(at: AppTest) -> list:
    """The Model tab's numbered weight tiles: (caption, picture url) of each image captioned with a unit number."""
    return [
        (img.caption, img.url) for element in at.get("image") for img in element.proto.imgs if img.caption.isdigit()
    ]


def test_stepped_run_shows_the_units_weights_changing(lab_example_session) -> None:
    """While a run goes one epoch at a time, the Model tab shows the 25 first-layer weight pictures, numbered, of the
    weights after the last epoch; after the next epoch they are other pictures."""
    at = lab_example_session()
    at.number_input(key="model_epochs").set_value(3).run()
    at.checkbox(key="model_step").check().run()
    at.button(key="model_train").click().run()
    job = at.session_state["training_job"]
    shown = []
    for epoch in (1, 2):
        deadline = time.monotonic() + RUN_SECONDS
        while job.state != "waiting" or len(job.history) < epoch:
            assert time.monotonic() < deadline, "training did not reach the epoch in time"
            time.sleep(0.05)
        at.run()
        assert not at.exception
        assert message("en", "why.training_weights", epoch=epoch) in markdown_texts(at)
        tiles = weight_tiles_shown(at)
        assert [caption for caption, _ in tiles] == [str(j) for j in range(25)]
        shown.append([url for _, url in tiles])
        if epoch == 1:
            at.button(key="model_next_epoch").click().run()
    assert all(first != second for first, second in zip(*shown, strict=True))
    at.button(key="model_stop").click().run()
    job.join(RUN_SECONDS)
    assert job.finished


def test_views_start_in_plain_words(new_app) -> None:
    """Opened, "Why this answer" starts on the nearest training digits; the formulas and checks stay one click away:
    without the numbers switch the versus view shows no check line and the network view no sum."""
    at = example_app(new_app, draw_why=True)
    views = at.segmented_control(key="draw_why_view")
    assert views.value == "nearest"
    order = ("nearest", "versus", "framing", "network")
    assert views.options == [message("en", f"why.view_{view}") for view in order]  # each view under its own label
    at.segmented_control(key="draw_why_view").set_value("versus").run()
    check_head = message("en", "why.versus_check", digit=0, other=0, pixels=0, bias=0, total=0, score=0, gap=0)[:12]
    assert not [text for text in markdown_texts(at) if text.startswith(check_head)]
    at.segmented_control(key="draw_why_view").set_value("network").run()
    assert not [text for text in markdown_texts(at) if "z = w · x + b" in text]
    at.toggle(key="draw_why_numbers").set_value(True).run()
    assert [text for text in markdown_texts(at) if "z = w · x + b" in text]
    assert not at.exception


def test_framing_view_says_when_framing_changes_nothing() -> None:
    """A "1" down the middle looks the same framed or plainly resized: the view says so, instead of the general lesson
    that framing rescues a small, off-centre digit, which it gives for a small "7" in a corner."""
    for strokes, shown, hidden in (
        (ONE, "why.framing_same", "why.framing_explained"),
        (SMALL_SEVEN, "why.framing_explained", "why.framing_same"),
    ):
        texts = markdown_texts(run_drawing(strokes, "framing"))
        assert message("en", shown) in texts and message("en", hidden) not in texts
