"""One chain-rule contract, every loop: the fast ``Value.backward`` loop (an inlined copy of
``autograd.chain_rule``) gives bit for bit what ``gradients()``, ``backward_steps()`` (run and
summed), ``backward(create_graph=True)`` give, and replay's arrays and ``explain``'s path sums
agree within 1e-12 · Σ|contributions| (added in another order) — on random graphs with shared
subexpressions, ``a + a``, and relu / step / ``x ** 0`` under ±inf and NaN upstream gradients.

The comparison is also run with each loop's mask removed, and must then fail (the test can
fail, and does for the bug it is for)."""

from __future__ import annotations

import math
import struct
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, chain_rule, trace
from autograd.graph import topological_order
from autograd.modes import ieee_arithmetic
from autograd.ops import CONST, RELU, STEP

# --- the random graphs -------------------------------------------------------------------
# Each instruction reads earlier nodes by index (so nodes are shared: subexpressions used
# twice, ``a + a``) or a plain number (a constant). Inputs are drawn from edge values too:
# 0 (relu's kink, sqrt's infinite derivative, 0 · ∞), ±1, large numbers (exp overflows).
UNARY = {
    "relu": lambda a: a.relu(),
    "step": lambda a: a.step(),
    "pow0": lambda a: a ** 0,  # masks: d/dx x⁰ = 0 even under an infinite upstream
    "pow2": lambda a: a ** 2,
    "pow-1": lambda a: a ** -1,
    "sqrt": lambda a: a.sqrt(),  # derivative +inf at 0: an infinite upstream below it
    "sqrt_relu": lambda a: a.relu().sqrt(),  # √relu(x), x ≤ 0: inf × masked 0
    "log": lambda a: a.log(),
    "exp": lambda a: a.exp(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "abs": lambda a: abs(a),
    "neg": lambda a: -a,
    "leaky_relu": lambda a: a.leaky_relu(0.1),
    "elu": lambda a: a.elu(),
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: abs(a) ** b,  # a negative base: the exponent has no real gradient
    "sum": lambda a, b: autograd.sum([a, b, a]),
    "dot": lambda a, b: autograd.dot([a, b], [b, 2.0]),
}
EDGE_NUMBERS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 800.0, -800.0, 1e-300]
numbers = st.one_of(st.sampled_from(EDGE_NUMBERS),
                    st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False))
operand = st.one_of(st.integers(0, 10_000), numbers.map(lambda x: ("number", x)))
instruction = st.one_of(
    st.tuples(st.sampled_from(sorted(UNARY)), st.integers(0, 10_000)),
    st.tuples(st.sampled_from(sorted(BINARY)), operand, operand),
)
programs = st.tuples(st.lists(numbers, min_size=1, max_size=4),
                     st.lists(instruction, min_size=1, max_size=12))


def run_program(leaves: list[Value], instructions: list[tuple]) -> Value:
    """The graph of ``instructions`` over ``leaves``; the root reads the last node and, so
    that nothing is left out, every node no other node reads."""
    nodes: list = list(leaves)

    def pick(ref):
        return ref[1] if isinstance(ref, tuple) else nodes[ref % len(nodes)]

    for name, *refs in instructions:
        args = [pick(r) for r in refs]
        if not any(isinstance(a, Value) for a in args):
            args[0] = nodes[-1]
        f = UNARY.get(name) or BINARY[name]
        nodes.append(f(*args))
    read = {id(p) for v in nodes for p in v.parents}
    unread = [v for v in nodes[:-1] if id(v) not in read and v.parents]
    return autograd.sum([nodes[-1], *unread]) if unread or not nodes[-1].parents \
        else nodes[-1]


def build(numbers_: list[float], instructions: list[tuple]):
    """The leaves, the root, and the replay of the same graph: traced (so built the IEEE
    way, as replay builds: a log of 0 is −inf, a sqrt of −1 NaN), every leaf a parameter."""
    leaves = [Value(x, label=f"p{i}") for i, x in enumerate(numbers_)]
    replay = trace(lambda x: run_program(leaves, instructions), 0.0, params=leaves)
    return leaves, replay.graph, replay


# --- the loops ---------------------------------------------------------------------------
def nodes_of(root: Value) -> list[Value]:
    """Every node that gets a gradient (constants get none)."""
    return [v for v in topological_order(root) if v.op is not CONST]


def zero(root: Value) -> None:
    for v in topological_order(root):
        v.grad = 0.0


