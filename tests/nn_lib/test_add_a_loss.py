"""ARCHITECTURE.md's "add a loss" checklist, run end to end with a new loss, log-cosh.

ℓ(ŷ, y) = log cosh(ŷ − y), written with Value operations as softplus(2d) − d − log 2
(d = ŷ − y; exact, and finite where cosh overflows), with ∂ℓ/∂ŷ = tanh(d). Following the
checklist — the formula, the record, its name in ``LOSSES`` — must be enough for ``fit``
(both engines), ``evaluate``, the estimators and the network diagram to know it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value
from nn.losses import LOSSES, Loss

ARCHITECTURE = (Path(__file__).parents[2] / "ARCHITECTURE.md").read_text(encoding="utf-8")


def log_cosh(output, target) -> Value:
    """Step 1: ℓ of one sample, Value operations only (no branch on the numbers)."""
    d = output - target
    return (2 * d).softplus() - d - math.log(2.0)


LOG_COSH = Loss("log_cosh", log_cosh, elementwise=True)  # step 2: the record (regression)


@pytest.fixture
def registered(monkeypatch):
    """Step 3: its name in LOSSES (for the test's duration)."""
    monkeypatch.setitem(LOSSES, "log_cosh", LOG_COSH)
    return LOG_COSH


def test_the_checklist_is_the_one_in_architecture_md():
    section = ARCHITECTURE[ARCHITECTURE.index("## Adding a loss"):]
    section = section[:section.index("\n## ", 3)]
    steps = re.findall(r"^(\d)\. \*\*", section, flags=re.M)
    assert steps == ["1", "2", "3", "4"]
    assert "tests/nn_lib/test_add_a_loss.py" in section and "LOSSES" in section


def test_the_formula_is_log_cosh_with_derivative_tanh(registered):
    for yhat, y in [(0.3, -1.2), (25.0, 0.0), (-400.0, 1.0)]:
        out = Value(yhat)
        loss = nn.losses.get("log_cosh")([out], [y])
        loss.backward()
        d = yhat - y
        expected = abs(d) + math.log1p(math.exp(-2 * abs(d))) - math.log(2.0)
        assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-15)
        assert out.grad == pytest.approx(math.tanh(d), rel=1e-12)


def test_fit_knows_it_by_name_on_both_engines(registered):
    X, y = nn.data.make_moons(40, noise=0.1, seed=0)
    y = [float(t) for t in y]
    weights = {}
    for engine in ("scalar", "replay"):
        model = nn.MLP(2, [4, 1], seed=0)
        history = nn.fit(model, X, y, loss="log_cosh", epochs=3, batch_size=8, seed=0,
                         progress=False, engine=engine,
                         optimizer=nn.optim.SGD(model.parameters(), lr=0.1))
        assert history.train_loss[-1] < history.train_loss[0]
        weights[engine] = np.array([p.data for p in model.parameters()])
        loss, accuracy = nn.evaluate(model, X, y, loss="log_cosh")
        assert accuracy is None and loss > 0  # a regression loss: no decision
    assert np.allclose(weights["scalar"], weights["replay"], rtol=1e-10, atol=1e-12)


def test_the_batch_form_equals_the_replay_form(registered):
    outputs = [Value(v) for v in (0.2, -1.5, 3.0)]
    targets = [1.0, -1.0, 0.5]
    batch = registered(outputs, targets)
    per_sample = sum(registered.per_sample(o, t).data for o, t in zip(outputs, targets)) / 3
    assert batch.data == pytest.approx(per_sample, rel=1e-12)


def test_the_diagram_and_the_layer_table_know_it(registered):
    X, y = nn.data.make_moons(30, noise=0.1, seed=1)
    model = nn.MLP(2, [3, 1], seed=0)
    expected = registered([model(list(X[0]))], [float(y[0])]).data
    drawing = nn.draw_network(model, list(X[0]), target=float(y[0]), loss="log_cosh")
    assert f"{expected:.4f}" in drawing.source  # the loss node shows this loss's value
    before = [p.data for p in model.parameters()]
    nn.backprop_by_layer(model, list(X[0]), float(y[0]), "log_cosh")
    assert [p.data for p in model.parameters()] == before


def test_without_step_3_the_name_is_unknown():
    with pytest.raises(ValueError, match="unknown loss 'log_cosh'"):
        nn.losses.get("log_cosh")
    with pytest.raises(ValueError, match="log_cosh"):
        nn.fit(nn.MLP(2, [1], seed=0), [[0.0, 1.0]], [1.0], loss="log_cosh", progress=False)
