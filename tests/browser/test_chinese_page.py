"""The Chinese page in a real browser: a file that is no picture is refused in Chinese, with no English sentence."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

from digitdemo.i18n import LANGUAGES, message  # noqa: E402
from digitdemo.images import FORMAT_NAMES  # noqa: E402

TIMEOUT_MS = 20_000
FILE_NAME = "digit.png"
NOT_A_PICTURE = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"  # a PDF renamed .png
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
# Names, not English: the file's own name and the picture formats the refusal lists.
NAMES = {*ASCII_WORD.findall(FILE_NAME), *ASCII_WORD.findall(FORMAT_NAMES)}


def test_bad_upload_is_refused_in_chinese(app_page, settle) -> None:
    """After switching to 中文, uploading a PDF renamed digit.png shows the Chinese refusal, which holds no ASCII word
    of three or more letters other than the file's name and the format names."""
    app_page.locator(".st-key-lang button").filter(has_text=LANGUAGES["zh"]).click()
    settle(app_page)
    app_page.locator("[data-testid='stRadio'] label").filter(has_text=message("zh", "draw.source_upload")).click()
    settle(app_page)
    app_page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": FILE_NAME, "mimeType": "image/png", "buffer": NOT_A_PICTURE}]
    )
    settle(app_page)
    error = app_page.locator("[data-testid='stAlertContentError']")
    refusal = message("zh", "image.not_a_picture", formats=FORMAT_NAMES)
    expect(error).to_have_text(message("zh", "draw.upload_error", error=refusal), timeout=TIMEOUT_MS)
    assert set(ASCII_WORD.findall(error.inner_text())) <= NAMES
