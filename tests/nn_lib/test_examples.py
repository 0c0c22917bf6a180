"""The course's worked example: Matt Mazur's 2-2-2 network, to his printed digits."""

import pytest

from nn import losses
from nn.examples import mazur_network


def test_forward_pass_gives_mazurs_numbers():
    model, x, target = mazur_network()
    out = model(x)
    hidden = model.layers[0](x)
    assert round(hidden[0].data, 9) == 0.593269992  # out_h1
    assert round(out[0].data, 8) == 0.75136507  # out_o1
    # E_total = Σ ½(target − out)² is mse's mean of two squares
    assert round(losses.mse(out, target).data, 9) == 0.298371109


def test_backward_pass_gives_mazurs_gradients_and_update():
    model, x, target = mazur_network()
    losses.mse(model(x), target).backward()
    w1 = model.layers[0].neurons[0].w[0]  # i1 → h1
    w5 = model.layers[1].neurons[0].w[0]  # h1 → o1
    assert round(w5.grad, 9) == 0.082167041
    assert round(w1.grad, 9) == 0.000438568
    assert round(w5.data - 0.5 * w5.grad, 8) == 0.35891648  # updated w5, learning rate 0.5


def test_each_call_gives_a_fresh_model():
    first, _, _ = mazur_network()
    second, x, target = mazur_network()
    first.layers[0].neurons[0].w[0].data = 9.0
    assert second.layers[0].neurons[0].w[0].data == 0.15
    assert [p.data for p in second.parameters()] == pytest.approx(
        [0.15, 0.20, 0.35, 0.25, 0.30, 0.35, 0.40, 0.45, 0.60, 0.50, 0.55, 0.60])
    assert x == [0.05, 0.10] and target == [0.01, 0.99]
