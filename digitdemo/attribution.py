"""Why the network answers as it does: every layer's numbers, exact pixel contributions, one unit's arithmetic and
the network as a graph. Pure NumPy on a weights dict {'W1': (n0, n1), 'b1': (n1,), ..., 'Wk', 'bk'} of the depth
and activations of digitdemo.network.LAYERS (any widths); its piecewise-linear activations make every identity exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from digitdemo.activations import ACTIVATIONS
from digitdemo.network import LAYERS, LayerOutput
from digitdemo.network import forward_layers as network_layers

Weights = dict[str, np.ndarray]
EDGES_PER_LAYER = 30  # strongest edges drawn between two layers: enough to see the paths, few enough to read


def n_layers(weights: Weights) -> int:
    """The number k of weight layers W1..Wk in the dict."""
    k = 0
    while f"W{k + 1}" in weights:
        k += 1
    return k


def forward_layers(weights: Weights, x: np.ndarray) -> list[LayerOutput]:
    """(n0,) input or (m, n0) inputs -> k LayerOutputs of (n_l,) or (m, n_l) float64 arrays: the network's one
    forward pass (digitdemo.network), in float64 so that the identities below hold to 1e-12."""
    n0 = weights["W1"].shape[0]
    if np.ndim(x) not in (1, 2) or np.shape(x)[-1] != n0:
        raise ValueError(f"the network takes {n0} input values (or rows of {n0}); got an array of shape {np.shape(x)}")
    if n_layers(weights) != len(LAYERS):
        raise ValueError(f"the network has {len(LAYERS)} layers; these weights have {n_layers(weights)}")
    return network_layers(weights, x, np.float64)


def downstream_maps(weights: Weights, layers: list[LayerOutput]) -> list[tuple[np.ndarray, np.ndarray]]:
    """For l = 0..k-1 (0 is the input): (M_l (n_l, n_out), c_l (n_out,)) float64 with logits = a_l @ M_l + c_l
    exactly at this input's on/off pattern: each unit passes its z times its activation's slope there (ReLU: 0 or
    1), so the rest is linear."""
    k = len(layers)
    M, c = weights[f"W{k}"].astype(np.float64), weights[f"b{k}"].astype(np.float64)
    maps = [(M, c)]
    for i in range(k - 1, 0, -1):
        # a_i = on_i * (a_{i-1} @ W_i + b_i), so logits = a_{i-1} @ W_i @ (on_i * M_i) + (on_i * b_i) @ M_i + c_i.
        on = ACTIVATIONS[LAYERS[i - 1].activation].slope(layers[i - 1].z)
        c = (on * weights[f"b{i}"]) @ M + c
        M = weights[f"W{i}"].astype(np.float64) @ (on[:, None] * M)
        maps.append((M, c))
    return maps[::-1]


@dataclass(frozen=True)
class Attribution:
    """Pixel contributions to class `cls` (minus class `against`): pixels (n0,) float64 and bias add up to score."""

    pixels: np.ndarray
    bias: float
    score: float  # logit_cls, or logit_cls - logit_against, from the forward pass
    cls: int
    against: int | None


def top_two(logits: np.ndarray) -> tuple[int, int]:
    """(n_out,) logits -> (predicted class, runner-up class)."""
    order = np.argsort(-np.asarray(logits), kind="stable")
    return int(order[0]), int(order[1])


def check_class(weights: Weights, cls: int, name: str = "class") -> int:
    """`cls` as an int when it names an output of the network, else ValueError saying which exist."""
    n_out = weights[f"b{n_layers(weights)}"].shape[0]
    if not 0 <= int(cls) < n_out:
        raise ValueError(f"{name} {cls} is not an output of this network; choose 0 to {n_out - 1}")
    return int(cls)


def attribute_pixels(weights: Weights, x: np.ndarray, cls: int, against: int | None = None) -> Attribution:
    """(n0,) input -> each pixel's exact share x_i * G[i, cls] (minus G[i, against]) of the logit (difference)."""
    cls = check_class(weights, cls)
    layers = forward_layers(weights, x)
    M, c = downstream_maps(weights, layers)[0]
    coefficient, bias, score = M[:, cls], c[cls], layers[-1].a[cls]
    if against is not None:
        against = check_class(weights, against, "against class")
        coefficient = coefficient - M[:, against]
        bias, score = bias - c[against], score - layers[-1].a[against]
    return Attribution(np.asarray(x, np.float64) * coefficient, float(bias), float(score), cls, against)


