"""Replicas behind nginx under a class's load, measured by Locust: 1 replica, 2 replicas, 2 with one killed half way,
and 2 with the database stopped for a while half way, each with the same lesson (benchmarks/locustfile.py: pupils
drawing and sending to a class room, one teacher's class view) on this machine's loopback, against one PostgreSQL.

Run from the repository root: `python benchmarks/replicas.py` (60 visitors for 180 s in each setting; writes
benchmarks/results/replicas.md), `--users 10 --seconds 30` for a short run. Needs nginx and PostgreSQL
(scripts/test.sh installs both), Locust and psutil. Not part of the test suite, which runs `run_setting` on a few
pupils for seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python benchmarks/replicas.py`: the package lives beside this folder
    sys.path.insert(0, str(ROOT))

from benchmarks.load import protocol_visit  # noqa: E402
from benchmarks.speed_sections.common import FULL as SPEED_FULL  # noqa: E402
from benchmarks.speed_sections.common import Report  # noqa: E402
from benchmarks.speed_sections.report import table  # noqa: E402
from benchmarks.speed_sections.server_stroke import bench_server_stroke  # noqa: E402
from deploy.replicas import Cluster, replica_name, run_replicas  # noqa: E402
from deploy.servers import log_tail, stop  # noqa: E402
from digitdemo.i18n import message  # noqa: E402
from digitdemo.rooms import RoomStore, build_engine  # noqa: E402
from scripts import postgres  # noqa: E402
from testkit.protocol import STOPPED  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "replicas.md"
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
# The interactions ("page" and "load" open a page; "class tab" is the teacher's first).
KINDS = ("stroke", "clear", "slider", "tab", "pick", "send", "class view")
P95_TARGET_MS = 250
FULL = {"users": 60, "seconds": 180}  # the setting
DB_DOWN_SECONDS = 10  # how long the database stays stopped in the restart run
UNAVAILABLE = message("en", "storage.unavailable")
LOCUST_GRACE_SECONDS = 60  # Locust's start and stop beyond the run time
SAMPLE_SECONDS = 0.5  # between RSS samples of the replicas
MB = 2**20
# Lines of Locust's own output that mean the harness itself broke (a traceback, gevent's greenlet errors, libev's
# assertion), whatever the app did: counted apart from the app's failures.
HARNESS_SIGNS = ("Traceback", "Assertion", "Error in greenlet", "Exception ignored")


class HarnessError(RuntimeError):
    """Locust itself failed (exited non-zero, or never wrote its figures): the load harness, not the app."""


@dataclass
class Setting:
    """What one Locust run against `replicas` replicas saw."""

    replicas: int
    stats: dict[str, dict[str, str]]  # Locust's stats row by request name ("Aggregated" for all)
    lines: list[dict]  # the pupils' log, one dict per connection or interaction
    idle_mb: dict[str, float]  # replica -> RSS after a warm-up visit, before the run
    peak_mb: dict[str, float]  # replica -> highest RSS sampled during the run
    killed: str | None = None
    killed_at: float | None = None  # time.time()
    locust_errors: list[str] = field(default_factory=list)  # Locust's own error report, if any
    stored: dict[str, list[float]] = field(default_factory=dict)  # student token -> its drawings' times in the room
    # time.time() when the database's stop was asked for, when it had stopped, when its start was asked for and when
    # it answered again
    db_down: tuple[float, float, float, float] | None = None
    users: int = 0
    harness_problems: list[str] = field(default_factory=list)  # HARNESS_SIGNS lines of Locust's output (target none)
    cpu_ms: float = 0.0  # the replicas' processes' CPU during the run, together

    def pupils(self) -> dict[int, list[dict]]:
        by_pupil: dict[int, list[dict]] = {}
        for line in self.lines:
            by_pupil.setdefault(line["pupil"], []).append(line)
        return by_pupil


def replicas_seen(lines: list[dict]) -> list[str]:
    """The replicas that served one pupil's connections and interactions, each once, in the order first seen."""
    seen: list[str] = []
    for line in lines:
        for name in (line.get("page"), line.get("replica")):
            if name and name not in seen:
                seen.append(name)
    return seen


