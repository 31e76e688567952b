"""The arithmetic behind "Why this answer": exact pixel contributions, one unit's sum, the network as a graph, the
nearest training digits, the "not a digit?" score and its calibration, and the picture without framing (NumPy only)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from digitdemo.attribution import (
    attribute_pixels,
    downstream_maps,
    explain_unit,
    forward_layers,
    n_layers,
    network_graph,
    top_two,
)
from digitdemo.calibration import TEMPERATURE_RTOL
from digitdemo.catalog import shipped_models
from digitdemo.data import checksum, roll_up
from digitdemo.explanation import Explanation
from digitdemo.neighbours import (
    FLAG_RATE,
    build_index,
    calibrate_novelty,
    load_calibration,
    nearest_digits,
    novelty,
    training_rows,
)
from digitdemo.network import LAYERS
from digitdemo.numpy_model import MODELS_DIR, load_model, load_record
from digitdemo.preprocess import plain_resize, preprocess
from testkit.synth import drawn_set

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOLERANCE = 1e-6
INPUTS = hnp.arrays(np.float64, 400, elements=st.floats(-0.3, 1.3))


@pytest.fixture(scope="module")
def robust():
    return load_model("robust")


@pytest.fixture(scope="module")
def data_sum(dataset) -> str:
    return checksum(dataset.X, dataset.y)


@st.composite
def networks(draw) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A random network of the lab's layers and activations (widths 1-12) and an input for it."""
    sizes = draw(st.lists(st.integers(1, 12), min_size=len(LAYERS) + 1, max_size=len(LAYERS) + 1))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    weights = {}
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False), start=1):
        weights[f"W{i}"] = rng.normal(0, 1, (n_in, n_out)).astype(np.float32)
        weights[f"b{i}"] = rng.normal(0, 0.5, n_out).astype(np.float32)
    return weights, rng.normal(0, 1, sizes[0])


@SETTINGS
@given(INPUTS, st.integers(0, 9), st.integers(0, 9))
def test_contributions_add_up_to_the_logit_on_the_shipped_models(x, c, d):
    """Pixel contributions plus the bias term equal logit c, and logit c - logit d, for every shipped model."""
    for entry in shipped_models():
        weights = load_model(entry.name).weights
        logits = forward_layers(weights, x)[-1].a
        single = attribute_pixels(weights, x, c)
        assert abs(single.pixels.sum() + single.bias - logits[c]) < TOLERANCE
        assert single.score == pytest.approx(logits[c], abs=TOLERANCE)
        versus = attribute_pixels(weights, x, c, d)
        assert abs(versus.pixels.sum() + versus.bias - (logits[c] - logits[d])) < TOLERANCE


@SETTINGS
@given(networks())
def test_contributions_add_up_for_any_depth(network):
    """The identity holds for networks of any depth and width, not only 400-25-15-10."""
    weights, x = network
    logits = forward_layers(weights, x)[-1].a
    for c in range(len(logits)):
        result = attribute_pixels(weights, x, c, 0)
        assert abs(result.pixels.sum() + result.bias - (logits[c] - logits[0])) < TOLERANCE


def test_forward_layers_matches_the_serving_model(dataset, lab_model):
    """Layer by layer, the float64 forward pass agrees with NumpyModel.forward (float32) to 1e-4."""
    X = dataset.X[:50]
    layers = forward_layers(lab_model.weights, X)
    reference = lab_model.forward(X)
    assert n_layers(lab_model.weights) == len(layers) == 3
    np.testing.assert_allclose(layers[0].a, reference.hidden[0], atol=1e-4)
    np.testing.assert_allclose(layers[1].a, reference.hidden[1], atol=1e-4)
    np.testing.assert_allclose(layers[2].a, reference.logits, atol=1e-4)


def test_pixels_without_ink_contribute_nothing(robust, dataset):
    """A pixel at 0 adds nothing; the contributions are not a saliency guess but x_i times a coefficient."""
    x = dataset.X[1015]
    result = attribute_pixels(robust.weights, x, 2)
    assert np.all(result.pixels[x == 0] == 0)
    assert np.count_nonzero(result.pixels) > 0


