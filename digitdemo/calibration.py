"""Whether the probabilities shown can be taken at their word: temperature scaling fitted on held-out digits (Guo et
al., ICML 2017), the expected calibration error (ECE) and the reliability bins a diagram draws. Pure NumPy.

A model is calibrated when, of the answers it gives with probability p, a share p is right. Temperature scaling
divides the logits by one number T fitted to minimise the negative log-likelihood of held-out digits: T > 1 softens
an overconfident network; the argmax, so every answer, is unchanged.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from digitdemo.activations import my_softmax

N_BINS = 10  # equal-width confidence bins, as Guo et al. draw them
LOG_T_RANGE = (-3.0, 3.0)  # T from 0.05 to 20: far beyond any temperature a trained network needs

# How closely the fitted temperature is pinned down: the same data fitted on another machine (another BLAS, another
# order of summation) may land anywhere within it: 5.6e-8 apart between two fresh machines here.
TEMPERATURE_RTOL = 1e-6


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """(m, 10) logits, (m,) int labels -> mean -log p(label) of softmax(logits / temperature), float."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(z)), np.asarray(labels).reshape(-1)].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """(m, 10) held-out logits, (m,) labels -> the temperature T minimising their negative log-likelihood, to a
    relative TEMPERATURE_RTOL (the search runs on log T)."""
    result = minimize_scalar(
        lambda log_t: negative_log_likelihood(logits, labels, float(np.exp(log_t))),
        bounds=LOG_T_RANGE,
        method="bounded",
        options={"xatol": TEMPERATURE_RTOL},
    )
    return float(np.exp(result.x))


def reliability_bins(probabilities: np.ndarray, labels: np.ndarray, n_bins: int = N_BINS) -> dict[str, list]:
    """(m, 10) probabilities, (m,) labels -> per equal-width bin of top probability: 'low' and 'high' edges, 'count',
    mean 'confidence' and 'accuracy' (None in an empty bin), lists of n_bins."""
    confidence = np.asarray(probabilities).max(axis=1)
    right = np.asarray(probabilities).argmax(axis=1) == np.asarray(labels).reshape(-1)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Bin i holds (edges[i], edges[i + 1]]; a top probability is at least 1/10, so bin 0's closed left end is moot.
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins)
    mean_conf = np.bincount(which, weights=confidence, minlength=n_bins)
    mean_right = np.bincount(which, weights=right.astype(np.float64), minlength=n_bins)
    return {
        "low": edges[:-1].round(6).tolist(),
        "high": edges[1:].round(6).tolist(),
        "count": count.tolist(),
        "confidence": [float(c / n) if n else None for c, n in zip(mean_conf, count, strict=True)],
        "accuracy": [float(r / n) if n else None for r, n in zip(mean_right, count, strict=True)],
    }


def expected_calibration_error(bins: dict[str, list]) -> float:
    """Reliability bins -> ECE: the count-weighted mean gap between each bin's accuracy and confidence, 0..1."""
    total = sum(bins["count"])
    gaps = (
        n * abs(acc - conf)
        for n, acc, conf in zip(bins["count"], bins["accuracy"], bins["confidence"], strict=True)
        if n
    )
    return float(sum(gaps) / total) if total else 0.0


def calibration_record(logits: np.ndarray, labels: np.ndarray, method: str) -> dict:
    """(m, 10) held-out logits and (m,) labels -> the 'calibration' entry of a model's record: the fitted
    temperature, negative log-likelihood, ECE and reliability bins before and after it."""
    temperature = fit_temperature(logits, labels)
    before = reliability_bins(my_softmax(logits), labels)
    after = reliability_bins(my_softmax(np.asarray(logits, np.float64) / temperature), labels)
    return {
        "temperature": temperature,
        "n": int(len(labels)),
        "nll_before": negative_log_likelihood(logits, labels),
        "nll_after": negative_log_likelihood(logits, labels, temperature),
        "ece_before": expected_calibration_error(before),
        "ece_after": expected_calibration_error(after),
        "bins_before": before,
        "bins_after": after,
        "method": method,
    }