def failures(lines: list[dict]) -> list[str]:
    """The interactions that failed, not counting those Locust cut off when the run ended."""
    return [f"{line['event']}: {line['error']}" for line in lines if line.get("ok") is False and not cut_off(line)]


def cut_off(line: dict) -> bool:
    """An interaction Locust cut off when the run ended (logged, not a failure of the app)."""
    return line.get("ok") is False and line.get("error") == STOPPED


def read_stats(path: Path) -> dict[str, dict[str, str]]:
    """Locust's `<prefix>_stats.csv` -> its rows by request name."""
    with path.open() as rows:
        return {row["Name"]: row for row in csv.DictReader(rows)}


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / MB


def cpu_ms(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return (times.user + times.system) * 1000


def harness_problems(output: str) -> list[str]:
    """The lines of Locust's output that say the harness itself broke."""
    return [line.strip() for line in output.splitlines() if any(sign in line for sign in HARNESS_SIGNS)]


def warm_up(cluster: Cluster) -> None:
    """One visit straight to each replica, loading the data and model as any first visit would."""

    async def visits():
        return await asyncio.gather(*(protocol_visit(s.url, 0, 0, seed=-1) for s in cluster.replicas.values()))

    # On a thread of its own: the caller may already run an event loop (a test session that drives Playwright does).
    with ThreadPoolExecutor(1) as pool:
        sessions = pool.submit(asyncio.run, visits()).result()
    for name, session in zip(cluster.replicas, sessions, strict=True):
        if session.errors:
            raise RuntimeError(f"warm-up visit to {name} failed: {session.errors}")


def run_setting(
    replicas: int,
    users: int,
    seconds: float,
    rate: float,
    database: tuple[Path, str],
    kill_after: float | None = None,
    db_down_after: float | None = None,
    db_down_seconds: float = DB_DOWN_SECONDS,
) -> Setting:
    """Locust's lesson for `seconds` against `replicas` replicas behind nginx sharing the PostgreSQL `database`
    (its folder, its URL) in a room opened for it, `rate` new visitors a second; with `kill_after`, the first replica
    is killed that many seconds after the first visitor connected; with `db_down_after`, the database is stopped
    then for `db_down_seconds` and started again."""
    folder, url = database
    store = RoomStore(build_engine(url))
    store.prepare()
    room = store.open_room()
    env = {"DIGITDEMO_DATABASE_URL": url}
    with tempfile.TemporaryDirectory() as tmp, run_replicas(replicas, env=env) as cluster:
        warm_up(cluster)
        pids = {name: server.proc.pid for name, server in cluster.replicas.items()}
        idle = {name: rss_mb(pid) for name, pid in pids.items()}
        peak = dict(idle)
        cpu_start = {name: cpu_ms(pid) for name, pid in pids.items()}
        cpu_last = dict(cpu_start)
        log, output = Path(tmp) / "pupils.jsonl", Path(tmp) / "locust.log"
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            cluster.url,
            "-u",
            str(users),
            "-r",
            str(rate),
            "-t",
            f"{seconds:g}s",
            "--csv",
            f"{tmp}/locust",
            "--only-summary",
            "--stop-timeout",
            "5",
            "--exit-code-on-error",
            "0",
        ]
        killed = replica_name(0) if kill_after is not None else None
        killed_at = stopping = down_at = starting = up_at = None
        locust_env = {**os.environ, "DIGITDEMO_LOCUST_LOG": str(log), "DIGITDEMO_LOCUST_ROOM": ":".join(room)}
        with output.open("w") as out:
            proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=locust_env)
        try:
            deadline = time.monotonic() + seconds + LOCUST_GRACE_SECONDS
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Locust did not finish in time:\n{log_tail(output)}")
                for name, pid in pids.items():
                    if cluster.replicas[name].proc.poll() is None:
                        peak[name] = max(peak[name], rss_mb(pid))
                        cpu_last[name] = cpu_ms(pid)
                since = time.time() - json.loads(log.open().readline())["t"] if log.exists() else 0.0
                if killed and killed_at is None and since >= kill_after:
                    cluster.crash(killed)
                    killed_at = time.time()
                if db_down_after is not None and down_at is None and since >= db_down_after:
                    stopping = time.time()
                    postgres.stop(folder)  # "fast": open sessions are cut, as when the server goes down
                    down_at = time.time()
                if down_at is not None and up_at is None and time.time() - down_at >= db_down_seconds:
                    starting = time.time()
                    postgres.start(folder)
                    up_at = time.time()
                time.sleep(SAMPLE_SECONDS)
        finally:
            stop(proc)
            if down_at is not None and up_at is None:  # Locust ended first: the database must not stay down
                starting = time.time()
                postgres.start(folder)
                up_at = time.time()
        for name, pid in pids.items():
            if cluster.replicas[name].proc.poll() is None:
                cpu_last[name] = cpu_ms(pid)
        if proc.returncode != 0 or not Path(f"{tmp}/locust_stats.csv").exists():
            raise HarnessError(
                f"the load harness failed, not the app: Locust exited with {proc.returncode} ({users} pupils, "
                f"{replicas} replicas):\n{log_tail(output)}"
            )
        problems = harness_problems(output.read_text(errors="replace"))
        lines = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        with Path(f"{tmp}/locust_exceptions.csv").open() as rows:
            errors = [row["Message"] for row in csv.DictReader(rows)]
        stats = read_stats(Path(f"{tmp}/locust_stats.csv"))
    tokens = [line["token"] for line in lines if line["event"] == "student"]
    stored = {token: [drawing.sent_at for drawing in store.my_drawings(room.code, token)] for token in tokens}
    store.engine.dispose()
    return Setting(
        replicas,
        stats,
        lines,
        idle,
        peak,
        killed,
        killed_at,
        errors,
        stored,
        (stopping, down_at, starting, up_at) if down_at is not None else None,
        users,
        problems,
        sum(cpu_last[name] - cpu_start[name] for name in pids),
    )


