"""Preprocessing, step by step: finding the ink in any picture and framing it like the training digits."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from digitdemo.data import roll_up
from digitdemo.preprocess import (
    SUPERSAMPLE,
    TARGET_BOX,
    TARGET_CENTRE,
    TARGET_STROKE,
    TRAIN_BOX,
    TRAIN_CENTRE,
    TRAIN_STROKE,
    WORK_SIDE,
    centre_by_mass,
    crop_to_ink,
    drop_specks,
    fit_digit,
    flatten_illumination,
    ink_mask,
    ink_polarity,
    is_flat_background,
    is_speck,
    load_gray,
    measure_digits,
    otsu_threshold,
    preprocess,
    preprocess_steps,
    relative_stroke_width,
    resize_mask,
    set_stroke_width,
    shrink,
    stroke_width,
)
from testkit.synth import draw_digit, photo_like


def bar(width: int, side: int = 120, length: int = 80) -> np.ndarray:
    """(side, side) bool: a vertical bar `width` px wide and `length` tall in the middle."""
    mask = np.zeros((side, side), bool)
    top, left = (side - length) // 2, (side - width) // 2
    mask[top : top + length, left : left + width] = True
    return mask


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_measured_constants_match_the_training_digits(dataset):
    """The box, stroke width and centre written in the module are the medians measure_digits finds in data/."""
    measured = measure_digits(roll_up(dataset.X[::5]))
    assert np.median(measured["box"]) == pytest.approx(TRAIN_BOX, abs=0.3)
    assert np.median(measured["stroke"]) == pytest.approx(TRAIN_STROKE, abs=0.1)
    assert np.median(measured["centre"], axis=0) == pytest.approx([TRAIN_CENTRE, TRAIN_CENTRE], abs=0.1)


def test_load_gray_flattens_transparency_to_paper():
    """Black ink only in alpha on a transparent background comes out dark on light, whatever RGB holds."""
    rgba = np.zeros((50, 50, 4), np.uint8)
    rgba[10:40, 20:30, 3] = 255
    gray = load_gray(rgba)
    assert gray.shape == (50, 50) and gray.dtype == np.float32
    assert gray[25, 25] < 0.05 and gray[2, 2] > 0.95


def test_ink_polarity_makes_ink_light():
    """Dark ink on light paper is inverted; light ink on dark is left alone."""
    dark_on_light = np.ones((40, 40), np.float32)
    dark_on_light[10:30, 18:22] = 0.1
    light = ink_polarity(dark_on_light)
    assert light[20, 20] > 0.8 and light[0, 0] < 0.1
    np.testing.assert_array_equal(ink_polarity(light), light)


def test_is_flat_background_tells_canvases_from_photos(rng):
    """A canvas (black but for the ink) is flat; a noisy, unevenly lit page is not."""
    canvas = np.zeros((100, 100), np.float32)
    canvas[20:80, 45:55] = 1
    assert is_flat_background(canvas)
    assert not is_flat_background(canvas * 0.5 + 0.3 + rng.normal(0, 0.02, canvas.shape).astype(np.float32))


def test_flatten_illumination_removes_a_gradient_and_keeps_the_stroke():
    """A background lit from 0.1 to 0.5 across the picture goes to about 0; the stroke stays bright."""
    ramp = np.linspace(0.1, 0.5, 200, dtype=np.float32)[None].repeat(200, axis=0)
    picture = ramp.copy()
    picture[40:160, 95:105] += 0.4
    signal = flatten_illumination(picture)
    assert np.abs(signal[:, :80]).max() < 0.05
    assert signal[100, 100] > 0.35


def brute_force_otsu(values: np.ndarray) -> float:
    """The cut between sorted distinct values with the largest between-class variance, tried one by one."""
    levels = np.unique(values)
    cuts = (levels[:-1] + levels[1:]) / 2

    def between(cut: float) -> float:
        low, high = values[values <= cut], values[values > cut]
        return len(low) * len(high) * (low.mean() - high.mean()) ** 2

    return float(cuts[np.argmax([between(cut) for cut in cuts])])


def test_otsu_threshold_is_otsus_cut_not_the_mean():
    """A large spread-out group (0..0.4) and a small bright one (0.8..1): the mean (0.27) falls inside the large
    group, Otsu's cut between the groups, where the exhaustive search puts it (to one histogram bin)."""
    values = np.concatenate([np.linspace(0, 0.4, 900), np.linspace(0.8, 1.0, 100)]).astype(np.float32)
    cut = otsu_threshold(values)
    assert values.mean() < 0.3 and 0.4 < cut < 0.8
    skewed = np.concatenate([np.linspace(0, 0.5, 300), np.linspace(0.3, 0.7, 500), np.linspace(0.6, 1, 200)])
    assert otsu_threshold(skewed) == pytest.approx(brute_force_otsu(skewed), abs=1 / 255)


