"""A class on the app, for Locust: each simulated pupil opens the page through the load balancer, then speaks
Streamlit's WebSocket protocol (testkit/protocol.py) to draw a "2", move sliders and switch tabs.

`locust -f benchmarks/locustfile.py --headless --host http://127.0.0.1:PORT -u 60 -r 2 -t 3m --csv out` from the
repository root; benchmarks/replicas.py runs it against replicas behind nginx (deploy/replicas.py). Every interaction
is a Locust request of type "WS" named by its kind (load: the page's first script run; stroke, clear, slider, tab),
beside the HTTP "page" load, so percentiles and failures are Locust's own. A connection that breaks is a failure
and the pupil opens the page again, as Streamlit's page does. With DIGITDEMO_LOCUST_LOG set to a file, every pupil
appends to it one JSON line per interaction: who, when, which replica served it (nginx's X-Digitdemo-Replica
header on the page and on the WebSocket's upgrade response), and whether it worked.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import gevent
from locust import HttpUser, between, task
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # Locust imports this file by path: the support code lives beside this folder
    sys.path.insert(0, str(ROOT))

from deploy.replicas import COOKIE, HEADER  # noqa: E402
from testkit.protocol import (  # noqa: E402
    INTERACTION_MS,
    PAGE_LOAD_MS,
    SLIDERS,
    ProtocolClient,
    Run,
    canvas_state,
    expect_changed,
    expect_prediction,
    expect_tab,
    slider_step,
    slider_value,
    stream_options,
    stream_url,
    what_went_wrong,
)
from testkit.server import DIGIT_STROKES  # noqa: E402

LOG = os.environ.get("DIGITDEMO_LOCUST_LOG")
THINK_SECONDS = (0.5, 1.5)  # a pupil's pause between two strokes of one digit
BROKEN = (OSError, TimeoutError, WebSocketException)  # the connection is gone: open the page again
PUPILS = itertools.count()
TABS = {tab: (key, shows, closed) for tab, key, shows, closed in SLIDERS}


class Pupil(HttpUser):
    """One pupil's browser tab: mostly drawing, some slider moves, a few tab switches."""

    wait_time = between(*THINK_SECONDS)

    # Not here yet: a pupil's "send" (the drawing to the class room) and the teacher's class view refreshing, the
    # rest of a class's mix in issue 14. Both need the class rooms' database (issue 12, digitdemo/rooms.py); add
    # them here as tasks named "send" and "class view" when it lands.

    def on_start(self) -> None:
        self.pupil = next(PUPILS)
        self.protocol: ProtocolClient | None = None
        self.replica = ""  # the replica of the current connection
        self.direction = 1

    def on_stop(self) -> None:
        self.close()

    def close(self) -> None:
        if self.protocol is not None:
            self.protocol.websocket.close()
            self.protocol = None

    def open_page(self) -> bool:
        """Load the page (which sets nginx's affinity cookie), open its WebSocket with the cookie and run the script
        once; False, with the failure recorded, when any of it fails."""
        start = time.perf_counter()
        try:
            page = self.client.get("/", name="page", timeout=PAGE_LOAD_MS / 1000)
            page.raise_for_status()
            cookie = self.client.cookies.get(COOKIE)
            websocket = connect(
                stream_url(self.host),
                **stream_options(self.host, f"{COOKIE}={cookie}" if cookie else None),
                open_timeout=PAGE_LOAD_MS / 1000,
            )
        except BROKEN as error:  # requests' errors are OSErrors too
            self.record("load", start, None, f"{type(error).__name__}: {error}")
            return False
        self.replica = websocket.response.headers.get(HEADER, "")
        self.log(event="connect", page=page.headers.get(HEADER, ""), replica=self.replica)
        # A fresh page: no widget seen or set yet, the Draw tab open.
        self.protocol, self.widgets, self.values, self.tab = ProtocolClient(websocket), {}, {}, "Draw"
        run = self.interact("load", expect_tab("draw_canvas", None))
        if run is None:
            return False
        canvas = json.loads(run.widgets["draw_canvas"].json)
        self.drawings = [canvas_state(DIGIT_STROKES[: n + 1], canvas) for n in range(len(DIGIT_STROKES))]
        self.blank = canvas_state([], canvas)
        return True

    def interact(self, kind: str, check: Callable[[Run], str | None], fragment_of: str | None = None) -> Run | None:
        """Rerun with the widget states set, check the result and report it to Locust; None when it failed."""
        start = time.perf_counter()
        try:
            run = self.protocol.rerun_blocking(INTERACTION_MS / 1000, fragment_of)
        except BROKEN as error:
            self.close()
            self.record(kind, start, None, f"connection lost: {type(error).__name__}: {error}")
            return None
        problem = what_went_wrong(run, check)
        self.record(kind, start, run, problem)
        if problem:
            return None
        self.widgets.update(run.widgets)
        return run

    def record(self, kind: str, start: float, run: Run | None, problem: str | None) -> None:
        """One Locust request event, and one line in the log."""
        ms = run.ms if run is not None else (time.perf_counter() - start) * 1000
        self.environment.events.request.fire(
            request_type="WS",
            name=kind,
            response_time=ms,
            response_length=run.received if run is not None else 0,
            exception=RuntimeError(problem) if problem else None,
            context={"replica": self.replica},
        )
        self.log(event=kind, replica=self.replica, ok=problem is None, error=problem)

    def log(self, **fields) -> None:
        if LOG:
            with open(LOG, "a") as out:
                out.write(json.dumps({"pupil": self.pupil, "t": time.time(), **fields}) + "\n")

    def switch_tab(self, tab: str) -> bool:
        key, _, closed = TABS[tab]
        self.protocol.set("tabs", "string_value", tab)
        if self.interact("tab", expect_tab(key, closed)) is None:
            return False
        self.tab = tab
        return True

    @task(3)
    def draw(self) -> None:
        """A "2" stroke by stroke on the Draw tab, then a clear."""
        if self.protocol is None and not self.open_page():
            return
        if self.tab != "Draw" and not self.switch_tab("Draw"):
            return
        for drawing in self.drawings:
            self.protocol.set("draw_canvas", "json_value", drawing)
            if self.interact("stroke", expect_prediction(True), "draw_canvas") is None:
                return
            gevent.sleep(random.uniform(*THINK_SECONDS))
        self.protocol.set("draw_canvas", "json_value", self.blank)
        self.interact("clear", expect_prediction(False), "draw_canvas")

    @task(2)
    def slider(self) -> None:
        """One notch of the open tab's slider, back and forth between its ends."""
        if self.protocol is None and not self.open_page():
            return
        key, shows, _ = TABS[self.tab]
        slider = self.widgets[key]
        value = self.values.get(key, slider_value(slider))
        if slider_step(slider, value, self.direction) == value:
            self.direction = -self.direction  # at an end: turn back
        moved = slider_step(slider, value, self.direction)
        self.protocol.set(key, "double_array_value", [moved])
        if self.interact("slider", expect_changed(shows, self.widgets[shows].SerializeToString()), key) is not None:
            self.values[key] = moved

    @task(1)
    def tab(self) -> None:
        """Switch between the Draw tab and the Softmax explorer."""
        if self.protocol is None and not self.open_page():
            return
        self.switch_tab(next(tab for tab in TABS if tab != self.tab))
