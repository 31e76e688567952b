"""What a user set stays set, in a real browser: the drawing, its prediction and every radio through a language switch
and back, the drawing through another input and back, a Mistakes filter and the Model tab's settings through a visit
to another tab."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from digitdemo.catalog import shipped_models  # noqa: E402
from digitdemo.i18n import LANGUAGES, message  # noqa: E402

TIMEOUT_MS = 20_000
DEFAULT_MODEL_ID = shipped_models()[0].label_id  # the sidebar's first model, chosen on a new page
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]
# Counts the canvas's lit pixels: the strokes it shows, white on black.
INK_JS = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++; return n; }"""


def ink(page) -> int:
    return page.locator("canvas.dc-canvas.lower-canvas").first.evaluate(INK_JS)


def prediction(page, lang: str):
    metric = page.locator("[data-testid='stMetric']").filter(has_text=message(lang, "draw.prediction"))
    return metric.locator("[data-testid='stMetricValue']")


def checked_radios(page) -> list[str]:
    """The label of the chosen option of every radio group on the page (sidebar first), in page order."""
    groups = page.locator("[data-testid='stRadio']")
    return [group.locator("label:has(input:checked)").inner_text() for group in groups.all()]


def switch_language(page, settle, lang: str) -> None:
    page.locator(".st-key-lang button").filter(has_text=LANGUAGES[lang]).click()
    settle(page)
    expect(page.locator("[data-testid='stTab']").first).to_have_text(message(lang, "tabs.draw"), timeout=TIMEOUT_MS)


def choose_option(selectbox, text: str) -> None:
    """Open `selectbox` and pick its option `text`; opened again if a rerun that was still on its way (the tab's
    first computation of the model's predictions) closed the list before the option could be picked."""
    option = selectbox.page.locator("[role='option']").filter(has_text=text).first
    for _ in range(3):
        selectbox.click()
        try:
            option.wait_for(timeout=5_000)
        except PlaywrightTimeoutError:
            continue
        option.click()
        return
    raise AssertionError(f"the option {text!r} never showed")


def open_tab(page, settle, lang: str, tab: str) -> None:
    page.locator("[data-testid='stTab']").filter(has_text=message(lang, tab)).click()
    settle(page)


def test_language_switch_and_back_keeps_drawing_prediction_and_radios(app_page, draw, settle) -> None:
    """Draw a 7, switch to 中文 and back: the canvas shows the same strokes, the prediction is still 7, and each radio
    (model, input) keeps its choice, worded in the page's language."""
    draw(app_page, SEVEN)
    expect(prediction(app_page, "en")).to_have_text("7", timeout=TIMEOUT_MS)
    drawn, radios = ink(app_page), checked_radios(app_page)
    assert drawn > 500 and radios == [message("en", DEFAULT_MODEL_ID), message("en", "draw.source_canvas")]

    switch_language(app_page, settle, "zh")
    expect(prediction(app_page, "zh")).to_have_text("7", timeout=TIMEOUT_MS)
    assert checked_radios(app_page) == [message("zh", DEFAULT_MODEL_ID), message("zh", "draw.source_canvas")]
    assert abs(ink(app_page) - drawn) <= drawn * 0.02  # the same strokes, redrawn

    switch_language(app_page, settle, "en")
    expect(prediction(app_page, "en")).to_have_text("7", timeout=TIMEOUT_MS)
    assert checked_radios(app_page) == radios
    assert abs(ink(app_page) - drawn) <= drawn * 0.02


def test_drawing_survives_another_input_and_back(app_page, draw, settle) -> None:
    """Draw, look at a training example, come back to the canvas: the strokes and their prediction are still there."""
    draw(app_page, SEVEN)
    expect(prediction(app_page, "en")).to_have_text("7", timeout=TIMEOUT_MS)
    drawn = ink(app_page)
    for source in ("draw.source_example", "draw.source_canvas"):
        app_page.locator("[data-testid='stRadio'] label").filter(has_text=message("en", source)).click()
        settle(app_page)
    expect(prediction(app_page, "en")).to_have_text("7", timeout=TIMEOUT_MS)
    assert abs(ink(app_page) - drawn) <= drawn * 0.02


def test_mistakes_filter_and_model_settings_survive_another_tab(app_page, settle) -> None:
    """A label filter chosen in Mistakes and epochs set in Model are still there after the Draw tab was open."""
    open_tab(app_page, settle, "en", "tabs.mistakes")
    label_filter = app_page.locator("[data-testid='stSelectbox']").filter(has_text=message("en", "mistakes.true_digit"))
    choose_option(label_filter, "3")
    settle(app_page)
    open_tab(app_page, settle, "en", "tabs.model")
    epochs = app_page.locator("[data-testid='stNumberInput']").filter(has_text=message("en", "model.epochs"))
    epochs.locator("input").fill("7")
    epochs.locator("input").press("Enter")
    settle(app_page)

    open_tab(app_page, settle, "en", "tabs.draw")
    open_tab(app_page, settle, "en", "tabs.mistakes")
    expect(label_filter.locator("input")).to_have_value("3", timeout=TIMEOUT_MS)
    open_tab(app_page, settle, "en", "tabs.model")
    expect(epochs.locator("input")).to_have_value("7", timeout=TIMEOUT_MS)
