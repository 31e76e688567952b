"""The drawn-digit set: every digit and style renders inside the stated ranges; the benchmark runs in a tiny setting."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import accuracy
from digitdemo.preprocess import CANVAS_SIDE
from testkit.synth import (
    MAX_PEN_FRACTION,
    MAX_SLANT,
    PEN_WIDTHS,
    SIZES,
    TEMPLATES,
    draw_digit,
    drawn_set,
    photo_like,
    template_strokes,
)


def test_every_digit_has_several_styles():
    """Each digit 0-9 has at least two hand-written styles."""
    assert sorted(TEMPLATES) == list(range(10))
    assert all(len(styles) >= 2 for styles in TEMPLATES.values())


def test_drawn_set_is_balanced_reproducible_and_in_range():
    """n drawings per digit, white ink on black, settings within the benchmark's ranges, same seed same set."""
    drawings, labels = drawn_set(3, seed=1)
    assert np.bincount(labels).tolist() == [3] * 10
    for d in drawings:
        assert d.image.shape == (CANVAS_SIDE, CANVAS_SIDE) and d.image.dtype == np.uint8
        assert d.image.max() == 255 and np.median(d.image) == 0
        assert PEN_WIDTHS[0] <= d.pen <= min(PEN_WIDTHS[1], max(PEN_WIDTHS[0], MAX_PEN_FRACTION * d.height)) + 1e-9
        assert SIZES[0] * CANVAS_SIDE - 1 <= d.height <= SIZES[1] * CANVAS_SIDE + 1
        assert abs(d.slant) <= MAX_SLANT
        rows = np.flatnonzero(d.image.max(axis=1) > 127)
        assert rows[-1] - rows[0] == pytest.approx(d.height, abs=4)  # the ink really is that tall
    np.testing.assert_array_equal(drawn_set(3, seed=1)[0][7].image, drawings[7].image)


def test_photo_like_is_dark_ink_on_light_paper():
    """The photo is RGB with light paper and darker ink where the drawing has ink."""
    drawing = draw_digit(4, np.random.default_rng(2)).image
    photo = photo_like(drawing, np.random.default_rng(3)).mean(axis=2)
    assert np.median(photo[drawing == 0]) > 120
    assert np.median(photo[drawing == 255]) < np.median(photo[drawing == 0]) - 40


def test_template_strokes_fit_the_unit_box():
    """Strokes handed to the browser test lie within 0..1."""
    for label in range(10):
        every = np.concatenate(template_strokes(label))
        assert every.min() >= 0 and every.max() <= 1 + 1e-9


def test_tiny_benchmark_shows_the_gain(capsys):
    """The benchmark's tiny run prints its table; preprocess beats the plain resize on drawn digits for each model."""
    results = accuracy.run(per_class=2, train_heldout=False)
    table = results["table"]
    for model in table[("drawn", "preprocess")]:
        assert table[("drawn", "preprocess")][model] >= table[("drawn", "plain resize")][model] + 0.3
    assert accuracy.main(["--tiny"]) == 0
    out = capsys.readouterr().out
    assert "| drawn | 20 | preprocess |" in out and "| photos | 20 | plain resize |" in out
