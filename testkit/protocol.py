"""Streamlit's WebSocket protocol as a browser tab speaks it, for the load tests: the messages sent after a stroke, a
tab click or a slider move, the replies read into what the page would show, and checks of those replies. Used by
benchmarks/load.py (asyncio) and benchmarks/locustfile.py (Locust, blocking sockets under gevent)."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from digitdemo.preprocess import CANVAS_SIDE
from digitdemo.strokes import draw_strokes
from testkit.server import VIEWPORT

PAGE_LOAD_MS = 120_000
INTERACTION_MS = 30_000  # an interaction whose rerun has not finished by then counts as an error
# The load generator's log line for an interaction cut off when its run ended (Locust stopping a pupil): not a failure
# of the app; a send cut off so may have been stored, like one whose connection broke.
STOPPED = "stopped: the run ended before the answer"
STREAM = "/_stcore/stream"  # the WebSocket a page talks to the server on
FINISHED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
CANVAS_KEY, SPACE_KEY = "draw_canvas", "draw_space"  # the Draw tab's canvas, and the component measuring its space
# What that component reports in a VIEWPORT-sized window: a column as wide as the usual canvas.
SPACE = {"width": CANVAS_SIDE, "top": 300, "height": VIEWPORT["height"], "window": VIEWPORT["width"]}


def stream_url(url: str) -> str:
    """'http://host:port' -> the WebSocket URL of the app's stream."""
    return url.replace("http", "ws", 1) + STREAM


def stream_options(url: str, cookie: str | None = None) -> dict[str, Any]:
    """Keyword arguments for websockets' `connect` (asyncio or sync) that open the stream as a page from `url` does,
    sending `cookie` (a Cookie header, such as the load balancer's affinity cookie) when given."""
    options: dict[str, Any] = {"subprotocols": ["streamlit"], "origin": url, "max_size": None}
    if cookie:
        options["additional_headers"] = {"Cookie": cookie}
    return options


def canvas_state(strokes: list[list[tuple[float, float]]], canvas: dict) -> str:
    """The canvas's widget state after `strokes` (points as fractions of its sides), as its frontend sends it: the
    Fabric.js paths (placed as Fabric 7 places them: left/top at the centre of each path's box), and the picture as
    a PNG data URL only when the app asked for it (returnImageData). `canvas` is what the app told the canvas."""
    width, height, pen_width = canvas["canvasWidth"], canvas["canvasHeight"], canvas["strokeWidth"]
    paths = []
    for stroke in strokes:
        points = np.array([(fx * width, fy * height) for fx, fy in stroke], dtype=np.float64)
        low, high = points.min(axis=0), points.max(axis=0)
        path = [["M", *points[0]]] + [["L", x, y] for x, y in points[1:]]
        paths.append(
            {
                "type": "Path",
                "originX": "center",
                "originY": "center",
                "left": (low[0] + high[0]) / 2,
                "top": (low[1] + high[1]) / 2,
                "width": high[0] - low[0],
                "height": high[1] - low[1],
                "stroke": "#ffffff",
                "strokeWidth": pen_width,
                "fill": None,
                "strokeLineCap": "round",
                "strokeLineJoin": "round",
                "path": path,
            }
        )
    raw = {"objects": paths, "background": "#000000"}
    url = None
    if canvas.get("returnImageData", True):
        png = io.BytesIO()
        Image.fromarray(draw_strokes(raw, width, width)).save(png, "PNG")
        url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    return json.dumps({"drawing": {"raw": raw, "data": url}})


def widget_key(element_id: str) -> str | None:
    """'$$ID-<hash>-<key>' -> the key the app gave the widget; None for an element that is not a widget or has no
    key (Streamlit writes that key as 'None')."""
    parts = element_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" and parts[2] != "None" else None


@dataclass
class Run:
    """What the server sent for one script run, and how long after `start` (time.perf_counter) it ended."""

    start: float = 0.0
    ms: float = 0.0
    status: int = -1
    widgets: dict[str, Any] = field(default_factory=dict)  # key -> the widget's element
    metrics: dict[str, str] = field(default_factory=dict)  # label -> value shown
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (format: "SUCCESS", "WARNING", ..., text) shown
    exceptions: list[str] = field(default_factory=list)
    received: int = 0  # bytes


