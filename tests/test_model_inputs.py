"""Issue 22's package side: deskewing, each model served with the preprocessing its catalogue entry was trained with,
the calibrated probabilities and not-a-digit thresholds reproduced from the data, and the model card read from the
record (NumPy only)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from digitdemo.calibration import (
    TEMPERATURE_RTOL,
    calibration_record,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
)
from digitdemo.catalog import CATALOG, MODELS, shipped_models
from digitdemo.data import checksum, roll_up, unroll
from digitdemo.i18n import LANGUAGES, message
from digitdemo.metrics import count_errors, predict_dataset
from digitdemo.model_card import model_card
from digitdemo.neighbours import FLAG_RATE, N_SHAPES, SHAPES_SEED, load_calibration, novelty_record, training_rows
from digitdemo.numpy_model import load_model, load_record
from digitdemo.preprocess import deskew, deskew_rows, preprocess, preprocess_steps, skew
from digitdemo.shapes import non_digit_shapes
from testkit.synth import drawn_set

SHEARS = (-0.4, -0.2, 0.2, 0.4)  # columns per row: up to a 22 degree slant either way
RESTORED_MEAN = 0.03  # mean absolute pixel difference left after deskewing a sheared digit (interpolation blur)
VALIDATED = [entry for entry in shipped_models() if load_record(entry.name).get("validation")]


def shear(upright: np.ndarray, alpha: float) -> np.ndarray:
    """(20, 20) -> the same sheared by `alpha` columns per row about its centre of mass (scipy, not deskew's code)."""
    weights = np.clip(upright, 0, None)
    centre = weights.sum(axis=1) @ np.arange(upright.shape[0]) / weights.sum()
    return ndimage.affine_transform(upright, np.array([[1, 0], [-alpha, 1]]), offset=(0, alpha * centre), order=1)


def test_deskewing_a_sheared_digit_restores_it(dataset):
    """Twenty digits, upright (deskewed) then sheared by known amounts either way: deskewing gives back the upright
    digit within a mean pixel difference of 0.03 (and half of what the shear changed), with no slant left."""
    upright = deskew(roll_up(dataset.X[::250]))
    for digit in upright:
        for alpha in SHEARS:
            sheared = shear(digit, alpha)
            assert skew(sheared) == pytest.approx(alpha, abs=0.05)
            restored = deskew(sheared)
            assert np.abs(restored - digit).mean() < min(RESTORED_MEAN, np.abs(sheared - digit).mean() / 2)
            assert abs(skew(restored)) < 0.01


def test_an_upright_digit_is_unchanged():
    """A digit with no slant (a symmetric 0 and a bar) comes back exactly; a dash, about one row tall, too."""
    rows, cols = np.indices((20, 20))
    ring = (np.abs(np.hypot((rows - 9.5) / 8, (cols - 9.5) / 5) - 1) < 0.2).astype(np.float32)
    bar = ((cols >= 9) & (cols <= 10) & (rows >= 2) & (rows <= 17)).astype(np.float32)
    dash = ((rows == 10) & (cols >= 3) & (cols <= 16)).astype(np.float32)
    for image in (ring, bar, dash):
        np.testing.assert_array_equal(deskew(image), image)


def test_deskewing_rows_is_deskewing_each_upright_digit(dataset):
    """deskew_rows on lab rows (column-major) is deskew on each rolled-up digit, unrolled again; one row alike."""
    X = dataset.X[:50]
    np.testing.assert_array_equal(deskew_rows(X), unroll(deskew(roll_up(X))))
    np.testing.assert_array_equal(deskew_rows(X[7]), deskew_rows(X)[7])


@pytest.mark.parametrize("entry", MODELS, ids=lambda entry: entry.name)
def test_each_model_is_served_with_its_catalogue_preprocessing(entry, dataset):
    """A shipped model loads with its entry's preprocessing, which is its record's recipe's; its picture steps end
    with that preprocessing, its dataset rows are read through it, and so are the metrics' predictions."""
    if entry not in shipped_models():
        pytest.skip(f"{entry.name} is not shipped")
    model = load_model(entry.name)
    assert model.deskew == entry.deskew == load_record(entry.name)["recipe"].get("deskew", False)
    drawing = drawn_set(1, 3)[0][2].image
    steps = model.input_steps(drawing)
    assert ("deskewed" in steps) == entry.deskew
    np.testing.assert_array_equal(preprocess(drawing, entry.deskew), unroll(list(steps.values())[-1][None])[0])
    framed = preprocess(drawing)
    expected = deskew_rows(framed) if entry.deskew else framed
    np.testing.assert_array_equal(model.inputs(framed), expected)
    X, y = dataset.X[::10], dataset.y[::10]
    read = model.inputs(X)
    assert count_errors(model, X, y) == int((model.predict(read) != y[:, 0]).sum())
    np.testing.assert_array_equal(predict_dataset(model, X).proba, model.predict_proba(read))


def test_a_model_served_without_its_preprocessing_reads_worse(dataset):
    """The careful model on its training digits: with deskewing (its preprocessing) it makes fewer errors than without
    it, so serving it the other way would show."""
    careful = CATALOG["careful"]
    if careful not in shipped_models():
        pytest.skip("careful is not shipped")
    model = load_model("careful")
    served = count_errors(model, dataset.X, dataset.y)
    plain = int((model.predict(dataset.X) != dataset.y[:, 0]).sum())
    assert model.deskew and served < plain


def test_preprocess_steps_without_deskewing_are_the_labs():
    """Without `deskewed` the steps and the input are as before: no 'deskewed' step, the input is 'network input'."""
    drawing = drawn_set(1, 4)[0][5].image
    steps = preprocess_steps(drawing)
    assert "deskewed" not in steps and list(steps)[-1] == "network input"
    np.testing.assert_array_equal(preprocess(drawing), unroll(steps["network input"][None])[0])


def test_temperature_is_recovered_from_its_own_samples():
    """Labels drawn from softmax(z / 2) for random logits z: the fitted temperature is 2 within 0.15; with it, the
    ECE is small, and it is below the ECE at temperature 1."""
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, (20_000, 10))
    scaled = np.exp(logits / 2 - (logits / 2).max(axis=1, keepdims=True))
    p = scaled / scaled.sum(axis=1, keepdims=True)
    labels = (p.cumsum(axis=1) > rng.random((len(p), 1))).argmax(axis=1)
    temperature = fit_temperature(logits, labels)
    assert temperature == pytest.approx(2.0, abs=0.15)
    record = calibration_record(logits, labels, "test")
    assert record["ece_after"] < 0.02 < record["ece_before"]


