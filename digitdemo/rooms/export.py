"""A room's drawings as files a teacher downloads: CSV for a spreadsheet, NPZ in the layout of data/."""

from __future__ import annotations

import io

import numpy as np

from digitdemo.data import N_PIXELS


def csv_bytes(X: np.ndarray, y: np.ndarray) -> bytes:
    """Drawings X (n, 400) and labels y (n, 1) as CSV: header x0..x399,label, then per drawing 400 column-major values
    and its label."""
    out = io.StringIO()
    header = ",".join([*(f"x{i}" for i in range(N_PIXELS)), "label"])
    # %.9g keeps every float32 exactly; labels stay whole numbers.
    np.savetxt(out, np.hstack([X, y]), fmt=["%.9g"] * N_PIXELS + ["%d"], delimiter=",", header=header, comments="")
    return out.getvalue().encode()


def npz_bytes(X: np.ndarray, y: np.ndarray) -> bytes:
    """Drawings X (n, 400) float32 column-major and labels y (n, 1) int64 as an .npz holding X and y, as data/ does."""
    out = io.BytesIO()
    np.savez_compressed(out, X=X, y=y)
    return out.getvalue()
