"""What a class ran into (issue 23), in real browsers: the canvas's own toolbar, the confusion matrices at 1024x768, a
phone's top of the page and a student's send, the projector's class view, the class links and a closed room, and the
canvas's size settling before the first stroke can land."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402
from test_screens import ONE, VERDICT, box, draw_mouse, draw_touch, inside, prediction, viewport_box  # noqa: E402

from digitdemo.i18n import message  # noqa: E402
from testkit.server import CANVAS, DIGIT_STROKES, new_context, wait_idle  # noqa: E402

TIMEOUT_MS = 20_000
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1024, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
SEND_BAR = ".st-key-classroom_send_bar"
TABS = "[data-testid='stTabs']"
TO_TOP_JS = "() => { document.querySelector(\"[data-testid='stMain']\").scrollTo(0, 0); window.scrollTo(0, 0); }"
# The canvas's own toolbar (in the component's shadow root): each of its buttons -> whether it is rendered.
TOOLBAR_JS = """() => Array.from(document.querySelectorAll("[data-testid='stBidiComponentIsolated']"))
    .flatMap(host => Array.from(host.shadowRoot?.querySelectorAll('.dc-toolbar button') ?? []))
    .map(button => button.checkVisibility())"""
# A chart's plot area and each number written in it, page coordinates: {plot: box, texts: [[text, box], ...]}.
CELLS_JS = """chart => {
    const place = e => { const r = e.getBoundingClientRect();
                         return {x: r.x, y: r.y, width: r.width, height: r.height}; };
    return { plot: place(chart.querySelector('.nsewdrag')),
             texts: Array.from(chart.querySelectorAll('g.textpoint text')).filter(t => t.textContent.trim())
                         .map(t => [t.textContent, place(t)]) }; }"""
# Records, from the page's first moment, every side the canvas is shown at (ui/measure.js runs in the page too).
CANVAS_SIDES_JS = """window.canvasSides = [];
    const look = () => {
        for (const host of document.querySelectorAll(".st-key-draw_canvas [data-testid='stBidiComponentIsolated']")) {
            const canvas = host.shadowRoot?.querySelector('canvas.upper-canvas');
            const side = canvas && Math.round(canvas.getBoundingClientRect().width);
            if (side && window.canvasSides.at(-1) !== side) window.canvasSides.push(side);
        }
        requestAnimationFrame(look);
    };
    requestAnimationFrame(look);"""


@pytest.fixture
def pages(browser, class_url, new_page):
    """open(link, viewport, **options): a page of the class server in its own session, at a full link or a query
    ("?tab=mistakes"); all closed after."""
    opened = []

    def open_page(link: str = "", viewport: dict | None = None, **options):
        opened.append(
            new_page(browser, link if link.startswith("http") else f"{class_url}/{link}", viewport, **options)
        )
        return opened[-1]

    yield open_page
    for page in opened:
        page.context.close()


def overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def open_room(page, lang: str) -> tuple[str, str]:
    """Open a room on the Class tab -> (its join link, its teacher link)."""
    page.get_by_role("button", name=message(lang, "classroom.open")).click()
    wait_idle(page)
    join = page.locator(".st-key-classroom_join_link code").inner_text().strip()
    page.get_by_text(message(lang, "classroom.teacher_link_heading")).click()
    teacher = page.locator(".st-key-classroom_join [data-testid='stExpander'] code").inner_text().strip()
    page.get_by_text(message(lang, "classroom.teacher_link_heading")).click()
    return join, teacher


def assert_numbers_inside_cells(chart) -> int:
    """Each number written in a confusion matrix lies inside its own cell (a tenth of the plot area each way) ->
    how many numbers there are."""
    cells = chart.evaluate(CELLS_JS)
    plot, texts = cells["plot"], cells["texts"]
    width, height = plot["width"] / 10, plot["height"] / 10
    for text, place in texts:
        column = int((place["x"] + place["width"] / 2 - plot["x"]) // width)
        row = int((place["y"] + place["height"] / 2 - plot["y"]) // height)
        cell = {"x": plot["x"] + column * width, "y": plot["y"] + row * height, "width": width, "height": height}
        assert inside(place, cell), (text, place, cell)
    return len(texts)


def test_canvas_toolbar_cannot_switch_the_canvas_out_of_drawing(pages) -> None:
    """Hovering the canvas shows none of its own toolbar (whose pencil switched the canvas to moving strokes); a click
    where that pencil was, then a stroke, still draws: the digit is predicted."""
    page = pages()
    canvas = page.locator(CANVAS).first
    canvas.hover()
    area = box(canvas)
    buttons = page.evaluate(TOOLBAR_JS)
    assert buttons and not any(buttons)  # the toolbar is there, and none of it is shown
    page.mouse.click(area["x"] + area["width"] - 40, area["y"] - 20)  # where its pencil showed, above the canvas
    wait_idle(page)
    draw_mouse(page, ONE)
    expect(prediction(page)).to_have_text("1", timeout=TIMEOUT_MS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_matrix_numbers_inside_their_cells_at_1024(pages, lang) -> None:
    """At 1024x768 with the sidebar open (as the page starts), every number of the Mistakes tab's confusion matrix
    lies inside its cell ("496" spilled out of a 20 px cell)."""
    page = pages(f"?lang={lang}&tab=mistakes", LAPTOP, ready=".st-key-mistakes_confusion .nsewdrag")
    expect(page.locator("[data-testid='stSidebar']")).to_be_visible()
    assert assert_numbers_inside_cells(page.locator(".st-key-mistakes_confusion")) >= 10


def test_phone_bar_in_one_row_below_the_header(pages) -> None:
    """At 390x844 the language switch is whole on screen, clear of Streamlit's header buttons, on one row with Share;
    once the page is scrolled, those buttons are gone rather than over the tabs' names."""
    page = pages("?lang=zh", PHONE, touch=True)
    switch = box(page.locator(".st-key-lang"))
    assert inside(switch, viewport_box(page))
    header_buttons = page.locator("[data-testid='stHeader'] button")
    expect(header_buttons.first).to_be_visible()
    for button in header_buttons.all():
        if button.is_visible():
            assert not overlap(box(button), switch)
    share = box(page.locator(".st-key-app_share"))
    assert abs(share["y"] + share["height"] / 2 - (switch["y"] + switch["height"] / 2)) < 8
    page.locator("[data-testid='stMain']").evaluate("main => main.scrollTo(0, 60)")
    for button in header_buttons.all():
        expect(button).to_be_hidden()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_class_on_every_screen(pages, lang) -> None:
    """A lesson end to end. The teacher's join link carries the page's language; a phone student who opens it gets that
    language, and after a stroke sees the digit and its probability, and reaches the digit buttons (at least 44 px)
    and Send with the whole drawing in view. The presenter's class view at 1920x1080 shows the QR code and the class
    matrix together; at 1024x768 the training digits' matrix keeps its numbers in their cells. The teacher link
    opens the Class tab, saying the room came back. Once the room is closed, the student's next drawing finds the
    digits and Send disabled, the code written with its dash."""
    teacher = pages(f"?lang={lang}&tab=classroom&present=1", PROJECTOR, ready=TABS)
    join_link, teacher_link = open_room(teacher, lang)
    assert f"lang={lang}" in join_link and f"lang={lang}" in teacher_link

    student = pages(join_link, PHONE, locale="en-US", touch=True)
    expect(student.locator(f"{TABS} [role='tab']").first).to_have_text(message(lang, "tabs.draw"))
    draw_touch(student, DIGIT_STROKES)
    expect(prediction(student)).to_have_text("2", timeout=TIMEOUT_MS)
    for element in (prediction(student), student.locator(VERDICT).locator("[data-testid='stMetricDelta']")):
        assert inside(box(element), viewport_box(student))
    bar = student.locator(SEND_BAR)
    send = bar.get_by_role("button", name=message(lang, "classroom.send"))
    send.evaluate("e => e.scrollIntoView({block: 'end'})")  # scrolled no further than to see Send
    expect(send).to_be_in_viewport(ratio=0.9, timeout=TIMEOUT_MS)
    for element in (send, student.locator(CANVAS).first):
        assert inside(box(element), viewport_box(student)), element
    digits = bar.get_by_role("radio")
    expect(digits).to_have_count(10)
    for digit in digits.all():
        place = box(digit)
        assert inside(place, viewport_box(student)) and place["width"] >= 44 and place["height"] >= 44, place
    bar.get_by_role("radio", name="2", exact=True).click()
    wait_idle(student)
    send.click()
    wait_idle(student)
    expect(bar.locator("[data-testid='stAlertContentSuccess']")).to_be_visible(timeout=TIMEOUT_MS)

    teacher.evaluate(TO_TOP_JS)  # as the teacher's page opens: reading the teacher link had scrolled it
    count = teacher.locator("[data-testid='stMetric']").filter(has_text=message(lang, "classroom.count"))
    expect(count.locator("[data-testid='stMetricValue']")).to_have_text("1", timeout=TIMEOUT_MS)
    qr, matrix = teacher.locator(".st-key-classroom_qr img"), teacher.locator(".st-key-classroom_confusion")
    expect(matrix.locator(".nsewdrag")).to_be_visible()
    for element in (qr, matrix):
        assert inside(box(element), viewport_box(teacher)), element
    assert box(qr)["width"] >= 300

    laptop = pages(teacher_link, LAPTOP, ready=TABS)
    selected = laptop.locator(f"{TABS} [role='tab'][aria-selected='true']")
    expect(selected).to_have_text(message(lang, "tabs.classroom"))
    assert "teacher=" not in laptop.url
    code = re.search(r"room=(\w+)", join_link).group(1)
    spaced = f"{code[:3]}-{code[3:]}"
    expect(laptop.get_by_text(message(lang, "classroom.came_back", code=spaced))).to_be_visible()
    training = laptop.locator(".st-key-classroom_training_confusion")
    training.locator(".nsewdrag").wait_for(timeout=TIMEOUT_MS)
    assert assert_numbers_inside_cells(training) >= 10

    laptop.get_by_role("button", name=message(lang, "classroom.close")).click()
    wait_idle(laptop)
    draw_touch(student, [[(0.2, 0.5), (0.8, 0.5)]])
    expect(bar.get_by_text(message(lang, "rooms.closed", code=spaced))).to_be_visible(timeout=TIMEOUT_MS)
    expect(send).to_be_disabled()
    for digit in digits.all():
        expect(digit).to_be_disabled()


def test_canvas_size_settles_before_the_first_stroke(browser, class_url) -> None:
    """At 1024x768 the canvas is shown at one size only, from its first frame on: it used to appear at 280 px and
    shrink to 216 px once the page had measured its column, under a stroke already begun."""
    context = new_context(browser, viewport=LAPTOP, locale="en-US")
    try:
        page = context.new_page()
        page.add_init_script(CANVAS_SIDES_JS)
        page.goto(class_url)
        page.locator(CANVAS).first.wait_for(state="visible", timeout=60_000)
        wait_idle(page, timeout=60_000)
        draw_mouse(page, ONE)
        expect(prediction(page)).to_have_text("1", timeout=TIMEOUT_MS)
        sides = page.evaluate("window.canvasSides")
        assert len(sides) == 1 and sides[0] >= 240, sides
    finally:
        context.close()
