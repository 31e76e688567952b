"""ReLU explorer: the lab's three activations, and the companion lab's game of matching a target with ReLU units."""

from __future__ import annotations

import numpy as np
import streamlit as st

from digitdemo import relu_lab
from digitdemo.activations import linear, relu, sigmoid
from ui.charts import PLOTLY_CONFIG
from ui.i18n import t

Z_RANGE = (-5.0, 5.0)
PARAMS = ("w1", "b1", "w2", "b2")
# The widgets whose values the app keeps while another tab is open (the tab is not built then).
STATE_KEYS = tuple(f"relu_{name}" for name in PARAMS)
UNIT_COLORS = ("#8c96a8", "#4c78a8", "#f58518")  # unit 0 (fixed) in gray, the learner's units 1 and 2 in color
TARGET_COLOR = "#2ca02c"
SUM_COLOR = "#ff4b4b"
MATCH_TOLERANCE = 1e-9  # below this mean squared error the sum is the target up to rounding


def line_figure(
    traces: list[dict], x_title: str, y_title: str, height: int, y_range: list[float] | None = None
) -> dict:
    """Plotly line traces (dicts with x, y, name, color, dash) -> a figure dict with a legend above the plot."""
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            # Arrays, not lists: Plotly validates a list element by element, an array at once (faster slider moves).
            "x": np.asarray(trace["x"]),
            "y": np.asarray(trace["y"]),
            "name": trace["name"],
            "line": {"color": trace["color"], "width": trace.get("width", 3), "dash": trace.get("dash", "solid")},
            "hovertemplate": "%{x:.2f}, %{y:.2f}<extra>" + trace["name"] + "</extra>",
        }
        for trace in traces
    ]
    yaxis = {"title": {"text": y_title}, "zeroline": True, "fixedrange": True}
    if y_range is not None:
        yaxis["range"] = y_range
    return {
        "data": data,
        "layout": {
            "height": height,
            "margin": {"l": 45, "r": 10, "t": 30 if len(traces) > 1 else 10, "b": 40},
            "xaxis": {"title": {"text": x_title}, "zeroline": True, "fixedrange": True},
            "yaxis": yaxis,
            "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            "showlegend": len(traces) > 1,
        },
    }


def render_activations() -> None:
    """The lab's row of three plots over z in [-5, 5]: linear, sigmoid, ReLU."""
    st.subheader(t("Three activations", "三种激活函数"))
    z = np.linspace(*Z_RANGE, 201)
    plots = [
        (t("Linear: a = z", "线性：a = z"), linear(z)),
        (t("Sigmoid: a = 1 / (1 + e^-z)", "Sigmoid：a = 1 / (1 + e^-z)"), sigmoid(z)),
        (t("ReLU: a = max(0, z)", "ReLU：a = max(0, z)"), relu(z)),
    ]
    for column, (title, a) in zip(st.columns(3), plots, strict=True):
        column.markdown(f"**{title}**")
        figure = line_figure([{"x": z, "y": a, "name": title, "color": "#4c78a8"}], "z", "a", 230)
        column.plotly_chart(figure, config=PLOTLY_CONFIG)
    st.caption(
        t(
            "The lab's hidden layers use ReLU: zero for negative z, z itself above. Its output layer is linear;"
            " softmax turns those logits into probabilities.",
            "实验中的隐藏层使用 ReLU：z 为负时输出 0，否则输出 z 本身。输出层是线性的，再由 softmax 把 logits 变成概率。",
        )
    )


def show_solution() -> None:
    """Button callback: move the four sliders to the lab's solution before they are drawn."""
    for name, value in relu_lab.SOLUTION.items():
        st.session_state[f"relu_{name}"] = value


def reset_sliders() -> None:
    for name in PARAMS:
        st.session_state[f"relu_{name}"] = 0.0


def unit_figure(x: np.ndarray, z: np.ndarray, a: np.ndarray, unit: int) -> dict:
    """One unit's z = w x + b (dashed) and a = max(0, z) (solid) over x in [0, 3]."""
    traces = [
        {"x": x, "y": z, "name": "z", "color": UNIT_COLORS[unit], "dash": "dot", "width": 2},
        {"x": x, "y": a, "name": "max(0, z)", "color": UNIT_COLORS[unit]},
    ]
    return line_figure(traces, "x", "", 230, [-4.5, 4.5])


