"""The speed benchmark runs on its tiny setting and reports well-formed figures; no timing is asserted here."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "speed.py"
MACHINE_FIELDS = ("cpu", "cores", "memory", "python", "numpy", "tensorflow", "streamlit", "date")


def run_tiny(tmp_path: Path, sections: str) -> tuple[str, dict, str]:
    """Run `speed.py --tiny --only sections`; return its stdout, its JSON figures and its markdown file."""
    out, figures = tmp_path / "speed.md", tmp_path / "speed.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--tiny", "--only", sections, "--out", str(out), "--json", str(figures)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout, json.loads(figures.read_text()), out.read_text()


def check_rows(rows: list[dict], names: list[str]) -> None:
    """Each expected row is there once, with a finite positive figure, and a baseline and ratio where it has one."""
    for name in names:
        matching = [row for row in rows if row["name"].strip().startswith(name)]
        assert len(matching) == 1, (name, [row["name"] for row in rows])
        row = matching[0]
        assert math.isfinite(row["ours"]) and row["ours"] > 0, row
        if row["baseline"] is not None:
            assert math.isfinite(row["baseline"]) and row["baseline"] > 0, row
            assert row["ratio"] == pytest.approx(row["baseline"] / row["ours"])
        if row["target"]:
            assert isinstance(row["met"], bool), row


def test_tiny_stroke_and_training(tmp_path):
    """Stroke and training sections print the table, write it with the machine's description, and give figures."""
    stdout, figures, markdown = run_tiny(tmp_path, "stroke,training")
    check_rows(figures["rows"], ["Per stroke", "of which preprocess", "Training"])
    assert "| measure | digitdemo | baseline | ratio | target | met |" in stdout
    assert markdown.strip() == stdout.strip()
    for field in MACHINE_FIELDS:
        assert f"- {field}: " in markdown
    run = figures["details"]["training"][0]
    assert run["on_epoch_calls"] == run["epochs"] == 2
    assert run["fast_errors"] >= 0 and run["plain_errors"] >= 0


def test_tiny_browser_sections(tmp_path):
    """Cold start, memory and slider sections run against real servers and leave no temporary app copy behind."""
    pytest.importorskip("playwright")
    pytest.importorskip("psutil")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is missing")
    _, figures, _ = run_tiny(tmp_path, "coldstart,interaction")
    check_rows(figures["rows"], ["Cold start", "Memory: server RSS", "Memory: RSS growth", "in the app",
                                 "Slider move softmax_z0", "Slider move relu_w1"])  # fmt: skip
    assert not list(ROOT.glob(".bench-tf-*"))