@dataclass
class Crash:
    """How the pupils fared when a replica was killed: `victims` were on it, `others` on the other replicas."""

    victims: dict[int, list[dict]]
    others: dict[int, list[dict]]
    went_on: list[int]  # victims with a working interaction on another replica after the kill
    recovery_seconds: list[float]  # per victim who went on: from the kill to that first working interaction

    @classmethod
    def of(cls, setting: Setting) -> Crash:
        pupils = setting.pupils()
        victims = {p: lines for p, lines in pupils.items() if replicas_seen(lines)[:1] == [setting.killed]}
        others = {p: lines for p, lines in pupils.items() if p not in victims}
        went_on, recovery = [], []
        for pupil, lines in victims.items():
            after = [
                line
                for line in lines
                if line["t"] > setting.killed_at and line.get("ok") and line["replica"] != setting.killed
            ]
            if after:
                went_on.append(pupil)
                recovery.append(after[0]["t"] - setting.killed_at)
        return cls(victims, others, went_on, recovery)


def number(row: dict[str, str], column: str) -> float:
    return float(row[column]) if row.get(column) not in (None, "", "N/A") else float("nan")


def kind_rows(setting: Setting) -> list[str]:
    rows = []
    for name in ("page", "load", *KINDS):
        row = setting.stats.get(name)
        if row:
            rows.append(
                f"| {name} | {row['Request Count']} | {row['Failure Count']} | {number(row, '50%'):.0f} | "
                f"{number(row, '95%'):.0f} | {number(row, 'Max Response Time'):.0f} |"
            )
    return rows


def worst_p95(setting: Setting) -> float:
    """The highest 95th percentile among the interactions' kinds: the p95 of all interactions together is no higher."""
    return max(number(setting.stats[kind], "95%") for kind in KINDS if kind in setting.stats)


def interactions(setting: Setting) -> tuple[int, int, float]:
    """(count, failures, per second) of the interactions, from Locust's rows."""
    rows = [setting.stats[kind] for kind in KINDS if kind in setting.stats]
    return (
        sum(int(r["Request Count"]) for r in rows),
        sum(int(r["Failure Count"]) for r in rows),
        sum(number(r, "Requests/s") for r in rows),
    )