def fast(root: Value) -> dict:
    zero(root)
    root.backward()
    return {v: v.grad for v in nodes_of(root)}


def by_gradients(root: Value) -> dict:
    grads = autograd.gradients(root)
    return {v: grads.get(v, 0.0) for v in nodes_of(root)}


def by_steps(root: Value) -> dict:
    """``backward_steps`` run to the end: the gradients it leaves."""
    zero(root)
    for _ in autograd.backward_steps(root):
        pass
    return {v: v.grad for v in nodes_of(root)}


def by_summed_steps(root: Value) -> dict:
    """The step records' contributions added up per parent (from 0.0, the root seeded 1)."""
    zero(root)
    totals = {v: 0.0 for v in nodes_of(root)}
    totals[root] = 1.0
    for s in autograd.backward_steps(root):
        totals[s.parent] = chain_rule.accumulate(totals[s.parent], s.contribution)
        assert same("", s.parent_grad, totals[s.parent])
    return totals


def by_create_graph(root: Value) -> dict:
    zero(root)
    root.backward(create_graph=True)
    return {v: getattr(v.grad, "data", v.grad) for v in nodes_of(root)}


SCALAR_LOOPS = {"gradients": by_gradients, "backward_steps": by_steps,
                "backward_steps summed": by_summed_steps, "create_graph": by_create_graph}


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same(name: str, got: float, want: float) -> bool:
    """Bit for bit, with two exceptions. Any NaN equals any NaN: IEEE 754 leaves the sign and
    payload of a NaN result unspecified (which operand's NaN an addition passes on is the C
    compiler's choice). And in ``create_graph`` mode a zero's sign: its gradients are Values,
    and the first product reaching a node is kept as it is (adding it to 0.0 would record a
    ``+`` node), so a −0.0 product stays −0.0 where ``0.0 + −0.0`` is 0.0."""
    if math.isnan(got) and math.isnan(want):
        return True
    if name == "create_graph" and got == 0.0 and want == 0.0:
        return True
    return bits(got) == bits(want)


def contribution_sizes(root: Value) -> dict:
    """Σ |contribution| over the products reaching each node (the scale replay's sums of
    the same products, in another order, are compared on)."""
    zero(root)
    sizes = {v: 0.0 for v in nodes_of(root)}
    for s in autograd.backward_steps(root):
        sizes[s.parent] += abs(s.contribution)
    return sizes


def check_all_loops(leaves: list[Value], root: Value, replay) -> None:
    """Every loop against the fast one: bit for bit, replay within 1e-12 · Σ|c|."""
    reference = fast(root)
    for name, loop in SCALAR_LOOPS.items():
        got = loop(root)
        for v, g in reference.items():
            assert same(name, got[v], g), \
                f"{name}: ∂root/∂{v.label or v.op} is {got[v]!r}, the fast loop's {g!r}"
    sizes = contribution_sizes(root)
    for p in leaves:
        want = reference.get(p)
        if want is not None and math.isfinite(want):
            # explain sums the paths' products: the same products, distributed (so not where
            # an infinite local derivative meets a sum: ∞·(a − a) is NaN, ∞·a − ∞·a too, but
            # ∞·a + ∞·b − ∞·c is not ∞·(a + b − c))
            explanation = autograd.explain(root, p)
            total = explanation.total
            terms = sum(abs(g.product) for g in explanation.groups)  # what it adds up
            assert abs(total - want) <= 1e-12 * max(sizes[p], terms), \
                f"explain: ∂root/∂{p.label} is {total!r}, the fast loop's {want!r}"
    with ieee_arithmetic():  # the graph was built the IEEE way: replay it the same way
        _, grad = replay.value_and_gradient(replay.parameter_vector(), np.zeros(1),
                                            reduction="sum")
    for p, g in zip(leaves, grad.tolist()):
        want = reference.get(p, 0.0)  # 0 for a leaf the graph does not reach
        if math.isfinite(want):
            assert abs(g - want) <= 1e-12 * sizes.get(p, 0.0), \
                f"replay: ∂root/∂{p.label} is {g!r}, the fast loop's {want!r}"
        else:
            assert same("", g, want), \
                f"replay: ∂root/∂{p.label} is {g!r}, the fast loop's {want!r}"


def replay_agrees_forward(root: Value, replay) -> bool:
    """Whether replay's forward pass gives the scalar graph's numbers bit for bit (numpy's
    and math's sigmoid, exp… may differ in the last bit, which then moves the derivatives)."""
    with ieee_arithmetic():
        V = replay.run(replay.parameter_vector(), np.zeros(1)).values
    for v in topological_order(root):
        kind, row = replay.where[id(v)]
        if kind == "node" and v.parents and not same("", float(V[row, 0]), v.data):
            return False
    return True


