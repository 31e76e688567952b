"""my_softmax and the activations checked against TensorFlow, as the lab does (the exact values are in
test_activations)."""

import numpy as np
import pytest

from digitdemo.activations import linear, my_softmax, relu, sigmoid

tf = pytest.importorskip("tensorflow")  # every test here compares with TensorFlow


@pytest.mark.parametrize("z", [np.array([1.0, 2.0, 3.0, 4.0]), np.log(np.full(10, 0.1))])
def test_softmax_matches_tensorflow_to_1e10(z):
    """The lab's two checks: equal to tf.nn.softmax within an absolute 1e-10."""
    np.testing.assert_allclose(my_softmax(z), tf.nn.softmax(z).numpy(), rtol=0, atol=1e-10)


def test_softmax_batch_matches_tensorflow(rng):
    """A batch (n, k) of random logits gives TensorFlow's softmax row by row."""
    z = rng.normal(size=(5, 7)) * 3
    np.testing.assert_allclose(my_softmax(z), tf.nn.softmax(z, axis=-1).numpy(), atol=1e-10)


def test_activations_match_tensorflow():
    """relu, sigmoid and linear equal Keras's on [-5, 5]."""
    z = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(relu(z), tf.nn.relu(z).numpy())
    np.testing.assert_allclose(sigmoid(z), tf.math.sigmoid(z).numpy(), atol=1e-12)
    np.testing.assert_array_equal(linear(z), z)
