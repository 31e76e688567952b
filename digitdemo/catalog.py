"""The model catalogue: every model of the lab's network the project ships, with its recipe, files and record.

The CLI's choices, the app's sidebar, the benchmarks, the tests and the Mistakes tab all read this list. A model's
display name is the message `catalog.<name>` in each language's catalogue (digitdemo/locales/); its files in models/
are named after the entry, never after its recipe, so two entries cannot share files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digitdemo.augment import Augmentation

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "models"


@dataclass(frozen=True)
class Recipe:
    """How a model is trained: the lab's settings by default."""

    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 0.001
    seed: int = 1234
    deskew: bool = False  # trained, and so served, on digits deskewed about their centre of mass (preprocess.deskew)


@dataclass(frozen=True)
class RobustRecipe(Recipe):
    """The lab's network trained to generalise: augmented copies of the digits, early stopping on a held-out split."""

    epochs: int = 50  # at most: early stopping ends it sooner
    copies: int = 10  # augmented versions of each training digit, beside the digit itself
    validation_fraction: float = 0.1
    min_epochs: int = 15  # before stopping may begin: on 500 validation digits an early lucky peak would end it
    patience: int = 10  # epochs without a better validation accuracy before stopping (the best weights are kept)
    augmentation: Augmentation = Augmentation()
    outliers: int = 0  # non-digit shapes (digitdemo.shapes) trained towards even probabilities over the ten digits
    outlier_weight: float = 0.5  # their loss's weight beside the digits' (Hendrycks et al.'s lambda)


@dataclass(frozen=True)
class ModelEntry:
    """A shipped model: its name, which is also its files' stem in models/ (.npz for serving, .keras, and the .json
    record of its training), the recipe that trains it, and the message id of the Mistakes tab's note on it."""

    name: str
    recipe: Recipe
    errors_note: str | None = None

    @property
    def deskew(self) -> bool:
        """Whether its inputs are deskewed: the preprocessing it was trained with, and so the one it is served with."""
        return self.recipe.deskew

    @property
    def label_id(self) -> str:
        """The message id of its display name."""
        return f"catalog.{self.name}"

    def weights_path(self, models_dir: Path = MODELS_DIR) -> Path:
        """models/<name>.npz: the weights that serving reads (NumPy only)."""
        return self.file(".npz", models_dir)

    def file(self, suffix: str, models_dir: Path = MODELS_DIR) -> Path:
        """models/<name><suffix>: one of this model's files (.npz, .keras or .json)."""
        return Path(models_dir) / f"{self.name}{suffix}"


LAB = Recipe()
ROBUST = RobustRecipe()
# Robust's recipe on deskewed digits, beside 8000 zigzags and dot clusters (digitdemo.shapes) it learns to call no
# digit in particular (outlier exposure).
CAREFUL = RobustRecipe(deskew=True, outliers=8000)
# The app lists them in this order and starts on the first one shipped: careful reads drawings best and knows
# scribbles and symbols from digits; robust is kept beside it, as the model careful improves on.
MODELS = (
    ModelEntry("careful", CAREFUL, errors_note="presenter.errors_careful"),
    ModelEntry("robust", ROBUST, errors_note="presenter.errors_robust"),
    ModelEntry("lab", LAB, errors_note="presenter.errors_lab"),
)
CATALOG = {entry.name: entry for entry in MODELS}
if len(CATALOG) != len(MODELS):
    raise ValueError("two catalogue entries share a name, and so would share their files in models/")
# What load_model() and the command line use when no model is named: the lab's own recipe, as in the lab.
DEFAULT_MODEL = "lab"
# A model trained in the app: it serves only the browser session that trained it; its display name is catalog.session.
SESSION_MODEL = "session"
SESSION_LABEL_ID = f"catalog.{SESSION_MODEL}"


def shipped_models(models_dir: Path = MODELS_DIR) -> list[ModelEntry]:
    """The catalogue's models whose weights are present in models_dir, the preferred one first."""
    return [entry for entry in MODELS if entry.weights_path(models_dir).exists()]
