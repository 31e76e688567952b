"""Softmax explorer: the lab's z sliders with e^z and softmax(z) beside them, temperature, and the stable formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from digitdemo.activations import my_softmax, naive_softmax
from ui.charts import PLOTLY_CONFIG, WINNER_COLOR
from ui.i18n import t

Z_MIN, Z_MAX, Z_STEP = 0.1, 10.0, 0.1  # the lab's sliders
# The network's logits run from about -50 to 30, so loading them switches the sliders to a wide range.
WIDE_MIN, WIDE_MAX = -60.0, 60.0
# The lab starts z0..z3 at 1, 2, 3, 4; further classes get values that keep the picture readable.
Z_DEFAULTS = (1.0, 2.0, 3.0, 4.0, 2.5, 1.5, 3.5, 0.5, 2.0, 3.0)
MIN_CLASSES, MAX_CLASSES, LAB_CLASSES = 2, 10, 4
T_MIN, T_MAX, T_DEFAULT = 0.1, 5.0, 1.0
SHIFT_MAX, SHIFT_STEP = 1000, 10
EXP_OVERFLOW = float(np.log(np.finfo(np.float64).max))  # about 709.78: e^z beyond this is inf in float64
LOADED_KEY = "softmax_loaded"  # the logits last loaded from the Draw tab and the slider values they became
BAR_COLOR = "#4c78a8"
SLIDER_HEIGHT, CHART_TOP = 84, 40  # pixels: one bar per slider row, so the bars line up with their sliders


def z_key(j: int) -> str:
    return f"softmax_z{j}"


# The widgets whose values the app keeps while another tab is open (the tab is not built then).
STATE_KEYS = ("softmax_classes", "softmax_temperature", "softmax_wide", "softmax_shift", *map(z_key, range(10)))


def slider_range(wide: bool) -> tuple[float, float]:
    return (WIDE_MIN, WIDE_MAX) if wide else (Z_MIN, Z_MAX)


def to_slider_values(z: np.ndarray, wide: bool) -> np.ndarray:
    """(k,) values -> (k,) rounded to the sliders' 0.1 steps and clipped into their range."""
    low, high = slider_range(wide)
    return np.clip(np.round(np.asarray(z, dtype=np.float64), 1), low, high)


def set_sliders(values: np.ndarray) -> None:
    for j, value in enumerate(values):
        st.session_state[z_key(j)] = float(value)


def on_range_change() -> None:
    """Toggle callback: keep the shown z inside the new range (the sliders are rebuilt with new bounds)."""
    n = st.session_state["softmax_classes"]
    current = [st.session_state.get(z_key(j), Z_DEFAULTS[j]) for j in range(n)]
    set_sliders(to_slider_values(current, st.session_state["softmax_wide"]))


def load_logits() -> None:
    """Button callback: put the Draw tab's 10 logits on the sliders (runs before the fragment draws them)."""
    logits = st.session_state.get("current_logits")
    if logits is None:
        st.session_state[LOADED_KEY] = None  # the note then says to draw first
        return
    logits = np.asarray(logits, dtype=np.float64).reshape(-1)
    values = to_slider_values(logits, wide=True)
    st.session_state["softmax_classes"] = len(values)
    st.session_state["softmax_wide"] = True
    set_sliders(values)
    st.session_state[LOADED_KEY] = {"logits": logits, "values": values}


def bars_figure(panels: list[tuple[np.ndarray, str, tuple[float, float] | None, str]]) -> dict:
    """Panels of (k,) values (values, title, x range or None, number format) -> one Plotly figure dict of
    side-by-side horizontal bar charts sharing the rows z0..z(k-1), each panel's largest bar highlighted."""
    n_panels, gap = len(panels), 0.1
    width = (1 - gap * (n_panels - 1)) / n_panels
    data, layout = [], {}
    for p, (values, title, x_range, text_format) in enumerate(panels):
        values = np.asarray(values, dtype=float)
        axis = "x" if p == 0 else f"x{p + 1}"
        winner = int(np.argmax(values))
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "x": values.tolist(),
                "y": [f"z{j}" for j in range(len(values))],
                "xaxis": axis,
                "marker": {"color": [WINNER_COLOR if j == winner else BAR_COLOR for j in range(len(values))]},
                "text": [format(v, text_format) for v in values],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x:" + text_format + "}<extra></extra>",
            }
        )
        # Room beside the longest bar for its label, so it does not run into the next panel.
        low, high = x_range or (min(0.0, values.min() * 1.35), max(0.0, values.max() * 1.35))
        left = p * (width + gap)
        layout["xaxis" if p == 0 else f"xaxis{p + 1}"] = {
            "domain": [left, left + width], "range": [low, high], "fixedrange": True, "zeroline": True, "nticks": 4,
        }  # fmt: skip
        layout.setdefault("annotations", []).append(
            {"text": f"<b>{title}</b>", "x": left + width / 2, "y": 1, "xref": "paper", "yref": "paper",
             "yanchor": "bottom", "showarrow": False, "font": {"size": 14}}
        )  # fmt: skip
    n = len(panels[0][0])
    return {
        "data": data,
        "layout": {
            **layout,
            "height": CHART_TOP + SLIDER_HEIGHT * n,
            "margin": {"l": 35, "r": 30, "t": 30, "b": 25},
            "yaxis": {"autorange": "reversed", "fixedrange": True, "tickfont": {"size": 14}},
            "bargap": 0.35,
            "showlegend": False,
        },
    }


