"""`streamlit run` on a free loopback port, healthy before use and stopped after: for the benchmarks and browser tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
STREAMLIT = (sys.executable, "-m", "streamlit")
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, and this machine refuses every call.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
# Streamlit's default full garbage collection after every script run, which .streamlit/config.toml turns off: the
# environment that turns it back on, for the benchmarks' baselines.
POST_SCRIPT_GC = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"}
START_SECONDS = 120
POLL_SECONDS = 0.05  # fine enough for the cold-start figure


class Server(NamedTuple):
    """A running server: its process, URL, the time.time() it was launched and its log file."""

    proc: subprocess.Popen
    url: str
    started: float
    log: Path


def free_port() -> int:
    """A TCP port the OS reports free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    """True when Streamlit's health endpoint at `url` answers ok."""
    with contextlib.suppress(OSError):
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    return False


def log_tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:]


@contextlib.contextmanager
def serve(
    script: str = "streamlit_app.py",
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    launcher: Sequence[str] = STREAMLIT,
    timeout: float = START_SECONDS,
) -> Iterator[Server]:
    """`<launcher> run script` headless on 127.0.0.1; yields once healthy; RuntimeError with the log if it never is."""
    port = port or free_port()
    command = [*launcher, "run", script,
               "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "streamlit.log"
        with log.open("w") as out:
            started = time.time()
            proc = subprocess.Popen(
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
            )
        server = Server(proc, f"http://127.0.0.1:{port}", started, log)
        try:
            deadline = time.monotonic() + timeout
            while not healthy(server.url):
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log_tail(log)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s:\n{log_tail(log)}")
                time.sleep(POLL_SECONDS)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
