"""The speed benchmark runs on its tiny setting and reports well-formed figures; no timing is asserted here."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from benchmarks.speed_sections.visitor import CANVAS_WAIT_MS, paired

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "speed.py"
MACHINE_FIELDS = ("cpu", "cores", "memory", "python", "numpy", "tensorflow", "streamlit", "date")
HAS_BROWSER = Path("/usr/bin/chromium").exists() and all(
    importlib.util.find_spec(name) for name in ("playwright", "psutil")
)


class TinyRun(NamedTuple):
    stdout: str
    figures: dict
    markdown: str


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> TinyRun:
    """One `speed.py --tiny` run (browser sections only where Chromium is installed), its output and files."""
    tmp = tmp_path_factory.mktemp("bench")
    out, figures = tmp / "speed.md", tmp / "speed.json"
    sections = "explain,stroke,serverstroke,training" + (",coldstart,interaction,visitor" if HAS_BROWSER else "")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--tiny", "--only", sections, "--out", str(out), "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return TinyRun(result.stdout, json.loads(figures.read_text()), out.read_text())


def check_rows(rows: list[dict], names: list[str]) -> None:
    """Each expected row is there once, with a finite positive figure, and a baseline and ratio where it has one."""
    for name in names:
        matching = [row for row in rows if row["name"].strip().startswith(name)]
        assert len(matching) == 1, (name, [row["name"] for row in rows])
        row = matching[0]
        assert math.isfinite(row["ours"]) and row["ours"] > 0, row
        if row["baseline"] is not None:
            assert math.isfinite(row["baseline"]) and row["baseline"] > 0, row
            assert row["ratio"] == pytest.approx(row["paired_ratio"] or row["baseline"] / row["ours"])
        if row["target"]:
            assert isinstance(row["met"], bool), row


def test_prints_and_writes_the_table_with_the_machine(tiny):
    """The table goes to stdout and to the --out file, followed by the machine's description."""
    assert "| measure | digitdemo | baseline | ratio | target | met |" in tiny.stdout
    assert tiny.markdown.strip() == tiny.stdout.strip()
    for field in MACHINE_FIELDS:
        assert f"- {field}: " in tiny.markdown


def test_stroke_and_training_figures(tiny):
    """Per-stroke and training rows carry figures and baselines; the training callback fired every epoch."""
    check_rows(tiny.figures["rows"], ["Per stroke", "of which preprocess", "of which the network", "Training"])
    run = tiny.figures["details"]["training"][0]
    assert run["on_epoch_calls"] == run["epochs"] == 2
    assert run["fast_errors"] >= 0 and run["plain_errors"] >= 0


def test_server_stroke_figure(tiny):
    """The whole server process's CPU per stroke over the protocol is measured on this app (no baseline tree given:
    no baseline), from the rounds the details keep."""
    check_rows(tiny.figures["rows"], ["Whole server process CPU per stroke, over the protocol"])
    assert len(tiny.figures["details"]["server_stroke"]["ours"]) == 1


def test_explanation_figures(tiny):
    """The explanations row times prediction plus every part of the explanation against the prediction alone, with a
    target."""
    check_rows(tiny.figures["rows"], ["Explanations per stroke", "of which every part of the explanation"])
    assert tiny.figures["details"]["explain_ms"]["index_build"] > 0


@pytest.mark.skipif(not HAS_BROWSER, reason="Chromium, Playwright or psutil is missing")
def test_browser_figures_and_no_leftover_copy(tiny):
    """Cold start, memory and slider rows carry figures, and the temporary TensorFlow copy of the app is gone."""
    check_rows(
        tiny.figures["rows"],
        [
            "Cold start",
            "Memory: server RSS",
            "Memory: RSS growth",
            "in the app",
            "Why this answer open",
            "Slider move softmax_z0",
            "Slider move relu_w1",
            "whole server process CPU per stroke",
            "softmax_z0: whole server process",
            "relu_w1: whole server process",
        ],
    )
    assert not list(ROOT.glob(".bench-tf-*"))


@pytest.mark.skipif(not HAS_BROWSER, reason="Chromium, Playwright or psutil is missing")
def test_visitor_figures(tiny):
    """The visitor rows (page load, stroke drawn as a hand draws split at the canvas's rerun request, the first
    stroke after a page load, slider) carry figures and targets; every timed action had exactly one outcome, and
    each one's moments come in the order they happen."""
    names = [
        "Visitor: warm page load",
        "of which the server runs the script",
        "Visitor: pen lifted",
        "Visitor: first stroke after a page load",
        "of which the canvas waits",
        "of which the rest",
        "the Draw fragment's whole run",
        "Visitor: slider released",
        "of which released -> rerun request",
        "the Softmax fragment's whole run",
    ]
    check_rows(tiny.figures["rows"], names)
    visitor = tiny.figures["details"]["visitor"]
    assert [len(visitor[kind]) for kind in ("load", "stroke", "first_stroke", "slider")] == [2, 2, 1, 2]
    assert all(action["one_outcome"] for actions in visitor.values() for action in actions), visitor
    for load in visitor["load"]:  # the page's own run, then the one the canvas asks for once mounted
        assert 0 < load["html"] < load["loaded"] < load["first_end"] < load["last_request"] < load["ready"], load
        assert load["runs"] == load["ends"] >= 2, load
    for stroke in visitor["stroke"] + visitor["first_stroke"]:  # the canvas's timer may fire a clock tick early
        assert CANVAS_WAIT_MS - 1 <= stroke["sent"] < stroke["text"] <= stroke["idle"], stroke
    for drag in visitor["slider"]:
        assert 0 < drag["sent"] < drag["text"] <= drag["settled"] <= drag["idle"], drag


def test_visitor_pairs_each_stroke_with_the_same_on_the_old_app():
    """The visitor's ratio to the old app is the median over strokes drawn alike on both, each pair counted only when
    both had one outcome; 'rest' is the time from the rerun request to the prediction on screen."""
    ours = [
        {"one_outcome": True, "sent": 200, "text": 250},
        {"one_outcome": False, "sent": 200, "text": 900},
        {"one_outcome": True, "sent": 200, "text": 260},
    ]
    old = [
        {"one_outcome": True, "sent": 200, "text": 300},
        {"one_outcome": True, "sent": 200, "text": 300},
        {"one_outcome": True, "sent": 200, "text": 380},
    ]
    done = {"stroke": ours, "old_stroke": old}
    assert paired(done, "stroke", "rest") == pytest.approx((100 / 50 + 180 / 60) / 2)
    assert paired(done, "stroke", "text") == pytest.approx((300 / 250 + 380 / 260) / 2)
    assert paired({"stroke": ours}, "stroke", "text") is None
