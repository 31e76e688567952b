"""Why this answer: everything the Draw tab's explanations show for one input, computed in one call per stroke."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitdemo.explain import (
    Attribution,
    Layer,
    NetworkGraph,
    Weights,
    attribute_pixels,
    forward_layers,
    network_graph,
    top_two,
)
from digitdemo.neighbours import Calibration, DigitIndex, Neighbours, nearest_digits, novelty
from digitdemo.preprocess import plain_resize

UNSURE_BELOW = 0.5  # top probability under which the Draw tab says the network is not sure


@dataclass(frozen=True)
class Explanation:
    """One input explained: its layers, the predicted class against the runner-up, the network as a graph, the
    nearest training digits, how unlike them it is, and (given the picture) the prediction without framing."""

    layers: list[Layer]
    predicted: int
    runner_up: int
    attribution: Attribution  # predicted against runner-up (or the class asked for)
    graph: NetworkGraph
    nearest_pixels: Neighbours
    nearest_hidden: Neighbours
    novelty: float  # pixel distance to the nearest training digit of the predicted class
    novelty_row: int  # that digit's dataset row
    unlike_digits: bool | None  # novelty above the calibrated threshold; None when the model has no calibration
    unframed: np.ndarray | None  # (400,) the picture plainly resized to 20x20, when the picture was given
    unframed_logits: np.ndarray | None  # (n_out,) float64 the network's logits for it


def explain_input(
    weights: Weights,
    x: np.ndarray,
    index: DigitIndex,
    calibration: Calibration | None = None,
    image: np.ndarray | Image.Image | bytes | None = None,
    against: int | None = None,
) -> Explanation:
    """(400,) network input (and the picture it came from) -> its Explanation; `against` replaces the runner-up."""
    layers = forward_layers(weights, x)
    predicted, runner_up = top_two(layers[-1].a)
    attribution = attribute_pixels(weights, x, predicted, runner_up if against is None else against)
    pixels, hidden = nearest_digits(index, weights, x)
    score, row = novelty(index, x, predicted)
    unframed = unframed_logits = None
    if image is not None:
        unframed = plain_resize(image)
        unframed_logits = forward_layers(weights, unframed)[-1].a
    return Explanation(
        layers,
        predicted,
        runner_up,
        attribution,
        network_graph(weights, x),
        pixels,
        hidden,
        float(score[0]),
        int(row[0]),
        None if calibration is None else bool(score[0] > calibration.threshold),
        unframed,
        unframed_logits,
    )
