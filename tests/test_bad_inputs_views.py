"""Bad inputs to the views (issue 19, items 6 and 7): cycles refused by every walker, bounded
work (explain's path listing, draw_network's size), the views read what the model computes,
and the same argument checks across views. Each case fails with a clear error naming the
argument or the node."""

from __future__ import annotations

import pytest

import autograd
from autograd import GraphCycleError, Value
from autograd.graph import check_acyclic, count_nodes, reading_order, topological_order


# --- cycles ---------------------------------------------------------------------------------
def _cyclic() -> Value:
    """c built from a, then a made a child of c: a → b → c → a."""
    a = Value(1.0, label="a")
    b = a * 2.0
    c = b + a
    c.label = "c"
    a.parents = (c,)
    a.local_grads = (1.0,)
    return c


def _self_loop() -> Value:
    a = Value(1.0, label="a")
    c = a.tanh()
    c.label = "c"
    c.parents = (c,)
    return c


WALKERS = {
    "topological_order": topological_order,
    "reading_order": reading_order,
    "count_nodes": lambda r: count_nodes(r, 1000),
    "check_acyclic": check_acyclic,
    "backward": lambda r: r.backward(),
    "gradients": autograd.gradients if hasattr(autograd, "gradients") else
    (lambda r: autograd.backward.gradients(r)),
    "backward_steps": lambda r: list(autograd.backward_steps(r)),
    "draw": lambda r: autograd.draw(r).source,
    "explain": lambda r: autograd.explain(r, r.parents[0]),
    "stepper": lambda r: autograd.stepper(r),
    "zero_grad": lambda r: autograd.zero_grad(r),
}


@pytest.mark.parametrize("make", [_cyclic, _self_loop], ids=["three-cycle", "self-loop"])
@pytest.mark.parametrize("walker", list(WALKERS), ids=list(WALKERS))
def test_every_walker_refuses_a_cycle_naming_the_node(walker, make):
    root = make()
    with pytest.raises(GraphCycleError, match=r"cycle.*'(a|c)'"):
        WALKERS[walker](root)


def test_the_cycle_check_passes_a_dag_with_shared_nodes():
    x = Value(2.0, label="x")
    y = x * x
    z = (y + x) * y  # x and y read twice: shared, not a cycle
    check_acyclic(z)
    assert topological_order(z)[-1] is z
    assert count_nodes(z, 100) == len(topological_order(z)) == len(reading_order(z))
    z.backward()
    assert x.grad == pytest.approx(4 * 2**3 + 3 * 2**2)  # d/dx (x^2 + x)·x^2 = 4x^3 + 3x^2


# --- explain: bounded work ------------------------------------------------------------------
def _doubling(depth: int) -> tuple[Value, Value]:
    """x → … → y with 2**depth paths (each level reads the one below twice)."""
    x = Value(1.0, label="x")
    y = x
    for _ in range(depth):
        y = y * 1.0 + y * 1.0
    return x, y


def test_explain_refuses_to_list_more_paths_than_fit_naming_the_count():
    x, y = _doubling(40)
    with pytest.raises(ValueError, match=r"1,099,511,627,776 paths.*max_paths"):
        autograd.explain(y, x, max_paths=10**15)


def test_explain_with_many_paths_and_the_default_limit_still_explains():
    x, y = _doubling(40)
    e = autograd.explain(y, x)
    assert e.path_count == 2**40
    assert e.total == pytest.approx(2.0**40)


def test_explain_lists_paths_below_the_factor_limit():
    x, y = _doubling(8)
    e = autograd.explain(y, x, max_paths=10**6)
    assert len(e.paths) == 2**8