@dataclass(frozen=True)
class UnitArithmetic:
    """One hidden unit at one input: z = inputs . weights + bias, a = ReLU(z), and a's share of each output."""

    layer: int  # 1-based, as W1 feeds layer 1
    unit: int
    weights: np.ndarray  # (n_in,) float64: the column W_layer[:, unit]; for layer 1 a 20x20 picture (roll_up)
    inputs: np.ndarray  # (n_in,) float64: the input x or the previous layer's activations
    dot: float  # inputs . weights
    bias: float
    z: float  # dot + bias
    passes: bool  # z > 0: ReLU lets it through
    a: float  # max(0, z)
    to_outputs: np.ndarray  # (n_out,) float64: a * (this unit's row of the rest of the network at this pattern)


def explain_unit(
    weights: Weights, x: np.ndarray, layer: int, unit: int, layers: list[LayerOutput] | None = None
) -> UnitArithmetic:
    """(n0,) input, hidden layer 1..k-1 and unit index -> that unit's arithmetic at this input (`layers`: the input's
    forward_layers, when they are at hand)."""
    k = n_layers(weights)
    if not 1 <= layer < k:
        raise ValueError(f"layer {layer} is not a hidden layer; choose 1 to {k - 1}")
    n_units = weights[f"b{layer}"].shape[0]
    if not 0 <= unit < n_units:
        raise ValueError(f"unit {unit} is not in hidden layer {layer}; choose 0 to {n_units - 1}")
    layers = forward_layers(weights, x) if layers is None else layers
    inputs = np.asarray(x, np.float64) if layer == 1 else layers[layer - 2].a
    w = weights[f"W{layer}"][:, unit].astype(np.float64)
    bias = float(weights[f"b{layer}"][unit])
    z, a = float(layers[layer - 1].z[unit]), float(layers[layer - 1].a[unit])
    M = downstream_maps(weights, layers)[layer][0]
    return UnitArithmetic(layer, unit, w, inputs, float(inputs @ w), bias, z, z > 0, a, a * M[unit])


class Edges(NamedTuple):
    """The strongest contributions a_i * W[i, j] from layer l-1's node i to layer l's node j, strongest first."""

    source: np.ndarray  # (e,) int64
    target: np.ndarray  # (e,) int64
    value: np.ndarray  # (e,) float64, signed


@dataclass(frozen=True)
class NetworkGraph:
    """The network drawn as data: node values per layer (input, hidden activations, logits) and edges between."""

    nodes: list[np.ndarray]  # k + 1 arrays (n_l,) float64
    edges: list[Edges]  # k, edges[l - 1] from nodes[l - 1] to nodes[l]


def network_graph(
    weights: Weights, x: np.ndarray, per_layer: int = EDGES_PER_LAYER, layers: list[LayerOutput] | None = None
) -> NetworkGraph:
    """(n0,) input -> node activations and the `per_layer` largest |a_i * W_ij| edges of each weight layer
    (`layers`: the input's forward_layers, when they are at hand)."""
    layers = forward_layers(weights, x) if layers is None else layers
    nodes = [np.asarray(x, np.float64)] + [layer.a for layer in layers]
    edges = []
    for i in range(1, len(layers) + 1):
        flow = nodes[i - 1][:, None] * weights[f"W{i}"]
        n = min(per_layer, flow.size)
        strongest = np.argpartition(-np.abs(flow).ravel(), n - 1)[:n]
        strongest = strongest[np.argsort(-np.abs(flow.ravel()[strongest]), kind="stable")]
        source, target = np.unravel_index(strongest, flow.shape)
        edges.append(Edges(source.astype(np.int64), target.astype(np.int64), flow.ravel()[strongest]))
    return NetworkGraph(nodes, edges)
