"""ARCHITECTURE.md's "add an op" checklist, run end to end with a new op, ``sinh``.

The op is declared in one place — one :class:`autograd.Op` — and registered (here only for the
test, with :func:`autograd.registered`). Nothing else is edited: the derived tables, the
hypothesis forms, the finite-difference checks, replay and the PyTorch oracle (values, first
and second derivatives, node by node) must all pick it up from the registry, and forget it
when it is unregistered.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

import autograd
from autograd import Op, Value, ops, registering, testing

pytestmark = pytest.mark.slow  # imports PyTorch, and fuzzes the new op's pairs

torch = pytest.importorskip("torch")  # the oracle extra, as test_against_torch

import test_fuzz_torch as fuzz  # noqa: E402  (the gate's engine: pairs, checks, twins)

# --- the one place: the op's entry (what would go in autograd/ops.py) -------------------------
SINH = Op(
    "sinh",
    # cosh x on floats, Values and arrays: e^(|x| − ln 2) + e^(−|x|)/2. The oracle below
    # found the two traps of the textbook (eˣ + e⁻ˣ)/2: eˣ overflows at x = 710 where
    # cosh x is finite, and far out e^(−|x|) = 0 meets an infinite gradient in a second
    # derivative (0·∞ = NaN), so past |x| = 20, below an ulp of the first term, it is dropped
    lambda out, x: (ops.exp(abs(x) - math.log(2.0))
                    + ops.where(abs(x) < 20.0, 0.5 * ops.exp(-abs(x)), 0.0),),
    forward=math.sinh,
    array_forward="sinh",  # numpy's, for replayed batches and the IEEE values at an overflow
    math="∂sinh x/∂x = cosh x",
    derivative=("cosh({x})",),
    method="sinh",
    doc="Hyperbolic sine.",
    torch="sinh",
    domain=autograd.Domain((-710.4758600739439, 710.4758600739439)),  # beyond: overflow
)
KEY = "test.sinh"


@pytest.fixture
def sinh():
    with autograd.registered(SINH, KEY) as op:  # register_op checks it the three ways
        yield op


def test_the_registry_and_value_know_it(sinh):
    assert sinh in autograd.all_ops() and ops.REGISTRY[KEY] is sinh
    y = Value(0.5).sinh()
    assert y.op is sinh and y.data == math.sinh(0.5) and y.local_grads[0] == pytest.approx(
        math.cosh(0.5), rel=1e-15)
    registering.validate_op(sinh)


def test_the_derived_tables_know_it(sinh):
    assert KEY in testing.op_forms() and testing.form(KEY).op is sinh
    assert KEY in fuzz.op_names() and fuzz.instruction_table()[KEY][0] == "unary"
    assert torch.equal(fuzz.instruction_table()[KEY][2](torch.tensor(0.5)), torch.sinh(
        torch.tensor(0.5)))


def test_hypothesis_forms_and_finite_differences_check_it(sinh):
    @settings(max_examples=60, suppress_health_check=[HealthCheck.filter_too_much])
    @given(testing.expressions_with_inputs(ops=[KEY, "mul", "add"], max_ops=4))
    def random_graphs(case):
        expr, xs = case
        assume(any(name == KEY for name, _ in expr.program) and expr.well_conditioned(xs))
        assert autograd.gradcheck(expr, xs)

    @settings(max_examples=60)
    @given(testing.safe_floats(KEY, low=-5.0, high=5.0))
    def second_derivative(x):
        d2 = autograd.grad(autograd.grad(lambda v: v.sinh()))(x)
        assert d2 == pytest.approx(math.sinh(x), rel=1e-12, abs=1e-12)  # sinh'' = sinh
        assert autograd.gradcheck(autograd.grad(lambda v: v.sinh()), [x])

    random_graphs()
    second_derivative()


def test_replay_runs_it_on_arrays(sinh):
    w = Value(0.7)
    replay = autograd.trace(lambda t: (w * t).sinh(), 1.0, params=[w])
    xs = np.array([0.5, -1.5, 2.0])
    _, grad = replay.value_and_gradient(replay.parameter_vector(), xs)
    assert grad[0] == pytest.approx(float(np.mean(xs * np.cosh(0.7 * xs))), rel=1e-12)


def test_the_pytorch_oracle_fuzzes_it_and_leaves_the_other_programs_alone(sinh):
    names = fuzz.op_names()
    without = [name for name in names if name != KEY]
    for suite, (count, edge, sizes) in fuzz.GATE_SUITES.items():
        before = fuzz.gate_cases(suite, without, count, edge=edge, **sizes)
        after = fuzz.gate_cases(suite, names, count, edge=edge, **sizes)
        new = [pair for pair in after if KEY in pair]
        assert set(after) - set(before) == set(new) and len(new) == len(names)
        assert all(list(map(str, after[pair])) == list(map(str, before[pair])) for pair in before)
        programs = [program for pair in new for program in after[pair]]
        assert any(ins.op == KEY for program in programs for ins in program.instructions)
        if suite.startswith("hessian"):
            findings = fuzz.second_derivative_findings(programs)
        else:
            findings = fuzz.fuzz_programs(programs)
        assert findings.compared >= len(programs) // 2
        assert not findings.groups, findings.report()


def test_unregistered_it_is_gone_from_everything():
    with autograd.registered(SINH, KEY):
        assert KEY in testing.op_forms() and KEY in fuzz.op_names()
    assert SINH not in autograd.all_ops() and not hasattr(Value, "sinh")
    assert KEY not in testing.op_forms() and KEY not in fuzz.op_names()
