// Reports the width of the column the component sits in, how far down the page it is, and the window's size
// whenever they change (a hidden tab reports nothing); Python sizes the canvas from it (ui/canvas_space.py).
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
