"""Mutation score per module from the last `mutmut run` (mutmut 3 keeps each mutant's exit code in mutants/).

Run from the repository root after `mutmut run`: `python -m benchmarks.mutation_score`; prints a Markdown table.
A mutant counts as caught when a test failed on it, it timed out or it was killed (mutmut says "segfault": a
mutant that blows up memory is killed); survivors, mutants no test reaches and mutants not run yet (an
interrupted run) do not.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

MUTANTS = Path("mutants") / "digitdemo"
COLUMNS = ("killed", "timeout", "segfault", "survived", "no tests", "not checked")
CAUGHT = ("killed", "timeout", "segfault")  # a mutant that hangs or crashes the test run is noticed too


def count_statuses(meta: Path) -> Counter:
    """One module's mutmut .meta file -> how many of its mutants ended in each status."""
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return Counter(status_by_exit_code[code] for code in codes.values())


def table_row(name: str, counts: Counter) -> str:
    """A Markdown row: module, mutants, the count in each status, and the share caught."""
    total = sum(counts.values())
    caught = sum(counts[status] for status in CAUGHT)
    cells = [name, str(total), *(str(counts[column]) for column in COLUMNS), f"{caught / total:.1%}"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    metas = sorted(MUTANTS.glob("*.py.meta"))
    if not metas:
        raise SystemExit(f"no mutation results in {MUTANTS}; run `mutmut run` first")
    print("| module | mutants | " + " | ".join(COLUMNS) + " | caught |")
    print("|---|" + "---:|" * (len(COLUMNS) + 2))
    total: Counter = Counter()
    for meta in metas:
        counts = count_statuses(meta)
        total.update(counts)
        print(table_row(meta.name.removesuffix(".meta"), counts))
    print(table_row("all", total))


if __name__ == "__main__":
    main()
