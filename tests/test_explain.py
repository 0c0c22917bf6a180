"""explain(root, wrt): the chain rule as a sum over paths, equal to what backward computes."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings

import autograd
import nn
from autograd import Value, explain, gradients
from autograd.testing import expressions_with_inputs
from tests.test_constants import batch_mean_neuron


def close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300) or (
        math.isnan(a) and math.isnan(b))


@settings(max_examples=200, deadline=None)
@given(expressions_with_inputs(max_ops=6))
def test_the_sum_over_paths_is_what_backward_computes_on_random_graphs(case):
    expr, xs = case
    assume(expr.well_conditioned(xs))
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    out = expr(*inputs)
    engine = gradients(out)
    for x in inputs:
        e = explain(out, x, max_paths=10_000)
        assert len(e.paths) == e.path_count >= 1  # every input is added in at the end
        assert e.engine == engine.get(x, 0.0)
        scale = max(1.0, *(abs(p.product) for p in e.paths))
        assert abs(e.total - e.engine) <= 1e-12 * scale
        assert abs(sum(g.product for g in e.groups) - e.engine) <= 1e-12 * scale
        assert sum(g.paths for g in e.groups) == e.path_count
        for p in e.paths:
            assert p.nodes[0] is x and p.nodes[-1] is out
            assert len(p.factors) == len(p.nodes) - 1
            assert close(p.product, math.prod(f.local for f in p.factors)) or any(
                f.local == 0.0 for f in p.factors)
            for f, child, parent in zip(p.factors, reversed(p.nodes[1:]),
                                        reversed(p.nodes[:-1])):
                assert f.node is child and f.parent is parent
                assert f.local in [g for q, g in zip(child.parents, child.local_grads)
                                   if q is parent]


def test_a_reused_input_gives_one_path_per_use():
    x = Value(3.0, label="x")
    y = x * x
    e = explain(y, x)
    assert [p.product for p in e.paths] == [3.0, 3.0] and e.total == 6.0
    assert e.groups[0].paths == 2 and e.groups[0].local == 6.0


def test_the_batch_mean_neuron_reads_as_the_mean_of_error_times_input():
    loss, w, b, xs, ys = batch_mean_neuron()
    e = explain(loss, w[0])
    assert e.scale == pytest.approx(1 / 4) and len(e.samples) == 4
    for s, x, y in zip(e.samples, xs, ys):
        z = 0.4 * x[0] - 0.6 * x[1] + 0.1
        y_hat = 1 / (1 + math.exp(-z))
        (group,) = s.groups
        assert group.upstream == pytest.approx(y_hat - y, rel=1e-12)  # ∂ℓᵢ/∂zᵢ = ŷᵢ − yᵢ
        assert group.local == x[0]  # ∂zᵢ/∂w0 = xᵢ
        assert s.gradient == pytest.approx((y_hat - y) * x[0], rel=1e-12)
    assert e.total == pytest.approx(sum(s.gradient for s in e.samples) / 4, rel=1e-12)
    loss.backward()
    assert e.total == pytest.approx(w[0].grad, rel=1e-12)
    text = str(e)
    assert "mean of N = 4 terms" in text and "(1/4)" in text
    assert f"{e.samples[0].groups[0].upstream:.6g}" in text
    eb = explain(loss, b)
    assert [g.local for s in eb.samples for g in s.groups] == [1.0] * 4


def test_too_many_paths_are_grouped_by_the_next_node():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    w = model.layers[0].neurons[3].w[1]
    e = explain(loss, w, max_paths=4)
    # w feeds one chain (its neuron's w·x, z, relu); the paths part at the 16 next-layer nodes
    assert e.path_count == 16 and len(e.groups) == 16
    assert all(g.paths == 1 and len(g.via) == 3 for g in e.groups)
    relu = e.groups[0].via[-1]
    assert relu.op is autograd.ops.RELU and all(relu in g.node.parents for g in e.groups)
    for g in e.groups:  # ∂c/∂w = ∂c/∂relu · relu′ · 1 · x₂
        k = g.node.parents.index(relu)
        assert g.local == pytest.approx(g.node.local_grads[k] * relu.local_grads[0] * -1.0)
    with pytest.raises(ValueError, match="max_paths=4"):
        e.paths  # noqa: B018
    from autograd.graph import formula
    assert f"They part after {formula(relu)} into 16 nodes c" in " ".join(str(e).split())
    assert [f.parent for f in e.lower.factors] == list(reversed((w, *e.groups[0].via[:-1])))
    listed = explain(loss, w, max_paths=16)
    assert len(listed.paths) == 16
    assert listed.total == pytest.approx(e.total, rel=1e-12)
    assert w.grad == 0.0  # explain touches no .grad
    loss.backward()
    assert e.total == pytest.approx(w.grad, rel=1e-12)


def test_explain_in_jupyter_is_rendered_math():
    x = Value(0.5, label="x")
    y = (x * 2.0).sigmoid()
    y.label = "y"
    latex = explain(y, x)._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}") and latex.endswith("\\end{aligned}$$")
    assert "\\frac{\\partial \\text{y}}" in latex and f"{explain(y, x).total:.6g}" in latex
    loss, w, _, _, _ = batch_mean_neuron()
    assert "(1/N)} \\sum_i" in explain(loss, w[1])._repr_latex_()


def test_a_node_the_root_does_not_depend_on_has_no_path():
    x, z = Value(1.0, label="x"), Value(2.0, label="z")
    y = x * 3.0
    e = explain(y, z)
    assert e.total == 0.0 and e.path_count == 0 and e.paths == () and e.groups == ()
    assert "does not depend" in str(e)
    assert explain(y, y).total == 1.0


def test_bad_arguments_are_named():
    x = Value(1.0)
    with pytest.raises(TypeError, match="root must be a Value"):
        explain(1.0, x)
    with pytest.raises(TypeError, match="wrt must be a Value"):
        explain(x * 2, 2.0)
    c = autograd.constant(2.0, "c")
    with pytest.raises(ValueError, match="constant .*make x a Value"):
        explain(x * c, c)
    with pytest.raises(ValueError, match="max_paths"):
        explain(x * 2, x, max_paths=-1)


def test_formulas_name_nodes_with_the_right_parentheses():
    from autograd.graph import formula, needs_parentheses
    a, b, c = (Value(1.0, label=n) for n in "abc")
    assert formula((a + b) * c) == "(a + b)·c"
    assert formula(a - (b + c)) == "a − (b + c)"
    assert formula(a - b + c) == "a − b + c"
    assert formula(a / (b * c)) == "a/(b·c)"
    assert formula((a * 2.0).sigmoid()) == "sigmoid(a·2)"
    assert formula((a - 1.0) ** 2) == "(a − 1)²"
    assert formula(a * -1.5) == "a·(-1.5)"
    import nn  # noqa: F401  (registers the namer of the course's notation)

    p = Value(0.5, label="layers.1.neurons.1.w.0")
    assert formula(p * 2.0) == "w₂,₁⁽²⁾·2" and formula(p) == "w₂,₁⁽²⁾"
    first = Value(0.5, label="layers.0.neurons.1.w.0")  # a first-layer weight reads input 1
    assert formula(first * 2.0) == "w₂,₁⁽¹⁾·x₁" and formula(first) == "w₂,₁⁽¹⁾"
    s3 = autograd.sum([a, b, c])
    long = s3 * s3 * s3 * s3
    assert "#" in formula(long)  # longer than 24 characters: op and id
    assert needs_parentheses("w·x + b") and not needs_parentheses("log(1 − ŷ)")


def test_the_per_term_view_is_only_given_when_it_is_true():
    w = Value(0.4, label="w")
    terms = [(w * x - 1.0) ** 2 for x in (1.0, 2.0, 3.0)]
    terms[0].label = "l1"
    J = autograd.sum(terms) / 3
    assert explain(J, w).samples is not None
    for wrt in (terms[0], J.parents[0], J):  # a term, the sum, the root: no per-term view
        e = explain(J, wrt)
        assert e.samples is None
        J.backward() if wrt is J else None
    assert explain(J, terms[0]).total == pytest.approx(1 / 3)
    model, x, target = nn.examples.mazur_network()
    E = nn.losses.mse(model(x), target)  # a mean over 2 outputs, not samples
    text = str(explain(E, model.layers[0].neurons[0].w[0]))
    assert "mean of N = 2 terms" in text  # a mean over outputs is not called one over samples
    assert "sample" not in text.replace("per sample, or per output", "").replace(
        ".samples[i].explain()", "")


def test_explain_refuses_a_graph_made_without_gradients():
    w = Value(2.0, label="w")
    with autograd.no_grad():
        y = w * 3 + 1
    with pytest.raises(ValueError, match="no_grad"):
        explain(y, w)
    with pytest.raises(ValueError, match="no_grad"):
        explain(w * 2, y)


def test_a_deep_chain_is_explained_in_linear_time():
    x = Value(0.5, label="x")
    y = x
    for _ in range(20_000):
        y = y * 1.0
    e = explain(y, x)
    assert len(e.paths[0].factors) == 20_000 and e.total == 1.0


def test_explaining_a_node_by_itself():
    x = Value(3.0, label="x")
    e = explain(x, x)
    assert e.total == 1.0 and e.paths[0].nodes == (x,)
    assert "= 1" in str(e) and " =  = " not in str(e)
