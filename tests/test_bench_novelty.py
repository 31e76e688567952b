"""The not-a-digit benchmark runs on a few drawings and reports well-formed shares for every set and model."""

from __future__ import annotations

from benchmarks import novelty
from digitdemo.catalog import shipped_models


def test_tiny_run_reports_every_set_and_model():
    """Each symbol and the drawn digits get a share flagged and a share 'not sure' in 0..1 for every shipped model,
    and the thresholds are the ones stored in the models' records."""
    results = novelty.run(per_symbol=2, digits_per_class=1)
    assert set(results["scores"]) == {entry.name for entry in shipped_models()}
    for per_set in results["scores"].values():
        assert set(per_set) == {*novelty.SYMBOLS, "drawn digits", "all symbols"}
        for figures in per_set.values():
            assert 0 <= figures["flagged"] <= 1 and 0 <= figures["unsure"] <= 1 and 0 <= figures["answer"] <= 9
    for stored, method in results["calibration"].values():
        assert stored.flagged <= 0.02 * stored.n_heldout and method
    table = novelty.format_table(results)
    assert all(f"| {name} | 2 |" in table for name in novelty.SYMBOLS)