def switched(setting: Setting) -> list[int]:
    return [pupil for pupil, lines in setting.pupils().items() if len(replicas_seen(lines)) > 1]


def memory(setting: Setting) -> str:
    return ", ".join(
        f"{name} {setting.idle_mb[name]:.0f} -> {setting.peak_mb[name]:.0f} MB" for name in setting.idle_mb
    )


def sends(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["event"] == "send"]


def lost(line: dict) -> bool:
    """A send whose connection broke, or that Locust cut off when the run ended, before its outcome came back:
    stored or not, the pupil cannot tell."""
    return line.get("ok") is False and line["error"].startswith(("connection lost", STOPPED))


def succeeded(line: dict) -> bool:
    return bool(line.get("ok"))


def refused(line: dict) -> bool:
    """An interaction (a send, a class view) the page answered with the database's 'cannot be reached' message."""
    return line.get("ok") is False and line["error"] == f"the page says: {UNAVAILABLE}"


@dataclass
class Landed:
    """The room's rows against the pupils' sends: `exact` pupils have one row per successful send; `unsure` pupils
    have more, but no more than their sends whose connection broke before the answer; `wrong` pupils (target none)
    have rows missing or doubled."""

    sent: int  # successful sends
    rows: int
    exact: list[int]
    unsure: list[int]
    wrong: list[int]

    @classmethod
    def of(cls, setting: Setting) -> Landed:
        sent = rows = 0
        exact, unsure, wrong = [], [], []
        for pupil, lines in setting.pupils().items():
            token = next((line["token"] for line in lines if line["event"] == "student"), None)
            if token is None:  # the teacher
                continue
            ok = sum(map(succeeded, sends(lines)))
            stored = len(setting.stored.get(token, []))
            sent, rows = sent + ok, rows + stored
            if stored == ok:
                exact.append(pupil)
            elif ok < stored <= ok + sum(map(lost, sends(lines))):
                unsure.append(pupil)
            else:
                wrong.append(pupil)
        return cls(sent, rows, exact, unsure, wrong)

    def line(self) -> str:
        return (
            f"{self.sent} successful sends, {self.rows} rows in the room; pupils with exactly one row per "
            f"successful send: {len(self.exact)} of {len(self.exact) + len(self.unsure) + len(self.wrong)}"
            + (
                f", {len(self.unsure)} with a row more for a send whose answer never came (a killed replica or the "
                "run's end)"
                if self.unsure
                else ""
            )
            + f"; rows lost or doubled: **{len(self.wrong)}** pupils (target 0)"
        )


DB_KINDS = ("send", "class view")  # the interactions that reach the database


def tally(lines: list[dict], test) -> dict[str, int]:
    """How many of `lines` of each kind in DB_KINDS pass `test`."""
    return {kind: sum(1 for line in lines if line["event"] == kind and test(line)) for kind in DB_KINDS}


@dataclass
class Outage:
    """What the visitors saw while the database was down (from its stop asked for to its start done) and after, by
    kind of interaction reaching it: refused (the 'cannot be reached' message shown) or worked; and the drawings
    stored, by the database's own clock, while it was stopped (target none)."""

    refused_during: dict[str, int]
    refused_outside: dict[str, int]  # target 0
    worked_after: dict[str, int]
    stored_while_down: int  # target 0
    other_failures: list[str]  # every failure that is not a refusal (target none)
    first_send_after: float | None  # seconds from the start to the first send that worked

    @classmethod
    def of(cls, setting: Setting) -> Outage:
        stopping, stopped, starting, started = setting.db_down
        during = [line for line in setting.lines if stopping <= line["t"] <= started]
        outside = [line for line in setting.lines if not stopping <= line["t"] <= started]
        after = [line for line in setting.lines if line["t"] > started]
        worked = [line["t"] - started for line in sends(after) if succeeded(line)]
        others = [
            f"{line['event']}: {line['error']}"
            for line in setting.lines
            if line.get("ok") is False and not refused(line) and not cut_off(line)
        ]
        stored = sum(stopped <= t <= starting for times in setting.stored.values() for t in times)
        return cls(
            tally(during, refused),
            tally(outside, refused),
            tally(after, succeeded),
            stored,
            others,
            min(worked) if worked else None,
        )


