"""The canvas's own pictures of drawn digits, captured once in Chromium for tests/test_strokes.py: each digit of
testkit.synth drawn with the mouse on streamlit-drawable-canvas (its pen set to the digit's), and what the canvas
sent for it, the Fabric.js strokes and the PNG it painted, read from the page's WebSocket.

`python -m testkit.canvas_capture` (about a minute) rewrites tests/data/canvas_drawings.json.
"""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path

import numpy as np
from streamlit.proto.BackMsg_pb2 import BackMsg

from deploy.servers import ROOT
from testkit.server import CANVAS, CHROMIUM, CHROMIUM_ARGS, IDLE, VIEWPORT, serve
from testkit.synth import TEMPLATES, place_strokes

OUT = ROOT / "tests" / "data" / "canvas_drawings.json"
SEED = 24
MOUNT_MS = 1500  # the canvas can show before its pen listens: strokes drawn sooner are lost
MOVE_PX = 4  # a pointer move every few pixels, as a hand makes them
SIDE = 280  # the app's canvas at 1280x800 (digitdemo.preprocess.CANVAS_SIDE)
# A page with the canvas alone, as the Draw tab configures it, asking for the picture too; the pen from the address.
PAGE = """
import streamlit as st
from streamlit_drawable_canvas import st_canvas

st_canvas(stroke_width=int(st.query_params.get("pen", 22)), stroke_color="#ffffff", background_color="#000000",
          update_streamlit=True, height=280, width=280, drawing_mode="freedraw", return_image_data=True, key="canvas")
"""
# Whether the pen would go down on the canvas at page point [x, y]: the canvas lives in its component's shadow root.
ON_CANVAS = """([x, y]) => {
  let element = document.elementFromPoint(x, y);
  while (element?.shadowRoot) element = element.shadowRoot.elementFromPoint(x, y);
  return !!element?.matches("canvas.upper-canvas");
}"""
# Every message the page sends, kept (base64) for reading back the canvas's last value.
RECORDER = """(() => {
  window.__sent = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    send(data) {
      let text = "";
      for (const byte of new Uint8Array(data)) text += String.fromCharCode(byte);
      window.__sent.push(btoa(text));
      return super.send(data);
    }
  };
})();"""


def drawings(seed: int = SEED) -> list[dict]:
    """Two styles of every digit placed as testkit.synth places them: label, style, pen and strokes (canvas px)."""
    rng = np.random.default_rng(seed)
    cases = []
    for label, styles in TEMPLATES.items():
        for style in range(min(2, len(styles))):
            strokes, settings = place_strokes(styles[style], rng, SIDE)
            cases.append(
                {
                    "label": label,
                    "style": style,
                    "pen": round(settings["pen"]),
                    "strokes": [stroke.round(1).tolist() for stroke in strokes],
                }
            )
    return cases


def canvas_value(page) -> dict:
    """The canvas's last value the page sent: {'raw': Fabric.js JSON, 'data': PNG data URL}."""
    for encoded in reversed(page.evaluate("window.__sent")):
        message = BackMsg.FromString(base64.b64decode(encoded))
        if message.WhichOneof("type") != "rerun_script":
            continue
        for widget in message.rerun_script.widget_states.widgets:
            if widget.json_value and '"drawing"' in widget.json_value:
                return json.loads(widget.json_value)["drawing"]
    raise RuntimeError("the canvas sent nothing")


def pen_down_end(page, box: dict, stroke: list[list[float]]) -> list[list[float]]:
    """`stroke`, or the same reversed where its start is under another element (the canvas's toolbar's row, about
    the top right of the canvas, takes the pointer there): the pen goes down where the canvas listens."""
    for points in (stroke, stroke[::-1]):
        x, y = box["x"] + points[0][0], box["y"] + points[0][1]
        if page.evaluate(ON_CANVAS, [x, y]):
            return points
    raise RuntimeError(f"neither end of a stroke is on the canvas: {stroke[0]}, {stroke[-1]}")


def capture(browser, url: str, case: dict) -> dict:
    """Draw `case` with the mouse on a fresh page; the canvas's strokes and picture beside the case."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.add_init_script(RECORDER)
    page.goto(f"{url}/?pen={case['pen']}")
    canvas = page.locator(CANVAS).first
    canvas.wait_for(state="visible", timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_timeout(MOUNT_MS)
    box = canvas.bounding_box()
    for stroke in map(lambda stroke: pen_down_end(page, box, stroke), case["strokes"]):
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for (x0, y0), (x, y) in zip(stroke, stroke[1:], strict=False):
            steps = max(1, round(((x - x0) ** 2 + (y - y0) ** 2) ** 0.5 / MOVE_PX))
            page.mouse.move(box["x"] + x, box["y"] + y, steps=steps)
        page.mouse.up()
        page.wait_for_timeout(400)  # the canvas sends 200 ms after the pen is lifted
    page.wait_for_selector(IDLE, timeout=60_000)
    value = canvas_value(page)
    page.context.close()
    if len(value["raw"]["objects"]) != len(case["strokes"]):
        raise RuntimeError(f"the canvas holds {len(value['raw']['objects'])} of {len(case['strokes'])} strokes")
    return {**case, "raw": value["raw"], "png": value["data"]}


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".capture-") as folder:
        script = Path(folder) / "canvas_page.py"
        script.write_text(PAGE)
        with serve(str(script.relative_to(ROOT))) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            captured = [capture(browser, server.url, case) for case in drawings()]
            browser.close()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(captured, separators=(",", ":")) + "\n")
    print(f"wrote {len(captured)} drawings to {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
