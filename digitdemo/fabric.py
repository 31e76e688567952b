"""The canvas's Fabric.js drawings as plain dicts: scaled to a canvas of another size, and without their last stroke."""

from __future__ import annotations

import copy

# An object's place and size, with Fabric's defaults for a missing one; its path stays in its own units.
SCALED_FIELDS = {"left": 0.0, "top": 0.0, "scaleX": 1.0, "scaleY": 1.0}


def scale_drawing(drawing: dict | None, factor: float) -> dict | None:
    """A Fabric.js canvas JSON dict -> a copy whose objects are `factor` times as large and as far from the top left
    corner (what the same drawing is on a canvas `factor` times the side); None stays None."""
    if drawing is None:
        return None
    scaled = copy.deepcopy(drawing)
    for item in scaled.get("objects") or []:
        for field, default in SCALED_FIELDS.items():
            value = item.get(field, default)
            if isinstance(value, int | float):
                item[field] = value * factor
    return scaled


def without_last_stroke(drawing: dict | None) -> dict:
    """A Fabric.js canvas JSON dict -> a copy with its last object removed (an empty drawing stays empty)."""
    kept = copy.deepcopy(drawing) if drawing else {}
    kept["objects"] = list(kept.get("objects") or [])[:-1]
    return kept
