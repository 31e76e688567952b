"""Cold start and memory: `streamlit run` to the Draw tab ready, and the server's RSS, against the same app with
TensorFlow imported at start."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.speed_sections.common import APP, ROOT, Report, Row, Setting, median
from benchmarks.speed_sections.servers import RunLog, cpu_seconds, open_draw_tab, rss, serve_app


@contextlib.contextmanager
def tensorflow_copy() -> Iterator[str]:
    """A temporary copy of the app with `import tensorflow` at its top, inside the repo; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=".bench-tf-", dir=ROOT))
    try:
        lines = (ROOT / APP).read_text().splitlines(keepends=True)
        # After any `from __future__` import, which must stay first.
        at = max((i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")), default=0)
        lines.insert(at, "import tensorflow  # the lab's way: TensorFlow loaded when the page starts\n")
        (folder / APP).write_text("".join(lines))
        yield str((folder / APP).relative_to(ROOT))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cold_start_once(browser, script: str, extra_sessions: int, log: RunLog) -> dict[str, float]:
    """Seconds from `streamlit run` to the Draw tab ready (and the steps between), RSS after it, and RSS growth per
    further session."""
    log.path.unlink(missing_ok=True)
    log.seen = 0
    with serve_app(script, log.path) as (proc, url, started):
        healthy = time.time() - started
        pages = [open_draw_tab(browser, url)]
        ready = time.time() - started
        server_cpu = cpu_seconds(proc.pid)
        first_run = log.new()[0]
        time.sleep(0.5)
        first = rss(proc.pid)
        for _ in range(extra_sessions):
            pages.append(open_draw_tab(browser, url))
        time.sleep(0.5)
        after = rss(proc.pid)
        for page in pages:
            page.context.close()
    return {
        "server_up_s": healthy,
        "first_run_start_s": first_run["start"] - started,
        "first_run_s": first_run["ms"] / 1e3,
        "ready_s": ready,
        "server_cpu_s": server_cpu,
        "rss_first_mb": first,
        "per_session_mb": (after - first) / max(extra_sessions, 1),
    }


def bench_coldstart(setting: Setting, report: Report, browser) -> None:
    runs: dict[str, list[dict[str, float]]] = {"app": [], "tensorflow": []}
    with tensorflow_copy() as tf_script, tempfile.TemporaryDirectory() as tmp:
        log = RunLog(Path(tmp) / "runs.jsonl")
        for _ in range(setting.cold_repeats):  # alternated so that both see the same load
            runs["app"].append(cold_start_once(browser, APP, setting.extra_sessions, log))
            runs["tensorflow"].append(cold_start_once(browser, tf_script, setting.extra_sessions, log))

    def med(kind: str, key: str) -> float:
        return median([r[key] for r in runs[kind]])

    ready, tf_ready = med("app", "ready_s"), med("tensorflow", "ready_s")
    report.rows.append(
        Row(
            "Cold start: streamlit run -> Draw tab ready",
            ready,
            "s",
            tf_ready,
            "same app, TensorFlow imported at start",
            "<= 4 s",
            ready <= 4,
            "; ".join(
                f"{kind}: server up {med(kind, 'server_up_s'):.2f} s, first script run from "
                f"{med(kind, 'first_run_start_s'):.2f} s taking {med(kind, 'first_run_s'):.2f} s, "
                f"server CPU until ready {med(kind, 'server_cpu_s'):.2f} s"
                for kind in runs
            ),
        )
    )
    first, tf_first = med("app", "rss_first_mb"), med("tensorflow", "rss_first_mb")
    report.rows.append(
        Row(
            "Memory: server RSS after the first page",
            first,
            "MB",
            tf_first,
            "same app, TensorFlow imported at start",
            "<= 300 MB",
            first <= 300,
        )
    )
    per, tf_per = med("app", "per_session_mb"), med("tensorflow", "per_session_mb")
    report.rows.append(
        Row(
            f"Memory: RSS growth per further session ({setting.extra_sessions} opened)",
            per,
            "MB",
            tf_per,
            "same app, TensorFlow imported at start",
            "<= 10 MB",
            per <= 10,
        )
    )
    report.details["coldstart"] = {k: [{n: round(v, 3) for n, v in r.items()} for r in rs] for k, rs in runs.items()}
