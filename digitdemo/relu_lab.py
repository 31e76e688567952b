"""The companion ReLU lab: three ReLU units a_i = max(0, w_i x + b_i) summed to match a three-piece target on [0, 3]."""

from __future__ import annotations

import numpy as np

from digitdemo.activations import relu

X_MIN, X_MAX = 0.0, 3.0
BREAKPOINTS = (1.0, 2.0)
# Unit 0 is fixed by the lab: it draws the first piece, -2x + 2, and switches off at x = 1.
FIXED_W0, FIXED_B0 = -2.0, 2.0
SOLUTION = {"w1": 1.0, "b1": -1.0, "w2": 2.0, "b2": -4.0}
SLIDER_MIN, SLIDER_MAX, SLIDER_STEP = -4.0, 4.0, 0.1
GRID_POINTS = 301  # 0.01 apart, so the breakpoints 1 and 2 lie on the grid


def x_grid(n: int = GRID_POINTS) -> np.ndarray:
    """(n,) float64 evenly spaced points from 0 to 3."""
    return np.linspace(X_MIN, X_MAX, n)


def target(x: np.ndarray) -> np.ndarray:
    """(n,) x -> (n,) the lab's target: -2x+2 on [0,1), x-1 on [1,2), 3x-5 on [2,3]."""
    x = np.asarray(x, dtype=np.float64)
    return np.select([x < BREAKPOINTS[0], x < BREAKPOINTS[1]], [-2 * x + 2, x - 1], 3 * x - 5)


def unit_parameters(w1: float, b1: float, w2: float, b2: float) -> tuple[np.ndarray, np.ndarray]:
    """The learner's four numbers -> weights (3,) and biases (3,) of units 0, 1, 2, unit 0 fixed."""
    return np.array([FIXED_W0, w1, w2], dtype=np.float64), np.array([FIXED_B0, b1, b2], dtype=np.float64)


def unit_outputs(x: np.ndarray, w1: float, b1: float, w2: float, b2: float) -> tuple[np.ndarray, np.ndarray]:
    """(n,) x -> z (3, n) = w_i x + b_i and a (3, n) = max(0, z), one row per unit."""
    w, b = unit_parameters(w1, b1, w2, b2)
    z = w[:, None] * np.asarray(x, dtype=np.float64)[None, :] + b[:, None]
    return z, relu(z)


def network_output(x: np.ndarray, w1: float, b1: float, w2: float, b2: float) -> np.ndarray:
    """(n,) x -> (n,) the sum of the three units' ReLU outputs."""
    return unit_outputs(x, w1, b1, w2, b2)[1].sum(axis=0)


def mean_squared_error(w1: float, b1: float, w2: float, b2: float, x: np.ndarray | None = None) -> float:
    """Mean of (output - target)^2 over x (default the (301,) grid on [0, 3]); 0 for the solution."""
    x = x_grid() if x is None else np.asarray(x, dtype=np.float64)
    return float(np.mean((network_output(x, w1, b1, w2, b2) - target(x)) ** 2))
