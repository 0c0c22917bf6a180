"""nn.draw_network: the course's picture of a network, with the engine's numbers of one pass."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Drawing
from autograd.viewport import legible_scale
from nn import losses
from nn.diagram import NEGATIVE, POSITIVE, draw_network
from nn.examples import mazur_network


def short(v):
    return "0" if v == 0 else f"{v:.4g}"


def users_pass(model, x, target, loss="mse"):
    """The numbers the learner gets with their own forward and backward pass."""
    model.zero_grad()
    hidden = model.layers[0](x)
    out = model(x)
    value = losses.get(loss)(out, target)
    value.backward()
    grads = {p.label: p.grad for p in model.parameters()}
    model.zero_grad()
    return hidden, out, value, grads


def test_mazur_diagram_shows_the_engines_numbers():
    model, x, target = mazur_network()
    source = draw_network(model, x, target=target, loss="mse").source
    hidden, out, _, grads = users_pass(model, x, target)
    # forward: a of every neuron, z of the first output, the loss
    for a in [*hidden, *out]:
        assert short(a.data) in source
    assert "0.3775" in source and "1.106" in source  # z₁⁽¹⁾, z₁⁽²⁾
    assert "0.2984" in source  # L = 0.298371109
    # backward: ∂L/∂w on the edges (Mazur's w5 and w1), δ and ∂L/∂b on the neurons
    for name, grad in grads.items():
        assert short(grad) in source, name
    assert "∂L/∂w = 0.08217" in source and "∂L/∂w = 0.0004386" in source
    assert "δ = ∂L/∂z" in source and "0.008771" in source and "0.1385" in source
    # the weights, named in the course's notation, coloured by sign
    assert "w₁,₁⁽²⁾ = 0.4" in source and "w₂,₂⁽¹⁾ = 0.3" in source
    assert source.count(f'color="{POSITIVE}"') == 8
    # tooltips: full dotted names and every digit
    assert "w₁,₁⁽²⁾ = layers.1.neurons.0.w.0 = 0.4" in source
    assert f"∂L/∂w₁,₁⁽²⁾ = {grads['layers.1.neurons.0.w.0']!r}" in source
    assert "b₁⁽¹⁾ = layers.0.neurons.0.b = 0.35" in source


def test_names_follow_the_course_notation_and_columns_keep_their_order():
    model, x, target = mazur_network()
    source = draw_network(model, x, target=target, loss="mse").source
    for name in ["x₁", "x₂", "a₁⁽¹⁾", "a₂⁽¹⁾", "a₁⁽²⁾", "a₂⁽²⁾", "layer 1", "layer 2", "loss"]:
        assert name in source
    # each column is a rank=same subgraph whose invisible edges fix the top-to-bottom order
    assert source.count("rank=same") == 4
    assert "n1_0 -> n1_1 [style=invis]" in source
    assert source.index("rankdir=LR") < source.index("n0_0")


def test_drawing_leaves_the_model_and_its_grads_unchanged():
    model = nn.MLP(2, [3, 2], activation="tanh", seed=1, dropout=0.5)
    for i, p in enumerate(model.parameters()):
        p.grad = 10.0 + i  # the learner's own accumulated gradients
    before = [(p.data, p.grad) for p in model.parameters()]
    rng_before = model.dropouts[0]._rng.getstate()
    picture = draw_network(model, [0.5, -0.5], target=[0.0, 1.0], loss="mse")
    assert isinstance(picture, Drawing)
    assert [(p.data, p.grad) for p in model.parameters()] == before
    assert model.dropouts[0]._rng.getstate() == rng_before and model.training


def test_same_call_same_source():
    model, x, target = mazur_network()
    first = draw_network(model, x, target=target, loss="mse").source
    assert draw_network(model, x, target=target, loss="mse").source == first


def test_architecture_only_and_forward_only():
    model, x, _ = mazur_network()
    architecture = draw_network(model).source
    assert "w₁,₁⁽¹⁾ = 0.15" in architecture and "0.35" in architecture
    assert "∂L" not in architecture and '"loss"' not in architecture
    forward = draw_network(model, x).source
    assert "0.5933" in forward and "0.3775" in forward and "∂L" not in forward


def test_wide_layers_drop_edge_labels_but_keep_the_numbers_in_tooltips():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    source = draw_network(model, [0.5, -1.0], target=1, loss="bce_with_logits").source
    edges = [line for line in source.splitlines() if re.match(r"\s*n0_\d+ -> n1_\d+ ", line)]
    assert len(edges) == 256
    assert not any("label=" in e for e in edges)
    assert all("tooltip=" in e and "∂L/∂w" in e and "layers.1.neurons." in e for e in edges)
    w = model.layers[1].neurons[3].w[5]
    wide = next(e for e in edges if "n0_5 -> n1_3 " in e)
    assert f"= {w.data!r}" in wide
    assert (NEGATIVE if w.data < 0 else POSITIVE) in wide
    # the input layer (32 edges) is unlabelled too; the output layer (16 edges) also
    assert "∂L/∂w = " not in source


# measured (pt): 754×414, 994×734 and 821×1507. Text is never scaled down to fit a column
# (a notebook's viewport pans a wider picture): at natural size every text is legible, and
# the bounds keep a layout change from blowing the picture up.
@pytest.mark.parametrize("widths, max_width_pt, max_height_pt", [
    ([2, 2], 830, 460), ([4, 4, 1], 1100, 810), ([16, 16, 1], 900, 1660)])
def test_renders_as_svg_legible_at_its_natural_size(widths, max_width_pt, max_height_pt):
    model = nn.MLP(2, widths, activation="sigmoid", seed=0)
    target = [0.0] * widths[-1] if widths[-1] > 1 else 0.0
    svg = draw_network(model, [0.5, -1.0], target=target, loss="mse").svg()
    width, height = map(float, re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"',
                                         svg).groups())
    assert width <= max_width_pt and height <= max_height_pt
    assert 'transform="scale(1 1)' in svg  # drawn at its size, not shrunk by the DOT
    assert legible_scale(svg) <= 1  # at 1:1 every text >= 11 px, scripts >= 8 px
    assert svg.count("<g id=\"node") >= sum(widths) + 2  # neurons, inputs, loss
    assert 'xlink:title="w₁,₁⁽¹⁾ = layers.0.neurons.0.w.0 = ' in svg  # hover text


def test_lone_layer_neuron_and_loss_function():
    layer = nn.Layer(3, 2, activation="sigmoid", seed=0)
    source = draw_network(layer, [1, 2, 3], target=[0, 1], loss="mse").source
    assert "a₂" in source and "⁽" not in source.split("edges:")[0].split("a₂")[1][:2]
    neuron = nn.Neuron(2, activation="tanh", seed=0)

    def half_squared(preds, targets):
        return autograd.sum([(p - t) ** 2 * 0.5 for p, t in zip(preds, targets)]) / len(preds)

    source = draw_network(neuron, [1.0, 2.0], target=0.3, loss=half_squared).source
    assert "half_squared" in source
    expected = (neuron([1.0, 2.0]).data - 0.3) * (1 - neuron([1.0, 2.0]).data ** 2)
    assert short(expected) in source  # δ = (a − y)·tanh′(z)


@settings(max_examples=25)
@given(widths=st.lists(st.integers(1, 3), min_size=1, max_size=3),
       activation=st.sampled_from(["sigmoid", "tanh", "relu", "selu", "linear"]),
       seed=st.integers(0, 1000), x=st.lists(st.floats(-2, 2), min_size=2, max_size=2))
def test_every_parameter_gradient_of_the_users_pass_is_in_the_tooltips(widths, activation,
                                                                         seed, x):
    model = nn.MLP(2, [*widths, 1], activation=activation, seed=seed)
    source = draw_network(model, x, target=0.5, loss="mse").source
    model.zero_grad()
    losses.mse(model(x), 0.5).backward()
    for p in model.parameters():
        assert f"{p.label} = {p.data!r}" in source
        assert f"= {p.grad!r}" in source


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(x=[0.1]), ValueError, r"draw_network: x has 1 values but the model has 2 inputs"),
    (dict(x=[0.1, float("nan")]), ValueError, r"x\[1\] is nan"),
    (dict(x=[0.1, 0.2], target=[0, 1]), ValueError, r"a target was given but no loss; pass "
                                                     r"loss='mse'"),
    (dict(x=[0.1, 0.2], loss="mse"), ValueError, r"loss='mse' needs a target"),
    (dict(target=[0, 1], loss="mse"), ValueError, r"needs a sample .* pass x="),
    (dict(x=[0.1, 0.2], target=[0, 1], loss="msee"), ValueError,
     r"loss='msee' is not a known loss .*bce_with_logits"),
    (dict(x=[0.1, 0.2], target=[0, 1], loss=42), ValueError, r"loss must be a loss name"),
    (dict(max_edge_labels=-1), ValueError, r"max_edge_labels must be an int ≥ 0, got -1"),
    (dict(x="ab"), ValueError, r"x must be one sample, a list of 2 numbers, got str"),
])
def test_clear_errors(kwargs, error, message):
    model, _, _ = mazur_network()
    with pytest.raises(error, match=message):
        draw_network(model, **kwargs)


def test_unsupported_models_are_named():
    with pytest.raises(TypeError, match=r"model must be an nn.MLP, nn.Layer or nn.Neuron, "
                                        r"got BatchNorm"):
        draw_network(nn.BatchNorm(2))
    model = nn.MLP(2, [2, 1])
    model.layers[0] = nn.Dropout(0.1)
    with pytest.raises(TypeError, match=r"layer 0 of the model is a Dropout"):
        draw_network(model)


def test_a_one_neuron_diagram_fits_a_700_px_column_legend_included():
    """The legend is one line per point, so it never makes a small diagram wider than a
    notebook column (as one long line it did, and opened at 94 % with its end cut off)."""
    neuron = nn.MLP(2, [1], output_activation="sigmoid", seed=0)
    drawing = nn.draw_network(neuron, [0.5, 1.0], target=[1.0], loss="bce")
    assert drawing.size[0] <= 700
    assert "hover for exact values and names" in drawing.svg()
