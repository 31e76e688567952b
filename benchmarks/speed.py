"""Speed benchmark: per-stroke latency, cold start, memory, training and slider moves, each beside its baseline, and
the speed a visitor feels in Chromium (page load, stroke, slider). Each section is a module of
benchmarks/speed_sections/; this script runs the ones asked for and writes the report.

Run from the repository root: `python benchmarks/speed.py` (about 7 minutes; writes benchmarks/results/speed.md),
`--tiny` for a quick check that prints only, `--only stroke,training` for some sections. Needs Playwright, Chromium
and psutil for the browser sections.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python benchmarks/speed.py`: the package lives beside this folder
    sys.path.insert(0, str(ROOT))

from benchmarks.speed_sections.coldstart import bench_coldstart  # noqa: E402
from benchmarks.speed_sections.common import FULL, TINY, Report, Setting  # noqa: E402
from benchmarks.speed_sections.interaction import bench_interaction  # noqa: E402
from benchmarks.speed_sections.per_stroke import bench_explain, bench_stroke  # noqa: E402
from benchmarks.speed_sections.report import machine, markdown  # noqa: E402
from benchmarks.speed_sections.server_stroke import bench_server_stroke  # noqa: E402
from benchmarks.speed_sections.servers import chromium  # noqa: E402
from benchmarks.speed_sections.timed_server import PROFILE_ENV  # noqa: E402
from benchmarks.speed_sections.training import bench_training  # noqa: E402
from benchmarks.speed_sections.visitor import bench_visitor  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "speed.md"
SECTIONS = ("explain", "stroke", "serverstroke", "training", "coldstart", "interaction", "visitor")


def run(setting: Setting, sections: list[str], baseline_tree: Path | None = None) -> Report:
    """The sections asked for, in an order that keeps TensorFlow and the browser out of the timings they would skew."""
    report = Report()
    report.details["machine"] = machine()
    if "explain" in sections:  # NumPy only, so before the stroke section imports TensorFlow
        bench_explain(setting, report)
    if "stroke" in sections:
        bench_stroke(setting, report)
    if "serverstroke" in sections:
        bench_server_stroke(setting, report, baseline_tree)
    if "training" in sections:
        bench_training(setting, report)
    browser_sections = [s for s in ("coldstart", "interaction", "visitor") if s in sections]
    if browser_sections:
        with chromium() as browser:
            if "visitor" in browser_sections:
                bench_visitor(setting, report, browser, baseline_tree)
            if "interaction" in browser_sections:
                bench_interaction(setting, report, browser, baseline_tree)
            if "coldstart" in browser_sections:
                bench_coldstart(setting, report, browser)
    report.details["machine"]["load average at end (1 min)"] = f"{os.getloadavg()[0]:.2f}"
    return report


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="a few repeats of each: checks the benchmark runs")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument(
        "--out", type=Path, help=f"markdown results file (default {RESULTS.relative_to(ROOT)}; none with --tiny)"
    )
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="a checkout of older code (git worktree add /tmp/oldhead COMMIT): serverstroke and interaction compare "
        "the server CPU per stroke with its app's, visitor the strokes in Chromium",
    )
    parser.add_argument("--profile", type=Path, help="save a pyinstrument profile of each timed server run here")
    args = parser.parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        os.environ[PROFILE_ENV] = str(args.profile.resolve())
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    command = "python benchmarks/speed.py " + " ".join(argv)
    report = run(TINY if args.tiny else FULL, sections, args.baseline_tree)
    text = markdown(report, command.strip())
    print(text)
    out = args.out or (None if args.tiny else RESULTS)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    if args.json:
        rows = [{**row.__dict__, "ratio": row.ratio} for row in report.rows]
        args.json.write_text(json.dumps({"rows": rows, "details": report.details}, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
