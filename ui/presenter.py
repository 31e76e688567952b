"""The page on every screen: the presenter switch and its styles (large, high contrast, few words), the styles for
phones, the measured space that sizes the canvas, and charts with text large enough for a projector."""

from __future__ import annotations

import functools

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from digitdemo.preprocess import CANVAS_SIDE
from ui.charts import NETWORK_ASPECT, PLOTLY_CONFIG, enlarge_text
from ui.i18n import t

PRESENT_KEY = "app_present"  # the switch; ?present=1 turns it on
SPACE_KEY = "draw_space"  # the measuring component in the Draw tab: its column's width and the window's size
PHONE_WIDTH = 640  # px: a window narrower than this is laid out for a phone (Streamlit stacks columns below it)
MIN_CANVAS_SIDE = 200  # px: the smallest canvas a finger can still draw a digit on
# px of the window's height the canvas leaves below itself: on a phone for the predicted digit and its probability,
# which stack under it with the steps switch; on a projector a margin (the prediction is beside it).
PHONE_BELOW, PRESENTER_BELOW = 200, 24
CANVAS_STEP = 4  # px: sizes are rounded down to this, so a window resized by a pixel does not redraw the canvas
CHART_TEXT = 18  # px: the smallest chart text in the presenter view
CHART_GROWTH = 1.35  # presenter charts are this much taller, for their larger text
LESSON_CAPTION = "_lesson_caption"  # ends the key of a caption the presenter view keeps (render_lesson_caption)
TAP_LISTENER = "_select_on_tap"  # ends the key of a chart's tap listener (plotly_chart), which takes no room

# Reports the width of the column the component sits in, how far down the page it is, and the window's size whenever
# they change (a hidden tab reports nothing); Python sizes the canvas from it.
MEASURE_JS = """
export default function (component) {
  const { parentElement, setStateValue } = component;
  const host = parentElement.host ?? parentElement;
  let last = "";
  const report = () => {
    const box = host.getBoundingClientRect();
    if (box.width <= 0) return;
    const scroller = document.querySelector("[data-testid='stMain']");
    const top = box.top + window.scrollY + (scroller ? scroller.scrollTop : 0);
    const space = { width: Math.floor(box.width), top: Math.round(top), height: window.innerHeight,
                    window: window.innerWidth };
    const text = JSON.stringify(space);
    if (text === last) return;
    last = text;
    setStateValue("space", space);
  };
  const observer = new ResizeObserver(report);
  observer.observe(host);
  window.addEventListener("resize", report);
  report();
  return () => { observer.disconnect(); window.removeEventListener("resize", report); };
}
"""
measure = st.components.v2.component("digitdemo_measure", js=MEASURE_JS)

# Plotly selects the point its last hover found, and a finger does not hover before it taps: the first tap on a
# selectable chart only showed a hover label (and selected nothing). A mouse move at the finger, sent before Plotly
# sees the touch, hovers the point first, so one tap selects it. Mouse use is untouched: a mouse sends no touches.
TAP_JS = """
export default function ({ data }) {
  const target = `.st-key-${data.chart} .nsewdrag`;
  const hover = (event) => {
    if (event.touches.length !== 1 || !event.target.matches?.(target)) return;
    const { clientX, clientY } = event.touches[0];
    event.target.dispatchEvent(new MouseEvent("mousemove", { clientX, clientY, bubbles: true }));
  };
  document.addEventListener("touchstart", hover, { capture: true, passive: true });
  return () => document.removeEventListener("touchstart", hover, { capture: true });
}
"""
select_on_tap = st.components.v2.component("digitdemo_select_on_tap", js=TAP_JS)

