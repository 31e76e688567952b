"""my_softmax and the activations against exact values, with NumPy alone (TensorFlow checks: test_activations_tf)."""

import math
import warnings

import numpy as np
import pytest

from digitdemo.activations import linear, my_softmax, naive_softmax, relu, sigmoid

LOG3 = math.log(3.0)
# softmax([0, log 3]) = [1/4, 3/4] exactly; so is any shift of it.
QUARTERS = [0.25, 0.75]


def lab_expected(z: list[float]) -> list[float]:
    """softmax by its definition, in Python floats: e^z_i / sum_j e^z_j (for small z only)."""
    exps = [math.exp(v) for v in z]
    return [e / sum(exps) for e in exps]


def test_softmax_lab_values():
    """z = [1, 2, 3, 4] gives e^z / sum e^z, about [0.032, 0.087, 0.237, 0.644]; ten log(0.1) give ten 0.1."""
    np.testing.assert_allclose(my_softmax([1.0, 2, 3, 4]), lab_expected([1.0, 2, 3, 4]), rtol=0, atol=1e-15)
    np.testing.assert_allclose(my_softmax([1.0, 2, 3, 4]), [0.0321, 0.0871, 0.2369, 0.6439], atol=5e-5)
    np.testing.assert_allclose(my_softmax(np.log(np.full(10, 0.1))), np.full(10, 0.1), atol=1e-12)


@pytest.mark.parametrize("offset", [0.0, 800.0, -800.0, 1e6])
def test_softmax_is_exact_for_shifted_logits(offset):
    """[c, c + log 3] gives [1/4, 3/4] for any c, including where e^c overflows or underflows."""
    np.testing.assert_allclose(my_softmax(np.array([0.0, LOG3]) + offset), QUARTERS, rtol=0, atol=1e-9)


def test_softmax_of_a_wide_spread():
    """[0, 1000, 1000 + log 3] spans 1000: the smallest gets e^-1000 (0 in float64), the others 1/4 and 3/4."""
    with np.errstate(over="raise", invalid="raise"):  # no overflow may happen on the way
        out = my_softmax([0.0, 1000.0, 1000.0 + LOG3])
    np.testing.assert_allclose(out, [0.0, *QUARTERS], rtol=0, atol=1e-12)


def test_softmax_batch_is_each_row_on_its_own():
    """Rows of very different size in one batch each give their own softmax, exactly; the shape is kept."""
    z = np.array([[0.0, LOG3], [900.0, 900.0 + LOG3], [-900.0 + LOG3, -900.0], [5.0, 5.0]])
    with np.errstate(over="raise", invalid="raise"):
        out = my_softmax(z)
    expected = [QUARTERS, QUARTERS, QUARTERS[::-1], [0.5, 0.5]]
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    stacked = my_softmax(np.stack([z, z[::-1]]))
    assert stacked.shape == (2, 4, 2) and stacked.dtype == np.float64
    np.testing.assert_allclose(stacked[1], out[::-1], rtol=0, atol=1e-15)


def test_softmax_is_stable_where_naive_overflows():
    """z = [1000, 1001]: naive gives NaN, the stable form gives 1 / (1 + e) and e / (1 + e)."""
    z = np.array([1000.0, 1001.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the naive formula's overflow is the lesson, not a warning to the user
        assert np.isnan(naive_softmax(z)).all()
    e = math.e
    np.testing.assert_allclose(my_softmax(z), [1 / (1 + e), e / (1 + e)], rtol=0, atol=1e-15)


def test_naive_softmax_is_the_definition_for_small_z():
    """Where it does not overflow, the lab's naive formula gives e^z / sum e^z, row by row."""
    z = [0.5, -1.0, 2.0]
    np.testing.assert_allclose(naive_softmax(z), lab_expected(z), rtol=0, atol=1e-15)
    np.testing.assert_allclose(naive_softmax([z, z[::-1]])[1], lab_expected(z[::-1]), rtol=0, atol=1e-15)


def test_activations_exact_values():
    """relu clips negatives to 0; sigmoid(0) = 1/2, sigmoid(+-log 3) = 3/4 and 1/4, +-800 saturate without
    overflow; linear returns its input."""
    np.testing.assert_array_equal(relu(np.array([-2.0, -0.0, 0.0, 3.0])), [0.0, 0.0, 0.0, 3.0])
    with np.errstate(over="raise", invalid="raise"):
        out = sigmoid(np.array([0.0, LOG3, -LOG3, 800.0, -800.0]))
    np.testing.assert_allclose(out, [0.5, 0.75, 0.25, 1.0, 0.0], rtol=0, atol=1e-15)
    z = np.linspace(-5, 5, 11)
    np.testing.assert_array_equal(linear(z), z)
