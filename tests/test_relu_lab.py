"""The companion ReLU lab: the target's three pieces, the units, and the error of the lab's solution."""

import numpy as np
import pytest

from digitdemo.relu_lab import (
    SOLUTION,
    mean_squared_error,
    network_output,
    target,
    unit_outputs,
    x_grid,
)


def test_target_pieces_and_breakpoints():
    """-2x+2 on [0,1), x-1 on [1,2), 3x-5 on [2,3]: 2 at 0, 0 at 1, 1 at 2, 4 at 3, continuous."""
    np.testing.assert_allclose(target([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]), [2, 1, 0, 0.5, 1, 2.5, 4])


def test_grid_holds_the_breakpoints():
    """The default grid spans [0, 3] and hits x = 1 and x = 2 exactly, where the pieces meet."""
    x = x_grid()
    assert x[0] == 0.0 and x[-1] == 3.0
    assert np.isin([1.0, 2.0], x).all()


def test_units_are_relu_of_affine():
    """z = w x + b per unit with unit 0 fixed at w=-2, b=2; a = max(0, z)."""
    x = np.array([0.0, 1.0, 3.0])
    z, a = unit_outputs(x, 1.0, -1.0, 2.0, -4.0)
    np.testing.assert_allclose(z, [[2, 0, -4], [-1, 0, 2], [-4, -2, 2]])
    np.testing.assert_allclose(a, np.maximum(0, z))


def test_solution_gives_zero_error():
    """w1=1, b1=-1, w2=2, b2=-4 reproduces the target: error 0 and equal outputs on the grid."""
    assert mean_squared_error(**SOLUTION) == pytest.approx(0.0, abs=1e-20)
    np.testing.assert_allclose(network_output(x_grid(), **SOLUTION), target(x_grid()), atol=1e-12)


def test_start_position_has_the_fixed_unit_only():
    """With all sliders at 0 only unit 0 contributes: right on [0, 1), wrong beyond, so error > 0."""
    x = x_grid()
    np.testing.assert_allclose(network_output(x, 0, 0, 0, 0), np.maximum(0, 2 - 2 * x))
    assert mean_squared_error(0, 0, 0, 0) > 1.0


def test_off_region_leaves_earlier_pieces_alone():
    """Unit 2 of the solution is 0 left of x = 2, so adding it changes nothing before the breakpoint."""
    x = x_grid()
    with_two = network_output(x, 1.0, -1.0, 2.0, -4.0)
    without_two = network_output(x, 1.0, -1.0, 0.0, 0.0)
    left = x <= 2.0
    np.testing.assert_array_equal(with_two[left], without_two[left])
    assert (with_two[~left] > without_two[~left]).all()
