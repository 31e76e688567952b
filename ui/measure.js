// Reports the width of the column the component sits in, how far down the page it is, and the window's size
// whenever they change (a hidden tab reports nothing); Python sizes the canvas from it (ui/canvas_space.py).
// It also hides the canvas's own toolbar, which the page's styles cannot reach inside the component's shadow root:
// its pencil switched the canvas from drawing to moving strokes, its tips stayed English, and the page has its own
// Undo, Clear and pen width (ui/draw.py).
const HIDE_TOOLBAR = new CSSStyleSheet();
HIDE_TOOLBAR.replaceSync(".dc-toolbar { display: none !important; }");

function hideToolbar() {
  for (const host of document.querySelectorAll(".st-key-draw_canvas [data-testid='stBidiComponentIsolated']")) {
    const root = host.shadowRoot;
    if (!root) {
      requestAnimationFrame(hideToolbar); // mounted, its shadow root not attached yet
    } else if (!root.adoptedStyleSheets.includes(HIDE_TOOLBAR)) {
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, HIDE_TOOLBAR];
    }
  }
}

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
  // The canvas is mounted anew after a language switch, a new size or a return to the drawing input.
  const canvases = new MutationObserver(hideToolbar);
  canvases.observe(document.querySelector("[data-testid='stMain']") ?? document.body, { childList: true, subtree: true });
  hideToolbar();
  return () => {
    observer.disconnect();
    canvases.disconnect();
    window.removeEventListener("resize", report);
  };
}
