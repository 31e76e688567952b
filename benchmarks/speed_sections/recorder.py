"""The recorder a visitor's page runs before its own scripts (recorder.js), and what its record says."""

from __future__ import annotations

import base64
import math
from pathlib import Path

# Installed in every page before its own scripts, on the page's clock (performance.now(), ms from navigation start).
VISITOR_RECORDER = (Path(__file__).parent / "recorder.js").read_text()
QUIET_FOR = "() => performance.now() - window.__visitor.last"  # ms since the page last changed or got a message
VISITOR_RECORD = """() => {
  const rec = window.__visitor, [navigation] = performance.getEntriesByType("navigation");
  return {batches: rec.batches, paints: rec.paints, messages: rec.messages,
          sends: rec.sends, releases: rec.releases, cost: rec.cost, html: navigation.responseEnd,
          loaded: navigation.domContentLoadedEventEnd};
}"""


def paint_after(paints: list[list[float]], at: float) -> float:
    """Page ms at which the first frame begun at or after `at` had been painted; NaN if none was."""
    return min((painted for begun, painted in paints if begun >= at), default=math.nan)


def idle_painted(record: dict, ends: list[float]) -> float:
    """Page ms of the first frame painted after both the page's last DOM change and the last run's end it received:
    a run that changes nothing on the page may not even flip the idle mark, so its end message is all it leaves."""
    last = [at for at, _, _ in record["batches"][-1:]] + ends
    return paint_after(record["paints"], max(last)) if last else math.nan


def message_times(record: dict) -> tuple[list[float], list[float]]:
    """(page ms of each rerun request the page sent, page ms of each run's end it received), from the messages'
    bytes decoded as Streamlit's BackMsg and ForwardMsg."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    requests = [
        at
        for at, data in record["sends"]
        if BackMsg.FromString(base64.b64decode(data)).WhichOneof("type") == "rerun_script"
    ]
    ends = [
        at
        for at, data in record["messages"]
        if data and ForwardMsg.FromString(base64.b64decode(data)).WhichOneof("type") == "script_finished"
    ]
    return requests, ends
