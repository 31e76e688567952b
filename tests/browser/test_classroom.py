"""A class room in real browsers: a teacher page and two student pages (each its own browser context, so its own
session); the students draw and send, and the teacher's class view shows the drawings, the count and the confusion
matrix within seconds, refreshing on its own. Screenshots of both views in English and Chinese, desktop and phone,
go to $DIGITDEMO_SCREENSHOTS when it is set; without it none are taken (some forty screenfuls, half a minute that
no assertion reads)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

from digitdemo.i18n import message  # noqa: E402
from testkit.server import DIGIT_STROKES  # noqa: E402

SEEN_WITHIN_MS = 10_000  # the class view reads the room every 3 s
TIMEOUT_MS = 20_000
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOCALES = {"en": "en-US", "zh": "zh-CN"}
# The numbers written in a Plotly chart's cells (the confusion matrix's counts), in page order.
CELL_TEXT_JS = "el => Array.from(el.querySelectorAll('g.textpoint text')).map(t => t.textContent)"
# Scrolls the page's tallest scrolling box (Streamlit scrolls a box on a desktop, the document on a phone) to a
# screenful's number -> whether that screenful exists.
SCROLL_JS = """n => {
    const boxes = [document.scrollingElement, ...Array.from(document.querySelectorAll('*')).filter(
        e => /auto|scroll/.test(getComputedStyle(e).overflowY))];
    const box = boxes.reduce((a, b) => (b.scrollHeight - b.clientHeight > a.scrollHeight - a.clientHeight ? b : a));
    const top = n * (box.clientHeight - 80);
    if (n > 0 && top > box.scrollHeight - box.clientHeight + 70) return false;
    box.scrollTop = top; return true; }"""
MAX_SCREENS = 6
TABS = "[data-testid='stTabs']"


@pytest.fixture
def shots() -> Path | None:
    """The folder for the screenshots, None when $DIGITDEMO_SCREENSHOTS is not set."""
    if not os.environ.get("DIGITDEMO_SCREENSHOTS"):
        return None
    folder = Path(os.environ["DIGITDEMO_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_tab(page, settle, lang: str, tab: str) -> None:
    page.locator("[data-testid='stTab']").filter(has_text=message(lang, tab)).click()
    settle(page)


def metric_value(page, lang: str, msg_id: str):
    metric = page.locator("[data-testid='stMetric']").filter(has_text=message(lang, msg_id))
    return metric.locator("[data-testid='stMetricValue']")


def send_digit(page, settle, lang: str, digit: int) -> None:
    """Choose the digit meant in the send bar under the prediction and press send; wait for the outcome."""
    bar = page.locator(".st-key-classroom_send_bar")
    bar.scroll_into_view_if_needed()
    bar.get_by_role("radio", name=str(digit), exact=True).click()
    settle(page)
    bar.get_by_role("button", name=message(lang, "classroom.send")).click()
    settle(page)
    expect(bar.locator("[data-testid='stAlertContentSuccess']")).to_be_visible(timeout=TIMEOUT_MS)


def snap(page, folder: Path | None, name: str) -> None:
    """Screenshots of the page a screenful at a time, top first: name_1.png, name_2.png, ... (none without a
    folder)."""
    if folder is None:
        return
    for screen in range(MAX_SCREENS):
        if not page.evaluate(SCROLL_JS, screen):
            break
        page.wait_for_timeout(300)
        page.screenshot(path=folder / f"{name}_{screen + 1}.png")
    page.evaluate(SCROLL_JS, 0)


def class_cells(page) -> list[int]:
    """The counts written in the class's confusion matrix (the first chart of the class view)."""
    chart = page.locator("[data-testid='stPlotlyChart']").first
    return [int(text) for text in chart.evaluate(CELL_TEXT_JS) if text]


