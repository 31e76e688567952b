"""The explorers' live boards in a real browser: a drag (mouse, or a finger on a phone) redraws the bars or curves on
every move with no rerun of the app, to the same numbers as Python's; a release puts the value in the address; the
keyboard works; lesson links lock the page or, asking for the unknown, fall back to the full app."""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402
from test_screens import inside  # noqa: E402

from digitdemo import relu_lab  # noqa: E402
from digitdemo.activations import my_softmax, naive_softmax  # noqa: E402
from testkit.server import DIGIT_STROKES, new_context, thumb_point, wait_idle  # noqa: E402

TIMEOUT_MS = 30_000
PHONE = {"width": 390, "height": 844}
RTOL = 1e-9  # the browser's numbers against Python's, relative


def open_board(browser, url: str, viewport: dict | None = None, ready: str = ".live", **context: object):
    """A page in its own session showing `url`, once `ready` (default: a live board) is shown and the app idle."""
    page = new_context(browser, viewport=viewport or {"width": 1280, "height": 800}, **context).new_page()
    page.goto(url)
    page.locator(ready).first.wait_for(state="visible", timeout=60_000)
    wait_idle(page, timeout=60_000)
    return page


def runs(page) -> int:
    """The app's script runs the page has seen start (testkit.server.RUN_WATCH)."""
    return page.evaluate("window.digitdemoRuns")


def value(page, selector: str) -> float:
    """The full-precision number the board keeps on an element (data-value)."""
    return float(page.locator(selector).first.get_attribute("data-value"))


def board_z(page) -> np.ndarray:
    """The z values on the Softmax board's sliders, z0 first."""
    return np.array(page.locator(".live .rows input[type='range']").evaluate_all("(all) => all.map(i => +i.value)"))


def temperature(page) -> float:
    return float(page.locator(".st-key-softmax_temperature input").input_value())


def check_softmax_bars(page, j: int) -> None:
    """Class j's softmax bar and the sum on the page equal Python's for the sliders' values, to RTOL."""
    z, t = board_z(page), temperature(page)
    proba = my_softmax(z / t)
    assert value(page, f".st-key-softmax_z{j} .bar-cell.p") == pytest.approx(proba[j], rel=RTOL)
    assert value(page, f".st-key-softmax_z{j} .bar-cell.exp") == pytest.approx(math.exp(z[j] / t), rel=RTOL)
    assert value(page, ".live .sum") == pytest.approx(proba.sum(), rel=RTOL)


def address(page) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlsplit(page.url).query).items()}


def test_mouse_drag_moves_the_bars_before_any_rerun(browser, app_url) -> None:
    """z1 dragged with the mouse in 10 small moves: after each the slider shows a new value and z1's softmax bar, its
    e^(z/T) bar and the sum equal Python's for it, with no script run; on release the address holds the value."""
    page = open_board(browser, f"{app_url}/?tab=softmax")
    try:
        selector = ".st-key-softmax_z1 input"
        page.locator(selector).scroll_into_view_if_needed()
        x, y = thumb_point(page, selector)
        started = runs(page)
        page.mouse.move(x, y)
        page.mouse.down()
        seen = []
        for step in range(1, 11):
            page.mouse.move(x + 9 * step, y)
            seen.append(float(page.locator(selector).input_value()))
            check_softmax_bars(page, 1)
            assert runs(page) == started
        assert len(set(seen)) >= 8 and seen == sorted(seen)
        page.mouse.up()
        wait_idle(page)
        expect(page).to_have_url(re.compile(re.escape(f"z=1%2C{seen[-1]:g}%2C3%2C4")), timeout=TIMEOUT_MS)
        assert runs(page) > started
    finally:
        page.context.close()