PHONE_CSS = f"""
@media (max-width: {PHONE_WIDTH}px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 3.25rem 0.75rem 2rem; }}
  /* The introduction goes with its wrapper, which would keep its gap. */
  [data-testid="stLayoutWrapper"]:has(> .st-key-app_intro), .st-key-draw_source [data-testid="stWidgetLabel"] {{
    display: none; }}
  /* The explorers: the chart first, and it stays in view while the sliders below it scroll. */
  .st-key-softmax_board > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"],
  .st-key-relu_board > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"] {{
    flex-direction: column-reverse; }}
  .st-key-softmax_board > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"] > :last-child,
  .st-key-relu_board > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"] > :last-child {{
    position: sticky; top: 3.75rem; z-index: 5; background: var(--st-background-color, #fff); }}
  [data-testid="stTable"] td, [data-testid="stTable"] th {{ font-size: 0.75rem; padding: 0.25rem; }}
  [data-testid="stTabs"] [role="tablist"] {{ overflow-x: auto; }}
}}
@media (min-width: {PHONE_WIDTH + 1}px) {{
  /* Room for the canvas's own toolbar, which floats above it under a mouse pointer. */
  .st-key-draw_controls:has(.st-key-draw_canvas_buttons) {{ margin-bottom: 1.75rem; }}
  /* Where the row is too narrow for both, the buttons move under the input choice together, not one by one. */
  [data-testid="stLayoutWrapper"]:has(> .st-key-draw_canvas_buttons) {{ flex: 0 0 max-content; }}
}}
.st-key-softmax_board [data-testid="stColumn"]:first-child [data-testid="stVerticalBlock"] {{ gap: 0; }}
/* The network drawing's chart: as tall as its width makes the drawing (whose shape is fixed), never taller than most
   of the window, so no band of blank space is left above and below it on a phone. */
.st-key-draw_why_network {{ aspect-ratio: {NETWORK_ASPECT}; max-height: 75vh; }}
.st-key-draw_space {{ height: 0; margin-bottom: -1rem; overflow: hidden; }}
[class*="{TAP_LISTENER} "], [class$="{TAP_LISTENER}"] {{ display: none; }}
.st-key-draw_verdict [data-testid="stMetricValue"] {{ line-height: 1.1; }}
/* A button's or switch's words wrap in a narrow column rather than end in "..." (at 1024x768 the Softmax explorer's
   button and switch, the Draw tab's steps switch, the ReLU game's and the Mistakes tab's buttons, the Model tab's
   held-out switch all did). */
[data-testid^="stBaseButton"] [data-testid="stMarkdownContainer"], [data-testid^="stBaseButton"] p,
[data-testid="stCheckbox"] [data-testid="stMarkdownContainer"], [data-testid="stCheckbox"] p {{
  white-space: normal; overflow: visible; text-overflow: clip; }}
"""

# Captions are chatter on a projector, all but those the lesson needs; the whole element goes, so no gap is left where
# it was. A picture's caption says which picture it is: larger, never hidden.
CAPTION_CSS = f"""
[data-testid="stElementContainer"]:has(> [data-testid="stMarkdown"] [data-testid="stCaptionContainer"]):not(
  [class*="{LESSON_CAPTION} "] > *, [class$="{LESSON_CAPTION}"] > *) {{ display: none; }}
[data-testid="stCaptionContainer"] p, [data-testid="stImageCaption"] p {{ font-size: 1.15rem; color: #000; }}
"""

PRESENTER_CSS = (
    CAPTION_CSS
    + """
/* The page's bar shares the top row with Streamlit's header, which holds only two buttons there, so every tab's key
   result is that much higher on the screen; the buttons keep a background of their own over a scrolled page. */
[data-testid="stMainBlockContainer"] { padding: 0.75rem 2rem 2rem; max-width: none; }
/* Not only the header: its toolbar, as wide as the page, takes clicks of its own and would cover the bar. */
[data-testid="stHeader"] { background: transparent; }
[data-testid="stHeader"], [data-testid="stHeader"] div { pointer-events: none; }
[data-testid="stHeader"] button { pointer-events: auto; background: #fff; }
.st-key-app_bar { padding: 0 3rem 0 2.5rem; }
[data-testid="stTabs"] [role="tabpanel"] { padding-top: 0.25rem; }
.stApp { color: #000; }
[data-testid="stLayoutWrapper"]:has(> .st-key-app_intro) { display: none; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.4rem; color: #000; }
[data-testid="stWidgetLabel"] p { font-size: 1.25rem; color: #000; }
[data-testid="stSelectbox"] input, [role="listbox"] [role="option"] { font-size: 1.25rem; }
[data-testid="stSliderThumbValue"] [data-testid="stMarkdownContainer"] p { font-size: 1rem; }
[data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 1.2rem; color: #000; }
[data-testid="stTabs"] [role="tab"] p { font-size: 1.5rem; font-weight: 600; }
[data-testid="stMetricLabel"] p { font-size: 1.6rem; color: #000; }
[data-testid="stMetricValue"] { color: #000; }
.st-key-draw_verdict [data-testid="stMetric"] > div { display: flex; flex-wrap: wrap; align-items: center; gap: 0 2rem; }
.st-key-draw_verdict [data-testid="stMetricLabel"] { width: 100%; }
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p { font-size: 3.5rem; }
/* The ReLU game's error on one line, and the word that it is solved beside it when there is room. */
.st-key-relu_result { flex-flow: row wrap; align-items: center; column-gap: 2rem; }
.st-key-relu_result > * { width: auto; }
.st-key-relu_result [data-testid="stMetric"] > div { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1.5rem; }
.st-key-draw_verdict [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {
  font-size: 180px; font-weight: 700; line-height: 1; overflow: visible; }
.st-key-draw_verdict [data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"] p { font-size: 3rem; }
"""
)