def summary(one: Setting, two: Setting, crash_run: Setting, db_run: Setting, users: int, seconds: float) -> str:
    """The figures as Markdown."""
    lines = ["| | 1 replica | 2 replicas | 2 / 1 |", "|---|---:|---:|---:|"]
    (n1, f1, r1), (n2, f2, r2) = interactions(one), interactions(two)
    lines += [
        f"| interactions (failed) | {n1} ({f1}) | {n2} ({f2}) | |",
        f"| interactions per second | {r1:.1f} | {r2:.1f} | {r2 / r1:.2f} |",
        f"| p50 ms, all requests (Locust's Aggregated) | {number(one.stats['Aggregated'], '50%'):.0f} | "
        f"{number(two.stats['Aggregated'], '50%'):.0f} | |",
        f"| p95 ms, worst kind of interaction (target <= {P95_TARGET_MS}) | {worst_p95(one):.0f} | "
        f"{worst_p95(two):.0f} "
        f"| {worst_p95(two) / worst_p95(one):.2f} |",
        f"| sessions that changed replica (target 0) | {len(switched(one))} of {len(one.pupils())} | "
        f"{len(switched(two))} of {len(two.pupils())} | |",
        f"| RSS per replica, warm idle -> peak | {memory(one)} | {memory(two)} | |",
        "",
    ]
    for title, setting in (("1 replica", one), ("2 replicas", two), ("2 replicas, one killed", crash_run)):
        lines += [
            f"### {title}",
            "",
            "| request | count | failures | p50 ms | p95 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
            *kind_rows(setting),
            "",
            f"Class room: {Landed.of(setting).line()}.",
            "",
        ]
        if setting.locust_errors:
            lines += [f"Locust's own errors: {'; '.join(setting.locust_errors[:5])}", ""]
    crash = Crash.of(crash_run)
    victim_failures = [f for lines_ in crash.victims.values() for f in failures(lines_)]
    other_failures = [f for lines_ in crash.others.values() for f in failures(lines_)]
    recovery = crash.recovery_seconds or [float("nan")]
    stayed = [p for p in crash.others if len(replicas_seen(crash.others[p])) > 1]
    lines += [
        f"{crash_run.killed} was killed (SIGKILL) "
        f"{crash_run.killed_at - min(line['t'] for line in crash_run.lines):.0f} s after the first pupil connected.",
        "",
        f"- Pupils on the killed replica: {len(crash.victims)}; {len(crash.went_on)} of them went on working on the "
        f"other replica, the first working interaction {statistics.median(recovery):.1f} s after the kill "
        f"(median; at most {max(recovery):.1f} s). They had {len(victim_failures)} failed interactions: "
        + ("; ".join(sorted(set(victim_failures))[:3]) if victim_failures else "none")
        + ".",
        f"- Pupils on the other replica: {len(crash.others)}, with **{len(other_failures)}** failures (target 0)"
        + (": " + "; ".join(sorted(set(other_failures))[:3]) if other_failures else "")
        + f"; {len(stayed)} of them changed replica (target 0).",
        f"- RSS: {memory(crash_run)}.",
        f"- Class room: {Landed.of(crash_run).line()}.",
        "",
    ]
    outage, (_, down, up, _) = Outage.of(db_run), db_run.db_down
    first = "none" if outage.first_send_after is None else f"{outage.first_send_after:.1f} s after it started again"
    lines += [
        f"### 2 replicas, the database stopped for {up - down:.0f} s",
        "",
        "| request | count | failures | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
        *kind_rows(db_run),
        "",
        f"PostgreSQL was stopped (`pg_ctl stop -m fast`, open sessions cut) "
        f"{down - min(line['t'] for line in db_run.lines):.0f} s after the first visitor connected and started "
        f"again {up - down:.0f} s later; the app was not restarted.",
        "",
        f"- While it was down: {outage.refused_during['send']} sends and {outage.refused_during['class view']} "
        f'class view refreshes answered with the message "{UNAVAILABLE}"; drawings stored while it was stopped (their '
        f"time in the database): {outage.stored_while_down} (target 0).",
        f"- After it was back: {outage.worked_after['send']} sends stored, {outage.worked_after['class view']} class "
        f"view refreshes shown; refused before the stop or after the start: {sum(outage.refused_outside.values())} "
        f"(target 0); the first send stored {first}.",
        f"- Every other failure (target none): {len(outage.other_failures)}"
        + (": " + "; ".join(sorted(set(outage.other_failures))[:3]) if outage.other_failures else "")
        + ".",
        f"- Class room: {Landed.of(db_run).line()}.",
    ]
    if users < FULL["users"] or seconds < FULL["seconds"]:
        lines[:0] = [
            f"**Short setting**: {users} pupils for {seconds:g} s, not the issue's {FULL['users']} for "
            f"{FULL['seconds']} s; the full run is `python benchmarks/replicas.py`.",
            "",
        ]
    return "\n".join(lines)


