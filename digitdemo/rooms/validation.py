"""What a student may send: a drawing the app made, a digit, ten probabilities and a model name, checked before the
database is touched."""

from __future__ import annotations

import numpy as np

from digitdemo.data import N_CLASSES, N_PIXELS
from digitdemo.errors import RoomError

MODEL_NAME_MAX = 64
# The lab's inputs lie about -0.13..1.13; far outside this is not a drawing the app made.
PIXEL_RANGE = (-1.0, 2.0)
PROBABILITY_SUM_TOLERANCE = 1e-3


def check_drawing(
    x: object, label: object, probabilities: object, model: object
) -> tuple[np.ndarray, int, np.ndarray, str]:
    """Validate a drawing to send -> x (400,) float32, label int, probabilities (10,) float32, model name.

    Refuses, with RoomError, anything but 400 finite numbers in the lab's range, a whole-number label 0-9, ten
    probabilities from 0 to 1 that sum to 1, and a model name of 1-64 characters.
    """
    pixels = _numbers(x, "rooms.drawing_invalid")
    if pixels.shape != (N_PIXELS,):
        raise RoomError("rooms.drawing_shape", expected=N_PIXELS, shape=str(pixels.shape))
    if not np.isfinite(pixels).all() or pixels.min() < PIXEL_RANGE[0] or pixels.max() > PIXEL_RANGE[1]:
        raise RoomError("rooms.drawing_invalid")
    proba = _numbers(probabilities, "rooms.probabilities_invalid")
    if (
        proba.shape != (N_CLASSES,)
        or not np.isfinite(proba).all()
        or proba.min() < 0
        or proba.max() > 1
        or abs(proba.sum() - 1) > PROBABILITY_SUM_TOLERANCE
    ):
        raise RoomError("rooms.probabilities_invalid")
    if not isinstance(model, str) or not 0 < len(model) <= MODEL_NAME_MAX:
        raise RoomError("rooms.model_invalid", limit=MODEL_NAME_MAX)
    return pixels.astype(np.float32), check_digit(label), proba.astype(np.float32), model


def check_digit(label: object) -> int:
    """A label 0-9 given as an int or NumPy integer -> int; RoomError otherwise (bools and floats included)."""
    if isinstance(label, (int, np.integer)) and not isinstance(label, (bool, np.bool_)) and 0 <= label < N_CLASSES:
        return int(label)
    raise RoomError("rooms.label_invalid", label=repr(label))


def _numbers(values: object, msg_id: str) -> np.ndarray:
    """Any array-like of real numbers -> float64 ndarray; RoomError(msg_id) for text, objects or ragged lists."""
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise RoomError(msg_id) from exc
    if array.dtype.kind not in "fiu":
        raise RoomError(msg_id)
    return array.astype(np.float64)