def test_reliability_bins_and_ece_on_a_known_case():
    """Four answers at 0.95 (three right), two at 0.55 (one right): two bins, ECE (4 * 0.2 + 2 * 0.05) / 6."""
    probabilities = np.full((6, 10), 0.005)
    probabilities[:4, 0], probabilities[4:, 0] = 0.955, 0.555
    labels = np.array([0, 0, 0, 1, 0, 1])
    bins = reliability_bins(probabilities, labels)
    assert bins["count"][9] == 4 and bins["count"][5] == 2 and sum(bins["count"]) == 6
    assert bins["accuracy"][9] == 0.75 and bins["confidence"][9] == pytest.approx(0.955)
    assert bins["accuracy"][0] is None
    assert expected_calibration_error(bins) == pytest.approx((4 * 0.205 + 2 * 0.055) / 6)


@pytest.mark.parametrize("entry", VALIDATED, ids=lambda entry: entry.name)
def test_calibration_and_thresholds_reproduce_from_the_data(entry, dataset):
    """The temperature, ECE and reliability bins, and both not-a-digit thresholds in models/NAME.json are what
    `python -m digitdemo calibrate` derives: recomputed from the model, the data, its validation split and the
    held-out scribbles, they come out the same; at most 2% of held-out digits are flagged."""
    model, record = load_model(entry.name), load_record(entry.name)
    rows = model.inputs(dataset.X)
    train = training_rows(record, dataset.y)
    heldout = np.setdiff1d(np.arange(len(dataset.y)), train)
    fresh = calibration_record(
        model.predict_logits(rows[heldout]), dataset.y[heldout, 0], record["calibration"]["method"]
    )
    stored = record["calibration"]
    # The temperature is fitted to TEMPERATURE_RTOL, and the ECE moves less than the temperature does.
    assert fresh["temperature"] == pytest.approx(stored["temperature"], rel=TEMPERATURE_RTOL)
    assert fresh["ece_after"] == pytest.approx(stored["ece_after"], abs=TEMPERATURE_RTOL)
    assert fresh["bins_after"]["count"] == stored["bins_after"]["count"]
    assert model.temperature == stored["temperature"]
    exposed = record["recipe"].get("outliers")
    shapes = model.inputs(non_digit_shapes(N_SHAPES, SHAPES_SEED)) if exposed else None
    data_sum = checksum(dataset.X, dataset.y)
    novelty = novelty_record(
        model.weights, rows, dataset.y, train, heldout, "test", shapes, data_sum, model.temperature
    )
    calibration = load_calibration(record, data_sum)
    assert calibration.threshold == pytest.approx(novelty["threshold"], rel=1e-6)
    assert calibration.confidence == pytest.approx(novelty["confidence"], rel=1e-6)
    assert calibration.flagged == novelty["flagged"] <= FLAG_RATE * len(heldout)


