"""Why this answer: everything the Draw tab's explanations show for one input, each part computed when first asked
for (the page shows one view at a time, and a stroke should pay only for the view on screen)."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from PIL import Image

from digitdemo.activations import my_softmax
from digitdemo.attribution import (
    Attribution,
    NetworkGraph,
    Weights,
    attribute_pixels,
    forward_layers,
    network_graph,
    top_two,
)
from digitdemo.neighbours import Calibration, DigitIndex, Neighbours, nearest_digits, novelty
from digitdemo.network import LayerOutput
from digitdemo.preprocess import network_rows, plain_resize

UNSURE_BELOW = 0.5  # top probability under which the Draw tab says the network is not sure


class Explanation:
    """One (400,) input explained: its layers, the predicted class against the runner-up (or another), the network as
    a graph, the nearest training digits, how unlike them it is, and (given the picture it came from) the prediction
    without framing. Each part is computed on first use and kept (`versus`, which depends on the class asked for,
    on each call).

    `logits`, when given, are the (n_out,) logits the page shows (the served float32 forward pass): they decide the
    predicted class and the runner-up, so that in a near-tie the explanations speak of the digit on the screen.
    `deskew` is the model's own preprocessing (`NumpyModel.deskew`): the unframed picture is read as the model reads
    every input, so that the view compares framing alone."""

    def __init__(
        self,
        weights: Weights,
        x: np.ndarray,
        index: DigitIndex,
        calibration: Calibration | None = None,
        image: np.ndarray | Image.Image | bytes | None = None,
        logits: np.ndarray | None = None,
        deskew: bool = False,
    ) -> None:
        self.weights, self.x, self.index, self.calibration, self.image = weights, x, index, calibration, image
        self.logits, self.deskew = logits, deskew

    @cached_property
    def layers(self) -> list[LayerOutput]:
        """Every layer's z and a, float64."""
        return forward_layers(self.weights, self.x)

    @cached_property
    def ranked(self) -> tuple[int, int]:
        """(predicted class, runner-up class), by the logits shown if given, else by this input's own."""
        return top_two(self.layers[-1].a if self.logits is None else self.logits)

    @property
    def predicted(self) -> int:
        """The class the network gives the input."""
        return self.ranked[0]

    @property
    def runner_up(self) -> int:
        """The class with the second largest logit."""
        return self.ranked[1]

    def versus(self, against: int | None = None) -> Attribution:
        """Each pixel's share of the predicted class's logit minus the runner-up's (or class `against`'s)."""
        return attribute_pixels(self.weights, self.x, self.predicted, self.runner_up if against is None else against)

    @cached_property
    def graph(self) -> NetworkGraph:
        """The network as nodes (every layer's values) and its strongest edges at this input."""
        return network_graph(self.weights, self.x, layers=self.layers)

    @cached_property
    def nearest(self) -> tuple[Neighbours, Neighbours]:
        """The nearest training digits in pixels and in the last hidden layer."""
        return nearest_digits(self.index, self.weights, self.x)

    @property
    def nearest_pixels(self) -> Neighbours:
        """The training digits nearest the input in its pixels."""
        return self.nearest[0]

    @property
    def nearest_hidden(self) -> Neighbours:
        """The training digits nearest the input in the last hidden layer."""
        return self.nearest[1]

    @cached_property
    def closest_of_class(self) -> tuple[float, int]:
        """(novelty: the pixel distance to the nearest training digit of the predicted class, that digit's row)."""
        score, row = novelty(self.index, self.x, self.predicted)
        return float(score[0]), int(row[0])

    @property
    def novelty(self) -> float:
        """The pixel distance to the nearest training digit of the predicted class: how unlike the digits it saw."""
        return self.closest_of_class[0]

    @property
    def novelty_row(self) -> int:
        """The dataset row of that nearest digit of the predicted class."""
        return self.closest_of_class[1]

    @cached_property
    def probabilities(self) -> np.ndarray:
        """(n_out,) float64 the probabilities shown: softmax of the logits shown divided by the model's calibrated
        temperature (1 without a calibration)."""
        logits = self.layers[-1].a if self.logits is None else np.asarray(self.logits, np.float64)
        temperature = 1.0 if self.calibration is None else self.calibration.temperature
        return my_softmax(logits / temperature)

    @property
    def unlike_digits(self) -> bool | None:
        """Novelty above the calibrated threshold, or the top calibrated probability below the calibrated confidence;
        None when the model has no calibration."""
        if self.calibration is None:
            return None
        return bool(self.calibration.flags(np.array([self.novelty]), self.probabilities.max(keepdims=True))[0])

    @cached_property
    def unframed(self) -> np.ndarray | None:
        """(400,) the picture plainly resized to 20x20 (then deskewed for a model that reads its inputs so), when the
        picture was given."""
        return None if self.image is None else network_rows(plain_resize(self.image), self.deskew)

    @cached_property
    def unframed_logits(self) -> np.ndarray | None:
        """(n_out,) float64 the network's logits for the unframed picture."""
        return None if self.unframed is None else forward_layers(self.weights, self.unframed)[-1].a