def render_teaching_points() -> None:
    st.latex(r"\mathrm{softmax}(z)_j = \frac{e^{z_j / T}}{\sum_k e^{z_k / T}}")
    st.markdown(
        t(
            "- **The exponential magnifies differences**: z = 4 against z = 3 is one step, but e⁴ ≈ 55 against"
            " e³ ≈ 20 is almost three times as much.\n"
            "- **The outputs always sum to 1**, so they can be read as probabilities.\n"
            "- **Changing one z changes every output**: they share one denominator, so raising one takes"
            " probability from all the others.",
            "- **指数会放大差异**：z = 4 与 z = 3 只差 1，但 e⁴ ≈ 55 与 e³ ≈ 20 相差近三倍。\n"
            "- **输出之和总是 1**，因此可以当作概率来读。\n"
            "- **改变一个 z 会改变所有输出**：它们共用同一个分母，一个变大，其余的概率都会变小。",
        )
    )


def render_loaded_note(z: np.ndarray) -> None:
    """Say where the sliders' values came from while they still hold the drawing's logits."""
    if LOADED_KEY in st.session_state and st.session_state[LOADED_KEY] is None:  # the last load found no drawing
        st.info(t("Draw a digit in the Draw tab first; then its logits can be loaded here.",
                  "请先在“手写”页写一个数字，然后才能在这里载入它的 logits。"))  # fmt: skip
    loaded = st.session_state.get(LOADED_KEY)
    if not loaded or len(z) != len(loaded["values"]) or not np.allclose(z, loaded["values"]):
        return
    gap = float(np.max(np.abs(my_softmax(z) - my_softmax(loaded["logits"]))))
    note = t(
        "z0..z9 now hold the 10 logits the network gives the digit in the Draw tab, so softmax(z) at T = 1 shows"
        f" its probabilities (rounding to the sliders' 0.1 steps moves them by at most {gap:.5f}).",
        f"z0..z9 现在是网络对“手写”页数字给出的 10 个 logits，T = 1 时 softmax(z) 就是它的概率"
        f"（取整到滑块的 0.1 步长，概率最多相差 {gap:.5f}）。",
    )
    n_clipped = int(np.sum((loaded["logits"] < WIDE_MIN) | (loaded["logits"] > WIDE_MAX)))
    if n_clipped:
        note += t(
            f" {n_clipped} logits lay beyond {WIDE_MIN:.0f}..{WIDE_MAX:.0f} and were clipped to the sliders' ends.",
            f" 其中 {n_clipped} 个超出 {WIDE_MIN:.0f}..{WIDE_MAX:.0f}，已截到滑块的端点。",
        )
    st.success(note)


def render_overflow_demo(z: np.ndarray) -> None:
    """Naive exp(z)/sum(exp(z)) against the stable form, for the sliders' z plus a large constant."""
    st.subheader(t("Why the stable formula matters", "为什么需要数值稳定的公式"))
    st.session_state.setdefault("softmax_shift", 0)
    shift = st.slider(
        t("Add this to every z", "给每个 z 加上"), 0, SHIFT_MAX, step=SHIFT_STEP, key="softmax_shift",
        help=t("Softmax does not change when the same number is added to every z; only the arithmetic can fail.",
               "给所有 z 加同一个数，softmax 的结果不变；会出问题的只是计算本身。"),
    )  # fmt: skip
    pushed = z + shift
    naive, stable = naive_softmax(pushed), my_softmax(pushed)
    with np.errstate(over="ignore"):
        exp_pushed = np.exp(pushed)
    table = pd.DataFrame(
        {
            "z": [f"{v:.1f}" for v in pushed],
            "e^z": [f"{v:.4g}" for v in exp_pushed],
            t("naive", "朴素公式"): [f"{v:.4f}" for v in naive],
            t("stable", "稳定公式"): [f"{v:.4f}" for v in stable],
        },
        index=[f"z{j}" for j in range(len(z))],
    )
    st.table(table)
    if np.isfinite(naive).all():
        st.info(
            t(
                f"The largest z is {pushed.max():.1f}, below {EXP_OVERFLOW:.2f}: e^z still fits in a float64, so"
                " both formulas agree. Push z past 709.78 to see the naive one break.",
                f"最大的 z 是 {pushed.max():.1f}，低于 {EXP_OVERFLOW:.2f}：e^z 仍在 float64 范围内，两个公式结果相同。"
                "把 z 推过 709.78 就能看到朴素公式出错。",
            )
        )
    else:
        st.error(
            t(
                f"The naive formula fails: e^z overflows float64 once z passes {EXP_OVERFLOW:.2f}, so e^z is inf and"
                " inf / inf is nan. The stable formula subtracts max(z) first: the largest exponent becomes e⁰ = 1,"
                " nothing overflows, and the answer is the same as for the unshifted z.",
                f"朴素公式失败了：z 超过 {EXP_OVERFLOW:.2f} 后 e^z 在 float64 中溢出为 inf，而 inf / inf 得到 nan。"
                "稳定公式先减去 max(z)：最大的指数变成 e⁰ = 1，不会溢出，结果与未平移的 z 完全相同。",
            )
        )