class ProtocolClient:
    """One browser tab's side of the WebSocket: sends the state of every widget it has set with each rerun, and reads
    the replies. Unlike a browser it declares no cached messages, so the server sends every message in full.
    `websocket` is a websockets asyncio connection (for `rerun`), or for `rerun_blocking` any connection with
    send(bytes) and recv(timeout=) (the Locust pupils' GeventWebSocket); `query` is the
    page address's query string ('room=ACD34X&student=...'), sent with every rerun as the browser does."""

    def __init__(self, websocket, query: str = "") -> None:
        self.websocket = websocket
        self.query = query
        self.ids: dict[str, str] = {}  # widget key -> widget id
        self.fragments: dict[str, str] = {}  # widget key -> the fragment it is drawn in ("" outside fragments)
        self.states: dict[str, tuple[str, Any]] = {}  # widget id -> (WidgetState field, value)
        self.triggers: set[str] = set()  # ids of buttons clicked since the last rerun

    def set(self, key: str, kind: str, value: Any) -> None:
        self.states[self.ids[key]] = (kind, value)

    def click(self, key: str) -> None:
        """Click the button `key`: a trigger sent with the next rerun only, as a browser sends it."""
        self.triggers.add(self.ids[key])

    async def rerun(self, fragment_of: str | None = None, run: Run | None = None) -> Run:
        """Send the widget states (rerunning only the fragment of widget `fragment_of`, as a browser does) and read
        the replies up to the end of the run, into `run` when given (the time then counts from its start)."""
        run = run or Run(start=time.perf_counter())
        await self.websocket.send(self.request(fragment_of))
        while not self.take(await self.websocket.recv(), run):
            pass
        return run

    def rerun_blocking(self, timeout: float, fragment_of: str | None = None, run: Run | None = None) -> Run:
        """`rerun` on a sync connection; TimeoutError when a reply takes longer than `timeout` s."""
        run = run or Run(start=time.perf_counter())
        self.websocket.send(self.request(fragment_of))
        while not self.take(self.websocket.recv(timeout=timeout), run):
            pass
        return run

    async def load(self) -> Run:
        """A page load: the first run, then the one the measured space asks for (`measure`), read into one Run."""
        run = await self.rerun()
        return await self.rerun(SPACE_KEY, run) if self.measure(run) else run

    def load_blocking(self, timeout: float) -> Run:
        """`load` on a sync connection; TimeoutError when a reply takes longer than `timeout` s."""
        run = self.rerun_blocking(timeout)
        return self.rerun_blocking(timeout, SPACE_KEY, run) if self.measure(run) else run

    def measure(self, run: Run) -> bool:
        """After a page's first run: when it drew the component that measures the canvas's space (ui/canvas_space.py)
        and not yet the canvas, set the space the component reports in a VIEWPORT-sized window, as the browser
        sends it, and say True: the canvas is drawn in the rerun that follows."""
        if SPACE_KEY not in run.widgets or CANVAS_KEY in run.widgets:
            return False
        self.set(SPACE_KEY, "json_value", json.dumps({"space": SPACE}))
        return True

    def request(self, fragment_of: str | None) -> bytes:
        """The serialized BackMsg asking for a rerun with every widget state set so far."""
        message = BackMsg()
        client = message.rerun_script
        client.context_info.locale, client.context_info.timezone = "en-US", "UTC"
        client.query_string = self.query
        client.fragment_id = self.fragments.get(fragment_of, "") if fragment_of else ""
        for widget_id, (kind, value) in self.states.items():
            widget = client.widget_states.widgets.add(id=widget_id)
            if kind.endswith("_array_value"):
                getattr(widget, kind).data.extend(value)
            else:
                setattr(widget, kind, value)
        for widget_id in self.triggers:
            client.widget_states.widgets.add(id=widget_id).trigger_value = True
        self.triggers.clear()
        return message.SerializeToString()

    def take(self, payload: bytes, run: Run) -> bool:
        """Read one ForwardMsg into `run`; True when it ends the run (and `run.ms` is set)."""
        reply = ForwardMsg.FromString(payload)
        run.received += len(payload)
        if reply.WhichOneof("type") == "script_finished":
            run.ms, run.status = (time.perf_counter() - run.start) * 1000, reply.script_finished
            return True
        if reply.WhichOneof("type") == "delta":
            self.read(reply.delta, run)
        return False

    def read(self, delta, run: Run) -> None:
        if delta.WhichOneof("type") == "add_block" and delta.add_block.WhichOneof("type") == "tab_container":
            self.ids["tabs"] = delta.add_block.tab_container.id
        if delta.WhichOneof("type") != "new_element":
            return
        kind = delta.new_element.WhichOneof("type")
        element = getattr(delta.new_element, kind)
        if kind == "exception":
            run.exceptions.append(element.message)
        elif kind == "metric":
            run.metrics[element.label] = element.body
        elif kind == "alert":
            run.alerts.append((Alert.Format.Name(element.format), element.body))
        key = widget_key(getattr(element, "id", ""))
        if key:
            self.ids[key], self.fragments[key], run.widgets[key] = element.id, delta.fragment_id, element


