"""How a model does on a set of digits: predictions with their probabilities, the confusion matrix, the mistakes."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from digitdemo.data import N_CLASSES
from digitdemo.numpy_model import NumpyModel


class Predictions(NamedTuple):
    """Over m examples: predicted (m,) int64 digits, probability (m,) float64 of the predicted digit, proba (m, 10)."""

    predicted: np.ndarray
    probability: np.ndarray
    proba: np.ndarray


def predict_dataset(model: NumpyModel, X: np.ndarray) -> Predictions:
    """(m, 400) framed rows (the dataset's digits), read as the model reads them (model.inputs) -> Predictions: argmax
    digit, its calibrated probability and all ten probabilities."""
    proba = model.predict_proba(model.inputs(X))
    predicted = np.argmax(proba, axis=1).astype(np.int64)
    return Predictions(predicted, proba[np.arange(len(proba)), predicted], proba)


def accuracy(model: NumpyModel, X: np.ndarray, y: np.ndarray) -> float:
    """Share of the rows of X (m, 400) whose argmax prediction is y (m, 1) or (m,)."""
    return 1 - count_errors(model, X, y) / len(X)


def count_errors(model: NumpyModel, X: np.ndarray, y: np.ndarray) -> int:
    """Number of framed rows of X (m, 400), read as the model reads them (model.inputs), whose argmax prediction
    differs from y (m, 1) or (m,)."""
    return int(np.sum(model.predict(model.inputs(X)) != np.asarray(y).reshape(-1)))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    """(m,) or (m, 1) labels, (m,) predictions -> (n_classes, n_classes) int64 counts, rows label, columns predicted."""
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def misclassified(
    y_true: np.ndarray, y_pred: np.ndarray, true_digit: int | None = None, predicted_digit: int | None = None
) -> np.ndarray:
    """(m,) labels, (m,) predictions -> (k,) int64 indices of errors in index order; None filters keep any digit."""
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    keep = y_true != y_pred
    if true_digit is not None:
        keep &= y_true == true_digit
    if predicted_digit is not None:
        keep &= y_pred == predicted_digit
    return np.flatnonzero(keep)


def per_digit_accuracy(counts: np.ndarray) -> np.ndarray:
    """(10, 10) confusion counts, rows labels -> (10,) float64 share of each label read right; NaN where none."""
    counts = np.asarray(counts)
    totals = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(counts) / totals, np.nan)