def p95(setting: Setting, kind: str) -> str:
    return f"{number(setting.stats[kind], '95%'):.0f}" if kind in setting.stats else ""


def class_table(grid: dict[tuple[int, int], Setting | str]) -> str:
    """One row per class size and replica count: the harness's state, the interactions and their failures (the
    app's), the 95th percentile of each kind, rows lost or doubled, and the replicas' CPU per interaction."""
    header = [
        "pupils",
        "replicas",
        "Locust",
        "interactions (failed)",
        *(f"p95 {kind}" for kind in KINDS),
        "worst p95",
        "rows lost or doubled",
        "replicas' CPU per interaction",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for (users, replicas), setting in sorted(grid.items()):
        if isinstance(setting, str):  # the harness failed: nothing measured
            cells = [str(users), str(replicas), f"**failed**: {setting}", *[""] * (len(header) - 3)]
        else:
            count, failed, _ = interactions(setting)
            harness = "exit 0" + (f", **{len(setting.harness_problems)} errors**" if setting.harness_problems else "")
            cells = [
                str(users),
                str(replicas),
                harness,
                f"{count} ({failed})",
                *(p95(setting, kind) for kind in KINDS),
                f"{worst_p95(setting):.0f}",
                str(len(Landed.of(setting).wrong)),
                f"{setting.cpu_ms / max(count, 1):.1f} ms",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


METHOD = [
    "Each pupil (benchmarks/locustfile.py) loads the page through nginx, which sets its affinity cookie, opens the",
    'WebSocket with it and speaks Streamlit\'s protocol: drawing a "2" in three strokes and clearing it (weight 3),',
    "moving the open tab's slider one notch (2), switching between the Draw tab and the Softmax explorer (1), with",
    "pauses of 0.5-1.5 s. A request's time runs from sending the widget states to the end of the script run, its",
    "result checked (a Prediction after a stroke, the chart redrawn after a slider move). Percentiles are Locust's,",
    "which rounds times over 100 ms to two significant digits. A pupil's replica is nginx's X-Digitdemo-Replica",
    "header on the page and on the WebSocket's upgrade response. Each replica gets one warm-up visit first. Locust,",
    "nginx and the replicas share this machine's cores, so 2 replicas cannot get twice the CPU of 1 here. While the",
    "replicas keep up, the pupils' pauses set the interactions per second: more replicas then show in the latencies,",
    "and in throughput only once one replica is saturated.",
    "Every pupil joins the setting's class room by its link (?room=CODE&student=TOKEN, a token of its own) and",
    'sends each finished "2" (reshaped a little each time: the app refuses to send one drawing twice): "pick"',
    'selects the digit meant, "send" clicks the send button and expects the page to say it was sent. One',
    "teacher (one of the visitors) opens the Class tab with the teacher link; its class view refreshes every 3 s",
    '("class view", a fragment rerun reading the room). All replicas share one PostgreSQL (scripts/postgres.py, on',
    "this machine). At the end, the room's rows of each pupil are counted and compared with its successful sends.",
    "Locust's own exit and output are checked apart from the app: a non-zero exit, a traceback or libev's assertion",
    "is a harness failure (the Locust column), while the app's failures are the interactions that failed. The",
    "replicas' CPU per interaction is their processes' CPU over the run divided by the interactions of every kind.",
    "",
]


def counts(text: str) -> list[int]:
    """'60,80,120' -> [60, 80, 120]."""
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=counts, default=[FULL["users"]], help="simulated pupils: one class or several")
    parser.add_argument("--replicas", type=counts, default=[1, 2], help="replica counts each class runs on")
    parser.add_argument("--seconds", type=float, default=FULL["seconds"], help="how long each setting runs")
    parser.add_argument("--rate", type=float, default=2, help="pupils started per second")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="a checkout of older code: first, the server CPU per stroke of this app beside its app's, in turn",
    )
    parser.add_argument("--no-write", action="store_true", help=f"print only; do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if min(args.users) < 2 or min(args.replicas) < 1 or args.seconds <= 0 or args.rate <= 0:
        parser.error(
            "--users must be at least 2 (one per replica), --replicas at least 1, --seconds and --rate positive"
        )
    load = os.getloadavg()
    host = (
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPU cores; load average "
        f"before the run {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)"
    )
    try:
        database = postgres.start()
    except RuntimeError as error:  # NotInstallableError included
        print(f"PostgreSQL: {error}", file=sys.stderr)
        return 1
    stroke_cpu = Report()
    if args.baseline_tree is not None:  # before the classes, on a machine not yet warmed by them
        bench_server_stroke(SPEED_FULL, stroke_cpu, args.baseline_tree)
    largest, smallest = max(args.users), min(args.users)
    grid: dict[tuple[int, int], Setting | str] = {}
    harness_failed = False

    def attempt(replicas: int, users: int, **faults) -> Setting | str:
        """One setting; a harness failure is kept as its message (and said apart from the app's failures)."""
        nonlocal harness_failed
        try:
            return run_setting(replicas, users, args.seconds, args.rate, database, **faults)
        except HarnessError as error:
            harness_failed = True
            print(f"HARNESS FAILURE (Locust, not the app): {error}", file=sys.stderr, flush=True)
            return str(error).splitlines()[0]

    try:
        for users in args.users:
            for replicas in args.replicas:
                grid[(users, replicas)] = attempt(replicas, users)
                print(f"done: {users} pupils on {replicas} replicas", file=sys.stderr, flush=True)
        crash_run = attempt(2, largest, kill_after=args.seconds / 2)
        db_run = attempt(
            2, smallest, db_down_after=args.seconds / 2, db_down_seconds=min(DB_DOWN_SECONDS, args.seconds / 4)
        )
    except RuntimeError as error:  # the app or its servers, not Locust
        print(error, file=sys.stderr)
        return 1
    finally:
        postgres.remove(database[0])
    command = "python benchmarks/replicas.py " + " ".join(argv if argv is not None else sys.argv[1:])
    one, two = grid.get((largest, 1)), grid.get((largest, 2))
    details = [one, two, crash_run, db_run]
    text = "\n".join(
        [
            "# Replicas behind nginx",
            "",
            f"`{command.strip()}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
            "",
            f"Machine: {host}. The load generator runs on the same cores as the replicas.",
            "",
            *METHOD,
            "## Class sizes",
            "",
            class_table(grid),
            "",
            *(
                ["## Server CPU per stroke, this app beside the old code", "", table(stroke_cpu), ""]
                if stroke_cpu.rows
                else []
            ),
            f"## {largest} pupils in detail (the database outage: {smallest} pupils)",
            "",
            summary(one, two, crash_run, db_run, largest, args.seconds)
            if all(isinstance(setting, Setting) for setting in details)
            else "Not measured: the harness failed in one of these settings (above).",
            "",
        ]
    )
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 2 if harness_failed else 0


if __name__ == "__main__":
    sys.exit(main())
