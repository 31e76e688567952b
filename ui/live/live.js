// The explorers' live part (ui/live/__init__.py): native range inputs whose every move redraws the explorer's bars or
// curves here in the browser; the values go to the server once, on release (a range input's "change" event), with
// a sequence number the server hands back, so that a reply to an older release never moves a slider back.
// One file past the page's usual 350 lines: st.components.v2 takes one module of JavaScript, with no build step to
// join several, and the two boards share their slider rows, drawing helpers and release handling.

const boards = new WeakMap(); // parentElement -> the board drawn in it, kept across the reruns that call us again

export default function (component) {
  const { data, parentElement } = component;
  let board = boards.get(parentElement);
  if (!board) {
    board = data.part === "relu" ? new ReluBoard(component) : new SoftmaxBoard(component);
    boards.set(parentElement, board);
  }
  board.receive(data);
}

// Python's format(x, ".Nf") and format(x, ".Ng") for the messages' {name:spec} fields; "nan", "inf" as NumPy prints.
function pyFormat(x, spec) {
  if (typeof x !== "number" || !spec) return String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const match = /^\.(\d+)([fg%])$/.exec(spec);
  if (!match) return String(x);
  const digits = Number(match[1]);
  if (match[2] === "f") return x.toFixed(digits);
  if (match[2] === "%") return (x * 100).toFixed(digits) + "%";
  const precision = Math.max(digits, 1);
  if (x === 0) return "0";
  const [mantissa, exponentText] = x.toExponential(precision - 1).split("e");
  const exponent = Number(exponentText);
  const strip = (text) => (text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text);
  if (exponent < -4 || exponent >= precision) {
    const sign = exponent < 0 ? "-" : "+";
    return `${strip(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return strip(x.toFixed(precision - 1 - exponent));
}

function formatMessage(template, params) {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (_, name, spec) => pyFormat(params[name], spec));
}

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svgElement(tag, attributes, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (parent) parent.appendChild(node);
  return node;
}

// Timings for benchmarks/drag.py, kept only when the page asks: input event -> the frame that paints its update has
// been painted (a message posted from the frame's callback is handled once the frame is done).
// The board's own work on the move (from `start`) is kept beside it.
function recordFrame(event, start = performance.now()) {
  const timings = window.digitdemoLiveTimings;
  if (!Array.isArray(timings)) return;
  const work = performance.now() - start;
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => timings.push({ painted: performance.now() - event.timeStamp, work });
    channel.port2.postMessage(null);
  });
}

// What every board shares: its controls, dragging, and sending values on release.
class Board {
  constructor({ parentElement, setStateValue, data }) {
    this.send = setStateValue;
    this.data = data;
    this.sent = 0; // the last release's sequence number
    this.dragging = 0; // pointers down on a control
    this.pending = null; // data that came while a control was held
    this.root = element("div", "live", parentElement);
    const release = () => {
      this.dragging = Math.max(0, this.dragging - 1);
      if (!this.dragging && this.pending) {
        const data = this.pending;
        this.pending = null;
        this.receive(data);
      }
    };
    this.root.addEventListener("pointerdown", (event) => {
      if (event.target.matches("input")) this.dragging += 1;
    });
    for (const name of ["pointerup", "pointercancel"]) window.addEventListener(name, release);
  }

  receive(data) {
    if (data.seq < this.sent) return; // the reply to an older release: a newer one is on its way
    if (this.dragging) {
      this.pending = data;
      return;
    }
    this.data = data;
    this.root.classList.toggle("present", Boolean(data.present));
    this.root.style.setProperty("--winner", data.colors.winner);
    this.root.style.setProperty("--accent", data.colors.accent);
    this.apply(data);
  }

  // A labelled range input with its value beside it; `onMove(value)` on every move, a release sends the values.
  slider(parent, { name, label, min, max, step, digits, value, onMove, key }) {
    const row = element("div", `control st-key-${key}`, parent);
    row.dataset.control = name;
    const id = `live-${key}`;
    const caption = element("label", "label", row, label);
    caption.htmlFor = id;
    const input = element("input", "", row);
    Object.assign(input, { type: "range", id, min, max, step, value });
    const shown = element("output", "value", row);
    shown.htmlFor = id;
    const show = () => {
      const text = Number(input.value).toFixed(digits);
      shown.textContent = text;
      input.setAttribute("aria-valuetext", text);
    };
    input.addEventListener("input", (event) => {
      const start = performance.now();
      show();
      onMove(Number(input.value));
      recordFrame(event, start);
    });
    input.addEventListener("change", () => this.commit());
    show();
    return {
      row,
      input,
      set: (newValue, newMin = input.min, newMax = input.max) => {
        Object.assign(input, { min: newMin, max: newMax });
        input.value = newValue;
        show();
      },
    };
  }

  commit() {
    this.sent += 1;
    this.send("commit", { ...this.values(), seq: this.sent });
  }

  hide(names) {
    for (const node of this.root.querySelectorAll("[data-control]")) {
      node.hidden = names.includes(node.dataset.control);
    }
  }
}

function stableSoftmax(values) {
  // digitdemo.activations.my_softmax: subtracting the max leaves softmax unchanged and keeps exp() finite.
  const top = Math.max(...values);
  const shifted = values.map((v) => Math.exp(v - top));
  const total = shifted.reduce((a, b) => a + b, 0);
  return shifted.map((v) => v / total);
}

function naiveSoftmax(values) {
  const exps = values.map(Math.exp);
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

function argmax(values) {
  return values.reduce((best, v, j) => (v > values[best] ? j : best), 0);
}

// z, e^(z/T) and softmax bars beside each z's slider, the denominator and the sum, and the naive formula's table.
class SoftmaxBoard extends Board {
  constructor(component) {
    super(component);
    const { data } = component;
    const { text, limits } = data;
    this.limits = limits;
    this.values_ = { ...data.values, z: [...data.values.z] };
    const top = element("div", "top", this.root);
    this.classes = this.slider(top, {
      name: "classes", key: "softmax_classes", label: text.classes, min: limits.n_min, max: limits.n_max, step: 1,
      digits: 0, value: this.values_.n, onMove: (n) => this.setClasses(n),
    });
    this.temperature = this.slider(top, {
      name: "temperature", key: "softmax_temperature", label: text.temperature, min: limits.t_min,
      max: limits.t_max, step: limits.t_step, digits: 1, value: this.values_.T,
      onMove: (T) => { this.values_.T = T; this.draw(); },
    });
    this.temperature.row.title = text.temperature_help;
    const wideRow = element("label", "control toggle st-key-softmax_wide", top);
    wideRow.dataset.control = "wide";
    wideRow.title = text.wide_help;
    this.wide = element("input", "", wideRow);
    this.wide.type = "checkbox";
    element("span", "", wideRow, text.wide);
    this.wide.addEventListener("change", (event) => {
      this.setWide(this.wide.checked);
      recordFrame(event);
      this.commit();
    });
    const head = element("div", "row head", this.root);
    for (let i = 0; i < 3; i += 1) element("span", "spacer", head);
    for (const title of ["z", "e^(z/T)", "softmax"]) element("b", "panel-title", head, title);
    this.rows = element("div", "rows st-key-softmax_chart", this.root);
    this.share = element("p", "caption", this.root);
    this.sum = element("p", "sum", this.root);
    const overflow = element("div", "overflow", this.root);
    overflow.dataset.control = "shift";
    element("h3", "", overflow, text.stable_heading);
    this.shift = this.slider(overflow, {
      name: "shift", key: "softmax_shift", label: text.shift, min: 0, max: limits.shift_max,
      step: limits.shift_step, digits: 0, value: this.values_.shift,
      onMove: (shift) => { this.values_.shift = shift; this.drawOverflow(); },
    });
    this.shift.row.title = text.shift_help;
    this.table = element("table", "numbers", overflow);
    this.note = element("p", "note", overflow);
    this.z = [];
  }

  values() {
    const { n, z, T, wide, shift } = this.values_;
    return { n, z: z.slice(0, n), T, wide, shift };
  }

  range() {
    const l = this.limits;
    return this.values_.wide ? [l.wide_min, l.wide_max] : [l.z_min, l.z_max];
  }

  clip(value) {
    const [low, high] = this.range();
    return Math.min(high, Math.max(low, Math.round(value * 10) / 10));
  }

  apply(data) {
    this.values_ = { ...data.values, z: [...data.values.z] };
    this.classes.set(this.values_.n);
    this.temperature.set(this.values_.T);
    this.wide.checked = this.values_.wide;
    this.shift.set(this.values_.shift);
    this.buildRows();
    this.hide(data.hidden);
    this.draw();
  }

  setClasses(n) {
    const { z } = this.values_;
    for (let j = z.length; j < n; j += 1) z.push(this.clip(this.limits.defaults[j]));
    this.values_.n = n;
    this.buildRows();
    this.draw();
  }

  setWide(wide) {
    this.values_.wide = wide;
    this.values_.z = this.values_.z.map((v) => this.clip(v));
    this.buildRows();
    this.draw();
  }

  buildRows() {
    const { n, z } = this.values_;
    const [low, high] = this.range();
    while (this.z.length > n) this.z.pop().row.remove();
    for (const [j, slider] of this.z.entries()) slider.set(z[j], low, high);
    for (let j = this.z.length; j < n; j += 1) {
      const slider = this.slider(this.rows, {
        name: `z${j}`, key: `softmax_z${j}`, label: `z${j}`, min: low, max: high, step: this.limits.z_step,
        digits: 1, value: z[j], onMove: (v) => { this.values_.z[j] = v; this.draw(); },
      });
      slider.row.classList.add("row");
      slider.bars = ["z", "exp", "p"].map((panel) => {
        const cell = element("div", `bar-cell ${panel}`, slider.row);
        const bar = element("div", "bar", cell);
        const label = element("span", "bar-label", cell);
        return { cell, bar, label };
      });
      this.z.push(slider);
    }
  }

  draw() {
    const { n, T, wide } = this.values_;
    const z = this.values_.z.slice(0, n);
    const scaled = z.map((v) => v / T);
    const exps = scaled.map(Math.exp);
    const proba = stableSoftmax(scaled);
    const total = exps.reduce((a, b) => a + b, 0);
    const span = (values, fixed) => {
      if (fixed) return fixed;
      return [Math.min(0, Math.min(...values) * 1.35), Math.max(0, Math.max(...values) * 1.35)];
    };
    const panels = [
      [z, span(z, wide ? null : [0, this.limits.z_max]), ".1f"],
      [exps, span(exps, null), ".3g"],
      [proba, [0, 1], ".3f"],
    ];
    panels.forEach(([values, [low, high], spec], p) => {
      const winner = argmax(values);
      values.forEach((value, j) => {
        const { cell, bar, label } = this.z[j].bars[p];
        const width = high - low || 1;
        const zero = ((0 - low) / width) * 100;
        const end = ((value - low) / width) * 100;
        bar.style.left = `${Math.min(zero, end)}%`;
        bar.style.width = `${Math.abs(end - zero)}%`;
        bar.classList.toggle("winner", j === winner);
        label.textContent = pyFormat(value, spec);
        // The label sits beside the bar's outer end, or inside it where the cell has no room beside it.
        const tip = value >= 0 ? Math.max(zero, end) : Math.min(zero, end);
        const inside = value >= 0 ? tip > 65 : tip < 35;
        const right = value >= 0 === inside;
        label.classList.toggle("inside", inside);
        label.style.left = right ? "" : `${tip}%`;
        label.style.right = right ? `${100 - tip}%` : "";
        cell.dataset.value = String(value);
      });
    });
    const { text } = this.data;
    let note = "";
    if (T < 1) note = formatMessage(text.colder, { temperature: T });
    if (T > 1) note = formatMessage(text.warmer, { temperature: T });
    this.share.textContent = formatMessage(text.share, { total }) + note;
    this.share.dataset.value = String(total);
    const sum = proba.reduce((a, b) => a + b, 0);
    this.sum.textContent = `${text.sum}: ${sum.toFixed(6)}`;
    this.sum.dataset.value = String(sum);
    this.drawOverflow();
  }

  drawOverflow() {
    const { n, shift } = this.values_;
    const { text, limits } = this.data;
    const pushed = this.values_.z.slice(0, n).map((v) => v + shift);
    const naive = naiveSoftmax(pushed);
    const stable = stableSoftmax(pushed);
    const rows = [["", "z", "e^z", text.naive, text.stable]];
    pushed.forEach((v, j) => {
      rows.push([`z${j}`, pyFormat(v, ".1f"), pyFormat(Math.exp(v), ".4g"), pyFormat(naive[j], ".4f"),
        pyFormat(stable[j], ".4f")]);
    });
    // Rows are added or dropped with the classes; a move rewrites only the cells' text.
    while (this.table.rows.length > rows.length) this.table.lastChild.remove();
    rows.forEach((cells, r) => {
      const row = this.table.rows[r] ?? element("tr", "", this.table);
      cells.forEach((cell, c) => {
        const node = row.cells[c] ?? element(r === 0 ? "th" : "td", "", row);
        if (node.textContent !== cell) node.textContent = cell;
      });
    });
    const fails = naive.some((v) => !Number.isFinite(v));
    const largest = Math.max(...pushed);
    this.note.textContent = fails
      ? formatMessage(text.overflow_fails, { limit: limits.exp_overflow })
      : formatMessage(text.overflow_ok, { largest, limit: limits.exp_overflow });
    this.note.classList.toggle("fails", fails);
  }
}

// The ReLU game: w1, b1, w2, b2 move the three units' curves, their sum against the target and the error.
class ReluBoard extends Board {
  constructor(component) {
    super(component);
    const { data } = component;
    const { text, limits } = data;
    this.params = { ...data.values };
    const game = element("div", "relu", this.root); // the root is the size container, so the grid is inside it
    const left = element("div", "relu-left", game);
    this.sliders = limits.params.map((name) =>
      this.slider(left, {
        name, key: `relu_${name}`, label: name, min: limits.min, max: limits.max, step: limits.step, digits: 1,
        value: this.params[name], onMove: (v) => { this.params[name] = v; this.draw(); },
      }));
    const right = element("div", "relu-right", game);
    this.error = element("p", "error", right);
    this.x = Array.from({ length: limits.points }, (_, i) => (i === limits.points - 1 ? limits.x_max
      : limits.x_min + i * ((limits.x_max - limits.x_min) / (limits.points - 1))));
    this.target = this.x.map((x) => (x < 1 ? -2 * x + 2 : x < 2 ? x - 1 : 3 * x - 5));
    this.sumPlot = this.plot(right, "relu-sum st-key-relu_sum_chart", [-1, 6], [0, 2, 4, 6], [
      ["target", data.colors.target, 6, "", text.target], ["sum", data.colors.winner, 3, "", text.sum]]);
    this.sumPlot.lines.target.setAttribute("d", this.path(this.target, [-1, 6]));
    const units = element("div", "relu-units", game);
    this.units = data.colors.units.map((color, unit) => {
      const box = element("div", "unit", units);
      const title = element("p", "unit-title", box);
      const plot = this.plot(box, `unit-plot st-key-relu_unit${unit}_chart`, [-4.5, 4.5], [-4, -2, 0, 2, 4], [
        ["z", color, 2, "4 4", "z"], ["a", color, 3, "", "max(0, z)"]]);
      return { title, plot };
    });
  }

  values() {
    return { ...this.params };
  }

  apply(data) {
    this.params = { ...data.values };
    data.limits.params.forEach((name, i) => this.sliders[i].set(this.params[name]));
    this.hide(data.hidden);
    this.draw();
  }

  // An SVG plot over x in [x_min, x_max] and y in `yRange`: a legend above, gridlines at each of `yTicks` labelled
  // on the left, x labelled below; its lines by name.
  plot(parent, className, [low, high], yTicks, lines) {
    const box = element("div", `plot ${className}`, parent);
    const legend = element("div", "legend", box);
    const area = element("div", "plot-area", box);
    const svg = svgElement("svg", { viewBox: "0 0 300 100", preserveAspectRatio: "none", role: "img" }, area);
    for (const y of yTicks) {
      const top = 100 - ((y - low) / (high - low)) * 100;
      svgElement("line", { x1: 0, x2: 300, y1: top, y2: top, class: y === 0 ? "axis" : "grid" }, svg);
      element("span", "y-tick", area, String(y)).style.top = `${top}%`;
    }
    const paths = {};
    for (const [name, color, width, dash, label] of lines) {
      const attributes = { fill: "none", stroke: color, "stroke-width": width, "stroke-dasharray": dash,
        "vector-effect": "non-scaling-stroke", "data-line": name };
      paths[name] = svgElement("path", attributes, svg);
      const key = element("span", dash ? "dashed" : "", legend, label);
      key.style.setProperty("--line", color);
    }
    const ticks = element("div", "ticks", box);
    for (let x = this.data.limits.x_min; x <= this.data.limits.x_max; x += 1) element("span", "", ticks, String(x));
    return { svg, lines: paths };
  }

  path(values, [low, high]) {
    const { x_min: x0, x_max: x1 } = this.data.limits;
    return values.map((v, i) => {
      const px = ((this.x[i] - x0) / (x1 - x0)) * 300;
      const py = 100 - ((v - low) / (high - low)) * 100;
      return `${i ? "L" : "M"}${px.toFixed(2)},${py.toFixed(2)}`;
    }).join("");
  }

  draw() {
    const { limits, text } = this.data;
    const { w1, b1, w2, b2 } = this.params;
    const w = [limits.fixed_w0, w1, w2];
    const b = [limits.fixed_b0, b1, b2];
    const z = w.map((wi, i) => this.x.map((x) => wi * x + b[i]));
    const a = z.map((row) => row.map((v) => Math.max(0, v)));
    const output = this.x.map((_, k) => a[0][k] + a[1][k] + a[2][k]);
    const error = output.reduce((total, v, k) => total + (v - this.target[k]) ** 2, 0) / output.length;
    this.error.textContent = `${text.error}: ${error.toFixed(4)}`;
    this.error.dataset.value = String(error);
    this.sumPlot.lines.sum.setAttribute("d", this.path(output, [-1, 6]));
    this.units.forEach(({ title, plot }, i) => {
      const sign = b[i] < 0 ? "-" : "+";
      const name = formatMessage(i === 0 ? text.unit_fixed : text.unit, { unit: i });
      title.textContent = `${name}: z = ${w[i].toFixed(1)}·x ${sign} ${Math.abs(b[i]).toFixed(1)}`;
      plot.lines.z.setAttribute("d", this.path(z[i], [-4.5, 4.5]));
      plot.lines.a.setAttribute("d", this.path(a[i], [-4.5, 4.5]));
    });
  }
}
