"""Augmentation of the lab's rows: each change does what it says, and nothing changes when every range is zero."""

from __future__ import annotations

import numpy as np

from digitdemo.augment import Augmentation, augment, augmented_copies, change_thickness, random_affines, warp
from digitdemo.data import roll_up, unroll

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
    """Rows stay (n, 400) float32 column-major and in the lab's range; every one differs from its original."""
    X = dataset.X[::250]
    out = augment(X, rng)
    assert out.shape == X.shape and out.dtype == np.float32
    assert -0.3 < out.min() and out.max() < 1.3
    assert (np.abs(out - X).max(axis=1) > 0.1).all()
    np.testing.assert_array_equal(unroll(roll_up(out)), out)


def test_augmented_copies_are_labelled_and_reproducible(dataset):
    """Copies come after the originals with the same labels; the same seed gives the same copies."""
    X, y = dataset.X[::100], dataset.y[::100]
    X2, y2 = augmented_copies(X, y, 3, seed=5)
    assert X2.shape == (4 * len(X), 400) and y2.shape == (4 * len(X), 1)
    np.testing.assert_array_equal(X2[: len(X)], X)
    np.testing.assert_array_equal(y2.reshape(4, -1), np.tile(y.reshape(1, -1), (4, 1)))
    np.testing.assert_array_equal(augmented_copies(X, y, 3, seed=5)[0], X2)


def test_robust_recipe_trains_the_lab_network_and_records_validation(dataset):
    """A two-epoch robust run on 500 digits gives the lab's 10,575-parameter network and its validation figures."""
    from dataclasses import replace

    from digitdemo.catalog import ROBUST
    from digitdemo.train import fit_recipe

    model, losses, extra = fit_recipe(dataset.X[::10], dataset.y[::10], replace(ROBUST, epochs=2, copies=1))
    assert model.count_params() == 10575 and 1 <= len(losses) <= 2
    validation = extra["validation"]
    assert validation["n_validation"] == 50 and validation["n_train_augmented"] == 2 * 450
    assert 0 <= validation["accuracy"] <= 1 and 1 <= validation["best_epoch"] <= validation["epochs_run"]
