// Plotly selects the point its last hover found, and a finger does not hover before it taps: the first tap on a
// selectable chart only showed a hover label (and selected nothing). A mouse move at the finger, sent before Plotly
// sees the touch, hovers the point first, so one tap selects it. Mouse use is untouched: a mouse sends no touches.
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
