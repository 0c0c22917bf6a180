"""Data gets no gradient: constants have no backward edge, no step record, and .grad 0."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, backward_steps, constant, gradients
from autograd.testing import expressions_with_inputs
from nn.cli import sigmoid_neuron_bce


def batch_mean_neuron(n: int = 4):
    """J = (1/N) Σᵢ BCE(σ(w·xᵢ + b), yᵢ): data as plain floats, as a learner writes it."""
    xs = [[0.5, -1.5], [1.0, 2.0], [-0.3, 0.8], [2.0, -0.5]][:n]
    ys = [1.0, 0.0, 1.0, 0.0][:n]
    w = [Value(0.4, label="w0"), Value(-0.6, label="w1")]
    b = Value(0.1, label="b")
    terms = []
    for x, y in zip(xs, ys):
        y_hat = (autograd.dot(w, x) + b).sigmoid()
        terms.append(-(y * y_hat.log() + (1 - y) * (1 - y_hat).log()))
    return autograd.sum(terms) / n, w, b, xs, ys


def test_the_batch_mean_neuron_has_no_step_into_data():
    loss, w, b, _, _ = batch_mean_neuron()
    steps = list(backward_steps(loss))
    assert steps and not [s for s in steps if s.parent.is_constant]
    assert {s.parent for s in steps if not s.parent.parents} == {*w, b}
    constants = [v for v in autograd.topological_order(loss) if v.is_constant]
    assert len(constants) >= 4 * 2 + 1  # the 8 inputs and N at least
    assert all(v.grad == 0.0 for v in constants)


def test_the_demo_neuron_table_has_no_rows_for_x_or_numbers():
    net = sigmoid_neuron_bce([0.4, -0.6], [0.5, -1.5], 0.1, 1.0)
    table = autograd.steps_table(backward_steps(net["loss"]))
    assert "∂L/∂x0" not in table and "∂L/∂1 " not in table and "∂L/∂0 " not in table
    assert all(x.grad == 0.0 for x in net["x"])
    assert net["w"][0].grad == pytest.approx((net["y_hat"].data - 1.0) * 0.5, rel=1e-12)


def test_a_result_of_constants_only_is_a_constant():
    a, b = constant(2.0, "a"), constant(3.0, "b")
    for made in [a * b, a - 1, 1 - a, -a, a.exp(), a ** 2, 2 ** a, a.leaky_relu(0.1),
                 autograd.sum([a, b, 1.0]), autograd.dot([a, 1.0], [b, 2.0]),
                 autograd.matvec([[1.0, 2.0]], [a, b])[0]]:
        assert made.is_constant and not made.requires_grad and made.parents == ()
    assert (a * b).data == 6.0
    x = Value(1.0)
    assert (a * x).requires_grad and (a * x).parents == (a, x)
    with pytest.raises(RuntimeError, match="constants only"):
        (a * b).backward()


def test_dot_with_plain_inputs_steps_into_the_weights_only():
    w = [Value(1.0), Value(-2.0), Value(0.5)]
    z = autograd.dot(w, [3.0, 4.0, 5.0])
    steps = list(backward_steps(z))
    assert [s.parent for s in steps] == w
    assert [wi.grad for wi in w] == [3.0, 4.0, 5.0]


def test_a_value_input_still_gets_its_gradient():
    x = Value(0.5, label="x")
    y = (x * 2.0).tanh()
    y.backward()
    assert x.grad == pytest.approx(2 * (1 - math.tanh(1.0) ** 2), rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(expressions_with_inputs(), st.data())
def test_constants_take_no_gradient_and_change_no_other(case, data):
    """Turning some inputs into constants leaves every other gradient as it was."""
    expr, xs = case
    as_constant = data.draw(st.lists(st.booleans(), min_size=len(xs), max_size=len(xs)))
    try:
        all_values = [Value(x) for x in xs]
        reference = expr(*all_values)
        mixed = [constant(x) if c else Value(x) for x, c in zip(xs, as_constant)]
        out = expr(*mixed)
    except (ValueError, ZeroDivisionError, OverflowError):
        return
    if all(as_constant):
        assert out.is_constant
        return
    expected = gradients(reference)
    got = gradients(out)
    assert not [v for v in got if v.is_constant]
    out.backward()
    for v, ref, c in zip(mixed, all_values, as_constant):
        if c:
            assert v.grad == 0.0 and v not in got
        else:
            assert v.grad == pytest.approx(expected.get(ref, 0.0), rel=1e-12, abs=1e-300) or (
                math.isnan(v.grad) and math.isnan(expected.get(ref, 0.0)))


def test_stepping_back_from_a_constant_is_an_error_not_an_empty_table():
    w = Value(2.0)
    with autograd.no_grad():
        y = w * 3.0
    with pytest.raises(RuntimeError, match="no graph"):
        list(backward_steps(y))
    with pytest.raises(RuntimeError, match="no graph"):
        autograd.steps_table(backward_steps(constant(1.0)))
