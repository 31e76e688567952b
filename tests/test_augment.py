"""Augmentation of the lab's rows: each change does what it says, and nothing changes when every range is zero."""

from __future__ import annotations

import numpy as np

from digitdemo.augment import Augmentation, augment, augmented_copies, change_thickness, random_affines, warp
from digitdemo.data import SIDE, roll_up, unroll

NONE = Augmentation(shift=0, rotation=0, scale=(1, 1), stretch=0, slant=0, thickness=0)


def test_zero_ranges_leave_the_digits_unchanged(dataset, rng):
    """With every range at zero, augment returns the rows as they were."""
    X = dataset.X[::500]
    np.testing.assert_allclose(augment(X, rng, NONE), X, atol=1e-5)


def test_warp_shifts_by_whole_pixels():
    """An identity matrix with a shift of (1, 2) moves a pixel one row down and two columns right."""
    image = np.zeros((1, 20, 20), np.float32)
    image[0, 5, 5] = 1
    moved = warp(image, np.eye(2)[None], np.array([[1.0, 2.0]]))
    assert moved[0, 6, 7] == 1 and moved.sum() == 1


def test_slant_leans_a_vertical_bar():
    """A pure slant moves the top of a vertical bar one way and its bottom the other."""
    image = np.zeros((1, 20, 20), np.float32)
    image[0, 2:18, 9:11] = 1
    inverse, shift = random_affines(1, np.random.default_rng(0), Augmentation(0, 0, (1, 1), 0, 0.3, 0))
    leaned = warp(image, inverse, shift * 0)[0]
    top, bottom = leaned[3].argmax(), leaned[16].argmax()
    assert abs(int(top) - int(bottom)) >= 3


def test_thickness_grows_and_thins_the_ink(dataset):
    """A positive amount adds ink, a negative one removes it, zero keeps the image."""
    images = roll_up(dataset.X[:3])
    assert (change_thickness(images, np.full(3, 0.7)).sum(axis=(1, 2)) > images.sum(axis=(1, 2))).all()
    assert (change_thickness(images, np.full(3, -0.7)).sum(axis=(1, 2)) < images.sum(axis=(1, 2))).all()
    np.testing.assert_allclose(change_thickness(images, np.zeros(3)), images, atol=1e-6)


def test_augment_keeps_layout_and_changes_each_digit(dataset, rng):
    """Rows stay (n, 400) float32 in the lab's range; every one differs from its original (the frame:
    test_slant_acts_on_the_upright_digit)."""
    X = dataset.X[::250]
    out = augment(X, rng)
    assert out.shape == X.shape and out.dtype == np.float32
    assert -0.3 < out.min() and out.max() < 1.3
    assert (np.abs(out - X).max(axis=1) > 0.1).all()


def column_centre(image: np.ndarray, rows: slice) -> np.ndarray:
    """(20, 20) upright image -> the ink's mean column in each of `rows`."""
    ink = np.clip(image[rows], 0, None)
    return ink @ np.arange(SIDE) / ink.sum(axis=1)


def test_slant_acts_on_the_upright_digit():
    """An upright L (stem down the left, foot along the bottom): a slant leans the stem and leaves the foot level.

    Worked on the transposed picture, the stem would stay straight and the foot would tilt instead."""
    L = np.zeros((SIDE, SIDE), np.float32)
    L[3:16, 6:8] = 1
    L[14:16, 6:15] = 1
    slant_only = Augmentation(shift=0, rotation=0, scale=(1, 1), stretch=0, slant=0.35, thickness=0)
    out = roll_up(augment(unroll(np.repeat(L[None], 8, axis=0)), np.random.default_rng(3), slant_only))
    stem_lean = [column_centre(image, slice(3, 12)) for image in out]
    lean = np.array([centres[0] - centres[-1] for centres in stem_lean])
    assert np.abs(lean).max() > 1.5 and (lean > 0.5).any() and (lean < -0.5).any()
    feet = np.clip(out[:, :, 10:13], 0, None)  # the middle of the foot, clear of the stem and its end
    foot_rows = np.einsum("nrc,r->nc", feet, np.arange(SIDE)) / feet.sum(axis=1)
    np.testing.assert_allclose(foot_rows, 14.5, atol=0.2)
    np.testing.assert_allclose(out.sum(axis=(1, 2)), L.sum(), rtol=0.1)  # a shear moves ink, it adds none


