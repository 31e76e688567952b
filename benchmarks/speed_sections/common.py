"""What every section of the speed benchmark shares: how much to measure, the rows of the report, medians."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
APP = "streamlit_app.py"
MB = 2**20


@dataclass(frozen=True)
class Setting:
    """How much to measure: the full run or the tiny one the tests use."""

    stroke_repeats: int = 300
    train_rows: int = 5000
    train_epochs: int = 40
    train_seeds: tuple[int, ...] = (1234, 1, 2)
    cold_repeats: int = 3
    extra_sessions: int = 4
    slider_moves: int = 10
    app_strokes: int = 8
    full_reruns: int = 5
    explain_per_class: int = 30  # drawn digits of each class timed with and without the explanations
    explain_repeats: int = 3
    visitor_repeats: int = 20  # page loads, strokes and slider moves a visitor makes, each timed
    server_stroke_rounds: int = 10  # rounds of strokes on this app and the baseline's in turn
    server_stroke_digits: int = 3  # "2"s of three strokes each per round
    visitor_first_strokes: int = 8  # pages loaded, each for its first stroke
    visitor_warmups: int = 3  # strokes (one of each digit) and slider moves first made untimed: first runs fill caches


FULL = Setting()
TINY = Setting(
    stroke_repeats=10,
    train_rows=500,
    train_epochs=2,
    train_seeds=(1234,),
    cold_repeats=1,
    extra_sessions=1,
    slider_moves=2,
    app_strokes=1,
    full_reruns=1,
    explain_per_class=1,
    explain_repeats=1,
    visitor_repeats=2,
    visitor_warmups=1,
    visitor_first_strokes=1,
    server_stroke_rounds=1,
    server_stroke_digits=1,
)


@dataclass
class Row:
    """One line of the results table: our median, the baseline's, and the target."""

    name: str
    ours: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    paired_ratio: float | None = None  # median of baseline/ours over paired runs, when the runs come in pairs

    @property
    def ratio(self) -> float | None:
        if self.paired_ratio is not None:
            return self.paired_ratio
        return None if self.baseline is None or self.ours <= 0 else self.baseline / self.ours


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def time_calls(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Milliseconds of each call, `repeats` times, interleaved so that all see the same load from other processes."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, func in calls.items():
            start = time.perf_counter()
            func()
            times[name].append((time.perf_counter() - start) * 1e3)
    return times


def spread(values: list[float], unit: str) -> str:
    """'middle half a-b, all c-d <unit>': the 25th to 75th percentile and the extremes."""
    if not values:
        return "none measured"
    low, high = statistics.quantiles(values, n=4, method="inclusive")[::2] if len(values) > 1 else values * 2
    return f"middle half {low:.0f}-{high:.0f}, all {min(values):.0f}-{max(values):.0f} {unit}"
