"""nn.backprop_by_layer: the course's layer-by-layer formulas, checked with the engine's numbers.

The point of the table is that its identities hold with the numbers the engine computed; these
tests recompute nothing the table shows from the table itself: they run their own
``loss.backward()`` and compare.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from nn import losses
from nn.backprop_table import BackpropIdentityError, backprop_by_layer
from nn.examples import mazur_network


def engine_grads(model, xs, targets, loss="mse"):
    """The parameters' .grad after the user's own forward and backward pass."""
    model.zero_grad()
    fn = losses.get(loss) if isinstance(loss, str) else loss
    preds = [model(x) for x in xs]
    value = fn(preds, targets)  # nn.losses' one convention: lists, one item per sample
    value.backward()
    grads = {p.label: p.grad for p in model.parameters()}
    model.zero_grad()
    return value.data, grads


def test_mazur_table_has_his_numbers_and_every_identity_holds():
    model, x, target = mazur_network()
    table = backprop_by_layer(model, x, target, "mse")
    assert table.ok and round(table.loss, 9) == 0.298371109
    assert round(table.row("∂L/∂w₁,₁⁽²⁾").value, 9) == 0.082167041  # Mazur's w5
    assert round(table.row("∂L/∂w₁,₁⁽¹⁾").value, 9) == 0.000438568  # Mazur's w1
    # δ_o1 = ∂E/∂out_o1 · out_o1(1 − out_o1) = 0.74136507 × 0.186815602
    delta = table.row("δ₁⁽²⁾")
    assert round(table.row("∂L/∂a₁⁽²⁾").value, 8) == 0.74136507
    assert delta.numbers == "0.741365 × 0.186816"
    # ∂E/∂out_h1 = w5·δ_o1 + w7·δ_o2 = 0.036350306 (Mazur)
    arriving = table.row("∂L/∂a₁⁽¹⁾")
    assert round(arriving.value, 9) == 0.036350306
    assert arriving.formula == "w₁,₁⁽²⁾·δ₁⁽²⁾ + w₂,₁⁽²⁾·δ₂⁽²⁾"
    assert arriving.numbers == "0.4×0.138499 + 0.5×(-0.0380982)"
    assert len(arriving.parts) == 2


def test_rows_go_from_the_output_layer_back_in_the_courses_order():
    model, x, target = mazur_network()
    rows = backprop_by_layer(model, x, target, "mse").rows
    assert [r.layer for r in rows] == [2] * 10 + [1] * 10
    assert [r.kind for r in rows[:5]] == ["dL/da", "delta", "dL/dw", "dL/dw", "dL/db"]
    assert rows[0].check is None  # ∂L/∂ŷ is where backprop starts: nothing to check
    assert rows[2].name == "layers.1.neurons.0.w.0"


def test_values_are_the_engines_gradients_and_formulas_match_them():
    model, x, target = mazur_network()
    table = backprop_by_layer(model, x, target, "mse")
    _, grads = engine_grads(model, [x], [target])
    params = [r for r in table.rows if r.kind in ("dL/dw", "dL/db")]
    assert len(params) == len(grads) == 12
    for r in params:
        assert r.value == grads[r.name]  # the engine's own number, not a recomputation
        assert abs(r.check - grads[r.name]) <= 1e-12  # δ·a equals the weight's .grad


def test_table_leaves_the_model_and_its_grads_unchanged():
    model, x, target = mazur_network()
    for i, p in enumerate(model.parameters()):
        p.grad = 100.0 + i  # the user's own accumulated gradients
    before = [(p.data, p.grad) for p in model.parameters()]
    backprop_by_layer(model, x, target, "mse")
    assert [(p.data, p.grad) for p in model.parameters()] == before


@given(
    widths=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
                                "linear"]),
    seed=st.integers(0, 10_000),
    x=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    target=st.floats(-1, 1),
)
def test_identities_hold_for_any_small_mlp(widths, activation, seed, x, target):
    model = nn.MLP(3, [*widths, 1], activation=activation, output_activation="tanh",
                   seed=seed)
    table = backprop_by_layer(model, x, target, "mse")
    assert table.ok, str(table)
    _, grads = engine_grads(model, [x], [target])
    for r in table.rows:
        if r.name:
            assert math.isclose(r.value, grads[r.name], rel_tol=0, abs_tol=1e-12)
        if r.check is not None:
            assert math.isclose(r.value, r.check, rel_tol=1e-9, abs_tol=1e-12)


def test_hidden_gradient_is_the_sum_over_the_next_layer():
    model = nn.MLP(2, [6, 3], activation="tanh", seed=4)
    table = backprop_by_layer(model, [0.3, -0.7], 1, "cross_entropy")
    arriving = table.row("∂L/∂a₂⁽¹⁾")
    w = [n.w[1].data for n in model.layers[1].neurons]
    deltas = [table.row(f"δ{s}⁽²⁾").value for s in "₁₂₃"]
    assert arriving.parts == tuple(wk * dk for wk, dk in zip(w, deltas))
    assert math.isclose(arriving.value, sum(arriving.parts), abs_tol=1e-12)


def test_a_batch_sums_the_samples_terms_into_the_parameter_gradients():
    model = nn.MLP(2, [3, 2], activation="sigmoid", seed=7)
    xs = [[0.1, 0.2], [0.5, -0.3], [1.0, 0.0]]
    ys = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    table = backprop_by_layer(model, xs, ys, "mse", batch=True)
    loss, grads = engine_grads(model, xs, ys)
    assert table.loss == loss and table.batch_size == 3 and table.ok
    w = table.row("∂L/∂w₂,₃⁽²⁾")
    assert w.sample is None and len(w.parts) == 3 and w.value == grads[w.name]
    deltas = [table.row("δ₂⁽²⁾", sample=i).value for i in (1, 2, 3)]
    hidden = [model.layers[0](x)[2].data for x in xs]
    assert w.parts == tuple(d * a for d, a in zip(deltas, hidden))
    assert "sample" in str(table).splitlines()[1]


def test_a_broken_identity_raises_or_is_marked_never_hidden():
    model, x, target = mazur_network()
    # share one weight between the two output neurons: its gradient is then the sum of two
    # neurons' δ·a, so ∂L/∂w = δⱼ·aₖ no longer holds for either of them
    model.layers[1].neurons[1].w[0] = model.layers[1].neurons[0].w[0]
    with pytest.raises(BackpropIdentityError, match=r"∂L/∂w₁,₁⁽²⁾ .*engine"):
        backprop_by_layer(model, x, target, "mse")
    table = backprop_by_layer(model, x, target, "mse", strict=False)
    assert not table.ok and {r.quantity for r in table.failures()} == {"∂L/∂w₁,₁⁽²⁾"}
    assert "✗ formula gives" in str(table) and "#ffe3e3" in table._repr_html_()
    assert "FAIL" in repr(table)


def test_text_and_html_tables_show_formulas_and_numbers():
    model, x, target = mazur_network()
    table = backprop_by_layer(model, x, target, "mse")
    text = str(table)
    assert text.startswith("loss mse = 0.298371")
    assert "δ₁⁽²⁾ · a₁⁽¹⁾ = 0.138499 × 0.59327" in text and "0.082167" in text
    html = table._repr_html_()
    assert html.startswith("<table>") and "∂L/∂w₁,₁⁽²⁾" in html and "0.082167" in html
    assert html.count("<tr>") == len(table.rows) + 1


def test_lone_layer_and_neuron_and_a_loss_function():
    layer = nn.Layer(2, 2, activation="sigmoid", seed=1)
    table = backprop_by_layer(layer, [0.5, 1.0], [0.0, 1.0], "mse")
    assert table.ok and table.row("δ₂").layer == 1
    neuron = nn.Neuron(2, activation="tanh", seed=2)

    def half_squared(preds, targets):
        return autograd.sum([(p - t) ** 2 * 0.5 for p, t in zip(preds, targets)]) / len(preds)

    table = backprop_by_layer(neuron, [0.5, 1.0], 0.3, half_squared)
    assert table.ok and table.loss_name == "half_squared"
    assert table.row("∂L/∂w₂").value == engine_grads(neuron, [[0.5, 1.0]], [0.3],
                                                      half_squared)[1]["w.1"]


def test_works_inside_no_grad():
    model, x, target = mazur_network()
    with autograd.no_grad():
        table = backprop_by_layer(model, x, target, "mse")
    assert round(table.row("∂L/∂w₁,₁⁽²⁾").value, 9) == 0.082167041


@pytest.mark.parametrize("call, error, message", [
    (lambda m: backprop_by_layer(m, [0.1], [0.0, 1.0], "mse"), ValueError,
     r"x has 1 values but the model has 2 inputs"),
    (lambda m: backprop_by_layer(m, [0.1, float("nan")], [0.0, 1.0], "mse"), ValueError,
     r"x\[1\] is nan"),
    (lambda m: backprop_by_layer(m, [0.1, 0.2], [0.0, 1.0], "msee"), ValueError,
     r"loss='msee' is not a known loss .*mse"),
    (lambda m: backprop_by_layer(m, [0.1, 0.2], [0.0, 1.0], None), ValueError,
     r"loss is None; pass a loss name such as loss='mse'"),
    (lambda m: backprop_by_layer(m, [[0.1, 0.2]], [[0, 1], [1, 0]], "mse", batch=True),
     ValueError, r"1 samples and 2 targets"),
    (lambda m: backprop_by_layer(m, [0.1, 0.2], [0.0, 1.0], lambda p, t: 1.0), TypeError,
     r"must return one autograd.Value"),
    (lambda m: backprop_by_layer(nn.Perceptron(2), [0.1, 0.2], 1, "mse"), TypeError,
     r"model must be an nn.MLP, nn.Layer or nn.Neuron, got Perceptron"),
])
def test_clear_errors(call, error, message):
    model, _, _ = mazur_network()
    with pytest.raises(error, match=message):
        call(model)


def test_a_batch_given_as_one_sample_says_to_pass_batch_true():
    model, x, target = nn.examples.mazur_network()
    with pytest.raises(ValueError, match="holds 2 samples.*batch=True"):
        nn.backprop_by_layer(model, [x, x], [target, target], "mse")
    with pytest.raises(ValueError, match="one sample at a time"):
        nn.draw_network(model, [x, x])