def test_augmented_copies_are_labelled_and_reproducible(dataset):
    """Copies come after the originals with the same labels; the same seed gives the same copies."""
    X, y = dataset.X[::100], dataset.y[::100]
    X2, y2 = augmented_copies(X, y, 3, seed=5)
    assert X2.shape == (4 * len(X), 400) and y2.shape == (4 * len(X), 1)
    np.testing.assert_array_equal(X2[: len(X)], X)
    np.testing.assert_array_equal(y2.reshape(4, -1), np.tile(y.reshape(1, -1), (4, 1)))
    np.testing.assert_array_equal(augmented_copies(X, y, 3, seed=5)[0], X2)
    assert X2.dtype == np.float32 and augmented_copies(X.astype(np.float64), y, 1, seed=5)[0].dtype == np.float32
    np.testing.assert_allclose(augmented_copies(X, y, 2, seed=5, settings=NONE)[0], np.tile(X, (3, 1)), atol=1e-5)


def centre_of_mass(images: np.ndarray) -> np.ndarray:
    """(n, 20, 20) -> (n, 2) ink-weighted mean (row, column)."""
    ink = np.clip(images, 0, None)
    index = np.arange(SIDE)
    return np.stack([ink.sum(axis=2) @ index, ink.sum(axis=1) @ index], axis=1) / ink.sum(axis=(1, 2))[:, None]


def only(**change) -> Augmentation:
    """An augmentation that makes only the named change."""
    return Augmentation(**{**NONE.__dict__, **change})


def test_each_range_is_drawn_both_ways():
    """Shifts go both ways on both axes, turns both ways, and widths both narrower and wider, over 16 draws."""
    square = np.zeros((16, SIDE, SIDE), np.float32)
    square[:, 6:14, 6:14] = 1
    X = unroll(square)
    moved = centre_of_mass(roll_up(augment(X, np.random.default_rng(1), only(shift=2.0)))) - 9.5
    assert (moved.min(axis=0) < -0.5).all() and (moved.max(axis=0) > 0.5).all()
    widths = (roll_up(augment(X, np.random.default_rng(1), only(stretch=0.3))) > 0.5).sum(axis=2).max(axis=1)
    assert widths.min() < 8 < widths.max()
    bar = np.zeros((16, SIDE, SIDE), np.float32)
    bar[:, 3:17, 9:11] = 1
    turned = roll_up(augment(unroll(bar), np.random.default_rng(1), only(rotation=15.0)))
    lean = np.array(
        [column_centre(image, slice(4, 7)).mean() - column_centre(image, slice(13, 16)).mean() for image in turned]
    )
    assert lean.min() < -1 and lean.max() > 1
    ink = roll_up(augment(X, np.random.default_rng(1), only(thickness=0.7))).sum(axis=(1, 2))
    assert ink.min() < square[0].sum() < ink.max()


def test_turns_and_scaling_keep_the_frame_centre():
    """A centred square stays centred when turned or halved (about the frame's centre, 9.5); a turn keeps its ink."""
    square = np.zeros((8, SIDE, SIDE), np.float32)
    square[:, 6:14, 6:14] = 1
    for settings in (only(rotation=12.0), only(scale=(0.5, 0.5))):
        out = roll_up(augment(unroll(square), np.random.default_rng(2), settings))
        np.testing.assert_allclose(centre_of_mass(out), 9.5, atol=0.05)
    turned = roll_up(augment(unroll(square), np.random.default_rng(2), only(rotation=12.0)))
    np.testing.assert_allclose(turned.sum(axis=(1, 2)), square.sum(axis=(1, 2)), rtol=0.03)
    halved = roll_up(augment(unroll(square), np.random.default_rng(2), only(scale=(0.5, 0.5))))
    np.testing.assert_allclose(halved.sum(axis=(1, 2)), square.sum(axis=(1, 2)) / 4, rtol=0.05)