# --- the tests ---------------------------------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_every_loop_gives_the_fast_loops_gradients(program):
    numbers_, instructions = program
    leaves, root, replay = build(numbers_, instructions)
    if not replay_agrees_forward(root, replay):
        # the replay's own forward numbers differ by a rounding: its gradients are then
        # compared relative to their size only where finite (the scalar loops still exactly)
        reference = fast(root)
        for name, loop in SCALAR_LOOPS.items():
            got = loop(root)
            assert all(same(name, got[v], g) for v, g in reference.items()), name
        return
    check_all_loops(leaves, root, replay)


MASKED_CASES = [
    # √relu(x) at x = −1: relu's masked 0 under the +inf of √ at 0
    ([-1.0], [("sqrt_relu", 0)]),
    # step under NaN: √step(x)·0 at x = −1 gives √'s inf × 0 = NaN upstream of step
    ([-1.0, 0.0], [("step", 0), ("sqrt", 2), ("*", 3, 1)]),
    # x ** 0 under inf, its base shared: x⁰ / √relu(x) at x = 0 (∂/∂x⁰ = 1/0 = inf)
    ([0.0], [("pow0", 0), ("sqrt_relu", 0), ("/", 1, 2)]),
]


@pytest.mark.parametrize(("numbers_", "instructions"), MASKED_CASES)
def test_the_masked_cases_agree_and_are_zero(numbers_, instructions):
    leaves, root, replay = build(numbers_, instructions)
    check_all_loops(leaves, root, replay)
    assert [fast(root)[p] for p in leaves] == [0.0] * len(leaves)


def _fast_loop_without_the_mask(root, seed, *, create_graph=False):
    """run_backward's hot loop as it would be with its non-finite branch forgotten."""
    order = topological_order(root)
    for v in order:
        if v.parents:
            v.grad = 0.0
    root.grad += seed
    for node in reversed(order):
        for p, local in zip(node.parents, node.local_grads):
            if p.op is not CONST:
                p.grad += local * node.grad


def _unmasked_contribution(local, upstream, op=None):
    return upstream if local.__class__ is float and local == 1.0 else local * upstream


def _unmasked_array_contribution(local, upstream, masks):
    return local * upstream


@pytest.mark.parametrize(("module", "name", "mutant"), [
    ("autograd.value", "run_backward", _fast_loop_without_the_mask),
    ("autograd.backward", "contribution", _unmasked_contribution),
    ("autograd.array_program", "array_contribution", _unmasked_array_contribution),
    ("autograd.explain", "contribution", _unmasked_contribution),
])
@pytest.mark.parametrize(("numbers_", "instructions"), MASKED_CASES)
def test_a_loop_that_drops_the_mask_fails_the_comparison(monkeypatch, module, name, mutant,
                                                        numbers_, instructions):
    """With a mask removed — from the fast loop's inlined copy, from the contract as the
    scalar loops import it, from replay's or from explain's — the comparison above finds it:
    the test can fail for the bug it guards against."""
    import importlib

    leaves, root, replay = build(numbers_, instructions)
    monkeypatch.setattr(importlib.import_module(module), name, mutant)
    with pytest.raises(AssertionError):
        check_all_loops(leaves, root, replay)


def test_the_fast_loop_itself_masks():
    """The inlined copy in run_backward, against PyTorch's number: d√relu(x)/dx at −1 is 0."""
    x = Value(-1.0)
    x.relu().sqrt().backward()
    assert bits(x.grad) == bits(0.0)
    for op in (RELU, STEP):
        assert op.masks


@pytest.mark.parametrize("loop", sorted(SCALAR_LOOPS))
def test_one_scalar_loop_without_the_mask_fails_the_comparison(monkeypatch, loop):
    """Each scalar loop alone losing the mask (the others keeping it) is found too."""
    backward = sys.modules["autograd.backward"]
    honest = SCALAR_LOOPS[loop]

    def without_the_mask(root):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(backward, "contribution", _unmasked_contribution)
            return honest(root)

    monkeypatch.setitem(SCALAR_LOOPS, loop, without_the_mask)
    for numbers_, instructions in MASKED_CASES:
        leaves, root, replay = build(numbers_, instructions)
        with pytest.raises(AssertionError, match=loop):
            check_all_loops(leaves, root, replay)
