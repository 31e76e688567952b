"""The browser's locale picks the page's language (a Chinese locale gives Chinese, any other English), and a
visitor's own choice on the sidebar switch holds over the runs that follow. One server, one context per locale."""

from __future__ import annotations

import pytest

from ui.i18n import LANG_KEY, LANGUAGES

SWITCH = f".st-key-{LANG_KEY}"  # the language switch, at the top of the page
TIMEOUT_MS = 20_000


def chosen_language(page) -> str:
    """The language code ('en' or 'zh') whose button is the active one on the sidebar's language switch."""
    active = page.locator(f"{SWITCH} [role='radio'][aria-checked='true']")
    return {name: code for code, name in LANGUAGES.items()}[active.inner_text().strip()]


@pytest.mark.parametrize(("locale", "language"), [("zh-CN", "zh"), ("en-GB", "en"), (None, "en")], ids=str)
def test_locale_chooses_the_language_and_a_choice_sticks(open_page, expect, settle, locale, language) -> None:
    """A first visit starts in the locale's language; switching to the other language, then running the page
    again (opening another tab), keeps the visitor's choice rather than going back to the locale's."""
    page = open_page(locale)
    assert chosen_language(page) == language
    other = "en" if language == "zh" else "zh"
    page.locator(SWITCH).get_by_role("radio", name=LANGUAGES[other]).click()
    settle(page)
    assert chosen_language(page) == other
    page.locator("[data-testid='stTab']").nth(1).click()
    settle(page)
    expect(page.locator("[data-testid='stTab']").nth(1)).to_have_attribute("aria-selected", "true")
    assert chosen_language(page) == other
