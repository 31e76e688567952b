"""The message catalogues: complete in every language, same parameters, every id used by the code; errors worded in
the reader's language; Chinese y-axis titles written level."""

from __future__ import annotations

import ast
import re
import shutil
import string
from pathlib import Path

import numpy as np
import pytest

from digitdemo.catalog import MODELS, SESSION_LABEL_ID
from digitdemo.data import load_dataset
from digitdemo.errors import DataFileError, ImageError
from digitdemo.i18n import CATALOGUES, DEFAULT_LANGUAGE, LANGUAGES, LOCALES_DIR, load_catalogues, message
from digitdemo.images import decode_image
from digitdemo.network import LAYERS
from ui.charts import confusion_figure, probability_chart

ROOT = Path(__file__).resolve().parent.parent
CODE = [*sorted((ROOT / "digitdemo").rglob("*.py")), *sorted((ROOT / "ui").glob("*.py")), ROOT / "streamlit_app.py"]
IDS = set(CATALOGUES[DEFAULT_LANGUAGE])
SECTIONS = {msg_id.split(".")[0] for msg_id in IDS}
ID_SHAPE = re.compile(r"^([a-z_]+)\.[a-z0-9_]+$")
# Ids the code builds from data (a model's display name is catalog.<name>), by the f-string's start, with every value
# they take: these count as used, so a catalogue id no model has still fails; any other built id fails outright.
DERIVED_IDS = {
    "catalog.": {entry.label_id for entry in MODELS} | {SESSION_LABEL_ID},
    "activation.": {f"activation.{layer.activation}" for layer in LAYERS},
}


def placeholders(text: str) -> set[tuple[str, str]]:
    """The str.format fields of `text` as (name, format spec), e.g. "{p:.1%} of {n}" -> {("p", ".1%"), ("n", "")}."""
    return {(name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


def code_strings() -> tuple[set[str], list[str]]:
    """Every string constant in the app's and the package's code, and every f-string that starts like a message id
    (an id built at run time, which no scan can check)."""
    constants, built = set(), []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = str(node.values[0].value)
                if head.split(".")[0] in SECTIONS and "." in head and head not in DERIVED_IDS:
                    built.append(f"{path.name}: {ast.unparse(node)}")
    return constants, built


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_message_exists_in_every_language(lang) -> None:
    """Each catalogue holds exactly the default catalogue's ids: none missing, none extra."""
    assert sorted(IDS - set(CATALOGUES[lang])) == []
    assert sorted(set(CATALOGUES[lang]) - IDS) == []


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {DEFAULT_LANGUAGE}))
def test_placeholders_are_the_same_in_every_language(lang) -> None:
    """A message's parameters (names and formats) are the same in every language, so every call fills every one."""
    differ = [
        msg_id for msg_id in IDS if placeholders(CATALOGUES[lang][msg_id]) != placeholders(CATALOGUES["en"][msg_id])
    ]
    assert differ == []


def test_every_message_id_is_used_by_the_code_and_exists() -> None:
    """Each catalogue id appears as a literal in the code or among DERIVED_IDS (an unused one fails), each id-like
    literal in the code is in the catalogue, and no other id is assembled at run time, where no scan could see it."""
    constants, built = code_strings()
    used = constants.union(*DERIVED_IDS.values())
    assert sorted(IDS - used) == []
    looks_like_id = {s for s in used if (m := ID_SHAPE.match(s)) and m.group(1) in SECTIONS}
    assert sorted(looks_like_id - IDS) == []
    assert built == []


def test_an_unused_id_would_be_caught() -> None:
    """The usage scan sees the ids the code names and not one it never names (guards the test above)."""
    constants, _ = code_strings()
    assert {"draw.prediction", "image.not_a_picture", "language.name"} <= constants
    assert "draw.no_such_message" not in constants


def test_languages_come_from_the_catalogue_files(tmp_path) -> None:
    """A third language is one more catalogue file: it is listed under its own name, the default language first."""
    for path in LOCALES_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path)
    (tmp_path / "fr.toml").write_text('[language]\nname = "Français"\nswitch = "Langue"\n', encoding="utf-8")
    catalogues = load_catalogues(tmp_path)
    assert list(catalogues)[0] == DEFAULT_LANGUAGE
    assert {code: c["language.name"] for code, c in catalogues.items()} == {**LANGUAGES, "fr": "Français"}
    assert set(LANGUAGES) == {path.stem for path in LOCALES_DIR.glob("*.toml")}


def test_missing_translation_falls_back_to_english(monkeypatch) -> None:
    """A message a catalogue lacks is shown in English rather than failing."""
    monkeypatch.delitem(CATALOGUES["zh"], "draw.prediction")
    assert message("zh", "draw.prediction") == "Prediction"
    assert message("zh", "draw.probability", p=0.25) == "概率 25.0%"


def test_package_error_carries_id_and_params_and_reads_english() -> None:
    """A package error keeps its id and parameters; str() is the English text for the command line and logs."""
    with pytest.raises(ImageError) as info:
        decode_image(b"not a picture")
    assert info.value.msg_id == "image.not_a_picture"
    assert str(info.value) == message("en", "image.not_a_picture", **info.value.params)
    assert message("zh", info.value.msg_id, **info.value.params).startswith("这个文件不是可读取的图片")


def test_nested_messages_are_worded_in_the_readers_language(tmp_path) -> None:
    """An error built from several messages (the file, the problem, what to do) reads wholly in Chinese."""
    np.save(tmp_path / "X.npy", np.zeros((10, 399)))
    np.save(tmp_path / "y.npy", np.zeros((10, 1), int))
    with pytest.raises(DataFileError) as info:
        load_dataset(tmp_path)
    english = str(info.value)
    assert "X has shape (10, 399)" in english and "replace X.npy and y.npy" in english
    chinese = message("zh", info.value.msg_id, **info.value.params)
    assert "X 的形状是 (10, 399)" in chinese and "请换成实验自带的" in chinese and " 和 " in chinese
    assert not re.search(r"\b(has|shape|and|replace)\b", chinese)


def y_titles(figure: dict) -> tuple[str, list[str]]:
    """A figure's rotated y-axis title and the texts of its annotations (where a level title goes)."""
    layout = figure["layout"]
    return layout["yaxis"].get("title", {}).get("text", ""), [a["text"] for a in layout.get("annotations", [])]


def test_chinese_y_axis_titles_are_written_level() -> None:
    """An English y title stays along the axis; a Chinese one becomes a level annotation above the axis instead."""
    assert y_titles(probability_chart(np.full(10, 0.1), "probability")) == ("probability", [])
    assert y_titles(probability_chart(np.full(10, 0.1), "概率")) == ("", ["概率"])
    counts = np.eye(10, dtype=int)
    assert y_titles(confusion_figure(counts, (None, None), ("预测", "标签"), ""))[1] == ["标签"]
    level = probability_chart(np.full(10, 0.1), "概率")["layout"]
    assert level["annotations"][0]["y"] == 1 and level["margin"]["t"] >= 30
