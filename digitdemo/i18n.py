"""Message catalogues: every text a user reads, looked up by message id in one TOML file per language.

TOML because Python reads it with the standard library (tomllib), one file per language keyed by dotted ids is the
shape i18next and Rails catalogues have, and multi-line texts stay readable. A catalogue file is a language: a third
one is a new `locales/<code>.toml`, naming itself in `[language] name`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "en"


class Message(NamedTuple):
    """A message id and its parameters, worded later in the reader's language (a parameter may be a Message)."""

    msg_id: str
    params: dict[str, object]


def flatten(table: dict, prefix: str = "") -> dict[str, str]:
    """Nested TOML tables -> {dotted id: text}, e.g. {"draw": {"prediction": "..."}} -> {"draw.prediction": "..."}."""
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def load_catalogues(folder: Path = LOCALES_DIR) -> dict[str, dict[str, str]]:
    """Every `<code>.toml` in `folder` -> {language code: {message id: text}}, the default language first."""
    catalogues = {}
    for path in sorted(folder.glob("*.toml"), key=lambda p: (p.stem != DEFAULT_LANGUAGE, p.stem)):
        with open(path, "rb") as handle:
            catalogues[path.stem] = flatten(tomllib.load(handle))
    return catalogues


CATALOGUES = load_catalogues()  # read once, on import: a few kB of text
# {code: the language's own name}, for the language switch.
LANGUAGES = {code: catalogue["language.name"] for code, catalogue in CATALOGUES.items()}


def message(lang: str, msg_id: str, **params: object) -> str:
    """The text of `msg_id` in `lang` (English where that language lacks it), parameters filled in with str.format;
    parameters that are Messages are worded in the same language first."""
    text = CATALOGUES.get(lang, {}).get(msg_id) or CATALOGUES[DEFAULT_LANGUAGE][msg_id]
    worded = {
        name: message(lang, value.msg_id, **value.params) if isinstance(value, Message) else value
        for name, value in params.items()
    }
    return text.format(**worded)
