"""digitdemo: draw a digit and watch the lab's network recognise it. This file is the table of contents."""

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from digitdemo.catalog import shipped_models
from digitdemo.data import LAB_X_FILE, LAB_Y_FILE, SHIPPED_FILE, Dataset, load_dataset
from digitdemo.errors import DigitDemoError
from digitdemo.numpy_model import NumpyModel
from ui import classroom, draw, draw_inputs, links, mistakes, model_tab, presenter, relu, room_access, softmax, state
from ui.i18n import error_text, render_language_switch, t
from ui.models import render_model_choice


@st.cache_resource
def cached_dataset() -> Dataset:
    # One copy for every session (cache_data would hand each run its own 8 MB copy); read-only, as it is shared.
    dataset = load_dataset()
    dataset.X.flags.writeable = False
    dataset.y.flags.writeable = False
    return dataset


@dataclass(frozen=True)
class Tab:
    """A tab: its label's message id, what draws it, the widget keys it keeps while closed or after a language switch,
    its part of a link, and whether it is built whatever tab is open (the Draw tab: its canvas holds the drawing)."""

    label_id: str
    render: Callable[[NumpyModel, Dataset], None]
    keeps: tuple[str, ...]
    link: links.TabLink = links.TabLink()
    always: bool = False


# The Draw tab's part of a link: an example's index is checked against the digits loaded.
DRAW_LINK = links.TabLink(
    restore=lambda query: draw_inputs.restore_link(query, len(cached_dataset().X)), query=draw_inputs.link_query
)


TABS = (
    Tab("tabs.draw", draw.render, draw.STATE_KEYS, DRAW_LINK, always=True),
    Tab("tabs.softmax", lambda model, dataset: softmax.render(), softmax.STATE_KEYS, softmax.LINK),
    Tab("tabs.relu", lambda model, dataset: relu.render(), relu.STATE_KEYS, relu.LINK),
    Tab("tabs.mistakes", mistakes.render, mistakes.STATE_KEYS),
    Tab("tabs.model", model_tab.render, model_tab.STATE_KEYS),
    Tab("tabs.classroom", classroom.render, classroom.STATE_KEYS, classroom.LINK),
)

LABEL_IDS = [tab.label_id for tab in TABS]

try:
    dataset = cached_dataset()
    shipped = [entry.name for entry in shipped_models()]
    if not shipped:
        raise DigitDemoError("app.no_shipped_model")
    # A link's view (tab, language, model, values) is set before the widgets that show it are drawn.
    links.restore([(tab.label_id, tab.link) for tab in TABS], shipped)
    st.set_page_config(
        page_title="digitdemo", page_icon="✏️", layout="wide", initial_sidebar_state=presenter.sidebar_state()
    )
    presenter.render_style()
    links.render_lesson_style()
    # On the page, not in the sidebar, so that a phone reaches the language without opening the sidebar.
    with st.container(horizontal=True, vertical_alignment="center", key="app_bar"):
        render_language_switch(on_change=state.reseed_canvas)
        presenter.render_switch()
        links.render_share_button()
    # A model trained in this browser session serves this session only; everyone else keeps the shipped ones.
    model = render_model_choice(shipped)
except DigitDemoError as exc:
    st.error(t("app.cannot_start", error=error_text(exc)))
    st.stop()
if dataset.lab_files:
    st.sidebar.caption(t("sidebar.data_lab", x_file=LAB_X_FILE, y_file=LAB_Y_FILE))
else:
    st.sidebar.caption(t("sidebar.data_shipped", file=SHIPPED_FILE))

st.container(key="app_intro").markdown(t("app.intro"))
room_access.read_link()  # a class room's join or teacher link: acted on whatever tab is open
# Only the tabs that are open (and the Draw tab) are built, which keeps the first page light.
containers = st.tabs(state.tab_labels(LABEL_IDS), key=state.OPEN_TAB, on_change="rerun")
for tab, container in zip(TABS, containers, strict=True):
    state.keep(tab.keeps)
    if tab.always or container.open:
        with container:
            tab.render(model, dataset)
links.publish()