def test_touch_drag_on_a_phone_moves_the_bars_not_the_page(browser, app_url) -> None:
    """At 390x844 with touch, a finger dragging z2 sideways moves its bars and the sum on every move, with no script
    run, and the page does not scroll; on release the address holds the value."""
    page = open_board(browser, f"{app_url}/?tab=softmax", PHONE, has_touch=True, is_mobile=True)
    try:
        selector = ".st-key-softmax_z2 input"
        page.locator(selector).scroll_into_view_if_needed()
        top = page.locator(selector).bounding_box()["y"]
        x, y = thumb_point(page, selector)
        started = runs(page)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        seen = []
        for step in range(1, 11):
            # Slanted, as a thumb moves: a page that scrolled with the finger would move the slider up.
            point = {"x": x + 8 * step, "y": y - 3 * step}
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
            seen.append(float(page.locator(selector).input_value()))
            check_softmax_bars(page, 2)
            assert runs(page) == started
            assert page.locator(selector).bounding_box()["y"] == pytest.approx(top, abs=0.5)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        assert len(set(seen)) >= 5 and seen[-1] > 3.0
        wait_idle(page)
        expect(page).to_have_url(re.compile(re.escape(f"z=1%2C2%2C{seen[-1]:g}%2C4")), timeout=TIMEOUT_MS)
    finally:
        page.context.close()


def test_relu_weight_dragged_moves_the_sum_before_release(browser, app_url) -> None:
    """w1 dragged: on every move the sum curve changes and the error shown is Python's for the sliders' values, with
    no script run; on release the address holds w1."""
    page = open_board(browser, f"{app_url}/?tab=relu")
    try:
        selector = ".st-key-relu_w1 input"
        x, y = thumb_point(page, selector)
        curve = page.locator(".live path[data-line='sum']")
        before = curve.get_attribute("d")
        started = runs(page)
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 6):
            page.mouse.move(x + 10 * step, y)
            now = curve.get_attribute("d")
            assert now != before
            before = now
            w1 = float(page.locator(selector).input_value())
            assert value(page, ".live .error") == pytest.approx(
                relu_lab.mean_squared_error(w1, 0.0, 0.0, 0.0), rel=RTOL
            )
            assert runs(page) == started
        page.mouse.up()
        wait_idle(page)
        expect(page).to_have_url(re.compile(re.escape(f"w1={w1:g}")), timeout=TIMEOUT_MS)
    finally:
        page.context.close()


def test_relu_solution_released_is_matched(browser, app_url) -> None:
    """The verdict waits for the server: the solution set with the keyboard, one release after another, brings it."""
    page = open_board(browser, f"{app_url}/?tab=relu&w1=1&b1=-1&w2=2&b2=-3.9")
    try:
        expect(page.locator("[data-testid='stAlert']").filter(has_text="perfect")).to_have_count(0)
        page.locator(".st-key-relu_b2 input").focus()
        page.keyboard.press("ArrowLeft")
        assert value(page, ".live .error") == pytest.approx(relu_lab.mean_squared_error(1, -1, 2, -4), abs=1e-12)
        wait_idle(page)
        expect(page.locator(".st-key-relu_result [data-testid='stAlert']")).to_be_visible(timeout=TIMEOUT_MS)
        assert address(page)["b2"] == "-4"
    finally:
        page.context.close()


def test_wide_edges_and_smallest_temperature_match_python(browser, app_url) -> None:
    """z at the wide range's ends and T = 0.1 (e^600 in the e^(z/T) bars): every bar equals Python's to RTOL."""
    z = np.array([-60.0, 60.0, 59.9, -59.9, 0.1])
    page = open_board(browser, f"{app_url}/?tab=softmax&z={','.join(f'{v:g}' for v in z)}&T=0.1")
    try:
        np.testing.assert_array_equal(board_z(page), z)
        proba = my_softmax(z / 0.1)
        for j in range(len(z)):
            assert value(page, f".st-key-softmax_z{j} .bar-cell.p") == pytest.approx(proba[j], rel=RTOL, abs=0)
            assert value(page, f".st-key-softmax_z{j} .bar-cell.exp") == pytest.approx(math.exp(z[j] / 0.1), rel=RTOL)
        assert value(page, ".live .sum") == pytest.approx(1.0, rel=RTOL)
    finally:
        page.context.close()


