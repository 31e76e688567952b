"""`streamlit run` on free loopback ports: started at once, healthy before use, stopped after. What the deploy tool
(deploy/replicas.py) runs its replicas with; the test kit (testkit/server.py) builds on it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from scripts.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
STREAMLIT = (sys.executable, "-m", "streamlit")
START_SECONDS = 120
POLL_SECONDS = 0.05  # fine enough for the cold-start figure


class Server(NamedTuple):
    """A running server: its process, URL and the time.time() it was launched."""

    proc: subprocess.Popen
    url: str
    started: float


def healthy(url: str) -> bool:
    """True when Streamlit's health endpoint at `url` answers ok."""
    with contextlib.suppress(OSError):
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    return False


def log_tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:]


@contextlib.contextmanager
def serve_many(
    count: int,
    script: str = "streamlit_app.py",
    *,
    ports: Sequence[int | None] | None = None,
    env: dict[str, str] | None = None,
    launcher: Sequence[str] = STREAMLIT,
    timeout: float = START_SECONDS,
    cwd: Path = ROOT,
) -> Iterator[list[Server]]:
    """`count` servers of `script` started at once (on `ports`, default free ones); yields once all are healthy and
    stops them all after, whether they still run or not; RuntimeError with a log if one never answers. `cwd` is the
    checkout served (another one's app, for a benchmark's baseline)."""
    ports = [port or free_port() for port in (ports or [None] * count)]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        servers, logs = [], []
        for port in ports:
            command = [
                *launcher,
                "run",
                script,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ]
            log = Path(tmp) / f"streamlit-{port}.log"
            with log.open("w") as out:
                started = time.time()
                proc = subprocess.Popen(
                    command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
                )
            stack.callback(stop, proc)
            servers.append(Server(proc, f"http://127.0.0.1:{port}", started))
            logs.append(log)
        deadline = time.monotonic() + timeout
        for server, log in zip(servers, logs, strict=True):
            while not healthy(server.url):
                if server.proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {server.proc.returncode}:\n{log_tail(log)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s:\n{log_tail(log)}")
                time.sleep(POLL_SECONDS)
        yield servers


def stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """Terminate `proc` and wait for it, killing it after `grace` s; nothing to do if it has ended."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
