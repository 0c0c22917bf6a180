"""nn.to_torch: the same network in PyTorch — equal outputs and equal gradients (1e-12)."""

from __future__ import annotations

import pytest

import nn

torch = pytest.importorskip("torch")  # the oracle extra; make test installs it


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "elu", "selu"])
def test_same_outputs_and_same_gradients(activation):
    model = nn.MLP(3, [5, 4, 2], activation=activation, output_activation="sigmoid", seed=1)
    net = nn.to_torch(model)
    x, target = [0.3, -1.2, 0.8], [0.1, 0.9]
    ours = nn.losses.mse(model(x), target)
    model.zero_grad()
    ours.backward()
    out = net(torch.tensor(x, dtype=torch.float64))
    theirs = torch.nn.functional.mse_loss(out, torch.tensor(target, dtype=torch.float64))
    theirs.backward()
    assert theirs.item() == pytest.approx(ours.data, rel=1e-12)
    assert out.tolist() == pytest.approx([v.data for v in model(x)], rel=1e-12)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(model.layers, linears):
        for j, neuron in enumerate(layer.neurons):
            assert linear.bias.grad[j].item() == pytest.approx(neuron.b.grad, rel=1e-12,
                                                               abs=1e-15)
            for k, w in enumerate(neuron.w):
                assert linear.weight.grad[j, k].item() == pytest.approx(w.grad, rel=1e-12,
                                                                        abs=1e-15)


def test_a_copy_with_the_layout_of_the_model():
    model = nn.MLP(2, [4, 1], dropout=0.25, seed=0)
    net = nn.to_torch(model)
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Dropout", "Linear"]
    assert net[2].p == 0.25 and net[0].weight.dtype == torch.float64
    with torch.no_grad():
        net[0].weight.zero_()
    assert model.layers[0].neurons[0].w[0].data != 0.0  # training the copy leaves the model
    assert nn.to_torch(model, dtype=torch.float32)[0].weight.dtype == torch.float32
    single = nn.to_torch(nn.Neuron(3, activation="sigmoid", seed=0))
    assert [type(m).__name__ for m in single] == ["Linear", "Sigmoid"]
    layer = nn.Layer(2, 3, activation="linear", seed=0)
    out = nn.to_torch(layer)(torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert out.tolist() == pytest.approx([v.data for v in layer([1.0, 2.0])], rel=1e-12)


def test_what_torch_cannot_take_is_named():
    with pytest.raises(ValueError, match="step.*no gradient"):
        nn.to_torch(nn.MLP(2, [2], activation="step", output_activation="step"))
    with pytest.raises(ValueError, match="custom"):
        nn.to_torch(nn.Neuron(2, activation=lambda v: v * 2.0))
    with pytest.raises(TypeError, match="nn.MLP, nn.Layer or nn.Neuron"):
        nn.to_torch(nn.Dropout(0.5))


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "torch", None)
    with pytest.raises(ImportError, match="pip install torch"):
        nn.to_torch(nn.MLP(2, [1]))
