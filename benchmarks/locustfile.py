"""A class on the app, for Locust: each simulated pupil opens the page through the load balancer, then speaks
Streamlit's WebSocket protocol (testkit/protocol.py) to draw a "2", move sliders and switch tabs.

`locust -f benchmarks/locustfile.py --headless --host http://127.0.0.1:PORT -u 60 -r 2 -t 3m --csv out` from the
repository root; benchmarks/replicas.py runs it against replicas behind nginx (deploy/replicas.py). Every interaction
is a Locust request of type "WS" named by its kind (load: the page's first script run; stroke, clear, slider, tab),
beside the HTTP "page" load, so percentiles and failures are Locust's own. A connection that breaks is a failure
and the pupil opens the page again, as Streamlit's page does. With DIGITDEMO_LOCUST_LOG set to a file, every pupil
appends to it one JSON line per interaction: who, when, which replica served it (nginx's X-Digitdemo-Replica
header on the page and on the WebSocket's upgrade response), and whether it worked.

With DIGITDEMO_LOCUST_ROOM set to a class room's 'CODE:TEACHER_KEY' (benchmarks/replicas.py opens one), the lesson
is complete: pupils join by the room's link (?room=CODE&student=TOKEN in their page's address) and send each
finished "2" to the room (kinds "pick": the digit meant, "send": the send button), and one teacher follows the
class view on the Class tab ("class tab", then "class view" every time its fragment refreshes).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import HttpUser, between, constant_pacing, task
from websocket import ABNF, WebSocket, WebSocketException, WebSocketTimeoutException, create_connection

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # Locust imports this file by path: the support code lives beside this folder
    sys.path.insert(0, str(ROOT))

from deploy.replicas import COOKIE, HEADER  # noqa: E402
from digitdemo.i18n import message  # noqa: E402
from digitdemo.rooms import new_student_token  # noqa: E402
from testkit.protocol import (  # noqa: E402
    INTERACTION_MS,
    PAGE_LOAD_MS,
    SLIDERS,
    STOPPED,
    ProtocolClient,
    Run,
    canvas_state,
    expect_prediction,
    expect_tab,
    stream_options,
    stream_url,
    what_went_wrong,
)
from testkit.server import DIGIT_STROKES  # noqa: E402
from ui.classroom_view import REFRESH_SECONDS  # noqa: E402
from ui.room_access import ROOM_PARAM, STUDENT_PARAM, TEACHER_PARAM  # noqa: E402
from ui.send_bar import DIGIT_KEY  # noqa: E402

LOG = os.environ.get("DIGITDEMO_LOCUST_LOG")
THINK_SECONDS = (0.5, 1.5)  # a pupil's pause between two strokes of one digit
BROKEN = (OSError, TimeoutError, WebSocketException)  # the connection is gone: open the page again


class GeventWebSocket:
    """A pupil's WebSocket as testkit.protocol's ProtocolClient uses a sync one (send bytes, recv with a timeout,
    close), on websocket-client: one plain socket read and written by the pupil's own greenlet, which Locust's
    gevent (its sockets monkey-patched) waits on cooperatively. Not websockets.sync, which reads in a thread of its
    own through a selector: at 80 pupils and more, a socket it closed while gevent still watched its descriptor
    aborted Locust at shutdown (libev's 'I/O watcher with invalid fd' assertion, issue 24). Here only the greenlet
    that reads a socket closes it, so no watcher outlives its descriptor."""

    def __init__(self, url: str, cookie: str | None, timeout: float) -> None:
        options = stream_options(url, cookie)
        self.socket: WebSocket = create_connection(
            stream_url(url),
            timeout=timeout,
            subprotocols=options["subprotocols"],
            origin=options["origin"],
            header=[f"{name}: {value}" for name, value in options.get("additional_headers", {}).items()],
            enable_multithread=False,  # one greenlet per socket: no lock needed
        )
        self.headers = {name.lower(): value for name, value in (self.socket.getheaders() or {}).items()}

    def send(self, payload: bytes) -> None:
        self.socket.send(payload, opcode=ABNF.OPCODE_BINARY)

    def recv(self, timeout: float) -> bytes:
        """The next message; TimeoutError when none came within `timeout` s."""
        self.socket.settimeout(timeout)
        try:
            return self.socket.recv()
        except WebSocketTimeoutException as error:
            raise TimeoutError(f"no reply within {timeout:g} s") from error

    def close(self) -> None:
        with contextlib.suppress(*BROKEN):
            self.socket.close(timeout=1)


ROOM = os.environ.get("DIGITDEMO_LOCUST_ROOM")  # 'CODE:TEACHER_KEY' of the class room, if any
CODE, TEACHER_KEY = ROOM.split(":", 1) if ROOM else (None, None)
# How far (a fraction of the canvas) each point of a "2" moves at random: the app centres a drawing, so a shifted
# copy reads as the same input, which it refuses to send twice; a reshaped one is a new drawing.
JITTER = 0.03
SEND = "classroom_send"
CLASS_TAB = "Class"
CLASS_VIEW = "classroom_confusion"  # a widget in the class view's fragment, which refreshes on its own
VISITORS = itertools.count()  # pupils and the teacher, numbered as they start
TABS = {tab: (control, closed) for tab, control, closed in SLIDERS}


def warned(run: Run, missing: str) -> str:
    """What the page says instead of the result (its first warning), else `missing`."""
    said = [text for kind, text in run.alerts if kind == "WARNING"]
    return f"the page says: {said[0]}" if said else missing


def expect_send_button(run: Run) -> str | None:
    """After the digit meant was picked: the send button can be clicked (not when this drawing was sent already)."""
    if SEND not in run.widgets:
        return "no send button"
    return "the send button is disabled: this drawing was sent already" if run.widgets[SEND].disabled else None


def expect_sent(run: Run) -> str | None:
    """After the send button: the send bar says the drawing was sent; else what it says instead."""
    return None if any(kind == "SUCCESS" for kind, _ in run.alerts) else warned(run, "no outcome of the send shown")


def expect_class_view(run: Run) -> str | None:
    """After the class view refreshed: it shows the class's count of drawings; else what it says instead."""
    return None if message("en", "classroom.count") in run.metrics else warned(run, "the class view shows no count")


class Visitor(HttpUser):
    """One browser tab on the app, speaking its protocol through the load balancer."""

    abstract = True
    query = ""  # the page address's query string

    def on_start(self) -> None:
        self.visitor = next(VISITORS)
        self.protocol: ProtocolClient | None = None
        self.replica = ""  # the replica of the current connection

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
            path = f"/?{self.query}" if self.query else "/"
            page = self.client.get(path, name="page", timeout=PAGE_LOAD_MS / 1000)
            page.raise_for_status()
            cookie = self.client.cookies.get(COOKIE)
            websocket = GeventWebSocket(self.host, f"{COOKIE}={cookie}" if cookie else None, PAGE_LOAD_MS / 1000)
        except BROKEN as error:  # requests' errors are OSErrors too
            self.record("load", start, None, f"{type(error).__name__}: {error}")
            return False
        self.replica = websocket.headers.get(HEADER.lower(), "")
        self.log(event="connect", page=page.headers.get(HEADER, ""), replica=self.replica, role=self.role)
        # A fresh page: no widget seen or set yet, the Draw tab open.
        self.protocol, self.widgets, self.values, self.tab = ProtocolClient(websocket, self.query), {}, {}, "Draw"
        run = self.interact("load", expect_tab("draw_canvas", None))
        if run is None:
            return False
        self.canvas = json.loads(run.widgets["draw_canvas"].json)
        return True

    def interact(self, kind: str, check: Callable[[Run], str | None], fragment_of: str | None = None) -> Run | None:
        """Rerun with the widget states set, check the result and report it to Locust; None when it failed."""
        start = time.perf_counter()
        try:
            if kind == "load":  # the page's first run and the one its measured space asks for
                run = self.protocol.load_blocking(INTERACTION_MS / 1000)
            else:
                run = self.protocol.rerun_blocking(INTERACTION_MS / 1000, fragment_of)
        except BROKEN as error:
            self.close()
            self.record(kind, start, None, f"connection lost: {type(error).__name__}: {error}")
            return None
        except gevent.GreenletExit:  # Locust stopping this pupil mid-interaction: the run's end, not the app's fault
            self.log(event=kind, replica=self.replica, ok=False, error=STOPPED)
            raise
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
                out.write(json.dumps({"pupil": self.visitor, "t": time.time(), **fields}) + "\n")

    def switch_tab(self, tab: str) -> bool:
        control, closed = TABS[tab]
        self.protocol.set("tabs", "string_value", tab)
        if self.interact("tab", expect_tab(control.key, closed)) is None:
            return False
        self.tab = tab
        return True


class Pupil(Visitor):
    """One pupil's browser tab: mostly drawing (and sending each drawing to the class room, when there is one),
    some slider moves, a few tab switches."""

    wait_time = between(*THINK_SECONDS)
    role = "pupil"

    def on_start(self) -> None:
        super().on_start()
        self.direction = 1
        self.token = new_student_token()
        # The room's link, with this browser's token as the app puts it in the address: a reload keeps both.
        self.query = urlencode({ROOM_PARAM: CODE, STUDENT_PARAM: self.token}) if CODE else ""
        self.log(event="student", token=self.token)

    @task(3)
    def draw(self) -> None:
        """A "2" stroke by stroke on the Draw tab (reshaped a little each time), sent to the room, then a clear."""
        if self.protocol is None and not self.open_page():
            return
        if self.tab != "Draw" and not self.switch_tab("Draw"):
            return
        strokes = [
            [(x + random.uniform(-JITTER, JITTER), y + random.uniform(-JITTER, JITTER)) for x, y in stroke]
            for stroke in DIGIT_STROKES
        ]
        for n in range(len(strokes)):
            self.protocol.set("draw_canvas", "json_value", canvas_state(strokes[: n + 1], self.canvas))
            if self.interact("stroke", expect_prediction(True), "draw_canvas") is None:
                return
            gevent.sleep(random.uniform(*THINK_SECONDS))
        if CODE and not self.send():
            return
        self.protocol.set("draw_canvas", "json_value", canvas_state([], self.canvas))
        self.interact("clear", expect_prediction(False), "draw_canvas")

    def send(self) -> bool:
        """Pick the digit meant (a "2") in the send bar, then click send; False if either failed."""
        if DIGIT_KEY not in self.protocol.ids:
            self.record("pick", time.perf_counter(), None, "the send bar was not drawn")
            return False
        self.protocol.set(DIGIT_KEY, "string_array_value", ["2"])
        if self.interact("pick", expect_send_button, DIGIT_KEY) is None:
            return False
        self.protocol.click(SEND)
        sent = self.interact("send", expect_sent, SEND)
        if self.protocol is not None:  # None when the connection broke: the next page starts afresh
            self.protocol.set(DIGIT_KEY, "string_array_value", [])  # the app empties the choice after a send
        return sent is not None

    @task(2)
    def slider(self) -> None:
        """One notch of the open tab's slider, back and forth between its ends."""
        if self.protocol is None and not self.open_page():
            return
        control, _ = TABS[self.tab]
        value = self.values.get(control.key, control.value(self.widgets))
        if control.step(self.widgets, value, self.direction) == value:
            self.direction = -self.direction  # at an end: turn back
        moved = control.step(self.widgets, value, self.direction)
        if self.interact("slider", control.move(self.protocol, self.widgets, moved), control.key) is not None:
            self.values[control.key] = moved

    @task(1)
    def tab(self) -> None:
        """Switch between the Draw tab and the Softmax explorer."""
        if self.protocol is None and not self.open_page():
            return
        self.switch_tab(next(tab for tab in TABS if tab != self.tab))


class Teacher(Visitor):
    """The teacher's browser tab on the projector: comes back to the room with the teacher link, opens the Class tab
    and leaves the class view refreshing itself every REFRESH_SECONDS. One per lesson, only when there is a room."""

    abstract = ROOM is None
    fixed_count = 1
    wait_time = constant_pacing(REFRESH_SECONDS)
    role = "teacher"

    def open_class(self) -> bool:
        """Load the page with the teacher link and open the Class tab; False, with the failure recorded, if not."""
        self.query = urlencode({ROOM_PARAM: CODE, TEACHER_PARAM: TEACHER_KEY})
        if not self.open_page():
            return False
        self.protocol.query = ""  # the app takes the room and key out of the address bar
        self.protocol.set("tabs", "string_value", CLASS_TAB)
        if self.interact("class tab", expect_tab(CLASS_VIEW, None)) is None:
            self.close()  # open the page again next time
            return False
        return True

    @task
    def class_view(self) -> None:
        """The class view's fragment rerun, as the page asks for it every REFRESH_SECONDS."""
        if self.protocol is None and not self.open_class():
            return
        self.interact("class view", expect_class_view, CLASS_VIEW)