def test_students_send_and_the_teacher_sees_them_live(browser, class_url, new_page, draw, settle, shots) -> None:
    """Teacher opens a room; two students join by the link, draw a 2 and a 7 and send them; without touching the
    teacher's page, its count reaches 2 and its class confusion matrix holds the two drawings. Then the teacher link
    opens the same room in Chinese and on a phone, and a student's reload keeps their drawings."""
    teacher = new_page(browser, class_url, DESKTOP)
    students = []
    try:
        open_tab(teacher, settle, "en", "tabs.classroom")
        teacher.get_by_role("button", name=message("en", "classroom.open")).click()
        settle(teacher)
        codes = teacher.locator("[data-testid='stCode'] code")
        join_link = codes.first.inner_text().strip()
        code = re.search(r"room=(\w+)", join_link).group(1)
        assert join_link == f"{class_url}/?room={code}&lang=en"
        assert teacher.get_by_text(f"{code[:3]}-{code[3:]}", exact=True).is_visible()
        assert teacher.locator("[data-testid='stImage'] img").first.bounding_box()["width"] >= 250  # the QR code
        teacher.get_by_text(message("en", "classroom.teacher_link_heading")).click()
        teacher_link = codes.nth(1).inner_text().strip()
        assert "teacher=" in teacher_link
        expect(metric_value(teacher, "en", "classroom.count")).to_have_text("0", timeout=TIMEOUT_MS)

        # The second student meant a 1: a misread drawing for the teacher's gallery.
        for strokes, digit in ((DIGIT_STROKES, 2), (SEVEN, 1)):
            student = new_page(browser, join_link, PHONE if digit == 1 else DESKTOP)
            students.append(student)
            assert "student=" in student.url and "teacher" not in student.url
            draw(student, strokes)
            send_digit(student, settle, "en", digit)
        # The teacher's page is left alone: its class view refreshes itself.
        expect(metric_value(teacher, "en", "classroom.count")).to_have_text("2", timeout=SEEN_WITHIN_MS)
        assert sum(class_cells(teacher)) == 2
        expect(metric_value(teacher, "en", "classroom.accuracy")).to_have_text("50%", timeout=SEEN_WITHIN_MS)
        teacher.get_by_text(message("en", "classroom.teacher_link_heading")).click()  # closed again before a shot
        settle(teacher)
        snap(teacher, shots, "class_view_en_1280x900")
        snap(students[0], shots, "student_draw_en_1280x900")
        snap(students[1], shots, "student_draw_en_390x844")
        open_tab(students[1], settle, "en", "tabs.classroom")
        mine = message("en", "classroom.mine_heading", count=1, right=0)[2:-2]
        expect(students[1].get_by_text(mine)).to_be_visible(timeout=TIMEOUT_MS)
        snap(students[1], shots, "student_class_en_390x844")

        # The teacher link, in Chinese and on a phone; the key leaves the address bar.
        assert "lang=en" in teacher_link and "tab=classroom" in teacher_link
        for viewport, size in ((DESKTOP, "1280x900"), (PHONE, "390x844")):
            # The link carries the page's language (English here) and opens the Class tab.
            zh_link = teacher_link.replace("lang=en", "lang=zh")
            page = new_page(browser, zh_link, viewport, LOCALES["zh"], ready=TABS)
            students.append(page)
            assert "teacher=" not in page.url
            open_tab(page, settle, "zh", "tabs.classroom")
            expect(metric_value(page, "zh", "classroom.count")).to_have_text("2", timeout=TIMEOUT_MS)
            snap(page, shots, f"class_view_zh_{size}")
        phone_teacher = new_page(browser, teacher_link, PHONE, ready=TABS)
        students.append(phone_teacher)
        open_tab(phone_teacher, settle, "en", "tabs.classroom")
        expect(metric_value(phone_teacher, "en", "classroom.count")).to_have_text("2", timeout=TIMEOUT_MS)
        snap(phone_teacher, shots, "class_view_en_390x844")

        # A student's reload (the same address, a new session) is in the same room with the same drawings.
        for viewport, size in ((DESKTOP, "1280x900"), (PHONE, "390x844")):
            # The address carries the page's language (links.py) as well as the room and the student's token.
            again = new_page(browser, students[0].url.replace("lang=en", "lang=zh"), viewport, LOCALES["zh"])
            students.append(again)
            draw(again, SEVEN)
            snap(again, shots, f"student_draw_zh_{size}")
            open_tab(again, settle, "zh", "tabs.classroom")
            mine = message("zh", "classroom.mine_heading", count=1, right=1)[2:-2]
            expect(again.get_by_text(mine)).to_be_visible(timeout=TIMEOUT_MS)
            snap(again, shots, f"student_class_zh_{size}")
    finally:
        for page in [teacher, *students]:
            page.context.close()
