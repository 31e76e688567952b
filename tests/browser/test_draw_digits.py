"""Digits drawn with the mouse at different sizes and places on the Draw tab's canvas are each predicted right."""

from __future__ import annotations

from testkit.synth import template_strokes

TIMEOUT_MS = 20_000
# (digit, template style, height as a fraction of the canvas, top-left corner as fractions): small and large,
# in corners and in the middle, with the app's default pen.
CASES = [
    (2, 0, 0.45, (0.05, 0.06)),
    (3, 0, 0.9, (0.3, 0.05)),
    (4, 0, 0.5, (0.45, 0.45)),
    (5, 0, 0.6, (0.08, 0.35)),
    (7, 0, 0.45, (0.5, 0.08)),
    (8, 1, 0.75, (0.35, 0.2)),
]


def placed(digit: int, style: int, height: float, corner: tuple[float, float]) -> list[list[tuple[float, float]]]:
    """A template's strokes scaled to `height` of the canvas with their box's top-left at `corner` (fractions)."""
    return [
        [(corner[0] + height * x, corner[1] + height * y) for x, y in stroke]
        for stroke in template_strokes(digit, style)
    ]


def prediction(page):
    """The value element of the metric labelled Prediction."""
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Prediction")
    return metric.locator("[data-testid='stMetricValue']")


def test_digits_drawn_anywhere_are_predicted(app_page, draw, clear, expect) -> None:
    """Each digit, drawn stroke by stroke with the mouse at its size and place, becomes the Prediction metric's value;
    the canvas is cleared between digits (one page for all: a fresh page per digit would cost seconds each)."""
    expect(app_page.get_by_text("Draw a digit on the black canvas")).to_be_visible(timeout=TIMEOUT_MS)
    for digit, style, height, corner in CASES:
        draw(app_page, placed(digit, style, height, corner))
        expect(prediction(app_page), f"{digit} drawn {height:.0%} tall at {corner}").to_have_text(
            str(digit), timeout=TIMEOUT_MS
        )
        clear(app_page)
        expect(prediction(app_page)).to_have_count(0, timeout=TIMEOUT_MS)