def temperature_note(temperature: float) -> str:
    """What the chosen temperature does, or nothing at the network's own T = 1."""
    if temperature < T_DEFAULT:
        return t(
            f" T = {temperature:.1f} is below 1: the largest z takes more.",
            f"T = {temperature:.1f} 小于 1：最大的 z 占得更多。",
        )
    if temperature > T_DEFAULT:
        return t(
            f" T = {temperature:.1f} is above 1: the shares even out.",
            f"T = {temperature:.1f} 大于 1：各类更趋于平均。",
        )
    return ""


@st.fragment
def render_explorer() -> None:
    """The sliders and the three bar charts; moving a slider reruns only this part of the page."""
    st.session_state.setdefault("softmax_classes", LAB_CLASSES)
    top = st.columns([2, 2, 1.3], vertical_alignment="bottom")
    n = top[0].slider(t("Number of classes", "类别数"), MIN_CLASSES, MAX_CLASSES, key="softmax_classes")
    st.session_state.setdefault("softmax_temperature", T_DEFAULT)
    temperature = top[1].slider(
        t("Temperature T", "温度 T"), T_MIN, T_MAX, step=0.1, key="softmax_temperature",
        help=t("softmax(z / T): T below 1 sharpens toward the largest z, T above 1 flattens toward equal shares.",
               "softmax(z / T)：T 小于 1 时更偏向最大的 z，T 大于 1 时各类更趋于平均。"),
    )  # fmt: skip
    top[2].button(
        t("Load my drawing's logits", "载入我的手写 logits"), key="softmax_load_logits", on_click=load_logits,
        help=t("Puts the 10 logits of the digit in the Draw tab on the sliders.",
               "把“手写”页当前数字的 10 个 logits 放到滑块上。"),
        width="stretch",
    )  # fmt: skip

    wide = top[2].toggle(
        t("Range −60..60", "范围 −60..60"), key="softmax_wide", on_change=on_range_change,
        help=t("The lab's sliders run from 0.1 to 10; a network's logits can be negative or larger, so the"
               " sliders can run from -60 to 60 instead.",
               "实验中的滑块范围是 0.1 到 10；网络的 logits 可能为负，也可能更大，所以滑块也可以改为 -60 到 60。"),
    )  # fmt: skip
    low, high = slider_range(wide)
    sliders, charts = st.columns([1.1, 3])
    with sliders:
        for j in range(n):
            st.session_state.setdefault(z_key(j), float(to_slider_values(Z_DEFAULTS[j], wide)))
            st.slider(f"z{j}", low, high, step=Z_STEP, key=z_key(j))
    z = np.array([st.session_state[z_key(j)] for j in range(n)], dtype=np.float64)
    scaled = z / temperature
    exp_z = np.exp(scaled)
    proba = my_softmax(scaled)
    panels = [
        (z, "z", None if wide else (0.0, Z_MAX), ".1f"),
        (exp_z, "e<sup>z/T</sup>", None, ".3g"),
        (proba, "softmax", (0.0, 1.0), ".3f"),
    ]
    with charts:
        st.plotly_chart(bars_figure(panels), key="softmax_chart", config=PLOTLY_CONFIG)
        summary = st.columns([2, 1])
        summary[0].caption(
            t(
                f"Each probability is its e^(z/T) bar divided by their total, {exp_z.sum():.4g}.",
                f"每个概率 = 它的 e^(z/T) 柱长 ÷ 所有柱长之和 {exp_z.sum():.4g}。",
            )
            + temperature_note(temperature)
        )
        summary[1].metric(t("Sum of the probabilities", "概率之和"), f"{proba.sum():.6f}")
    render_loaded_note(z)
    with st.expander(t("The numbers", "具体数值")):
        st.dataframe(
            pd.DataFrame(
                {"z": z, "z/T": scaled, "e^(z/T)": exp_z, "softmax": proba}, index=[f"z{j}" for j in range(n)]
            ),
        )
    render_overflow_demo(z)


def render() -> None:
    """The Softmax explorer tab."""
    render_teaching_points()
    render_explorer()