def presenting() -> bool:
    """Whether this session shows the presenter view."""
    return bool(st.session_state.get(PRESENT_KEY))


def sidebar_state() -> str:
    """The sidebar as the page opens: collapsed for the presenter view, as Streamlit chooses otherwise."""
    return "collapsed" if presenting() else "auto"


def render_switch() -> None:
    """The presenter switch, labelled in both languages so that anyone finds it."""
    st.session_state.setdefault(PRESENT_KEY, False)
    st.toggle(t("presenter.switch"), key=PRESENT_KEY)


def render_style() -> None:
    """The page's styles: for phones always, for the projector when presenting (a <style> alone takes no space)."""
    st.html(f"<style>{PHONE_CSS}{PRESENTER_CSS if presenting() else ''}</style>")


def measure_space() -> dict | None:
    """The measuring component, placed where the canvas goes -> {'width', 'height', 'window'} in px, or None before
    the browser has reported."""
    # A state needs a callback to exist; the rerun its change triggers is all the canvas needs.
    result = measure(key=SPACE_KEY, default={"space": None}, on_space_change=lambda: None)
    return result.get("space")


def canvas_side(space: dict | None, present: bool) -> int:
    """The measured space ({'width': column px, 'top': the canvas's px from the top of the page, 'height' and
    'window': the window's px}) -> the canvas's side in px: as wide as its column and, on a projector or a phone, as
    tall as the window leaves below its top; CANVAS_SIDE at most otherwise, and before anything was measured."""
    if not space:
        return CANVAS_SIDE
    try:
        width, top = int(space["width"]), int(space["top"])
        height, window = int(space["height"]), int(space["window"])
    except (KeyError, TypeError, ValueError):
        return CANVAS_SIDE
    if present:
        side = min(width, height - top - PRESENTER_BELOW)
    elif window < PHONE_WIDTH:
        side = min(width, height - top - PHONE_BELOW)
    else:
        side = min(width, CANVAS_SIDE)
    side = max(side, min(MIN_CANVAS_SIDE, width))
    return max(CANVAS_STEP, side - side % CANVAS_STEP)


class ReadyFigure(go.Figure):
    """A figure dict from ui.charts as st.plotly_chart takes it, without Plotly's object model.

    Streamlit turns a go.Figure into its spec with `to_dict()`. A real go.Figure builds an object per trace and
    property and deep-copies them all for that, which cost more than the rest of a stroke's chart (the Why-section's
    speed row of `python benchmarks/speed.py`). This one hands over the dict with the default template (Streamlit's
    theme) that Plotly's own `to_dict` adds; NumPy arrays stay arrays, which orjson writes out directly
    (tests/test_charts.py checks the spec means what Plotly's does)."""

    def __init__(self, figure: dict) -> None:  # go.Figure.__init__, the costly part, is exactly what this skips
        self._figure = figure

    def to_dict(self) -> dict:
        """The figure with the default template in its layout; the dict handed in is left as it was."""
        return {**self._figure, "layout": {"template": default_template(), **self._figure.get("layout", {})}}


@functools.cache
def default_template() -> dict:
    """Plotly's default template as a dict (Streamlit sets it to its own theme on import), made once."""
    return pio.templates[pio.templates.default].to_plotly_json()


def render_lesson_caption(text: str, name: str) -> None:
    """A caption the lesson needs (what a picture's colours mean, what will appear), in a container keyed `name` +
    LESSON_CAPTION: the presenter view keeps it, where it hides other captions."""
    st.container(key=name + LESSON_CAPTION).caption(text)


def plotly_chart(figure: dict, key: str, where=st, growth: float = CHART_GROWTH, **options: object) -> None:
    """Show a figure from ui.charts in `where` (st, a column), with st.plotly_chart's `options`: in the presenter view
    with text at least CHART_TEXT px and `growth` times as tall; a chart with `on_select` selects with one tap."""
    if presenting():
        figure = enlarge_text(figure, CHART_TEXT, growth)
    if "on_select" in options:
        select_on_tap(key=key + TAP_LISTENER, data={"chart": key})
    # Unvalidated (Streamlit validates a dict property by property on every run); tests/test_charts.py validates
    # every builder instead.
    where.plotly_chart(ReadyFigure(figure), key=key, config=PLOTLY_CONFIG, **options)
