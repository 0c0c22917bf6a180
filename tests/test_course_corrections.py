"""The course's errors the lessons correct (issue 15 item 4), checked with the engine: the
vanishing example's numbers, sum against mean, and the per-neuron rule against softmax."""

from __future__ import annotations

import math

import autograd
import nn
from autograd import Value


def test_five_sigmoid_layers_take_0_5_to_about_5e_4_not_1e_6():
    chain = nn.MLP(1, [1] * 5, activation="sigmoid", output_activation="sigmoid", seed=0)
    for index, layer in enumerate(chain.layers):  # every z = 0: σ′ at its maximum 0.25
        layer.neurons[0].w[0].data = 1.0
        layer.neurons[0].b.data = 0.0 if index == 0 else -0.5
    x = Value(0.0)
    out = chain([x])
    out.backward(0.5)
    # ∂out/∂x through five sigmoids of slope 0.25 and weights 1: 0.5 · 0.25⁵
    assert math.isclose(x.grad, 0.5 * 0.25 ** 5) and math.isclose(x.grad, 4.8828125e-4)
    assert 400 < x.grad / 1e-6 < 600  # the course's "~0.000001" is ~500× too small
    assert chain.layers[0]([0.0])[0].data == 0.5  # σ(0): the next layer's z is 0.5 − 0.5


def test_summing_the_loss_multiplies_the_gradient_by_n():
    neuron = nn.Neuron(2, activation="sigmoid", seed=0)
    X, y = nn.data.make_blobs(8, centers=[[-1.0, -1.0], [1.5, 1.0]], seed=0)
    terms = [-(t * neuron(x).log() + (1 - t) * (1 - neuron(x)).log()) for x, t in zip(X, y)]
    grads = []
    for loss in (autograd.sum(terms), autograd.sum(terms) / len(terms)):
        neuron.zero_grad()
        loss.backward()
        grads.append([p.grad for p in neuron.parameters()])
    assert all(math.isclose(s, len(X) * m) for s, m in zip(*grads))


def test_the_per_neuron_rule_fails_for_softmax_and_the_jacobian_holds():
    z = [Value(1.0), Value(2.0), Value(0.5)]
    y = nn.activations.softmax(z)
    dL_dy = [3.0, -1.0, 2.0]
    (3 * y[0] - y[1] + 2 * y[2]).backward()
    ys = [v.data for v in y]
    jacobian = [sum(dL_dy[j] * ys[j] * ((i == j) - ys[i]) for j in range(3)) for i in range(3)]
    per_neuron = [dL_dy[i] * ys[i] * (1 - ys[i]) for i in range(3)]
    assert all(math.isclose(v.grad, g) for v, g in zip(z, jacobian))
    assert max(abs(v.grad - g) for v, g in zip(z, per_neuron)) > 0.1
    # for an elementwise activation the rule holds
    s = Value(0.3)
    (2.0 * s.sigmoid()).backward()
    assert math.isclose(s.grad, 2.0 * s.sigmoid().data * (1 - s.sigmoid().data))
