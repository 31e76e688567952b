"""A model card from a model's JSON record, never hand-typed: what it was trained on and how, its preprocessing, how
well it reads held-out digits, drawn digits and photos, how often it calls a shape "not a digit", how far its
probabilities can be trusted and which drawn styles it misreads. Each line is a message id with its figures, worded
by the page in its language (digitdemo/locales/).

The figures come from `python -m digitdemo train` and `calibrate`, and from `python -m benchmarks.accuracy` and
`python -m benchmarks.novelty`, which store their own figures in the records of the models they score.
"""

from __future__ import annotations

from dataclasses import dataclass

from digitdemo.catalog import ModelEntry
from digitdemo.i18n import Message

# A figure missing from the record names the command that measures it.
TRAIN_COMMAND = "python -m digitdemo train --recipe {name}"
CALIBRATE_COMMAND = "python -m digitdemo calibrate --model {name}"
ACCURACY_COMMAND = "python -m benchmarks.accuracy"
NOVELTY_COMMAND = "python -m benchmarks.novelty"


@dataclass(frozen=True)
class ModelCard:
    """One model's card: a message per line, in the order shown; per_digit (10,) held-out accuracy per digit and the
    reliability bins before and after temperature scaling (see digitdemo.calibration) for the figures, or None."""

    lines: list[Message]
    per_digit: list[float] | None
    reliability_before: dict | None
    reliability_after: dict | None


def missing(command: str, name: str) -> Message:
    """The line shown where a figure is not in the record yet."""
    return Message("card.missing", {"command": command.format(name=name)})


def recipe_lines(entry: ModelEntry, record: dict) -> list[Message]:
    """Data, recipe and preprocessing, from the record's recipe and data fields."""
    recipe = record["recipe"]
    lines = [Message("card.data", {"n": record["n_examples"]})]
    if "copies" in recipe:
        lines.append(
            Message(
                "card.recipe_augmented",
                {"copies": recipe["copies"], "epochs": recipe["epochs"], "held": recipe["validation_fraction"]},
            )
        )
    else:
        lines.append(
            Message(
                "card.recipe_lab",
                {"epochs": recipe["epochs"], "batch": recipe["batch_size"], "rate": recipe["learning_rate"]},
            )
        )
    if recipe.get("outliers"):
        lines.append(Message("card.recipe_outliers", {"n": recipe["outliers"], "weight": recipe["outlier_weight"]}))
    deskewed = recipe.get("deskew", False)
    lines.append(Message("card.preprocessing_deskewed" if deskewed else "card.preprocessing_framed", {}))
    if deskewed != entry.deskew:  # the record and the catalogue disagree: the model would be served wrongly
        lines.append(Message("card.preprocessing_mismatch", {}))
    return lines


def heldout_line(record: dict) -> Message:
    """Held-out accuracy overall, from the record's 'heldout' entry."""
    held = record["heldout"]
    return Message("card.heldout", {"accuracy": held["accuracy"], "errors": held["errors"], "n": held["n_test"]})


def benchmark_lines(entry: ModelEntry, record: dict) -> list[Message]:
    """Drawn digits, photos, their weakest styles and the not-a-digit rates, from the record's 'benchmarks'."""
    benchmarks = record.get("benchmarks", {})
    lines = []
    drawn = benchmarks.get("accuracy")
    if drawn:
        lines.append(Message("card.drawn", {"n": drawn["n_drawn"], "drawn": drawn["drawn"], "photos": drawn["photos"]}))
    else:
        lines.append(missing(ACCURACY_COMMAND, entry.name))
    novelty = benchmarks.get("novelty")
    if novelty:
        lines.append(
            Message(
                "card.not_a_digit",
                {"symbols": novelty["symbols"], "digits": novelty["drawn_digits"], "n": novelty["n_symbols"]},
            )
        )
    else:
        lines.append(missing(NOVELTY_COMMAND, entry.name))
    if drawn:
        weak = drawn["weak_styles"]
        lines += [
            Message("card.weakness", {"digit": d, "style": s, "accuracy": acc, "wrong": wrong})
            for d, s, acc, wrong in weak
        ] or [Message("card.no_weakness", {"below": drawn["weak_below"]})]
    return lines


def calibration_line(entry: ModelEntry, record: dict) -> Message:
    """Temperature and ECE before and after, with the held-out rate of the not-a-digit check, or what to run."""
    calibration, novelty = record.get("calibration"), record.get("novelty")
    if not calibration or not novelty:
        return missing(CALIBRATE_COMMAND, entry.name)
    return Message(
        "card.calibration",
        {
            "temperature": calibration["temperature"],
            "before": calibration["ece_before"],
            "after": calibration["ece_after"],
            "n": calibration["n"],
            "flagged": novelty["flagged"] / novelty["n_heldout"],
        },
    )


def model_card(entry: ModelEntry, record: dict | None) -> ModelCard:
    """A catalogue entry and its JSON record (None when there is none) -> its ModelCard."""
    if not record:
        return ModelCard([missing(TRAIN_COMMAND, entry.name)], None, None, None)
    lines = recipe_lines(entry, record)
    held = record.get("heldout")
    lines.append(heldout_line(record) if held else missing(TRAIN_COMMAND, entry.name))
    lines.append(calibration_line(entry, record))
    lines += benchmark_lines(entry, record)
    calibration = record.get("calibration") or {}
    return ModelCard(
        lines,
        held.get("per_digit") if held else None,
        calibration.get("bins_before"),
        calibration.get("bins_after"),
    )
