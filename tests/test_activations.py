"""my_softmax and the activations, checked against TensorFlow and the lab's expected values."""

import numpy as np
import pytest

from digitdemo.activations import linear, my_softmax, naive_softmax, relu, sigmoid

tf = pytest.importorskip("tensorflow")


@pytest.mark.parametrize("z", [np.array([1.0, 2.0, 3.0, 4.0]), np.log(np.full(10, 0.1))])
def test_softmax_matches_tensorflow_to_1e10(z):
    """The lab's two checks: equal to tf.nn.softmax within an absolute 1e-10."""
    np.testing.assert_allclose(my_softmax(z), tf.nn.softmax(z).numpy(), rtol=0, atol=1e-10)


def test_softmax_lab_values():
    """z = [1, 2, 3, 4] gives about [0.032, 0.087, 0.237, 0.644]; ten log(0.1) give ten 0.1."""
    np.testing.assert_allclose(my_softmax([1.0, 2, 3, 4]), [0.0321, 0.0871, 0.2369, 0.6439], atol=5e-4)
    np.testing.assert_allclose(my_softmax(np.log(np.full(10, 0.1))), np.full(10, 0.1), atol=1e-12)


def test_softmax_batch_is_over_last_axis(rng):
    """A batch (n, k) gives each row its own softmax, summing to 1, equal to TensorFlow's."""
    z = rng.normal(size=(5, 7)) * 3
    out = my_softmax(z)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(out, tf.nn.softmax(z, axis=-1).numpy(), atol=1e-10)


def test_softmax_is_stable_where_naive_overflows():
    """z = [1000, 1001]: naive gives NaN, the stable form gives [0.269, 0.731]."""
    z = np.array([1000.0, 1001.0])
    assert np.isnan(naive_softmax(z)).all()
    np.testing.assert_allclose(my_softmax(z), [0.2689, 0.7311], atol=1e-4)


def test_naive_softmax_agrees_for_small_z():
    """Where it does not overflow, the lab's naive formula equals the stable one."""
    z = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(naive_softmax(z), my_softmax(z), atol=1e-15)


def test_activations_match_tensorflow():
    """relu, sigmoid and linear equal Keras's on [-5, 5]."""
    z = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(relu(z), tf.nn.relu(z).numpy())
    np.testing.assert_allclose(sigmoid(z), tf.math.sigmoid(z).numpy(), atol=1e-12)
    np.testing.assert_array_equal(linear(z), z)
    assert relu(np.array([-2.0, 0.0, 3.0])).tolist() == [0.0, 0.0, 3.0]
