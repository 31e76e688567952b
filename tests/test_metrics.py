"""Confusion matrix, misclassified indices and per-example probabilities, on tiny arrays and the shipped model."""

import numpy as np

from digitdemo.metrics import confusion_matrix, count_errors, misclassified, predict_dataset


def test_confusion_matrix_counts_true_rows_predicted_columns():
    """Each (label, prediction) pair adds one to row label, column prediction; the total is m."""
    y_true = np.array([[0], [0], [1], [2], [2], [2]])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    counts = confusion_matrix(y_true, y_pred, n_classes=3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert counts.sum() == 6 and counts.dtype == np.int64
    np.testing.assert_array_equal(confusion_matrix(y_true[:, 0], y_pred[:, None], n_classes=3), counts)


def test_misclassified_in_index_order_with_filters():
    """Errors come back in index order; the filters keep one label, one prediction or one cell."""
    y_true = np.array([3, 1, 3, 3, 7, 1])
    y_pred = np.array([5, 1, 8, 5, 1, 7])
    np.testing.assert_array_equal(misclassified(y_true, y_pred), [0, 2, 3, 4, 5])
    np.testing.assert_array_equal(misclassified(y_true, y_pred, true_digit=3), [0, 2, 3])
    np.testing.assert_array_equal(misclassified(y_true, y_pred, predicted_digit=5), [0, 3])
    np.testing.assert_array_equal(misclassified(y_true, y_pred, true_digit=3, predicted_digit=8), [2])
    assert misclassified(y_true, y_pred, true_digit=1, predicted_digit=1).size == 0
    np.testing.assert_array_equal(misclassified(y_true[:, None], y_pred[:, None]), [0, 2, 3, 4, 5])


def test_shipped_model_predictions_and_errors(dataset, lab_model):
    """Over the 5000 digits: the matrix sums to 5000, its off-diagonal equals the misclassified count,
    which equals the lab model's argmax errors; the probability is the predicted digit's softmax."""
    X, y = dataset.X, dataset.y
    preds = predict_dataset(lab_model, X)
    errors = int(np.sum(lab_model.predict(X) != y[:, 0]))
    assert count_errors(lab_model, X, y) == count_errors(lab_model, X, y[:, 0]) == errors > 0
    counts = confusion_matrix(y, preds.predicted)
    assert counts.sum() == len(X) == 5000
    assert counts.sum() - np.trace(counts) == errors == len(misclassified(y, preds.predicted))
    np.testing.assert_array_equal(counts.sum(axis=1), np.full(10, 500))
    np.testing.assert_allclose(preds.proba.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(preds.probability, preds.proba.max(axis=1))
    np.testing.assert_array_equal(preds.predicted, lab_model.predict(X))
