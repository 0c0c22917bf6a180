"""Module plumbing and the Neuron / Layer / MLP stack."""

import math

import pytest

import autograd
import nn
from autograd import Value


def test_named_parameters_use_dotted_paths_and_become_labels():
    model = nn.MLP(3, [2, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.w.2", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(names) == 2 * (3 + 1) + (2 + 1)
    assert all(p.label == name for name, p in model.named_parameters())
    assert model.layers[0].neurons[1].w[0].label == "layers.0.neurons.1.w.0"


def test_parameters_and_zero_grad():
    model = nn.MLP(2, [3, 1], seed=1)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_train_and_eval_reach_every_submodule():
    model = nn.MLP(2, [3, 1])
    model.eval()
    assert not model.training and not model.layers[1].neurons[0].training
    assert model.train() is model and model.layers[0].training


def test_state_dict_round_trip_and_strict_errors():
    a, b = nn.MLP(2, [3, 1], seed=1), nn.MLP(2, [3, 1], seed=2)
    assert a.state_dict() != b.state_dict()
    b.load_state_dict(a.state_dict())
    assert a.state_dict() == b.state_dict()
    with pytest.raises(ValueError, match=r"missing keys \['layers.1.neurons.0.b'\], "
                                         r"unexpected keys \['extra'\]"):
        state = a.state_dict()
        del state["layers.1.neurons.0.b"]
        state["extra"] = 1.0
        b.load_state_dict(state)
    missing, unexpected = b.load_state_dict({"layers.0.neurons.0.b": 5.0, "x": 1}, strict=False)
    assert b.layers[0].neurons[0].b.data == 5.0 and unexpected == ["x"] and len(missing) == 12
    with pytest.raises(ValueError, match=r"layers.0.neurons.0.b must be a finite number"):
        b.load_state_dict({**a.state_dict(), "layers.0.neurons.0.b": float("nan")})
    with pytest.raises(ValueError, match="must be a finite number, got 'x'"):
        b.load_state_dict({**a.state_dict(), "layers.0.neurons.0.b": "x"})


def test_neuron_computes_activation_of_dot_plus_bias():
    n = nn.Neuron(2, activation="tanh", seed=3)
    w0, w1, b = (p.data for p in n.parameters())
    out = n([0.5, -2.0])
    assert out.data == pytest.approx(math.tanh(w0 * 0.5 - 2 * w1 + b), rel=1e-15)


def test_unfused_neuron_gives_the_same_numbers_with_every_op_drawn():
    fused = nn.Neuron(3, activation="sigmoid", seed=4)
    plain = nn.Neuron(3, activation="sigmoid", seed=4, fused=False)
    x = [0.5, -1.0, 2.0]
    a, b = fused(x), plain(x)
    a.backward()
    b.backward()
    assert a.data == pytest.approx(b.data, rel=1e-15)
    assert [p.grad for p in fused.parameters()] == pytest.approx(
        [p.grad for p in plain.parameters()], rel=1e-14)
    assert "dot" in autograd.draw(a).source and "dot" not in autograd.draw(b).source


def test_layer_always_returns_a_list_and_mlp_a_value_for_one_output():
    assert isinstance(nn.Layer(2, 1)([1.0, 2.0]), list)
    assert isinstance(nn.MLP(2, [4, 1])([1.0, 2.0]), Value)
    out = nn.MLP(2, [4, 3])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_one_neuron_middle_layer_works():
    model = nn.MLP(2, [1, 3, 1], seed=0)
    out = model([0.3, 0.4])
    out.backward()
    assert isinstance(out, Value)


def test_same_seed_same_weights_and_different_seed_different():
    assert nn.MLP(2, [4, 1], seed=7).state_dict() == nn.MLP(2, [4, 1], seed=7).state_dict()
    assert nn.MLP(2, [4, 1], seed=7).state_dict() != nn.MLP(2, [4, 1], seed=8).state_dict()


def test_default_init_is_he_for_relu_and_xavier_otherwise():
    relu = nn.MLP(50, [40, 1], activation="relu", seed=0)
    bound = math.sqrt(6 / 50)
    w = [p.data for p in relu.layers[0].parameters() if ".w." in p.label]
    assert max(map(abs, w)) <= bound and max(map(abs, w)) > 0.9 * bound
    tanh = nn.MLP(50, [40, 1], activation="tanh", seed=0)
    bound = 5 / 3 * math.sqrt(6 / 90)
    w = [p.data for p in tanh.layers[0].parameters() if ".w." in p.label]
    assert max(map(abs, w)) <= bound and max(map(abs, w)) > 0.9 * bound
    assert all(p.data == 0.0 for name, p in tanh.named_parameters() if name.endswith(".b"))


def test_init_by_name_and_by_function():
    zeros = nn.MLP(2, [3, 1], init="zeros")
    assert all(p.data == 0.0 for p in zeros.parameters())
    fives = nn.MLP(2, [3, 1], init=lambda fan_in, fan_out, size, rng: [5.0] * size)
    assert {p.data for name, p in fives.named_parameters() if ".w." in name} == {5.0}


def test_input_length_and_constructor_errors():
    with pytest.raises(ValueError, match=r"MLP expects 2 inputs per sample but got 3"):
        nn.MLP(2, [3, 1])([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"nouts must be a non-empty list.*nouts=\[1\]"):
        nn.MLP(2, 1)
    with pytest.raises(ValueError, match="Neuron: nin must be an int ≥ 1, got 0"):
        nn.Neuron(0)
    with pytest.raises(ValueError, match="unknown activation 'relux'.*relu"):
        nn.MLP(2, [3, 1], activation="relux")
    with pytest.raises(ValueError, match="unknown initializer 'heh'"):
        nn.MLP(2, [3, 1], init="heh")


def test_model_repr_shows_its_config():
    assert repr(nn.MLP(2, [3, 1])) == ("MLP(nin=2, nouts=[3, 1], activation='relu', "
                                       "output_activation='linear', fused=True, dropout=0.0)")


def test_step_table_speaks_the_courses_language():
    model = nn.MLP(2, [1], seed=0)
    steps = list(autograd.backward_steps(model([1.0, 2.0])))
    # layers.0.neurons.0.w.1 is w₁,₂⁽¹⁾, as in explain, drawings and the network diagram;
    # the output (linear: z itself) is ŷ, its w·x is w₁⁽¹⁾ᵀx, the inputs x₁ and x₂
    assert any(str(s).startswith("∂ŷ/∂w₁,₂⁽¹⁾ += ∂ŷ/∂(w₁⁽¹⁾ᵀx) × ∂(w₁⁽¹⁾ᵀx)/∂w₁,₂⁽¹⁾ = "
                                 "1 × x₂ = 1 × 2 = 2") for s in steps)
    assert not any("layers." in str(s) for s in steps)


def test_mlp_dropout_trains_noisily_and_evaluates_deterministically():
    with_drop = nn.MLP(3, [16, 16, 1], dropout=0.5, seed=0)
    plain = nn.MLP(3, [16, 16, 1], seed=0)
    assert with_drop.state_dict() == plain.state_dict()  # dropout draws no weights
    x = [0.3, -0.7, 1.1]
    assert len({with_drop(x).data for _ in range(5)}) > 1
    with_drop.eval()
    assert with_drop(x).data == plain(x).data
    assert with_drop.config()["dropout"] == 0.5 and len(with_drop.dropouts) == 2


class Doubler(nn.Module):
    """A custom layer: every input times a learned scale (one parameter)."""

    def __init__(self):
        self.scale = Value(2.0)

    def forward(self, xs):
        return [x * self.scale for x in xs]


class SumNeuron(nn.Module):
    """A custom neuron: the plain sum of its inputs plus a learned bias."""

    def __init__(self):
        self.b = Value(0.5)

    def forward(self, xs):
        return autograd.sum(xs) + self.b


def test_any_module_can_stand_in_an_mlps_layers():
    model = nn.MLP(2, [3, 1], seed=0)
    reference = nn.MLP(2, [3, 1], seed=0)
    x = [0.4, -0.3]
    hidden = reference.layers[0]([0.4, -0.3])
    model.layers.insert(1, Doubler())
    out = model(x)
    expected = reference.layers[1]([2.0 * h.data for h in hidden])[0]
    assert out.data == pytest.approx(expected.data, rel=1e-15)
    out.backward()
    scale = model.layers[1].scale
    assert scale.grad != 0.0 and "layers.1.scale" in dict(model.named_parameters())
    assert scale in model.parameters()


def test_a_module_returning_one_value_can_be_the_last_layer():
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[1] = SumNeuron()
    hidden = model.layers[0]([1.0, 2.0])
    assert model([1.0, 2.0]).data == pytest.approx(sum(h.data for h in hidden) + 0.5)


def test_any_module_can_stand_in_a_layers_neurons():
    layer = nn.Layer(2, 2, activation="tanh", seed=0)
    plain = layer([1.0, -1.0])
    layer.neurons[1] = SumNeuron()
    mixed = layer([1.0, -1.0])
    assert mixed[0].data == plain[0].data  # the Neuron is unchanged
    assert mixed[1].data == pytest.approx(0.5)  # 1 + (-1) + 0.5
    mixed[1].backward()
    assert layer.neurons[1].b.grad == 1.0


def test_inputs_of_the_right_values_pass_through_unchanged_and_bad_ones_are_named():
    xs = [Value(1.0), Value(2.0)]
    assert nn.layers._as_values(xs, 2, "MLP") is xs
    with pytest.raises(ValueError, match="MLP: input 1 is nan"):
        nn.MLP(2, [1])([1.0, float("nan")])
    with pytest.raises(ValueError, match="Layer expects 2 inputs per sample but got 1"):
        nn.Layer(2, 1)([Value(1.0)])


def test_a_networks_nodes_are_named_as_the_course_names_them():
    name = autograd.naming.name
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    out = model([1.0, 2.0])
    nodes = autograd.topological_order(out)
    assert all(not v.label for v in nodes if v.parents)  # nothing is labelled at forward time
    with autograd.naming.showing(out):
        names = {v: name(v) for v in nodes}
    assert names[out] == "ŷ"  # a linear output: z itself, the network's output
    assert {n for n in names.values() if n.startswith("a")} == {"a₁⁽¹⁾", "a₂⁽¹⁾", "a₃⁽¹⁾"}
    assert {n for n in names.values() if n.startswith("z")} == {"z₁⁽¹⁾", "z₂⁽¹⁾", "z₃⁽¹⁾"}
    assert {n for n in names.values() if n.startswith("x")} == {"x₁", "x₂"}
    tanh = next(v for v in nodes if names[v] == "a₂⁽¹⁾")
    assert tanh.op is autograd.ops.TANH and names[tanh.parents[0]] == "z₂⁽¹⁾"
    dot = tanh.parents[0].parents[0]
    assert dot.op is autograd.ops.DOT and names[dot] == "w₂⁽¹⁾ᵀx"
    assert names[out.parents[0]] == "w₁⁽²⁾ᵀa⁽¹⁾"
    assert name(nn.Neuron(2)([1.0, 1.0])) == "a"
    layer = nn.Layer(2, 2)
    assert [name(v) for v in layer([1.0, 1.0])] == ["a₁", "a₂"]
    sigmoid = nn.MLP(2, [2, 2], activation="relu", output_activation="sigmoid", seed=0)
    assert [name(v) for v in sigmoid([1.0, 2.0])] == ["ŷ₁", "ŷ₂"]  # several outputs
    model.layers[1].neurons[0].b.label = "renamed.b"  # a relabelled bias is noticed
    assert name(model([1.0, 2.0])) == "renamed.ŷ"
    mine = model([1.0, 2.0])
    mine.label = "score"  # the user's label wins
    assert name(mine) == "score"
