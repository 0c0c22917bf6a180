"""Stepping through backprop one chain-rule product at a time."""

import pytest

import autograd
from autograd import Value, backward_steps


def build():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = a * b
    e.label = "e"
    d = e + a
    d.label = "d"
    out = d.tanh()
    out.label = "L"
    return a, b, out


def test_exhausting_steps_gives_the_same_grads_as_backward():
    a1, b1, out1 = build()
    out1.backward()
    a2, b2, out2 = build()
    steps = list(backward_steps(out2))
    assert (a2.grad, b2.grad) == (a1.grad, b1.grad)
    nodes1 = autograd.topological_order(out1)
    nodes2 = autograd.topological_order(out2)
    assert [v.grad for v in nodes1] == [v.grad for v in nodes2]
    assert len(steps) == 5  # tanh→d, d→e, d→a, e→a, e→b


def test_each_record_is_a_chain_rule_product():
    _, _, out = build()
    for s in backward_steps(out):
        assert s.contribution == s.local_grad * s.upstream_grad
        assert s.parent_grad == s.parent.grad
        assert s.root is out
        assert s.local_grad == s.node.local_grads[s.node.parents.index(s.parent)]


def test_contributions_sum_to_each_parents_grad():
    a, b, out = build()
    totals = {}
    for s in backward_steps(out):
        totals[s.parent] = totals.get(s.parent, 0.0) + s.contribution
    assert totals[a] == pytest.approx(a.grad, rel=1e-15)
    assert totals[b] == b.grad


def test_upstream_is_complete_before_a_node_is_processed():
    _, _, out = build()
    for s in backward_steps(out):
        assert s.upstream_grad == s.node.grad  # every contribution to node already arrived


def test_order_matches_backward_and_is_stepwise():
    a, _, out = build()
    gen = backward_steps(out)
    first = next(gen)
    assert first.node is out and first.parent.label == "d"
    assert a.grad == 0.0  # nothing beyond the first step has happened yet
    rest = list(gen)
    assert [(s.node.label, s.parent.label) for s in [first, *rest]] == [
        ("L", "d"), ("d", "e"), ("d", "a"), ("e", "a"), ("e", "b")]


def test_text_of_a_step_uses_labels():
    a, _, out = build()
    steps = list(backward_steps(out))
    first = steps[0]
    text = str(first)
    assert text.startswith("∂L/∂d += ∂L/∂L × ∂L/∂d = 1 × (1 − L²) = 1 × ")  # tanh's rule
    assert text.endswith(f"= {first.contribution:.6g}")  # d's first gradient: nothing to add
    into_a = [s for s in steps if s.parent is a]
    assert len(into_a) == 2 and "now" not in str(into_a[0])
    assert str(into_a[1]).endswith(f"; now {a.grad:.6g}")  # added to what d's path brought


def test_unlabelled_nodes_are_named_by_their_formula_or_by_op_and_id():
    x = Value(1.0, label="x")
    out = (x * 2).exp()
    text = str(next(backward_steps(out)))
    assert text.startswith("∂exp(x·2)/∂(x·2) += ")
    deep = x
    for _ in range(8):
        deep = deep.tanh()
    text = str(next(backward_steps(deep * 3)))  # too deep for a formula: op and id
    assert "tanh#" in text and "(tanh#" not in text
    anonymous = Value(2.0)
    assert "v#" in str(next(backward_steps(anonymous * 2)))


def test_table_has_a_row_per_step_with_headers():
    _, _, out = build()
    table = autograd.steps_table(backward_steps(out))
    lines = table.splitlines()
    assert "local ∂node/∂parent" in lines[0] and "upstream ∂root/∂node" in lines[0]
    assert len(lines) == 2 + 5
    assert lines[2].split()[:3] == ["1", "L", "d"]