def test_keyboard_and_names_for_screen_readers(browser, app_url) -> None:
    """Each slider is named by its label and says its value; arrows, End and Home move it, and the naive formula's
    note turns to the overflow when the shift is at its end."""
    page = open_board(browser, f"{app_url}/?tab=softmax")
    try:
        z0 = page.get_by_role("slider", name="z0", exact=True)
        expect(z0).to_have_attribute("aria-valuetext", "1.0")
        z0.focus()
        page.keyboard.press("ArrowRight")
        expect(z0).to_have_attribute("aria-valuetext", "1.1")
        page.keyboard.press("End")
        expect(z0).to_have_attribute("aria-valuetext", "10.0")
        page.keyboard.press("Home")
        expect(z0).to_have_attribute("aria-valuetext", "0.1")
        note = page.locator(".live .note")
        expect(note).not_to_have_class("note fails")
        page.get_by_role("slider", name="Add this to every z").focus()
        page.keyboard.press("End")
        expect(note).to_have_class("note fails")
        z = board_z(page) + 1000
        assert np.isnan(naive_softmax(z)).all()
        expect(page.locator(".live .numbers td").nth(3)).to_have_text("nan")
        wait_idle(page)
        expect(page).to_have_url(re.compile(re.escape("z=0.1%2C2%2C3%2C4")), timeout=TIMEOUT_MS)
    finally:
        page.context.close()


def test_lesson_link_opens_locked(browser, app_url) -> None:
    """A lesson link (embedded, as a course page would) opens its tab alone: no tab bar, sidebar or Share button;
    the controls it hides are gone, the others work, and the address keeps the lock after a release."""
    page = open_board(browser, f"{app_url}/?embed=true&tab=softmax&lock=1&hide=temperature,load,shift&z=1,4")
    try:
        expect(page.locator("[data-testid='stTabs'] [role='tablist']")).to_be_hidden()
        expect(page.locator(".st-key-app_share")).to_be_hidden()
        expect(page.locator(".st-key-softmax_load_logits")).to_have_count(0)
        expect(page.locator(".st-key-softmax_temperature")).to_be_hidden()
        expect(page.locator(".live .overflow")).to_be_hidden()
        expect(page.locator(".live .rows input[type='range']")).to_have_count(2)
        page.locator(".st-key-softmax_z0 input").focus()
        page.keyboard.press("ArrowRight")
        wait_idle(page)
        expect(page).to_have_url(re.compile(re.escape("z=1.1%2C4")), timeout=TIMEOUT_MS)
        query = address(page)
        assert (query["lock"], query["hide"], query["embed"]) == ("1", "temperature,load,shift", "true")
    finally:
        page.context.close()


@pytest.mark.parametrize(
    "query", ["tab=softmax&lock=1&hide=temperature,<script>", "tab=nowhere&lock=1", "tab=relu&lock=1&hide=load"]
)
def test_hostile_lesson_link_falls_back(browser, app_url, query) -> None:
    """A lesson link asking for an unknown tab or control opens the full app: every tab and every control shown."""
    page = open_board(browser, f"{app_url}/?{query}", ready="[data-testid='stTabs']")
    try:
        expect(page.locator("[data-testid='stTabs'] [role='tablist']")).to_be_visible()
        expect(page.locator("[data-testid='stTab']")).to_have_count(6)
        expect(page.locator(".st-key-app_share")).to_be_visible()
        assert "lock" not in address(page)
    finally:
        page.context.close()


def box(page, selector: str, nth: int = 0) -> dict:
    return page.locator(selector).nth(nth).bounding_box()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_boards_above_the_fold(browser, app_url, lang) -> None:
    """On a 1920x1080 projector the Softmax board with 10 classes shows every slider with its bars and the sum, and the
    solved ReLU game its error, its sum against the target and the verdict, all inside the window."""
    screen = {"x": 0, "y": 0, "width": 1920, "height": 1080}
    ten = "1,2,3,4,2.5,1.5,3.5,0.5,2,3"
    page = open_board(browser, f"{app_url}/?present=1&lang={lang}&tab=softmax&z={ten}", screen)
    try:
        rows = page.locator(".live .rows .row")
        expect(rows).to_have_count(10)
        for j in range(10):
            assert inside(rows.nth(j).bounding_box(), screen), f"z{j}"
        assert inside(box(page, ".live .sum"), screen)
    finally:
        page.context.close()
    solved = "&".join(f"{name}={value:g}" for name, value in relu_lab.SOLUTION.items())
    page = open_board(browser, f"{app_url}/?present=1&lang={lang}&tab=relu&{solved}", screen)
    try:
        expect(page.locator(".st-key-relu_result [data-testid='stAlert']")).to_be_visible(timeout=TIMEOUT_MS)
        for selector in (".live .error", ".st-key-relu_sum_chart", ".st-key-relu_result [data-testid='stAlert']"):
            assert inside(box(page, selector), screen), selector
    finally:
        page.context.close()


