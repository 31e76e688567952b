"""The screens a class uses, in a real browser: the presenter view on a 1920x1080 and a 1280x720 projector (the
explorers' results above the fold), a 1024x768 laptop and narrow windows (the canvas fits its column), a 390x844 phone
drawing with touch events and choosing a confusion-matrix cell with one tap, and a link that restores the view it was
copied from."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

from digitdemo.catalog import shipped_models  # noqa: E402
from digitdemo.i18n import CATALOGUES, message  # noqa: E402
from digitdemo.metrics import confusion_matrix, predict_dataset  # noqa: E402
from digitdemo.numpy_model import load_model  # noqa: E402
from testkit.server import CANVAS, new_context, wait_idle  # noqa: E402
from ui.mistakes import GALLERY_PAGE  # noqa: E402

TIMEOUT_MS = 20_000
ONE = [[(0.5, 0.15), (0.5, 0.85)]]
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]
VERDICT = ".st-key-draw_verdict"
# Each visible button and switch of an element -> [its text, whether a click at its centre lands on it].
BAR_HITS_JS = """bar => Array.from(bar.querySelectorAll('button, label')).filter(
    e => e.checkVisibility({visibilityProperty: true}) && e.getBoundingClientRect().width > 0).map(e => {
    const r = e.getBoundingClientRect();
    return [e.innerText, e.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2))]; })"""
# The height of the text itself (not of its box) of the predicted digit.
GLYPH_HEIGHT_JS = """e => { const range = document.createRange(); range.selectNodeContents(e);
                              return range.getBoundingClientRect().height; }"""
# The smallest font size of any text in a chart on the page, and how many such texts there are.
CHART_TEXT_JS = """() => { const sizes = [...document.querySelectorAll('.stPlotlyChart svg text')]
    .filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize));
    return [Math.min(...sizes), sizes.length]; }"""
# Counts the canvas's lit pixels: the strokes it shows, white on black.
INK_JS = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++; return n; }"""
# The box of an element's text itself (window coordinates, as Playwright's bounding_box): wider than the element when
# its words were cut off with "...".
TEXT_BOX_JS = """e => { const range = document.createRange(); range.selectNodeContents(e);
                         const { x, y, width, height } = range.getBoundingClientRect();
                         return { x, y, width, height }; }"""
SCROLL_JS = """() => window.scrollY
    + (document.querySelector("[data-testid='stMain']")?.scrollTop ?? 0)"""
FONT_SIZE_JS = "e => parseFloat(getComputedStyle(e).fontSize)"
WHY = ".st-key-draw_why"


def box(locator) -> dict:
    return locator.bounding_box()


def inside(inner: dict, outer: dict, slack: float = 1) -> bool:
    """Whether box `inner` lies within box `outer` (page coordinates, `slack` px of rounding allowed)."""
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


def viewport_box(page) -> dict:
    size = page.viewport_size
    return {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}


def ink(page) -> int:
    return page.locator("canvas.dc-canvas.lower-canvas").first.evaluate(INK_JS)


def prediction(page):
    return page.locator(VERDICT).locator("[data-testid='stMetricValue']")


def worded(lang: str, msg_id: str) -> re.Pattern:
    """A pattern matching the text of `msg_id` in `lang` whatever its parameters."""
    return re.compile(".+?".join(re.escape(part) for part in re.split(r"\{[^}]*\}", CATALOGUES[lang][msg_id])))


def open_why_view(page, lang: str, view: str) -> None:
    """Show the view `view` (a key of ui.explanations.VIEWS) of the open "Why this answer"."""
    page.locator(".st-key-draw_why_view button").filter(has_text=message(lang, f"why.view_{view}")).click()
    wait_idle(page)


