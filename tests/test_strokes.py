"""The canvas's strokes drawn into a picture on the server (digitdemo.strokes) give the network the input the
canvas's own picture gives, on digits drawn with the mouse in Chromium (tests/data/canvas_drawings.json, captured by
`python -m testkit.canvas_capture`: testkit.synth's digits, two styles of each, at their own pens)."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitdemo.numpy_model import load_model
from digitdemo.preprocess import preprocess
from digitdemo.strokes import draw_strokes, path_points, placed_points

CAPTURED = Path(__file__).resolve().parent / "data" / "canvas_drawings.json"
CANVAS_SIDE = 280  # the side the digits were captured at (testkit.canvas_capture.SIDE)
# Tolerances on the (400,) inputs (the lab's range, about -0.13 to 1.13), set by what the smallest slip of the pen
# does: the canvas's own picture moved one pixel up, down, left or right changes its input by up to 0.028 on average
# and 0.44 at one cell (measured on these drawings). The strokes' picture, drawn without the browser's antialiasing
# and curve flattening, differs from the canvas's by up to 0.032 on average and 0.54 at one cell: the same order.
# Single cells differ most because the centre of mass, and with it the grid the digit is resampled onto, moves by a
# fraction of a cell when a stroke's edge moves by a fraction of a pixel.
MEAN_TOLERANCE = 0.035
CELL_TOLERANCE = 0.6


def canvas_picture(data_url: str) -> np.ndarray:
    """The PNG data URL the canvas sent -> (H, W, 4) uint8."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))))


@pytest.fixture(scope="module")
def captured() -> list[dict]:
    return json.loads(CAPTURED.read_text())


def test_strokes_give_the_input_and_the_digit_of_the_canvas_picture(captured):
    """For every captured digit: the input made from the strokes is within the stated tolerances of the input made
    from the canvas's picture, and both shipped models predict the same digit from either."""
    models = [load_model(name) for name in ("lab", "robust")]
    assert len(captured) == 20 and {case["label"] for case in captured} == set(range(10))
    for case in captured:
        from_canvas = preprocess(canvas_picture(case["png"]))
        from_strokes = preprocess(draw_strokes(case["raw"], CANVAS_SIDE))
        assert from_canvas is not None and from_strokes is not None, case["label"]
        gap = np.abs(from_canvas - from_strokes)
        assert gap.mean() <= MEAN_TOLERANCE and gap.max() <= CELL_TOLERANCE, (case["label"], case["style"])
        for model in models:
            expected = int(np.argmax(model.forward(from_canvas).logits[0]))
            assert int(np.argmax(model.forward(from_strokes).logits[0])) == expected, (model.name, case["label"])


def test_picture_is_the_canvas_drawn_small():
    """A drawing -> (side, side, 4) uint8, opaque black where nothing is drawn and white along the stroke; an empty
    drawing is all black, no drawing is None."""
    line = {
        "type": "Path",
        "originX": "center",
        "originY": "center",
        "left": 140,
        "top": 140,
        "width": 200,
        "height": 0,
        "strokeWidth": 20,
        "path": [["M", 40, 140], ["L", 240, 140]],
    }
    picture = draw_strokes({"objects": [line]}, CANVAS_SIDE, 140)
    assert picture.shape == (140, 140, 4) and picture.dtype == np.uint8
    assert (picture[..., 3] == 255).all()
    assert picture[70, 20:120, 0].min() == 255 and picture[[0, 139], :, :3].max() == 0  # 5 px thick at half size
    assert picture[70 + 8, :, 0].max() == 0  # beyond the pen's half width
    assert draw_strokes({"objects": []}, CANVAS_SIDE).max(axis=(0, 1)).tolist() == [0, 0, 0, 255]
    assert draw_strokes(None, CANVAS_SIDE) is None


def test_path_is_placed_by_its_origin_and_scale():
    """The app rescales a drawing by its left/top and scaleX/scaleY (digitdemo.fabric.scale_drawing): the points move
    with them about the box's centre; quadratic curves are followed, not cut short."""
    path = [["M", 10, 10], ["Q", 20, 0, 30, 10]]
    curve = path_points(path)
    assert curve[0].tolist() == [10, 10] and curve[-1].tolist() == [30, 10] and curve[:, 1].min() == pytest.approx(5)
    item = {"originX": "center", "originY": "center", "left": 20, "top": 7.5, "width": 20, "height": 5, "path": path}
    assert np.allclose(placed_points(item), curve)  # where Fabric put it: unmoved
    doubled = placed_points({**item, "left": 40, "top": 15, "scaleX": 2, "scaleY": 2})
    assert np.allclose(doubled, curve * 2)
    left_origin = placed_points(
        {**item, "originX": "left", "originY": "top", "left": 10 - 1, "top": 5 - 1, "strokeWidth": 2}
    )
    assert np.allclose(left_origin, curve)  # older Fabric: left/top at the box's corner, the stroke included