def test_laptop_board_words_whole_and_rows_apart(browser, app_url) -> None:
    """At 1024x768 (sidebar open) the range switch shows its whole words, and no slider's row (its name, track, value
    and bars) reaches into the next one's (Streamlit's sliders put their range labels on the next slider's value)."""
    page = open_board(browser, f"{app_url}/?tab=softmax", {"width": 1024, "height": 768})
    try:
        words = box(page, ".st-key-softmax_wide span")
        assert inside(words, box(page, ".st-key-softmax_wide"))
        assert words["width"] > 40  # one line, not squeezed to a letter a line
        page.locator(".st-key-softmax_z1 input").hover()
        rows = page.locator(".live .rows .row")
        for j in range(rows.count() - 1):
            upper, lower = rows.nth(j).bounding_box(), rows.nth(j + 1).bounding_box()
            assert upper["y"] + upper["height"] <= lower["y"] + 0.5, f"z{j}"
    finally:
        page.context.close()


def test_released_values_survive_language_and_tab_switches(browser, app_url) -> None:
    """A value released on the board stays after a switch to Chinese (the tabs are built anew) and a visit to the
    ReLU tab, with its bars redrawn for it."""
    page = open_board(browser, f"{app_url}/?tab=softmax")
    try:
        page.locator(".st-key-softmax_z0 input").focus()
        page.keyboard.press("End")
        wait_idle(page)
        page.locator(".st-key-lang button").filter(has_text="中文").click()
        wait_idle(page)
        expect(page.locator(".live .sum")).to_have_text(re.compile("^概率之和"), timeout=TIMEOUT_MS)
        page.locator("[data-testid='stTab']").nth(2).click()
        wait_idle(page)
        page.locator("[data-testid='stTab']").nth(1).click()
        wait_idle(page)
        z0 = page.locator(".st-key-softmax_z0 input")
        expect(z0).to_have_attribute("aria-valuetext", "10.0", timeout=TIMEOUT_MS)
        proba = my_softmax(np.array([10.0, 2, 3, 4]))
        assert value(page, ".st-key-softmax_z0 .bar-cell.p") == pytest.approx(proba[0], rel=RTOL)
    finally:
        page.context.close()


def test_loaded_logits_reach_the_board(browser, app_url, new_page, draw) -> None:
    """After a digit is drawn, "Load my drawing's logits" puts ten values on the board, on the wide range, at T = 1."""
    page = new_page(browser, app_url)
    try:
        draw(page, DIGIT_STROKES)
        page.locator("[data-testid='stTab']").nth(1).click()
        wait_idle(page)
        page.locator(".st-key-softmax_load_logits button").first.click()  # the button inside its help's tooltip
        wait_idle(page)
        expect(page.locator(".live .rows input[type='range']")).to_have_count(10, timeout=TIMEOUT_MS)
        expect(page.locator(".st-key-softmax_wide input")).to_be_checked()
        z = board_z(page)
        assert z.min() >= -60 and z.max() <= 60 and len(set(z)) > 1
        assert temperature(page) == 1.0
        assert value(page, ".live .sum") == pytest.approx(my_softmax(z).sum(), rel=RTOL)
    finally:
        page.context.close()


def test_share_dialog_makes_a_lesson_link(browser, app_url) -> None:
    """In the Share dialog a teacher turns the link into a lesson link hiding the temperature; the link it shows opens
    the Softmax explorer locked, without the temperature."""
    page = open_board(browser, f"{app_url}/?tab=softmax")
    try:
        page.locator(".st-key-app_share button").click()
        dialog = page.get_by_role("dialog")
        dialog.locator(".st-key-app_lesson label").click()
        wait_idle(page)
        dialog.locator(".st-key-app_lesson_hide input").click()
        page.get_by_role("option", name="Temperature T").click()
        wait_idle(page)
        code = dialog.locator("code")
        expect(code).to_contain_text("hide=temperature", timeout=TIMEOUT_MS)
        link = code.inner_text().strip()
    finally:
        page.context.close()
    lesson = open_board(browser, link)
    try:
        expect(lesson.locator("[data-testid='stTabs'] [role='tablist']")).to_be_hidden()
        expect(lesson.locator(".st-key-softmax_temperature")).to_be_hidden()
        expect(lesson.locator(".st-key-softmax_classes")).to_be_visible()
    finally:
        lesson.context.close()
