"""explain answers "why this ∂L/∂w": one sample's whole chain through the hidden layers, the
paths parted and met again, the per-sample view of a mean, labels naming the right term, and
a text and HTML form that fit a 700 px column.

Names are produced by the graph module and may change; these tests check structure (which
nodes appear as factors, products against backward) and build expected names with the same
naming function, never from copied strings."""

from __future__ import annotations

import math

import pytest

import autograd
import nn
from autograd import explain
from autograd.explain_view import WIDTH, width, wrapped
from autograd.graph import formula, topological_order


def between(root, wrt) -> set:
    """Every node on some path from ``wrt`` to ``root`` (both included), found apart from
    explain: the nodes ``wrt`` reaches that are also ancestors of ``root``."""
    order = topological_order(root)
    reached = {wrt}
    for node in order:
        if any(p in reached for p in node.parents):
            reached.add(node)
    return {v for v in order if v in reached}


def network_221(y: float = 1.0):
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    out = model([0.5, -1.0])
    loss = nn.losses.binary_cross_entropy([out], [y])  # default reduction: a mean over N = 1
    return model, out, loss


def grad_by_backward(loss, w) -> float:
    for p in topological_order(loss):
        p.grad = 0.0
    loss.backward()
    return w.grad


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("y", [1.0, 0.0])
@pytest.mark.parametrize("which", [0, 1, 2, 3])
def test_one_sample_shows_the_whole_chain_through_the_hidden_layer(y, which):
    model, out, loss = network_221(y)
    w = model.layers[0].neurons[which // 2].w[which % 2]
    e = explain(loss, w)
    assert e.samples is None  # a mean over one sample is that sample's chain
    chain = e.chain
    assert set(chain.nodes) == between(loss, w)
    assert chain.nodes[0] is w and chain.nodes[-1] is loss
    assert len(chain.factors) == len(chain.nodes) - 1
    hidden = model.layers[0].neurons[which // 2]
    sigmoids = [v for v in chain.nodes if v.op is autograd.ops.SIGMOID and v is not out]
    z_hidden = sigmoids[0].parents[0]
    assert out in chain.nodes and z_hidden in chain.nodes  # ŷ, and z⁽¹⁾ through a⁽¹⁾
    for f, child, parent in zip(chain.factors, reversed(chain.nodes[1:]),
                                reversed(chain.nodes[:-1])):
        assert f.node is child and f.parent is parent
        assert f.local == child.local_grads[child.parents.index(parent)]
    assert close(math.prod(f.local for f in chain.factors), grad_by_backward(loss, w))
    assert close(chain.product, e.total) and close(e.total, w.grad)
    text = str(e)
    rows = [line.strip() for line in text.splitlines()]
    assert sum(r.startswith("× ∂") for r in rows) == len(chain.factors) - 1
    for f in chain.factors:  # each factor whole, on one line
        assert f"∂{wrapped(formula(f.node))}/∂{wrapped(formula(f.parent))}" in text
    assert max(width(line) for line in text.splitlines()) <= WIDTH
    assert hidden.w[which % 2] is w


def test_a_mean_over_samples_gives_each_terms_chain_on_demand():
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    X = [[0.5, -1.0], [1.0, 2.0], [-0.3, 0.8]]
    Y = [1.0, 0.0, 1.0]
    J = nn.losses.binary_cross_entropy([model(x) for x in X], Y)
    w = model.layers[0].neurons[1].w[0]
    e = explain(J, w)
    assert len(e.samples) == 3 and e.scale == pytest.approx(1 / 3)
    assert close(e.scale * sum(s.gradient for s in e.samples), e.total)
    assert close(e.total, grad_by_backward(J, w))
    for s in e.samples:
        term = s.explain()
        assert term.root is s.loss and term.wrt is w and term.samples is None
        assert set(term.chain.nodes) == between(s.loss, w)  # every node of ℓᵢ's chain
        assert close(term.chain.product, s.gradient)
    text = str(e)
    assert ".samples[i].explain()" in text and "N = 3" in text
    assert max(width(line) for line in text.splitlines()) <= WIDTH


def network_2221(seed: int = 3):
    model = nn.MLP(2, [2, 2, 1], activation="sigmoid", output_activation="sigmoid", seed=seed)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    return model, loss


def test_paths_that_part_and_meet_again_are_written_as_shared_chains_and_branches():
    model, loss = network_2221()
    w = model.layers[0].neurons[0].w[1]
    e = explain(loss, w)
    assert e.path_count == 2 and len(e.groups) == 2
    with pytest.raises(ValueError, match="not one"):
        e.chain  # noqa: B018
    # the chain they share near w ends at the neuron's a⁽¹⁾, read by both layer-2 neurons
    assert e.lower.nodes[0] is w and e.lower.nodes[-1] is e.split
    assert all(e.split in g.node.parents for g in e.groups)
    assert e.upper.nodes[0] is e.meet and e.upper.nodes[-1] is loss
    covered = set(e.lower.nodes) | set(e.upper.nodes)
    for g in e.groups:
        assert g.chain.nodes[0] is e.split and g.chain.nodes[-1] is e.meet
        assert g.chain.nodes[1] is g.node
        assert close(g.branch, math.prod(f.local for f in g.chain.factors))
        covered |= set(g.chain.nodes)
    assert covered == between(loss, w)  # every node between w and L is a factor somewhere
    grad = grad_by_backward(loss, w)
    assert close(e.upper.product * sum(g.branch for g in e.groups) * e.lower.product, grad)
    text = str(e)
    for f in (*e.upper.factors, *e.lower.factors, *(f for g in e.groups
                                                    for f in g.chain.factors)):
        assert f"/∂{wrapped(formula(f.parent))}" in text
    assert max(width(line) for line in text.splitlines()) <= WIDTH


def lesson_03_section_7():
    big = nn.MLP(2, [16, 16, 1], seed=0)
    loss = (big([0.5, -1.0]) - 1.0) ** 2
    loss.label = "L"
    return big, loss, big.layers[0].neurons[3].w[1]


def test_group_labels_name_the_term_of_the_next_neurons_sum_that_carries_the_node():
    big, loss, w = lesson_03_section_7()
    e = explain(loss, w)
    a = e.split  # neuron 4's activation, read by the 16 neurons of layer 2
    labels = [line.strip() for line in str(e).splitlines() if line.strip().startswith("c =")]
    assert len(labels) == len(e.groups) == 16
    for k, (g, label) in enumerate(zip(e.groups, labels)):
        neuron = big.layers[1].neurons[k]  # the groups come in the layer's order
        assert neuron.w[3] in g.node.parents  # the 4th term, w_{k,4}·a₄, carries a₄
        assert f"{formula(neuron.w[3])}·{formula(a)}" in label
        assert formula(neuron.w[0]) not in label  # not the sum's first term (the bug)
    grad = grad_by_backward(loss, w)
    assert close(e.upper.product * sum(g.branch for g in e.groups) * e.lower.product, grad)
    covered = set(e.lower.nodes) | set(e.upper.nodes)
    for g in e.groups:
        covered |= set(g.chain.nodes)
    assert covered == between(loss, w)
    assert max(width(line) for line in str(e).splitlines()) <= WIDTH


def test_a_group_reached_by_several_paths_gets_its_number_from_the_meeting_node():
    model = nn.MLP(2, [2, 2, 2, 1], activation="tanh", seed=1)
    loss = (model([0.5, -1.0]) - 0.3) ** 2
    w = model.layers[0].neurons[1].w[0]
    e = explain(loss, w)
    assert e.path_count == 4 and any(g.chain is None for g in e.groups)
    grad = grad_by_backward(loss, w)
    assert close(e.upper.product * sum(g.branch for g in e.groups) * e.lower.product, grad)
    assert "2 paths lead from it to" in flat(str(e))


def test_the_html_form_is_mathml_with_a_fraction_per_factor():
    model, _, loss = network_221()
    e = explain(loss, model.layers[0].neurons[0].w[0])
    page = e._repr_html_()
    assert page.count("<math") >= len(e.chain.factors) and "$" not in page
    assert page.count("<mfrac>") >= len(e.chain.factors) + 1  # + the heading's ∂L/∂w
    assert "<script" not in page
    latex = e._repr_latex_()
    assert latex.count("\\frac{\\partial") == len(e.chain.factors) + 2  # heading, sentence


def test_the_text_form_never_breaks_a_name_and_fits_80_columns():
    from autograd.explain_view import wrap
    words = "one two three"
    long = "∂(w₁,₁⁽¹⁾·x₁ + w₁,₂⁽¹⁾·x₂)/∂w₁,₁⁽¹⁾".replace(" ", "\u00a0")
    lines = wrap(f"{words} {long} {long} {long}", 2, limit=42)
    # three whole pieces, one per line (two do not fit in 42 columns), none split
    assert [line.count("∂(w₁,₁⁽¹⁾·x₁ + w₁,₂⁽¹⁾·x₂)/∂w₁,₁⁽¹⁾") for line in lines] == [0, 1, 1, 1]
    assert all(width(line) <= 42 for line in lines) and lines[0] == "  one two three"
    big, loss, w = lesson_03_section_7()
    J = nn.losses.mse([big(x) for x in ([0.5, -1.0], [1.0, 0.2], [0.0, 1.0])],
                      [1.0, 0.0, 0.5])
    for e in (explain(loss, w), explain(J, w), explain(loss, big.layers[2].neurons[0].b)):
        assert max(width(line) for line in str(e).splitlines()) <= WIDTH


def test_explain_speaks_no_mean_over_a_sum_loss():
    model, out, _ = network_221()
    loss = nn.losses.binary_cross_entropy([out], [1.0], reduction="sum")
    e = explain(loss, model.layers[0].neurons[0].w[0])
    assert e.samples is None and set(e.chain.nodes) == between(loss, e.wrt)
    assert autograd.explain(loss, out).chain.nodes[0] is out


def test_a_node_that_reads_the_weight_twice_shows_both_uses():
    neuron = nn.Neuron(2, activation="sigmoid", seed=0)
    w1 = neuron.w[0]
    loss = -neuron([1.0, 2.0]).log() + 0.1 * nn.l2_penalty(neuron.w)  # Σ w·w reads w₁ twice
    e = explain(loss, w1)
    assert e.path_count == 3 and len(e.groups) == 2
    (penalty,) = [g for g in e.groups if g.node.parents.count(w1) == 2]
    assert penalty.chain is None and penalty.above.nodes[0] is penalty.node
    uses = [g for p, g in zip(penalty.node.parents, penalty.node.local_grads) if p is w1]
    assert close(penalty.branch, penalty.above.product * sum(uses))
    assert close(sum(g.branch for g in e.groups), grad_by_backward(loss, w1))
    text = flat(str(e))
    assert "reads it 2 times" in text
    use = f"∂{wrapped(formula(penalty.node))}/∂{formula(w1)}"
    assert f"({use} + {use})" in text


def test_a_namer_given_to_explain_names_its_nodes_in_every_form():
    """explain(namer=) names nodes as draw and stepper do: asked before nn's namer, kept for
    the text, the math and each sample's chain."""
    import nn

    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    X, Y = [[0.5, -1.0], [1.0, 2.0]], [1.0, 0.0]
    loss = nn.losses.binary_cross_entropy([model(x) for x in X], Y)
    w = model.parameters()[0]

    def namer(v):
        return "J" if v is loss else None

    e = autograd.explain(loss, w, namer=namer)
    assert "∂J/∂w₁,₁⁽¹⁾" in str(e) and "∂L/" not in str(e)
    assert "J" in e._repr_html_()
    assert "∂J/" not in str(autograd.explain(loss, w))  # the namer was for that call only
    term = e.samples[0].explain()
    assert term.namer is namer