def test_top_two_orders_the_logits():
    """The predicted class and the runner-up are the two largest logits."""
    assert top_two(np.array([0.1, 3.0, -2.0, 2.5])) == (1, 3)


def test_unit_arithmetic(robust, dataset):
    """z = w.x + b, ReLU passes it iff z > 0, and the units' shares of the outputs plus the bias add up to the
    logits."""
    weights, x = robust.weights, dataset.X[1015]
    layers = forward_layers(weights, x)
    for layer in (1, 2):
        maps = downstream_maps(weights, layers)
        total = maps[layer][1].copy()
        for unit in range(weights[f"b{layer}"].shape[0]):
            u = explain_unit(weights, x, layer, unit)
            given = explain_unit(weights, x, layer, unit, layers)  # the forward pass handed in: the same arithmetic
            assert (given.z, given.a, given.dot) == (u.z, u.a, u.dot)
            np.testing.assert_array_equal(given.to_outputs, u.to_outputs)
            assert u.z == pytest.approx(u.dot + u.bias, abs=1e-9)
            assert u.passes == (u.z > 0) and u.a == max(u.z, 0.0)
            if not u.passes:
                assert np.all(u.to_outputs == 0)
            total += u.to_outputs
        np.testing.assert_allclose(total, layers[-1].a, atol=1e-9)
    u = explain_unit(weights, x, 1, 0)
    assert u.weights.shape == (400,) and roll_up(u.weights).shape == (20, 20)
    last = explain_unit(weights, x, 2, 3)  # one layer from the output: its share is plainly a * W3[unit]
    np.testing.assert_allclose(last.to_outputs, last.a * weights["W3"][3], atol=1e-6)


@pytest.mark.parametrize(
    ("layer", "unit", "message"),
    [(3, 0, "not a hidden layer; choose 1 to 2"), (0, 0, "not a hidden layer"), (2, 15, "choose 0 to 14")],
)
def test_bad_unit_gets_a_clear_message(robust, layer, unit, message):
    """Asking for a unit that does not exist names the valid range."""
    with pytest.raises(ValueError, match=message):
        explain_unit(robust.weights, np.zeros(400), layer, unit)


def test_bad_class_gets_a_clear_message(robust):
    """A class outside 0-9 names the valid range."""
    with pytest.raises(ValueError, match="choose 0 to 9"):
        attribute_pixels(robust.weights, np.zeros(400), 10)


def test_network_graph_keeps_the_strongest_edges(robust, dataset):
    """Nodes are the layers' activations; each layer's edges are exactly its k largest |a_i * W_ij|, strongest first."""
    weights, x = robust.weights, dataset.X[7]
    graph = network_graph(weights, x, per_layer=12)
    layers = forward_layers(weights, x)
    assert [n.shape for n in graph.nodes] == [(400,), (25,), (15,), (10,)]
    np.testing.assert_array_equal(graph.nodes[3], layers[-1].a)
    for i, edges in enumerate(graph.edges, start=1):
        flow = graph.nodes[i - 1][:, None] * weights[f"W{i}"]
        expected = np.sort(np.abs(flow).ravel())[::-1][:12]
        np.testing.assert_allclose(np.abs(edges.value), expected)
        np.testing.assert_allclose(edges.value, flow[edges.source, edges.target])
    given = network_graph(weights, x, per_layer=12, layers=layers)  # the forward pass handed in: the same graph
    for mine, theirs in zip(given.edges, graph.edges, strict=True):
        np.testing.assert_array_equal(mine.value, theirs.value)


KNOWN_X = np.array([[0, 0], [1, 0], [0, 2], [5, 5]], dtype=np.float32)
KNOWN_Y = np.array([0, 1, 0, 1])
# A network of the lab's depth whose last hidden layer is ReLU of the second coordinate: hidden codes 0, 0, 2, 5.
KNOWN_NET = {
    "W1": np.array([[0.0], [1.0]]),
    "b1": np.zeros(1),
    "W2": np.array([[1.0]]),
    "b2": np.zeros(1),
    "W3": np.array([[1.0, -1.0]]),
    "b3": np.zeros(2),
}


