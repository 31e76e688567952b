"""The app's one theme: the palette and the sizes every figure and picture uses."""

from __future__ import annotations

import re

import numpy as np

# The theme: one palette and one set of sizes for every figure and picture.
WINNER_COLOR = "#ff4b4b"  # the largest bar; the curve that matters (a loss, the ReLU sum)
OTHER_COLOR = "#8c96a8"  # every other bar; the ReLU unit that is fixed
ACCENT_COLOR = "#4c78a8"  # bars and curves with no winner: softmax panels, activations, ReLU unit 1
SECOND_COLOR = "#f58518"  # ReLU unit 2
TARGET_COLOR = "#2ca02c"  # what the ReLU units should match
UNIT_COLORS = (OTHER_COLOR, ACCENT_COLOR, SECOND_COLOR)  # ReLU unit 0 (fixed) in gray, the learner's units in color
POSITIVE_RGB = np.array([230, 60, 50], np.float32)  # red for weights above zero
NEGATIVE_RGB = np.array([40, 110, 220], np.float32)  # blue for weights below zero
ERROR_COLOR = "#d62728"  # confusion-matrix cells off the diagonal, at their largest count
CORRECT_COLOR = "#dff0d8"  # confusion-matrix diagonal
SELECTED_COLOR = "#1f4e9c"  # the outline of a chosen cell
TEXT_COLOR = "#222"
GRID_LEVEL = 60  # gray of the lines between enlarged pixels: visible on black and on white
DIGIT_TICK_SIZE = 16  # the digits under the probability bars
TICK_SIZE = 14
SMALL_TICK_SIZE = 11
TITLE_SIZE = 14
CELL_TEXT_SIZE = 13
MARGIN = {"l": 50, "r": 10, "t": 20, "b": 40}  # px around a plot: room for tick labels and axis titles
LEVEL_TITLE_SPACE = 30  # px of top margin for a y-axis title written level above the axis
PLOTLY_CONFIG = {"displayModeBar": False}  # every chart: no Plotly toolbar over it
DIGITS = [str(d) for d in range(10)]
# Chinese, Japanese and Korean characters, which read badly turned on their side as Plotly turns y-axis titles.
CJK = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
