"""The Draw tab in a real browser: digits drawn with the mouse are predicted; clearing; the Chinese labels."""

from __future__ import annotations

import math

import pytest

ONE = [[(0.5, 0.15), (0.5, 0.85)]]
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]
ZERO = [[(0.5 + 0.22 * math.sin(a / 12 * math.pi), 0.5 - 0.32 * math.cos(a / 12 * math.pi)) for a in range(25)]]
TIMEOUT_MS = 20_000


def prediction(page, label: str = "Prediction"):
    """The value element of the metric labelled `label`."""
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return metric.locator("[data-testid='stMetricValue']")


@pytest.mark.parametrize(("strokes", "digit"), [(ONE, "1"), (SEVEN, "7"), (ZERO, "0")], ids=["one", "seven", "zero"])
def test_drawn_digit_is_predicted(app_page, draw, expect, strokes, digit) -> None:
    """A digit drawn with the mouse on the canvas shows up as the Prediction metric's value."""
    expect(app_page.get_by_text("Draw a digit on the black canvas")).to_be_visible(timeout=TIMEOUT_MS)
    draw(app_page, strokes)
    expect(prediction(app_page)).to_have_text(digit, timeout=TIMEOUT_MS)


def test_clear_brings_back_the_invitation(app_page, draw, clear, expect) -> None:
    """After a drawing, the toolbar's reset empties the canvas: the invitation returns and the metric goes."""
    draw(app_page, ONE)
    expect(prediction(app_page)).to_have_text("1", timeout=TIMEOUT_MS)
    clear(app_page)
    expect(app_page.get_by_text("Draw a digit on the black canvas")).to_be_visible(timeout=TIMEOUT_MS)
    expect(prediction(app_page)).to_have_count(0)


def test_language_switch_to_chinese(app_page, draw, settle, expect) -> None:
    """Choosing 中文 on the page relabels the tabs and the metric (预测) while the drawing stays predicted."""
    draw(app_page, SEVEN)
    expect(prediction(app_page)).to_have_text("7", timeout=TIMEOUT_MS)
    app_page.locator(".st-key-lang button").filter(has_text="中文").click()
    settle(app_page)
    expect(app_page.locator("[data-testid='stTab']").first).to_have_text("手写", timeout=TIMEOUT_MS)
    expect(prediction(app_page, "预测")).to_have_text("7", timeout=TIMEOUT_MS)
    expect(app_page.get_by_text("Prediction", exact=True)).to_have_count(0)