def test_nearest_digits_on_a_known_set():
    """In pixels (5, 0.1) is nearest (1, 0), then (5, 5), (0, 0), (0, 2); in the hidden layer (code 0.1) the two
    points with code 0 come first, then code 2, then code 5."""
    index = build_index(KNOWN_NET, KNOWN_X, KNOWN_Y)
    pixels, hidden = nearest_digits(index, KNOWN_NET, np.array([5.0, 0.1]), k=4)
    np.testing.assert_array_equal(pixels.rows, [1, 3, 0, 2])
    np.testing.assert_array_equal(pixels.labels, [1, 1, 0, 0])
    np.testing.assert_allclose(pixels.distances, [np.hypot(4, 0.1), 4.9, np.hypot(5, 0.1), np.hypot(5, 1.9)], rtol=1e-6)
    assert set(hidden.rows[:2]) == {0, 1}
    np.testing.assert_array_equal(hidden.rows[2:], [2, 3])
    np.testing.assert_allclose(hidden.distances, [0.1, 0.1, 1.9, 4.9], rtol=1e-6)


def test_nearest_digits_report_dataset_rows_of_a_subset():
    """An index over some rows reports the dataset's row numbers, not positions in the subset."""
    index = build_index(KNOWN_NET, KNOWN_X, KNOWN_Y, rows=np.array([2, 3]))
    pixels, _ = nearest_digits(index, KNOWN_NET, np.array([0.0, 1.9]), k=1)
    assert pixels.rows.tolist() == [2] and pixels.labels.tolist() == [0]


def test_a_training_digit_is_its_own_nearest(robust, dataset):
    """Each of several training digits finds itself first, at distance 0, in pixels and in the hidden layer."""
    index = build_index(robust.weights, dataset.X, dataset.y)
    for row in (0, 1015, 2500, 4999):
        pixels, hidden = nearest_digits(index, robust.weights, dataset.X[row])
        assert pixels.rows[0] == row and pixels.distances[0] < 1e-3
        assert hidden.distances[0] < 1e-3 and dataset.X[hidden.rows[0]] @ dataset.X[row] > 0
        assert np.all(np.diff(pixels.distances) >= 0) and np.all(np.diff(hidden.distances) >= 0)


def test_novelty_is_the_distance_to_the_nearest_digit_of_that_class():
    """The score is the distance to the closest reference digit of the given class, whatever other classes hold."""
    index = build_index(KNOWN_NET, KNOWN_X, KNOWN_Y)
    scores, rows = novelty(index, np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([0, 1]))
    np.testing.assert_allclose(scores, [1.0, 0.0])
    np.testing.assert_array_equal(rows, [0, 1])


def test_novelty_matches_measuring_every_digit_of_the_class(robust, dataset, rng):
    """On real digits, one at a time and in a batch of mixed classes, the score and row are those found by measuring
    the input against every reference digit of its class directly."""
    rows = training_rows(load_record("robust"), dataset.y)
    index = build_index(robust.weights, dataset.X, dataset.y, rows)
    queries = np.clip(dataset.X[rng.choice(len(dataset.X), 40)] + rng.normal(0, 0.1, (40, 400)), 0, 1)
    classes = rng.integers(0, 10, 40)
    batch = novelty(index, queries, classes)
    for i, (x, cls) in enumerate(zip(queries, classes, strict=True)):
        of_class = rows[dataset.y[rows, 0] == cls]
        distances = np.linalg.norm(dataset.X[of_class].astype(np.float64) - x, axis=1)
        score, row = novelty(index, x, cls)
        assert score[0] == pytest.approx(distances.min(), rel=1e-5) and row[0] == of_class[np.argmin(distances)]
        assert (batch[0][i], batch[1][i]) == (score[0], row[0])


