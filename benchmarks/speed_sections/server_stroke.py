"""The whole server process's CPU per stroke, this checkout's app against another checkout's (`--baseline-tree`, the
old code), both served at once and stroked in turn over Streamlit's protocol (testkit.protocol), as the canvas sends
a stroke to each: its strokes alone, or with its picture as a PNG where that app asks for one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from pathlib import Path

from websockets.asyncio.client import connect

from benchmarks.speed_sections.common import APP, ROOT, Report, Row, Setting, median
from benchmarks.speed_sections.servers import cpu_seconds
from testkit.protocol import (
    INTERACTION_MS,
    ProtocolClient,
    canvas_state,
    expect_prediction,
    expect_tab,
    stream_options,
    stream_url,
    what_went_wrong,
)
from testkit.server import DIGIT_STROKES, serve

JITTER = 0.03  # each "2" reshaped a little, as a pupil draws it (benchmarks/locustfile.py)
PAUSE_SECONDS = 0.1  # after each stroke's run, so the server has finished sending before its CPU is read


async def stroke_round(url: str, pid: int, digits: int, rng: random.Random) -> float:
    """A page on `url`, then `digits` "2"s stroke by stroke, each cleared after; the server process's CPU ms per
    stroke over the strokes alone (clears and the page load are not counted)."""
    async with connect(stream_url(url), **stream_options(url)) as websocket:
        client = ProtocolClient(websocket)
        page = await client.load()
        problem = what_went_wrong(page, expect_tab("draw_canvas", None))
        if problem:
            raise RuntimeError(f"the page at {url} failed: {problem}")
        canvas = json.loads(page.widgets["draw_canvas"].json)
        cpu_ms = strokes = 0.0
        for _ in range(digits):
            shaped = [
                [(x + rng.uniform(-JITTER, JITTER), y + rng.uniform(-JITTER, JITTER)) for x, y in stroke]
                for stroke in DIGIT_STROKES
            ]
            for n in range(len(shaped)):
                client.set("draw_canvas", "json_value", canvas_state(shaped[: n + 1], canvas))
                await asyncio.sleep(PAUSE_SECONDS)
                start = cpu_seconds(pid)
                run = await asyncio.wait_for(client.rerun("draw_canvas"), INTERACTION_MS / 1000)
                await asyncio.sleep(PAUSE_SECONDS)
                cpu_ms += (cpu_seconds(pid) - start) * 1000
                strokes += 1
                problem = what_went_wrong(run, expect_prediction(True))
                if problem:
                    raise RuntimeError(f"a stroke at {url} failed: {problem}")
            client.set("draw_canvas", "json_value", canvas_state([], canvas))
            await client.rerun("draw_canvas")
    return cpu_ms / strokes


def bench_server_stroke(setting: Setting, report: Report, baseline_tree: Path | None) -> None:
    """Rounds of strokes on this app and the baseline's in turn (order swapped every round); the medians of their
    per-round CPU per stroke, and of the ratios."""
    env = {"TF_CPP_MIN_LOG_LEVEL": "2"}
    rng = random.Random(0)
    with contextlib.ExitStack() as stack:
        servers = {"ours": stack.enter_context(serve(APP, env={**env, "PYTHONPATH": str(ROOT)}))}
        if baseline_tree is not None:
            tree = baseline_tree.resolve()
            servers["baseline"] = stack.enter_context(serve(APP, env={**env, "PYTHONPATH": str(tree)}, cwd=tree))
        for server in servers.values():  # a first round each, untimed: first runs fill caches
            asyncio.run(stroke_round(server.url, server.proc.pid, 1, rng))
        rounds: dict[str, list[float]] = {name: [] for name in servers}
        started = time.perf_counter()
        for i in range(setting.server_stroke_rounds):
            for name in list(servers)[:: 1 if i % 2 == 0 else -1]:
                server = servers[name]
                rounds[name].append(
                    asyncio.run(stroke_round(server.url, server.proc.pid, setting.server_stroke_digits, rng))
                )
    strokes = setting.server_stroke_rounds * setting.server_stroke_digits * len(DIGIT_STROKES)
    ours = median(rounds["ours"])
    note = (
        f'{setting.server_stroke_rounds} rounds of {setting.server_stroke_digits} "2"s ({strokes} strokes) on '
        f"each server in turn over Streamlit's protocol, {time.perf_counter() - started:.0f} s; per-round "
        f"figures ours {', '.join(f'{v:.1f}' for v in rounds['ours'])} ms"
    )
    if "baseline" in rounds:
        theirs = median(rounds["baseline"])
        ratio = median([b / o for o, b in zip(rounds["ours"], rounds["baseline"], strict=True)])
        note += f"; baseline {', '.join(f'{v:.1f}' for v in rounds['baseline'])} ms"
        report.rows.append(
            Row(
                "Whole server process CPU per stroke, over the protocol",
                ours,
                "ms",
                theirs,
                f"old code ({baseline_tree})",
                "<= a third of the old",
                ratio >= 3,
                note,
                ratio,
            )
        )
    else:
        report.rows.append(Row("Whole server process CPU per stroke, over the protocol", ours, "ms", note=note))
    report.details["server_stroke"] = rounds
