"""Activations: formulas, gradients (gradcheck) and the stable softmax."""

import math

import pytest
from hypothesis import given

import autograd
from autograd import Value
from autograd.testing import safe_floats
from nn import activations


@pytest.mark.parametrize("name", ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                  "selu"])
@given(x=safe_floats("relu", low=-5, high=5))
def test_every_activation_passes_gradcheck(name, x):
    assert autograd.gradcheck(activations.get(name), [x])


def test_selu_uses_pytorchs_constants():
    assert activations.selu(Value(1.0)).data == pytest.approx(1.0507009873554805)
    assert activations.selu(Value(-1.0)).data == pytest.approx(
        1.0507009873554805 * 1.6732632423543772 * (math.exp(-1) - 1))


def test_step_has_zero_gradient():
    v = Value(0.3)
    activations.get("step")(v).backward()
    assert v.grad == 0.0


def test_softmax_sums_to_one_is_stable_and_differentiable():
    probs = activations.softmax([Value(1000.0), Value(999.0), Value(-1000.0)])
    assert sum(p.data for p in probs) == pytest.approx(1.0)
    assert probs[0].data == pytest.approx(1 / (1 + math.exp(-1)))
    assert autograd.gradcheck(lambda a, b, c: activations.softmax([a, b, c])[1], [0.5, -1.0, 2.0])


def test_sigmoid_derivative_never_exceeds_a_quarter():
    for x in (-3.0, -0.5, 0.0, 0.5, 3.0):
        v = Value(x)
        activations.sigmoid(v).backward()
        assert v.grad <= 0.25


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match="use one of linear, identity, step, sigmoid"):
        activations.get("swish")
