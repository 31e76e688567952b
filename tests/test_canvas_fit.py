"""Pure pieces of fitting every screen: scaling the canvas's strokes, undoing one, the canvas's side from the measured
space, presenter-sized chart text, and bar labels that leave zeros out."""

from __future__ import annotations

import pytest

from digitdemo.fabric import scale_drawing, without_last_stroke
from digitdemo.preprocess import CANVAS_SIDE
from ui.canvas_space import MIN_CANVAS_SIDE, PHONE_BELOW, PRESENTER_BELOW, canvas_side
from ui.charts import enlarge_text, probability_chart

PATH = {
    "type": "path",
    "left": 10.0,
    "top": 20.0,
    "scaleX": 1.0,
    "scaleY": 1.0,
    "strokeWidth": 22,
    "path": [["M", 1, 2]],
}


def test_scale_drawing_moves_and_sizes_objects_and_leaves_the_original() -> None:
    """Scaling by 2 doubles each object's place and scale (a missing scale counts as Fabric's 1), not its path."""
    drawing = {"version": "6", "objects": [PATH, {"type": "path", "left": 4, "top": 6, "path": [["M", 0, 0]]}]}
    scaled = scale_drawing(drawing, 2.0)
    first, second = scaled["objects"]
    assert (first["left"], first["top"], first["scaleX"], first["scaleY"]) == (20.0, 40.0, 2.0, 2.0)
    assert first["path"] == PATH["path"] and first["strokeWidth"] == 22
    assert (second["left"], second["top"], second["scaleX"], second["scaleY"]) == (8, 12, 2.0, 2.0)
    assert drawing["objects"][0]["left"] == 10.0 and "scaleX" not in drawing["objects"][1]
    assert scale_drawing(None, 2.0) is None


def test_without_last_stroke() -> None:
    """Undo removes the last object only; an empty or missing drawing stays empty."""
    drawing = {"objects": [PATH, {**PATH, "left": 99}]}
    assert without_last_stroke(drawing)["objects"] == [PATH]
    assert len(drawing["objects"]) == 2
    assert without_last_stroke({"objects": []})["objects"] == []
    assert without_last_stroke(None)["objects"] == []


@pytest.mark.parametrize(
    ("space", "present", "side"),
    [
        (None, False, CANVAS_SIDE),  # nothing measured yet
        ({"width": "x"}, False, CANVAS_SIDE),  # a malformed report
        ({"width": 700, "top": 300, "height": 800, "window": 1280}, False, CANVAS_SIDE),  # a desk: the usual size
        ({"width": 219, "top": 300, "height": 768, "window": 1024}, False, 216),  # a narrow column: never clipped
        (
            {"width": 760, "top": 350, "height": 1080, "window": 1920},
            True,
            (1080 - 350 - PRESENTER_BELOW) // 4 * 4,
        ),  # in whole steps
        ({"width": 1500, "top": 350, "height": 2160, "window": 3840}, True, 1500),  # 4K: as wide as the column
        ({"width": 366, "top": 340, "height": 844, "window": 390}, False, (844 - 340 - PHONE_BELOW) // 4 * 4),
        ({"width": 296, "top": 340, "height": 640, "window": 320}, False, MIN_CANVAS_SIDE),  # room for a finger
        ({"width": 150, "top": 340, "height": 640, "window": 180}, False, 148),  # but never wider than the column
    ],
)
def test_canvas_side(space, present, side) -> None:
    """The canvas's side follows its column and, on a projector or a phone, the window's height left below it."""
    assert canvas_side(space, present) == side


def test_enlarge_text_sets_every_font_and_keeps_the_original() -> None:
    """Every font in the presenter copy is at least the minimum, axes and legend included; the height grows; the
    figure given is unchanged."""
    figure = probability_chart([0.1] * 9 + [0.1], "probability")
    big = enlarge_text(figure, 18, 1.5)
    assert big["layout"]["height"] == round(figure["layout"]["height"] * 1.5)
    assert big["layout"]["xaxis"]["tickfont"]["size"] >= 18 and big["layout"]["yaxis"]["tickfont"]["size"] == 18
    assert big["layout"]["legend"]["font"]["size"] == 18 and big["layout"]["font"]["size"] == 18
    assert all(note["font"]["size"] >= 18 for note in big["layout"].get("annotations", []))
    assert "size" not in figure["layout"]["yaxis"].get("tickfont", {})


def test_probability_bars_label_only_what_is_not_zero() -> None:
    """A bar whose probability shows as 0.00 carries no label; the others show theirs."""
    proba = [0.0, 0.9, 0.001, 0.099, 0, 0, 0, 0, 0, 0]
    assert probability_chart(proba)["data"][0]["text"] == ["", "0.90", "", "0.10", "", "", "", "", "", ""]