def test_otsu_threshold_of_values_within_one_bin_splits_nothing():
    """Two values closer than a histogram bin (a canvas at 254 and 255 of 255) have nothing to split: the cut is the
    top value, so no pixel lies above it (this once raised 'All-NaN slice')."""
    values = np.array([1.0 - 1 / 65536, 1.0] * 20, np.float32)
    assert otsu_threshold(values) == 1.0


def test_ink_mask_finds_a_stroke_in_noise_and_nothing_in_noise_alone(rng):
    """A stroke of contrast 0.5 in noise of sd 0.04 is found; the noise alone gives None."""
    noise = np.abs(rng.normal(0, 0.04, (120, 120))).astype(np.float32)
    assert ink_mask(noise) is None
    stroke = noise + 0.5 * bar(8)
    mask = ink_mask(stroke)
    assert mask is not None
    assert (mask & bar(8)).sum() > 0.9 * bar(8).sum() and (mask & ~bar(14)).sum() == 0


def test_drop_specks_keeps_the_digit_and_drops_dirt():
    """A 3x3 speck beside a long bar is removed; the bar stays whole."""
    mask = bar(8)
    mask[5:8, 5:8] = True
    np.testing.assert_array_equal(drop_specks(mask), bar(8))


def test_crop_to_ink_is_the_bounding_box():
    """Cropping a bar gives exactly the bar."""
    assert crop_to_ink(bar(8)).shape == (80, 8) and crop_to_ink(bar(8)).all()


@pytest.mark.parametrize("width", [3, 6, 12, 24])
def test_stroke_width_of_a_bar(width):
    """A bar n px wide measures n px, within a pixel or 8% (its ends count a little)."""
    assert stroke_width(bar(width, side=200, length=180)) == pytest.approx(width, abs=max(1.0, 0.08 * width))


@pytest.mark.parametrize(("width", "target"), [(4, 12), (20, 8)])
def test_set_stroke_width_grows_and_thins(width, target):
    """A bar is grown or thinned to the target width, within a pixel."""
    changed = set_stroke_width(bar(width, side=160, length=120), float(width), float(target))
    assert stroke_width(changed) == pytest.approx(target, abs=1.0)


def test_fit_digit_gives_the_training_box_and_stroke():
    """A thin, tall bar comes out as long as the training box and as wide as the training strokes (at 4x)."""
    crop = crop_to_ink(bar(5, side=300, length=260))
    digit = fit_digit(crop, relative_stroke_width(crop))
    mask = digit > 0.5
    assert max(crop_to_ink(mask).shape) == pytest.approx(TARGET_BOX * SUPERSAMPLE, abs=2)
    assert stroke_width(mask) == pytest.approx(TARGET_STROKE * SUPERSAMPLE, abs=2)  # grows in whole 4x pixels


def test_centre_by_mass_puts_the_centre_where_the_training_digits_have_it():
    """Whatever the digit, its centre of mass in the 28x28 frame lands at TARGET_CENTRE within a quarter pixel."""
    digit = np.zeros((60, 40), np.float32)
    digit[5:20, :] = 1  # top-heavy: the mass is not at the box's middle
    digit[:, 30:36] = 1
    frame = centre_by_mass(digit)
    assert frame.shape == (28, 28)
    index = np.arange(28)
    cy, cx = frame.sum(axis=1) @ index / frame.sum(), frame.sum(axis=0) @ index / frame.sum()
    assert cy == pytest.approx(TARGET_CENTRE, abs=0.25) and cx == pytest.approx(TARGET_CENTRE, abs=0.25)


def speck(mask: np.ndarray) -> bool:
    """is_speck for a mask drawn on a 280 px canvas."""
    crop = crop_to_ink(mask)
    return is_speck(crop, 280, relative_stroke_width(crop))


def test_is_speck_tells_dots_from_digits():
    """A round dot, or ink 2% of the picture's size, is a speck; a long stroke is not."""
    yy, xx = np.mgrid[:40, :40]
    dot = (yy - 20) ** 2 + (xx - 20) ** 2 < 400
    assert speck(dot)
    assert speck(np.ones((5, 2), bool))
    assert not speck(bar(8))


def test_preprocess_none_for_a_dot_or_noise(rng):
    """A canvas with one pen dot, or a photo of blank paper, gives None: the app says draw a digit."""
    canvas = np.zeros((280, 280), np.uint8)
    yy, xx = np.mgrid[:280, :280]
    canvas[(yy - 100) ** 2 + (xx - 150) ** 2 < 15**2] = 255
    assert preprocess(canvas) is None
    paper = np.clip(0.8 + 0.1 * xx / 280 + rng.normal(0, 0.03, (280, 280)), 0, 1)
    assert preprocess((paper * 255).astype(np.uint8)) is None