@pytest.mark.parametrize("entry", MODELS, ids=lambda entry: entry.name)
def test_model_card_figures_are_the_records(entry):
    """Every figure the card shows is the record's own: held-out accuracy and errors, per digit, temperature and
    ECE, drawn and photo accuracy, the not-a-digit rates; each line is worded in every language."""
    record = load_record(entry.name)
    card = model_card(entry, record)
    by_id = {line.msg_id: line.params for line in card.lines}
    held = record["heldout"]
    assert by_id["card.heldout"] == {"accuracy": held["accuracy"], "errors": held["errors"], "n": held["n_test"]}
    assert card.per_digit == held.get("per_digit")
    if "calibration" in record:
        assert by_id["card.calibration"]["temperature"] == record["calibration"]["temperature"]
        assert by_id["card.calibration"]["after"] == record["calibration"]["ece_after"]
        assert card.reliability_after == record["calibration"]["bins_after"]
    benchmarks = record.get("benchmarks", {})
    if "accuracy" in benchmarks:
        assert by_id["card.drawn"]["drawn"] == benchmarks["accuracy"]["drawn"]
        assert by_id["card.drawn"]["photos"] == benchmarks["accuracy"]["photos"]
    if "novelty" in benchmarks:
        assert by_id["card.not_a_digit"]["symbols"] == benchmarks["novelty"]["symbols"]
    preprocessing = "card.preprocessing_deskewed" if entry.deskew else "card.preprocessing_framed"
    assert preprocessing in by_id and "card.preprocessing_mismatch" not in by_id
    for lang in LANGUAGES:
        assert all(message(lang, line.msg_id, **line.params) for line in card.lines)


def test_model_card_without_a_record_says_what_to_run():
    """A model with no record gets one line naming the command that trains it."""
    card = model_card(CATALOG["robust"], None)
    assert [line.msg_id for line in card.lines] == ["card.missing"]
    assert card.lines[0].params["command"] == "python -m digitdemo train --recipe robust"


def test_non_digit_shapes_are_inputs_and_repeat_with_their_seed():
    """The scribbles are (n, 400) inputs in the lab's range, the same for the same seed, others for another."""
    a, b, c = non_digit_shapes(12, 1), non_digit_shapes(12, 1), non_digit_shapes(12, 2)
    assert a.shape[1] == 400 and 10 <= len(a) <= 12 and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[: len(c)], c[: len(a)])
    assert a.min() > -0.2 and a.max() < 1.2


def test_the_app_serves_each_model_with_its_preprocessing(new_app, dataset):
    """The Draw tab on training example 1015, for each shipped model chosen in the sidebar: the input the page
    predicts from (and sends to a class room) is the example read through that model's preprocessing, and the
    probabilities shown are its calibrated ones."""
    at = new_app().run()
    at.radio(key="draw_source").set_value("example").run()
    for entry in shipped_models():
        at.sidebar.radio(key="model_choice").set_value(entry.name).run()
        assert not at.exception
        model = load_model(entry.name)
        np.testing.assert_allclose(
            at.session_state["current_logits"], model.predict_logits(model.inputs(dataset.X[1015]))[0]
        )