def what_went_wrong(run: Run, check: Callable[[Run], str | None]) -> str | None:
    """None when the run finished without an exception and passes `check`; else what the visitor would see."""
    if run.status not in FINISHED:
        return f"the run ended with status {run.status}"
    if run.exceptions:
        return f"the page shows an exception: {run.exceptions[0][:80]}"
    return check(run)


def expect_tab(opened: str, closed: str | None) -> Callable[[Run], str | None]:
    """After a tab click: the widget `opened`, on the tab now open, was drawn; `closed`, on a tab now closed, was not
    (the app builds a tab only while it is open, the Draw tab excepted)."""

    def check(run: Run) -> str | None:
        if opened not in run.widgets:
            return f"{opened} was not drawn"
        return f"{closed} was drawn on a closed tab" if closed in run.widgets else None

    return check


def expect_changed(key: str, before: bytes) -> Callable[[Run], str | None]:
    """After a slider move: the element `key` was drawn again and differs from `before` (its serialized form)."""

    def check(run: Run) -> str | None:
        if key not in run.widgets:
            return f"{key} was not redrawn"
        return None if run.widgets[key].SerializeToString() != before else f"{key} did not change"

    return check


def expect_prediction(shown: bool) -> Callable[[Run], str | None]:
    def check(run: Run) -> str | None:
        if ("Prediction" in run.metrics) == shown:
            return None
        return "no Prediction shown" if shown else "a Prediction is still shown on a clear canvas"

    return check


def expect_board(key: str, z0: float, seq: int) -> Callable[[Run], str | None]:
    """After a release on the live board `key`: it was drawn again with z0 = `z0` and the release's number `seq`."""

    def check(run: Run) -> str | None:
        if key not in run.widgets:
            return f"{key} was not redrawn"
        data = json.loads(run.widgets[key].json)
        if data["seq"] != seq:
            return f"{key} was drawn for release {data['seq']}, not {seq}"
        shown = data["values"]["z"][0]
        return None if abs(shown - z0) < 1e-9 else f"{key} shows z0 = {shown}, not {z0}"

    return check


@dataclass(frozen=True)
class Control:
    """A control a visitor moves on a tab: the widget `key` whose state a move sends, the element `shows` a move
    draws again, and the key of the range input a browser moves (`handle`)."""

    key: str
    shows: str
    handle: str


class Slider(Control):
    """A Streamlit slider."""

    def value(self, widgets: dict[str, Any]) -> float:
        """The value the slider shows: the one the app set, else its default."""
        slider = widgets[self.key]
        return slider.value[0] if slider.value else slider.default[0]

    def step(self, widgets: dict[str, Any], value: float, step: int) -> float:
        """The value `step` notches from `value`, kept within the slider's range."""
        slider = widgets[self.key]
        return min(max(value + step * slider.step, slider.min), slider.max)

    def move(self, client: ProtocolClient, widgets: dict[str, Any], value: float) -> Callable[[Run], str | None]:
        """Set the slider to `value` for the next rerun; the check of that rerun."""
        client.set(self.key, "double_array_value", [value])
        return expect_changed(self.shows, widgets[self.shows].SerializeToString())


class SoftmaxBoard(Control):
    """The Softmax explorer's live board (ui/live), moved by its z0 slider: on release the browser sends all the
    board's values with the release's number as the board's state, {"commit": {n, z, T, wide, shift, seq}}, and the
    server draws the board again with them."""

    def value(self, widgets: dict[str, Any]) -> float:
        """The z0 the board shows."""
        return json.loads(widgets[self.key].json)["values"]["z"][0]

    def step(self, widgets: dict[str, Any], value: float, step: int) -> float:
        """z0 `step` notches from `value`, kept within the range the board's sliders have now."""
        data = json.loads(widgets[self.key].json)
        limits = data["limits"]
        low, high = (
            (limits["wide_min"], limits["wide_max"]) if data["values"]["wide"] else (limits["z_min"], limits["z_max"])
        )
        return min(max(round(value + step * limits["z_step"], 1), low), high)

    def move(self, client: ProtocolClient, widgets: dict[str, Any], value: float) -> Callable[[Run], str | None]:
        """Release z0 at `value` for the next rerun, as the board sends it; the check of that rerun."""
        data = json.loads(widgets[self.key].json)
        values, seq = data["values"], data["seq"] + 1
        z = [value, *values["z"][1 : values["n"]]]
        client.set(self.key, "json_value", json.dumps({"commit": {**values, "z": z, "seq": seq}}))
        return expect_board(self.key, value, seq)


# The tabs a visitor opens and the control moved on each: (tab, control, a widget the tab click must leave unbuilt,
# if any); the tab click must draw the control.
SLIDERS = (
    ("Softmax explorer", SoftmaxBoard("softmax_live", "softmax_live", "softmax_z0"), None),
    ("Draw", Slider("draw_pen_width", "draw_canvas", "draw_pen_width"), "softmax_live"),
)