def test_calibration_flags_at_most_the_rate_and_no_lower_threshold_would(rng):
    """With 200 held-out scores, the threshold flags at most 2% (4), and the next lower score would flag more."""
    X = rng.normal(0, 1, (300, 2)).astype(np.float32)
    y = np.zeros(300, dtype=np.int64)
    index = build_index(KNOWN_NET, X[:100], y[:100])
    calibration = calibrate_novelty(index, X[100:], y[100:])
    scores = np.sort(novelty(index, X[100:], y[100:])[0])
    assert calibration.flagged == (scores > calibration.threshold).sum() <= FLAG_RATE * 200
    below = scores[scores < calibration.threshold].max()
    assert (scores > below).sum() > FLAG_RATE * 200
    assert calibration.n_heldout == 200 and calibration.typical == pytest.approx(np.median(scores))


def test_lab_model_trains_on_every_digit(dataset):
    """A record without a validation split (the lab recipe) means the model saw every digit."""
    np.testing.assert_array_equal(training_rows(load_record("lab"), dataset.y), np.arange(len(dataset.y)))


def test_no_calibration_without_a_record_or_on_other_data(data_sum):
    """A missing record gives no threshold, and so does one calibrated on other data (its rows would be wrong)."""
    assert load_calibration(None, data_sum) is None
    assert load_calibration(load_record("lab"), data_sum) is not None
    assert load_calibration(load_record("lab"), "0" * 64) is None


def test_a_class_with_no_reference_digit_is_infinitely_novel():
    """If the reference set lacks the class asked about, the score is infinite and no row is named."""
    index = build_index(KNOWN_NET, KNOWN_X, KNOWN_Y)
    scores, rows = novelty(index, np.array([0.0, 0.0]), 7)
    assert scores.tolist() == [np.inf] and rows.tolist() == [-1]


def test_wrong_input_shape_gets_a_clear_message(robust):
    """An input of the wrong length names the length the network takes."""
    with pytest.raises(ValueError, match="takes 400 input values"):
        forward_layers(robust.weights, np.zeros(399))


def test_plain_resize_keeps_the_picture_where_it_was():
    """Without framing, a small mark in a canvas's top-left corner stays a faint top-left smudge."""
    canvas = np.zeros((280, 280), np.uint8)
    canvas[20:60, 20:60] = 255
    x = plain_resize(canvas)
    image = roll_up(x)
    assert x.shape == (400,) and x.dtype == np.float32
    assert image[:5, :5].sum() > 0 and image[5:, :].sum() == pytest.approx(0, abs=1e-6)
    np.testing.assert_allclose(plain_resize(255 - canvas), x, atol=1e-6)  # dark ink on light paper: same input


def test_explanation_parts_agree(robust, dataset, data_sum):
    """An Explanation's prediction, its pixel contributions against the runner-up, the neighbours, the novelty verdict
    and the unframed prediction agree with the functions they come from."""
    drawing = drawn_set(1, 7)[0][3]
    x = preprocess(drawing.image)
    record = load_record("robust")
    index = build_index(robust.weights, dataset.X, dataset.y, training_rows(record, dataset.y))
    calibration = load_calibration(record, data_sum)
    result = Explanation(robust.weights, x, index, calibration, drawing.image)
    logits = robust.predict_logits(x)[0]
    assert result.predicted == int(np.argmax(logits)) and result.runner_up != result.predicted
    a = result.versus()
    assert (a.cls, a.against) == (result.predicted, result.runner_up)
    assert a.pixels.sum() + a.bias == pytest.approx(logits[a.cls] - logits[a.against], abs=1e-4)
    assert dataset.y[result.novelty_row, 0] == result.predicted
    assert result.unlike_digits == (result.novelty > calibration.threshold)
    np.testing.assert_allclose(result.unframed, plain_resize(drawing.image))
    np.testing.assert_allclose(result.unframed_logits, robust.predict_logits(result.unframed)[0], atol=1e-4)
    assert (result.novelty, result.novelty_row) == tuple(value[0] for value in novelty(index, x, result.predicted))
    for shared, alone in zip(result.nearest, nearest_digits(index, robust.weights, x), strict=True):
        for ours, theirs in zip(shared, alone, strict=True):
            np.testing.assert_array_equal(ours, theirs)
    without = Explanation(robust.weights, x, index)
    assert without.unlike_digits is None and without.unframed is None and without.versus(0).against == 0