@st.fragment
def render_game() -> None:
    """Sliders w1, b1, w2, b2 and the plots they move; a slider change reruns only this part of the page."""
    left, right = st.columns([1, 2])
    with left:
        for name in PARAMS:
            st.session_state.setdefault(f"relu_{name}", 0.0)
            st.slider(
                name,
                relu_lab.SLIDER_MIN,
                relu_lab.SLIDER_MAX,
                step=relu_lab.SLIDER_STEP,
                key=f"relu_{name}",
            )
        buttons = st.columns(2)
        buttons[0].button(
            t("Show solution", "显示答案"), key="relu_show_solution", on_click=show_solution, width="stretch"
        )
        buttons[1].button(t("Reset", "重置"), key="relu_reset", on_click=reset_sliders, width="stretch")
    params = {name: float(st.session_state[f"relu_{name}"]) for name in PARAMS}
    x = relu_lab.x_grid()
    z, a = relu_lab.unit_outputs(x, **params)
    output = a.sum(axis=0)
    error = relu_lab.mean_squared_error(**params, x=x)
    with right:
        traces = [
            {"x": x, "y": relu_lab.target(x), "name": t("target", "目标"), "color": TARGET_COLOR, "width": 6},
            {"x": x, "y": output, "name": t("sum of the 3 units", "3 个单元之和"), "color": SUM_COLOR},
        ]
        st.plotly_chart(line_figure(traces, "x", "", 330, [-1.0, 6.0]), key="relu_sum_chart", config=PLOTLY_CONFIG)
        st.metric(t("Mean squared error against the target", "与目标的均方误差"), f"{error:.4f}")
        if error < MATCH_TOLERANCE:
            st.success(t("A perfect match: the three units stitch the three pieces together.",
                         "完全吻合：三个单元把三段直线拼在了一起。"))  # fmt: skip
    w, b = relu_lab.unit_parameters(**params)
    for unit, column in enumerate(st.columns(3)):
        fixed = t(" (fixed)", "（固定）") if unit == 0 else ""
        sign = "-" if b[unit] < 0 else "+"
        column.markdown(f"**{t('Unit', '单元')} {unit}{fixed}**: z = {w[unit]:.1f}·x {sign} {abs(b[unit]):.1f}")
        column.plotly_chart(unit_figure(x, z[unit], a[unit], unit), key=f"relu_unit{unit}_chart", config=PLOTLY_CONFIG)


def render() -> None:
    """The ReLU explorer tab."""
    render_activations()
    st.subheader(t("Match the target with three ReLU units", "用三个 ReLU 单元拟合目标"))
    st.markdown(
        t(
            "The green target is made of three straight pieces on x from 0 to 3: **-2x + 2**, then **x - 1** from 1,"
            " then **3x - 5** from 2. The network's output is the sum of three units a = max(0, w·x + b). Unit 0 is"
            " fixed at w = -2, b = 2 and draws the first piece. Set w1, b1, w2, b2 so that the red sum covers the"
            " green target.",
            "绿色目标在 x 从 0 到 3 上由三段直线组成：**-2x + 2**，从 1 起是 **x - 1**，从 2 起是 **3x - 5**。"
            "网络的输出是三个单元 a = max(0, w·x + b) 之和。单元 0 固定为 w = -2、b = 2，画出第一段。"
            "请调节 w1、b1、w2、b2，让红色的和覆盖绿色目标。",
        )
    )
    render_game()
    st.info(
        t(
            "**The lesson.** Each ReLU is 0 until w·x + b crosses 0: its breakpoint is at x = -b / w. Left of the"
            " breakpoint the unit is off and adds nothing, so a new unit can bend the line from its breakpoint on"
            " without disturbing the pieces before it. At x = 1 unit 0 switches off as unit 1 switches on with slope 1;"
            " at x = 2 unit 2 switches on and adds slope 2, making 3. Summed, ReLU units stitch line segments"
            " together.",
            "**要点。** 每个 ReLU 在 w·x + b 越过 0 之前都是 0：它的转折点在 x = -b / w。转折点左边单元关闭，"
            "什么也不加，所以新单元可以从它的转折点起改变折线的斜率，而不影响前面已经拼好的部分。在 x = 1"
            " 处单元 0 关闭、单元 1 以斜率 1 开启；在 x = 2 处单元 2 开启，再加上斜率 2，合起来是 3。把 ReLU 单元相加，就能把一段段直线拼接起来。",
        )
    )
