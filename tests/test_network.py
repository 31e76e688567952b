"""The network as data: one layer list gives the weight shapes, the parameter count and the forward pass; the package
has no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from digitdemo.errors import ModelFileError
from digitdemo.network import (
    LAYERS,
    N_PARAMETERS,
    RETRAIN,
    WEIGHT_SHAPES,
    Layer,
    check_weights,
    forward,
    weight_shapes,
)

PACKAGE = Path(__file__).resolve().parent.parent / "digitdemo"


def test_layer_list_gives_the_labs_shapes_and_parameter_count():
    """400 -> 25 -> 15 -> 10: W1 (400, 25) ... b3 (10,), 10,575 parameters, as the lab's summary prints."""
    assert [(layer.units, layer.activation) for layer in LAYERS] == [(25, "relu"), (15, "relu"), (10, "linear")]
    assert WEIGHT_SHAPES == {"W1": (400, 25), "b1": (25,), "W2": (25, 15), "b2": (15,), "W3": (15, 10), "b3": (10,)}
    assert N_PARAMETERS == 10_575


def test_shapes_follow_another_layer_list():
    """A different list of layers chains each layer's inputs to the previous layer's units."""
    layers = (Layer("A", 7, "relu"), Layer("B", 3, "linear"))
    assert weight_shapes(layers, n_inputs=5) == {"W1": (5, 7), "b1": (7,), "W2": (7, 3), "b2": (3,)}


def test_forward_matches_the_written_out_pass(lab_model, dataset):
    """The layer loop equals relu(relu(x W1 + b1) W2 + b2) W3 + b3, and returns each hidden layer's outputs."""
    w, X = lab_model.weights, dataset.X[:50]
    a1 = np.maximum(0, X @ w["W1"] + w["b1"])
    a2 = np.maximum(0, a1 @ w["W2"] + w["b2"])
    out = forward(w, X)
    np.testing.assert_allclose(out.hidden[0], a1, rtol=1e-6)
    np.testing.assert_allclose(out.hidden[1], a2, rtol=1e-6)
    np.testing.assert_allclose(out.logits, a2 @ w["W3"] + w["b3"], rtol=1e-5, atol=1e-5)


def imports_of(path: Path) -> set[str]:
    """The digitdemo modules a module imports, at any depth of its code (imports inside functions count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("digitdemo."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("digitdemo."))
    return found


def test_package_has_no_import_cycle():
    """Following every import between the package's modules never leads back to where it started."""
    graph = {path.stem: imports_of(path) for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    visiting, done = set(), set()

    def visit(module: str, trail: list[str]) -> None:
        assert module not in visiting, f"import cycle: {' -> '.join([*trail, module])}"
        if module in done:
            return
        visiting.add(module)
        for imported in sorted(graph.get(module, ())):
            visit(imported, [*trail, module])
        visiting.remove(module)
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def lab_shaped(fill: float = 0.0) -> dict[str, np.ndarray]:
    return {key: np.full(shape, fill, np.float32) for key, shape in WEIGHT_SHAPES.items()}


@pytest.mark.parametrize(
    ("change", "msg_id", "params"),
    [
        (lambda w: [w.pop("b3"), w.pop("W2")], "model_file.missing_arrays", {"names": "W2, b3"}),
        (lambda w: w.update(W2=np.full((25, 15), "x")), "model_file.not_numbers", {"name": "W2", "dtype": "<U1"}),
        (
            lambda w: w.update(b1=np.zeros(24)),
            "model_file.wrong_shape",
            {"name": "b1", "shape": "(24,)", "expected": "(25,)"},
        ),
        (lambda w: w["W3"].__setitem__((0, 0), np.nan), "model_file.not_finite", {"name": "W3"}),
    ],
    ids=["missing", "not numbers", "wrong shape", "not finite"],
)
def test_refusals_name_the_array_and_the_way_out(change, msg_id, params):
    """Each refusal names where the weights came from, the array at fault (and its shape or type), and what to do."""
    weights = lab_shaped()
    change(weights)
    with pytest.raises(ModelFileError) as refused:
        check_weights(weights, "mine.npz")
    assert refused.value.msg_id == msg_id
    assert refused.value.params == {"source": "mine.npz", **params, "action": RETRAIN}
