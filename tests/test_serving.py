"""The serving path: importing the package and predicting from a drawing load no TensorFlow."""

import subprocess
import sys

import numpy as np

from digitdemo import preprocess
from digitdemo.data import roll_up


def test_predicting_does_not_import_tensorflow():
    """In a fresh interpreter, import digitdemo, preprocess a drawing and predict: no tensorflow or keras in
    sys.modules."""
    code = (
        "import sys, numpy as np, digitdemo\n"
        "img = np.zeros((280, 280), np.uint8); img[60:220, 130:150] = 255\n"
        "m = digitdemo.load_model(); p = m.predict_proba(digitdemo.preprocess(img))\n"
        "assert abs(p.sum() - 1) < 1e-6\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in ('tensorflow', 'keras')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_preprocess_layout_and_range():
    """A vertical bar drawn on a canvas comes out (400,) float32, upright (tall, not wide) once rolled up."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[60:220, 130:150] = 255
    row = preprocess(canvas)
    assert row.shape == (400,) and row.dtype == np.float32
    assert -0.3 < row.min() and row.max() < 1.3
    image = roll_up(row) > 0.5
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    assert rows[-1] - rows[0] > 3 * (cols[-1] - cols[0])


def test_preprocess_blank_is_none():
    """An empty canvas gives None rather than an input."""
    assert preprocess(np.zeros((280, 280, 4), np.uint8)) is None


def test_preprocess_accepts_pil_and_bytes():
    """A PIL image and its PNG bytes give the same input as the array."""
    import io

    from PIL import Image

    array = np.zeros((100, 100), np.uint8)
    array[20:80, 45:55] = 255
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    expected = preprocess(array)
    np.testing.assert_allclose(preprocess(Image.fromarray(array)), expected, atol=1e-6)
    np.testing.assert_allclose(preprocess(buffer.getvalue()), expected, atol=1e-6)
