"""Links that restore a view: the URL's query follows the tab, language, model, input and explorer values; a page opened
from such a link starts from them (a value that is unknown, malformed or out of range is ignored); the share dialog
shows the link and its QR code."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import streamlit as st

from digitdemo.catalog import SESSION_MODEL
from digitdemo.i18n import LANGUAGES, message
from ui import presenter, state
from ui.address import page_link
from ui.i18n import LANG_KEY, t
from ui.qr import qr_png

RESTORED_KEY = "links_restored"  # set once the session's first run has read its link
TABS_KEY = "links_tabs"  # the tabs' label ids and link declarations, in their order, for the fragments that publish
MAX_VALUE_CHARS = 200  # a longer query value is not one this page wrote
LESSON_KEY = "links_lesson"  # the lock of a lesson link the session was opened from, or None
LESSON_CSS = """
[data-testid="stTabs"] [role="tablist"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stLayoutWrapper"]:has(> .st-key-app_intro), .st-key-app_share {
  display: none; }
"""


def tab_name(label_id: str) -> str:
    """'tabs.softmax' -> 'softmax', the tab's name in links."""
    return label_id.rpartition(".")[2]


def parse_float(text: str | None, low: float, high: float, step: float) -> float | None:
    """A query value -> the number rounded to `step`, or None unless it is a finite number within [low, high]."""
    try:
        value = float(text) if text is not None and len(text) <= MAX_VALUE_CHARS else math.nan
    except ValueError:
        return None
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return round(round(value / step) * step, 6)


def parse_int(text: str | None, low: int, high: int) -> int | None:
    """A query value -> the integer, or None unless it is a plain integer within [low, high]."""
    if text is None or len(text) > MAX_VALUE_CHARS or not text.isascii() or not text.removeprefix("-").isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


@dataclass(frozen=True)
class TabLink:
    """A tab's part of a link, declared with the tab as its STATE_KEYS are: `restore(query)` sets the tab's values
    from a page's query parameters (ignoring any it cannot use), `query()` gives the tab's values as parameters, and
    `kept` names the parameters the tab writes into the address itself, which publishing keeps as they are, and
    `controls` the controls a lesson link may hide, each with the message id of its label."""

    restore: Callable[[Mapping[str, str]], None] = lambda query: None
    query: Callable[[], dict[str, str]] = dict
    kept: tuple[str, ...] = ()
    controls: Mapping[str, str] = field(default_factory=dict)


class Lesson(NamedTuple):
    """A lesson link's lock: the one tab it shows (by name) and the controls of that tab it hides."""

    tab: str
    hidden: tuple[str, ...]


def restore(tabs: Sequence[tuple[str, TabLink]], shipped: list[str]) -> None:
    """On a session's first run, before any widget is drawn: start from the view its URL describes; `tabs` are the
    tabs' label ids, in their order, with their link declarations."""
    st.session_state[TABS_KEY] = tuple(tabs)
    if st.session_state.get(RESTORED_KEY):
        return
    st.session_state[RESTORED_KEY] = True
    query = st.query_params
    if query.get("lang") in LANGUAGES:
        st.session_state[LANG_KEY] = query["lang"]
    if query.get("present") == "1":
        st.session_state[presenter.PRESENT_KEY] = True
    if query.get("model") in shipped:
        st.session_state[state.MODEL_CHOICE] = query["model"]
    names = {tab_name(label_id): label_id for label_id, _ in tabs}
    if query.get("tab") in names:
        language = st.session_state.get(LANG_KEY) or next(iter(LANGUAGES))
        st.session_state[state.OPEN_TAB] = message(language, names[query["tab"]])
    for _, link in tabs:
        link.restore(query)
    st.session_state[LESSON_KEY] = read_lesson(query, {tab_name(label_id): link for label_id, link in tabs})


def read_lesson(query: Mapping[str, str], declared: Mapping[str, TabLink]) -> Lesson | None:
    """A lesson link's lock (?tab=softmax&lock=1&hide=temperature,wide): None unless `lock` is 1, the tab is known and
    every control to hide is one that tab has (a link asking for anything else opens the full app)."""
    if query.get("lock") != "1" or query.get("tab") not in declared:
        return None
    text = query.get("hide") or ""
    hidden = tuple(text.split(",")) if text else ()
    if len(text) > MAX_VALUE_CHARS or not set(hidden) <= set(declared[query["tab"]].controls):
        return None
    return Lesson(query["tab"], hidden)


def lesson() -> Lesson | None:
    """This session's lesson lock, if it was opened from a lesson link."""
    return st.session_state.get(LESSON_KEY)


def lesson_hidden(link: TabLink) -> tuple[str, ...]:
    """The controls of the tab declaring `link` that this session's lesson hides (none without a lesson)."""
    locked = lesson()
    return tuple(name for name in locked.hidden if name in link.controls) if locked else ()


def render_lesson_style() -> None:
    """In a locked lesson, the page shows its one tab: the other tabs, the sidebar, the introduction and the Share
    button are hidden (a <style> alone takes no space)."""
    if lesson():
        st.html(f"<style>{LESSON_CSS}</style>")


def view_query() -> dict[str, str]:
    """This session's view as query parameters: what differs from a fresh page, and always the tab and language."""
    session = st.session_state
    tabs = session[TABS_KEY]
    open_label = session.get(state.OPEN_TAB)
    open_ids = [label_id for label_id, _ in tabs if open_label in {message(code, label_id) for code in LANGUAGES}]
    query = {"tab": tab_name(open_ids[0] if open_ids else tabs[0][0]), "lang": session.get(LANG_KEY) or "en"}
    if presenter.presenting():
        query["present"] = "1"
    if session.get(state.MODEL_CHOICE) not in (None, SESSION_MODEL):
        query["model"] = session[state.MODEL_CHOICE]
    for _, link in tabs:
        query.update(link.query())
    locked = lesson()
    if locked:
        query.update({"tab": locked.tab, "lock": "1", **({"hide": ",".join(locked.hidden)} if locked.hidden else {})})
    return query


def publish() -> None:
    """Write this session's view into the URL (after a run of the page or of a fragment that changes it), keeping the
    parameters the tabs write themselves (the class room joined and this browser's student token)."""
    current = st.query_params.to_dict()
    kept = {name for _, link in st.session_state[TABS_KEY] for name in link.kept}
    query = {**view_query(), **{name: current[name] for name in kept if name in current}}
    if current != query:
        st.query_params.from_dict(query)


def share_link() -> str:
    """The full link to this session's view."""
    return page_link(view_query())


def render_share_button() -> None:
    """The share button, which opens a dialog with the link to copy and its QR code to scan."""
    if st.button(t("presenter.share"), key="app_share", icon=":material/qr_code_2:"):
        st.dialog(t("presenter.share"), width="large")(render_share)()


def render_share() -> None:
    """The link to this session's view and its QR code; made a lesson link, it opens the open tab alone, without the
    controls chosen to hide."""
    query = view_query()
    controls = {tab_name(label_id): link.controls for label_id, link in st.session_state[TABS_KEY]}[query["tab"]]
    if st.toggle(t("links.lesson"), key="app_lesson", help=t("links.lesson_help")):
        hidden = st.multiselect(
            t("links.hide"), list(controls), format_func=lambda name: t(controls[name]), key="app_lesson_hide"
        )
        query = {**query, "lock": "1", "hide": ",".join(hidden)}
        if not hidden:
            del query["hide"]
    link = page_link(query)
    st.code(link, language=None, wrap_lines=True)
    st.image(qr_png(link), caption=t("presenter.share_scan"))
