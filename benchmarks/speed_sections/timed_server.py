"""Streamlit's command line with every script or fragment run timed into a log (and profiled, when asked):
`python benchmarks/speed_sections/timed_server.py LOG STREAMLIT_ARGS...`, started by servers.serve_app."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROFILE_ENV = "DIGITDEMO_BENCH_PROFILE"  # a folder: the timed server also saves a pyinstrument profile of each run


def serve_timed(log_path: str, streamlit_args: list[str]) -> None:
    """Run Streamlit's command line with every script or fragment run's duration appended to `log_path`."""
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import cli

    original = script_runner.exec_func_with_error_handling
    profile_dir = os.environ.get(PROFILE_ENV)

    def timed(func: Callable, ctx) -> object:
        profiler = None
        if profile_dir:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
        start, started, cpu = time.perf_counter(), time.time(), time.thread_time()
        try:
            return original(func, ctx)
        finally:
            entry = {
                "ms": (time.perf_counter() - start) * 1e3,
                "cpu_ms": (time.thread_time() - cpu) * 1e3,
                "fragment": bool(ctx.fragment_ids_this_run),
                "session": ctx.session_id,
                "start": started,
            }
            with open(log_path, "a") as out:
                out.write(json.dumps(entry) + "\n")
            if profiler is not None:
                profiler.stop()
                kind = "fragment" if entry["fragment"] else "full"
                path = Path(profile_dir) / f"{time.time():.3f}-{kind}-{entry['ms']:.0f}ms.txt"
                path.write_text(profiler.output_text())

    script_runner.exec_func_with_error_handling = timed
    sys.argv = ["streamlit", *streamlit_args]
    sys.exit(cli.main())


if __name__ == "__main__":
    serve_timed(sys.argv[1], sys.argv[2:])
