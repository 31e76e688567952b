// Installed in every page before its own scripts, on the page's clock (performance.now(), ms from navigation start):
// each WebSocket message (small ones whole, for their type) and each sent message, each pointer release,
// each batch of DOM changes (whether it changed the watched element's text or touched it), and paints: (a frame's
// start, after it was painted), the first frame after every change or message so far.
(() => {
  const rec = window.__visitor = {watch: null, batches: [], paints: [], messages: [], sends: [], releases: [], last: 0,
                                   cost: 0};
  const encode = (data) => {
    let text = "";
    for (const byte of new Uint8Array(data)) text += String.fromCharCode(byte);
    return btoa(text);
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        rec.last = performance.now();
        rec.messages.push([rec.last, event.data.byteLength <= 256 ? encode(event.data) : ""]);
        painted();
      });
    }
    send(data) {
      rec.sends.push([performance.now(), encode(data)]);
      return super.send(data);
    }
  };
  addEventListener("pointerup", (event) => rec.releases.push(event.timeStamp), true);
  let pending = false;
  function painted() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      const asOf = performance.now();
      const channel = new MessageChannel();  // its message comes once the frame is painted
      channel.port1.onmessage = () => {
        pending = false;
        rec.paints.push([asOf, performance.now()]);
        if (rec.last > asOf) painted();
      };
      channel.port2.postMessage(null);
    });
  }
  const watched = () => (rec.watch ? document.querySelector(rec.watch) : null);
  let text = null;
  new MutationObserver((mutations) => {
    const start = rec.last = performance.now();
    const element = watched();
    const now = element ? element.textContent : null;
    // The element itself changes only as a whole is replaced (childList): its other changes are Streamlit's marks.
    const touched = !!element && mutations.some((mutation) => element.contains(mutation.target)
      && (mutation.target !== element || mutation.type === "childList"));
    rec.batches.push([rec.last, now !== text && !!now, touched]);
    text = now;
    painted();
    rec.cost += performance.now() - start;
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  rec.arm = (watch) => {
    rec.watch = watch;
    text = watched()?.textContent ?? null;
    for (const list of [rec.batches, rec.paints, rec.messages, rec.sends, rec.releases]) list.length = 0;
    rec.cost = 0;
  };
})();