def test_preprocess_output_looks_like_the_training_digits():
    """Drawings of any size and pen come out with the training digits' box and stroke width (20x20 measures)."""
    rng = np.random.default_rng(7)
    rows = np.stack([preprocess(draw_digit(label, rng).image) for label in range(10) for _ in range(3)])
    measured = measure_digits(roll_up(rows))
    assert np.median(measured["box"]) == pytest.approx(TRAIN_BOX, abs=0.75)
    assert np.median(measured["stroke"]) == pytest.approx(TRAIN_STROKE, abs=0.4)
    assert np.median(measured["centre"], axis=0) == pytest.approx([TRAIN_CENTRE, TRAIN_CENTRE], abs=0.3)


def test_same_digit_anywhere_gives_nearly_the_same_input():
    """One template drawn small in a corner with a thick pen and large with a thin pen gives inputs that correlate."""
    small = np.zeros((280, 280), np.uint8)
    small[10:80, 200:214] = 255  # a 1, 70 px tall, pen 14, top right
    large = np.zeros((280, 280), np.uint8)
    large[20:270, 136:144] = 255  # a 1, 250 px tall, pen 8, centred
    assert correlation(preprocess(small), preprocess(large)) > 0.95


def test_photo_gives_the_same_input_as_the_drawing():
    """Dark ink on an unevenly lit, noisy, JPEG-compressed page gives nearly the drawing's own input."""
    rng = np.random.default_rng(3)
    for label in (2, 5, 8):
        drawing = draw_digit(label, rng).image
        assert correlation(preprocess(photo_like(drawing, rng)), preprocess(drawing)) > 0.9


def test_preprocess_steps_names_and_shapes():
    """The steps the app can show: ink, cropped, scaled (4x), centred 28x28 and the 20x20 network input."""
    steps = preprocess_steps(draw_digit(3, np.random.default_rng(0)).image)
    assert list(steps) == ["ink", "cropped", "scaled", "centred", "network input"]
    assert steps["ink"].shape == (WORK_SIDE, WORK_SIDE) and steps["centred"].shape == (28, 28)
    assert steps["network input"].shape == (20, 20)
    assert all(step.dtype == np.float32 for step in steps.values())
    assert all(0 <= step.min() and step.max() <= 1 for name, step in steps.items() if name != "network input")


def test_otsu_threshold_of_one_value_splits_nothing():
    """A constant array has nothing to split: the threshold is its value, so no pixel lies above it."""
    assert otsu_threshold(np.full(50, 0.7, np.float32)) == pytest.approx(0.7)


def test_network_input_is_the_upright_digit_unrolled_column_major():
    """An L (stem down the left, foot along the bottom) stays an L once rolled up: its bottom ink row and its left
    ink column are its longest; turned or mirrored, they would be the top row or the right column."""
    canvas = np.zeros((280, 280), np.uint8)
    canvas[40:240, 80:100] = 255
    canvas[220:240, 80:200] = 255
    image = roll_up(preprocess(canvas)) > 0.5
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    row_lengths, col_lengths = image.sum(axis=1), image.sum(axis=0)
    assert row_lengths[rows[-1]] == row_lengths.max() > 2 * row_lengths[rows[0]]
    assert col_lengths[cols[0]] == col_lengths.max() > 2 * col_lengths[cols[-1]]


def test_drop_specks_joins_diagonal_pixels_and_keeps_blobs_of_8_percent():
    """A 1-px diagonal line is one stroke (pixels touching at corners connect), so it stays beside a 100-px blob;
    a blob of exactly 8% of the largest stays, a smaller one goes."""
    mask = np.zeros((60, 60), bool)
    mask[5:15, 5:15] = True
    mask[np.arange(30, 50), np.arange(30, 50)] = True
    np.testing.assert_array_equal(drop_specks(mask), mask)
    mask[40:42, 5:9] = True  # 8 px: 8% of 100
    mask[50:52, 5:8] = True  # 6 px
    kept = drop_specks(mask)
    assert kept[40:42, 5:9].all() and not kept[50:52, 5:8].any()


def test_set_stroke_width_exact_cases():
    """Bars touching the window's edges (as a crop does): the same width returns the mask as it is; 2 px grown by
    a radius of 1.5 rounds up to 2 px more on every side (6 px wide, ends rounded); 10 px thinned towards 1 px stops
    at 4 px
    (strokes are never thinned to nothing); the result never holds ink beyond the grown or thinned bar."""
    stroke = np.ones((20, 2), bool)
    assert set_stroke_width(stroke, 2.0, 2.0) is stroke
    grown = set_stroke_width(stroke, 2.0, 5.0)
    assert crop_to_ink(grown).shape == (24, 6) and crop_to_ink(grown)[2:-2].all()  # round ends
    wide = np.ones((40, 10), bool)
    thinned = set_stroke_width(wide, 10.0, 1.0)
    assert thinned.shape == wide.shape
    np.testing.assert_array_equal(thinned.any(axis=0), (np.arange(10) >= 3) & (np.arange(10) <= 6))