def draw_mouse(page, strokes) -> None:
    for stroke in strokes:
        area = box(page.locator(CANVAS).first)
        points = [(area["x"] + fx * area["width"], area["y"] + fy * area["height"]) for fx, fy in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(x, y, steps=6)
        page.mouse.up()
        wait_idle(page)


def draw_touch(page, strokes) -> None:
    """Draw with a finger: Chrome DevTools protocol touch events (touchStart, touchMove..., touchEnd)."""
    cdp = page.context.new_cdp_session(page)
    for stroke in strokes:
        area = box(page.locator(CANVAS).first)
        points = [(area["x"] + fx * area["width"], area["y"] + fy * area["height"]) for fx, fy in stroke]
        path = [points[0]]
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            path += [(x0 + (x1 - x0) * k / 8, y0 + (y1 - y0) * k / 8) for k in range(1, 9)]
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": path[0][0], "y": path[0][1]}]}
        )
        for x, y in path[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        wait_idle(page)


def open_phone(browser, url: str):
    """The page at `url` on a 390x844 touch screen, in its own browser context (the caller closes it), idle."""
    context = new_context(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(url)
    page.locator(CANVAS).first.wait_for(state="visible", timeout=60_000)
    wait_idle(page, timeout=60_000)
    return page


@pytest.fixture
def phone(browser, app_url):
    """The app on a 390x844 touch screen, English."""
    page = open_phone(browser, app_url)
    yield page
    page.context.close()


def test_presenter_view_at_1080p(browser, app_url, new_page) -> None:
    """?present=1 at 1920x1080: sidebar collapsed; the whole canvas on screen; after a stroke the digit is at least
    120 px tall with its probability beside it; every chart text is at least 18 px."""
    page = new_page(browser, f"{app_url}/?present=1", {"width": 1920, "height": 1080})
    try:
        expect(page.locator("[data-testid='stSidebar']")).to_have_attribute("data-collapsed", "true")
        canvas = box(page.locator(CANVAS).first)
        assert canvas["width"] >= 500 and inside(canvas, viewport_box(page))
        draw_mouse(page, ONE)
        expect(prediction(page)).to_have_text("1", timeout=TIMEOUT_MS)
        digit = page.locator(VERDICT).locator("[data-testid='stMetricValue'] p")
        assert digit.evaluate(GLYPH_HEIGHT_JS) >= 120
        value, delta = box(digit), box(page.locator(VERDICT).locator("[data-testid='stMetricDelta']"))
        assert delta["x"] >= value["x"] + value["width"]  # beside the digit, not under it
        assert delta["y"] < value["y"] + value["height"] and delta["y"] + delta["height"] > value["y"]
        assert inside(value, viewport_box(page)) and inside(delta, viewport_box(page))
        page.locator(".stPlotlyChart .xtick text").first.wait_for(timeout=TIMEOUT_MS)
        smallest, count = page.evaluate(CHART_TEXT_JS)
        assert count >= 10 and smallest >= 18
    finally:
        page.context.close()


def test_presenter_bar_takes_clicks(browser, app_url, new_page) -> None:
    """In the presenter view the page's bar shares the top row with Streamlit's header: each of its controls (the
    languages, the Present switch, Share) is the topmost element at its centre, and choosing 中文 relabels the tabs."""
    page = new_page(browser, f"{app_url}/?present=1", {"width": 1920, "height": 1080})
    try:
        hits = page.locator(".st-key-app_bar").evaluate(BAR_HITS_JS)
        assert len(hits) >= 4 and all(hit for _, hit in hits), hits
        page.locator(".st-key-lang button").filter(has_text="中文").click(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(page.locator("[data-testid='stTab']").first).to_have_text(message("zh", "tabs.draw"))
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("viewport", "lang", "present"),
    [
        ({"width": 1920, "height": 1080}, "en", True),
        ({"width": 1280, "height": 720}, "zh", True),
        ({"width": 390, "height": 844}, "en", False),
    ],
    ids=["1920x1080-en-present", "1280x720-zh-present", "390x844-en"],
)
def test_why_views_on_screens(browser, app_url, new_page, viewport, lang, present) -> None:
    """ "Why this answer" in the presenter view (and on a phone): the network drawing's input picture has square pixels
    (it was stretched to about 445x235 px at 1920x1080) and fills its chart's height; each picture's caption says which
    picture it is, at least 18 px on a projector (the presenter view used to hide them all); the legends of the network
    and of the pixels' shares stay; other captions (the nearest digits' distance note) are hidden without a gap."""
    page = new_page(browser, f"{app_url}/?lang={lang}" + ("&present=1" if present else ""), viewport)
    try:
        draw_mouse(page, SEVEN)
        expect(prediction(page)).to_have_text("7", timeout=TIMEOUT_MS)
        page.locator(f"{WHY} summary").click()
        wait_idle(page)
        open_why_view(page, lang, "network")  # it opens on the nearest training digits
        picture = page.locator(".st-key-draw_why_network .hm image")
        picture.wait_for(timeout=TIMEOUT_MS)
        shape, chart = box(picture), box(page.locator(".st-key-draw_why_network"))
        assert abs(shape["width"] / shape["height"] - 1) < 0.03, shape
        assert shape["height"] >= 0.4 * chart["height"], chart  # no bands of blank space above and below the drawing
        expect(page.locator(".st-key-draw_why_network_lesson_caption")).to_be_visible()
        captions = page.locator(f"{WHY} [data-testid='stImageCaption']")
        smallest = 18 if present else 12

        def captions_shown(*patterns: str | re.Pattern) -> None:
            expect(captions).to_have_count(len(patterns))
            for caption, pattern in zip(captions.all(), patterns, strict=True):
                expect(caption.locator("p")).to_be_visible()
                expect(caption).to_have_text(pattern)
                assert caption.locator("p").evaluate(FONT_SIZE_JS) >= smallest

        captions_shown(message(lang, "why.unit_weights"), message(lang, "why.unit_products"))
        open_why_view(page, lang, "versus")
        captions_shown(message(lang, "draw.sees"), worded(lang, "why.contributions"))
        expect(page.locator(WHY).get_by_text(message(lang, "why.versus_explained"), exact=True)).to_be_visible()
        open_why_view(page, lang, "framing")
        captions_shown(worded(lang, "why.framed"), worded(lang, "why.unframed"))
        open_why_view(page, lang, "nearest")
        captions_shown(*[worded(lang, "why.neighbour")] * 10)
        page.locator(".st-key-draw_why_numbers label").click()  # the distance note is among the numbers
        wait_idle(page)
        note = page.locator(f"{WHY} [data-testid='stElementContainer']").filter(has_text=worded(lang, "why.novelty"))
        expect(note).to_have_count(1)
        if present:  # the element itself is not laid out, so the gap before it goes too
            assert note.bounding_box() is None
        else:
            expect(note).to_be_visible()
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [{"width": 1024, "height": 768}, {"width": 320, "height": 640}], ids=str)
def test_canvas_fits_its_column(browser, app_url, new_page, viewport) -> None:
    """At 1024x768 (where a 280 px canvas used to be cut to 219) and on a 320 px phone, the whole canvas lies inside
    its column, and a digit drawn on it is predicted."""
    page = new_page(browser, app_url, viewport)
    try:
        canvas = page.locator(CANVAS).first
        column = page.locator("[data-testid='stColumn']").filter(has=page.locator(CANVAS)).first
        expect(canvas).to_be_visible()
        assert box(canvas)["width"] >= 200 and inside(box(canvas), box(column))
        draw_mouse(page, SEVEN)
        expect(prediction(page)).to_have_text("7", timeout=TIMEOUT_MS)
    finally:
        page.context.close()


def test_canvas_keeps_the_drawing_when_resized(browser, app_url, new_page) -> None:
    """A drawing made at 1280x800 is still there, and still predicted, after the window narrows to a phone's (the
    canvas shrinks to fit and its strokes are scaled with it)."""
    page = new_page(browser, app_url, {"width": 1280, "height": 800})
    try:
        draw_mouse(page, SEVEN)
        expect(prediction(page)).to_have_text("7", timeout=TIMEOUT_MS)
        wide = box(page.locator(CANVAS).first)["width"]
        page.set_viewport_size({"width": 360, "height": 740})
        wait_idle(page)
        expect(page.locator(CANVAS).first).not_to_have_attribute("width", str(round(wide)), timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(prediction(page)).to_have_text("7", timeout=TIMEOUT_MS)
        assert ink(page) > 300  # the strokes were redrawn on the smaller canvas
    finally:
        page.context.close()


def test_phone_touch_drawing(phone) -> None:
    """At 390x844 with touch: a digit drawn with the finger is predicted, the digit and its probability are on screen
    with the canvas, the page did not scroll while drawing, and the always-visible Clear empties the canvas."""
    start = phone.evaluate(SCROLL_JS)
    draw_touch(phone, ONE)
    expect(prediction(phone)).to_have_text("1", timeout=TIMEOUT_MS)
    assert phone.evaluate(SCROLL_JS) == start
    screen = viewport_box(phone)
    for element in (
        phone.locator(CANVAS).first,
        prediction(phone),
        phone.locator(VERDICT).locator("[data-testid='stMetricDelta']"),
    ):
        assert inside(box(element), screen)
    phone.locator(".st-key-draw_clear button").click()
    wait_idle(phone)
    expect(phone.get_by_text(message("en", "draw.invite_draw"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(prediction(phone)).to_have_count(0)


def test_phone_undo_and_explorer(phone) -> None:
    """On the phone, Undo takes back the last stroke only; in the Softmax explorer, with a slider scrolled into view,
    the chart is on screen too."""
    draw_touch(phone, [SEVEN[0][:2], SEVEN[0][1:]])
    expect(prediction(phone)).to_have_text("7", timeout=TIMEOUT_MS)
    both = ink(phone)
    phone.locator(".st-key-draw_undo button").click()
    wait_idle(phone)
    wait_idle(phone)  # the canvas loads the remaining stroke, then sends its picture
    assert 0 < ink(phone) < both * 0.8
    expect(prediction(phone)).to_have_count(1)  # one stroke left, still something to predict
    phone.locator("[data-testid='stTab']").filter(has_text=message("en", "tabs.softmax")).click()
    wait_idle(phone)
    chart = phone.locator(".st-key-softmax_chart")
    # Scrolled once the board above the sliders is drawn: before, its drawing moved the page after the scroll.
    chart.wait_for(state="visible", timeout=TIMEOUT_MS)
    slider = phone.locator(".st-key-softmax_z3")
    slider.scroll_into_view_if_needed()
    expect(slider).to_be_in_viewport(ratio=1, timeout=TIMEOUT_MS)
    expect(chart).to_be_in_viewport(ratio=1, timeout=TIMEOUT_MS)


def test_chinese_phone_buttons(browser, app_url) -> None:
    """The phone's always-visible buttons are worded in Chinese on the Chinese page, and the language is on the page."""
    page = open_phone(browser, f"{app_url}/?lang=zh")
    try:
        for key, msg_id in (("draw_undo", "presenter.undo"), ("draw_clear", "presenter.clear")):
            button = page.locator(f".st-key-{key}").get_by_role("button", name=message("zh", msg_id), exact=True)
            expect(button).to_be_in_viewport()
        expect(page.locator(".st-key-lang button").first).to_be_in_viewport()
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("lang", "touch"), [("en", True), ("zh", True), ("en", False)], ids=["en-touch", "zh-touch", "en-mouse"]
)
def test_one_tap_selects_a_confusion_cell(browser, app_url, new_page, dataset, lang, touch) -> None:
    """At 390x844 with touch (and at 1280x800 with a mouse), one tap (click) on the Mistakes tab's confusion-matrix
    cell with the most mistakes selects it (a first tap used to show only Plotly's hover label): both filters take its
    label and prediction and the gallery shows its mistakes."""
    model = load_model(shipped_models()[0].name)  # the model the page starts with
    counts = confusion_matrix(dataset.y[:, 0], predict_dataset(model, dataset.X).predicted)
    np.fill_diagonal(counts, -1)
    label, predicted = np.unravel_index(np.argmax(counts), counts.shape)
    count = int(counts[label, predicted])
    page = (open_phone if touch else new_page)(browser, f"{app_url}/?lang={lang}")
    try:
        page.locator("[data-testid='stTab']").filter(has_text=message(lang, "tabs.mistakes")).click()
        wait_idle(page)
        cells = page.locator(".st-key-mistakes_confusion .nsewdrag")  # the plot area: 10 x 10 cells, label 0 on top
        cells.scroll_into_view_if_needed()
        area = box(cells)
        cell = (area["x"] + area["width"] * (predicted + 0.5) / 10, area["y"] + area["height"] * (label + 0.5) / 10)
        (page.touchscreen.tap if touch else page.mouse.click)(*cell)
        wait_idle(page)
        expect(page.locator(".st-key-mistakes_true input")).to_have_value(str(label), timeout=TIMEOUT_MS)
        expect(page.locator(".st-key-mistakes_pred input")).to_have_value(str(predicted))
        shown = min(count, GALLERY_PAGE)
        expect(
            page.get_by_text(message(lang, "mistakes.gallery_caption", n_matching=count, n_shown=shown))
        ).to_be_visible()
        titles = page.locator("[data-testid='stImageCaption']").all_inner_texts()
        assert len([title for title in titles if title.startswith(f"{label}, {predicted} (")]) == shown
    finally:
        page.context.close()


def test_link_round_trip(browser, app_url, new_page) -> None:
    """Change the language, model, Softmax values and ReLU weights; the page's URL opened in a fresh browser shows the
    same tab with the same values."""
    page = new_page(browser, app_url)
    try:
        page.locator(".st-key-lang button").filter(has_text="中文").click()
        wait_idle(page)
        page.locator("[data-testid='stSidebar'] label").filter(has_text=message("zh", "catalog.lab")).click()
        wait_idle(page)
        page.locator("[data-testid='stTab']").filter(has_text=message("zh", "tabs.relu")).click()
        wait_idle(page)
        page.locator(".st-key-relu_w1 input[type='range']").focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        wait_idle(page)
        page.locator("[data-testid='stTab']").filter(has_text=message("zh", "tabs.softmax")).click()
        wait_idle(page)
        page.locator(".st-key-softmax_z0 input[type='range']").focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        wait_idle(page)
        expect(page).to_have_url(re.compile(r"z=1\.3.*w1=0\.5"), timeout=TIMEOUT_MS)
        link = page.url
    finally:
        page.context.close()
    fresh = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        fresh.goto(link)
        wait_idle(fresh, timeout=60_000)
        expect(fresh.locator("[data-testid='stTab'][aria-selected='true']")).to_have_text(message("zh", "tabs.softmax"))
        expect(fresh.locator(".st-key-softmax_z0 input[type='range']")).to_have_attribute("aria-valuetext", "1.3")
        checked = fresh.locator("[data-testid='stSidebar'] label:has(input:checked)")
        expect(checked).to_have_text(message("zh", "catalog.lab"))
        fresh.locator("[data-testid='stTab']").filter(has_text=message("zh", "tabs.relu")).click()
        wait_idle(fresh)
        expect(fresh.locator(".st-key-relu_w1 input[type='range']")).to_have_attribute("aria-valuetext", "0.5")
    finally:
        fresh.context.close()