def test_unframed_picture_is_read_through_the_models_preprocessing(dataset):
    """For a model served deskewed (careful), "without framing" deskews the plainly resized picture as the model reads
    every input, so the view changes framing alone; the lab model's stays the plain resize."""
    drawings = drawn_set(1, 7)[0]
    drawing = max(drawings, key=lambda d: abs(d.slant))  # a slanted digit: deskewing moves its pixels
    for entry in shipped_models():
        model = load_model(entry.name)
        x = model.inputs(preprocess(drawing.image))
        index = build_index(model.weights, model.inputs(dataset.X[:50]), dataset.y[:50])
        result = Explanation(model.weights, x, index, image=drawing.image, deskew=model.deskew)
        plain = plain_resize(drawing.image)
        np.testing.assert_allclose(result.unframed, model.inputs(plain))
        np.testing.assert_allclose(result.unframed_logits, model.predict_logits(model.inputs(plain))[0], atol=1e-4)
        assert np.abs(result.unframed - plain).max() > 0.1 if entry.deskew else np.array_equal(result.unframed, plain)


def test_a_near_tie_is_explained_as_the_page_shows_it(lab_model, dataset):
    """Where the served float32 logits and the explanations' float64 ones pick different digits (a near-tie, found by
    bisecting the path from example 1015 to example 0), the logits shown decide: the prediction, the runner-up and
    the class the novelty is measured against are the page's."""
    a, b = dataset.X[1015].astype(np.float64), dataset.X[0].astype(np.float64)

    def own(x: np.ndarray) -> int:  # the class the explanations' own float64 pass gives
        return int(np.argmax(forward_layers(lab_model.weights, x)[-1].a))

    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if own((1 - mid) * a + mid * b) == own(a) else (lo, mid)
    path = [(1 - t) * a + t * b for t in np.linspace(lo - 1e-6, hi + 1e-6, 2001)]
    served = lab_model.predict_logits(np.array(path))
    ties = [i for i, x in enumerate(path) if own(x) != int(np.argmax(served[i]))]
    assert ties, "no input on the path where float32 and float64 disagree"
    index = build_index(lab_model.weights, dataset.X, dataset.y)
    x, logits = path[ties[0]], served[ties[0]]
    shown = int(np.argmax(logits))
    explanation = Explanation(lab_model.weights, x, index, logits=logits)
    assert explanation.predicted == shown != own(x) and explanation.runner_up == own(x)
    assert dataset.y[explanation.novelty_row, 0] == shown
    assert Explanation(lab_model.weights, x, index).predicted == own(x)  # without the page's logits, its own


def test_calibrate_command_stores_the_threshold(tmp_path, data_sum):
    """`python -m digitdemo calibrate` on a copy of the robust model writes the same threshold into the copy's record;
    a model without a record gets a one-line error, not a traceback."""
    for suffix in (".npz", ".json"):
        shutil.copy(MODELS_DIR / f"robust{suffix}", tmp_path / f"copy{suffix}")
    record = json.loads((tmp_path / "copy.json").read_text())
    del record["novelty"]
    (tmp_path / "copy.json").write_text(json.dumps(record))
    command = [sys.executable, "-m", "digitdemo", "calibrate", "--model"]
    result = subprocess.run([*command, str(tmp_path / "copy.npz")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    stored = load_calibration(load_record(tmp_path / "copy.npz"), data_sum)
    shipped = load_calibration(load_record("robust"), data_sum)
    assert stored is not None and shipped is not None and "10 of 500" in result.stdout
    # The temperature is refitted, to TEMPERATURE_RTOL; everything else comes out the same.
    assert stored.temperature == pytest.approx(shipped.temperature, rel=TEMPERATURE_RTOL)
    assert dataclasses.replace(stored, temperature=shipped.temperature) == shipped
    (tmp_path / "copy.json").unlink()
    result = subprocess.run([*command, str(tmp_path / "copy.npz")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "has no JSON record" in result.stderr and "Traceback" not in result.stderr