def test_load_gray_full_white_is_one():
    """White, in RGB or RGBA, is gray 1.0 exactly and black 0.0: the full 0..1 range, not 255/256 of it."""
    for channels in (3, 4):
        picture = np.zeros((16, 16, channels), np.uint8)
        picture[:8] = 255
        gray = load_gray(picture)
        assert gray.max() == 1.0 and gray.min() == 0.0


def test_measure_digits_centre_is_row_then_column_and_ignores_ringing():
    """One bright pixel at row 3, column 12 has its centre there, even beside the negative ringing of bicubic
    resizing; its box is the 1-px dot's size."""
    image = np.zeros((1, 20, 20), np.float32)
    image[0, 3, 12] = 1.0
    image[0, 15, 2] = -0.1
    measured = measure_digits(image)
    np.testing.assert_allclose(measured["centre"], [[3, 12]], atol=1e-6)


def test_load_gray_scales_each_input_kind_to_0_1():
    """uint8 gray and float pictures give float32 0..1: 255 -> 1.0, 1.0 -> 1.0, 0.5 -> 128 / 255."""
    gray = np.zeros((8, 8), np.uint8)
    gray[0, 0] = 255
    loaded = load_gray(gray)
    assert loaded.dtype == np.float32 and loaded.max() == 1.0
    floats = load_gray(np.tile(np.array([0.0, 0.5, 1.0] * 3), (8, 1)))
    np.testing.assert_allclose(floats[0, :3], [0, 128 / 255, 1], rtol=0, atol=1e-7)


def test_shrink_leaves_small_pictures_alone():
    """A picture no larger than the working size is returned as it is; a larger one is brought down to it."""
    small = np.zeros((100, 60), np.float32)
    assert shrink(small) is small and shrink(np.zeros((140, 10), np.float32)).shape == (140, 10)
    assert shrink(np.zeros((280, 200), np.float32)).shape == (140, 100)


def test_ink_polarity_weighs_ink_against_the_paper():
    """On mid-gray paper, light ink outweighing a smaller dark smudge keeps the picture as it is; dark ink on light
    paper is inverted."""
    picture = np.full((20, 20), 0.5, np.float32)
    picture[0, :10] = 0.9  # light ink: 4.0 above the paper
    picture[1, :8] = 0.1  # a dark smudge: 3.2 below it
    assert ink_polarity(picture) is picture
    np.testing.assert_allclose(ink_polarity(1 - picture), picture, atol=1e-7)


def test_otsu_threshold_cuts_halfway_through_a_bin_without_warnings():
    """Two values 0 and 1: every cut between them is as good, the first bin's middle (0.5 / 255) is taken, and the
    empty classes met on the way raise no warning."""
    values = np.array([0.0, 1.0] * 10, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert otsu_threshold(values) == pytest.approx(0.5 / 255, abs=1e-9)


def test_ink_mask_refuses_faint_or_noisy_ink():
    """Ink 0.05 above an even paper is too faint; ink 0.5 above paper whose noise has sd 0.2 is lost in the noise;
    ink 0.5 above clean paper is found."""
    faint = np.full((60, 60), 0.3, np.float32)
    faint[10:50, 28:32] = 0.35
    assert ink_mask(faint, smooth_noise=False) is None
    noisy = np.abs(np.random.default_rng(0).normal(0, 0.2, (60, 60))).astype(np.float32)
    noisy[10:50, 28:32] += 0.5
    assert ink_mask(noisy, smooth_noise=False) is None
    clean = np.zeros((60, 60), np.float32)
    clean[10:50, 28:32] = 0.5
    np.testing.assert_array_equal(ink_mask(clean, smooth_noise=False), clean > 0)


def test_stroke_width_of_nothing_is_zero():
    """No ink measures 0 px."""
    assert stroke_width(np.zeros((10, 10), bool)) == 0.0


def test_resize_mask_keeps_at_least_one_pixel():
    """Shrinking far below one pixel still gives a (1, 1) picture."""
    assert resize_mask(np.ones((10, 10), bool), 0.01).shape == (1, 1)


def test_ink_step_is_normalised_to_full_scale():
    """Gray ink (128 of 255) on a black canvas shows in the 'ink' step at full scale: 0 for paper, 1 for ink."""
    canvas = np.zeros((280, 280), np.uint8)
    canvas[60:220, 130:150] = 128
    ink = preprocess_steps(canvas)["ink"]
    assert ink.max() == 1.0 and ink.min() == 0.0
