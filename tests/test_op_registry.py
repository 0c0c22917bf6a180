"""The op table is the single source: ops compare by identity, every registered op is
checked the three ways the engine runs it, and a rule that cannot run on arrays is named."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

import autograd
import nn
from autograd import Op, Value, ops, registering


def test_ops_with_one_name_are_different_ops():
    assert nn.losses.CLAMPED_LOG != ops.LOG and ops.POW != ops.POW_VALUE
    assert len({ops.LOG, nn.losses.CLAMPED_LOG, ops.POW, ops.POW_VALUE}) == 4
    assert nn.losses.CLAMPED_LOG.name == ops.LOG.name == str(ops.LOG) == "log"
    assert not isinstance(ops.MUL, str) and ops.MUL != "*"


def test_every_registered_op_is_listed_once_and_nn_registers_its_own():
    found = autograd.all_ops()
    assert len(found) == len(set(map(id, found)))
    assert {ops.MUL, ops.POW, ops.POW_VALUE, ops.SUM, ops.DOT} <= set(found)
    assert nn.losses.CLAMPED_LOG in found and nn.losses.SHIFT in found
    assert ops.CONST not in found  # a constant is not an op one applies


@pytest.mark.parametrize("op", autograd.all_ops(), ids=lambda op: op.key)
def test_every_registered_op_runs_on_floats_values_and_arrays(op):
    registering.validate_op(op)


@pytest.mark.parametrize("op", autograd.all_ops(), ids=lambda op: op.key)
def test_a_node_keeps_its_op_through_pickle_and_copy(op):
    variant = op.with_params(0.3) if op.params else op
    for twin in (pickle.loads(pickle.dumps(variant)), copy.deepcopy(variant)):
        assert twin is variant


def test_an_unregistered_op_pickles_by_its_definition():
    cube = Op("cube", _cube_rule, forward=_cube)
    twin = pickle.loads(pickle.dumps(cube))
    assert twin is not cube and twin.name == "cube" and twin.rule is _cube_rule


def _cube(x):
    return x ** 3


def _cube_rule(out, x):
    return (3 * x * x,)


def test_register_op_refuses_a_rule_that_leaves_values_and_names_the_op():
    naive = Op("naive_sin", lambda out, x: (math.cos(x),), forward=math.sin)
    with pytest.raises(TypeError, match="naive_sin.*Values"):
        autograd.register_op(naive, "test.naive_sin")
    assert "test.naive_sin" not in ops.REGISTRY


def test_register_op_refuses_a_rule_with_one_derivative_too_many():
    wrong = Op("wrong", lambda out, x: (1.0, 2.0), forward=lambda x: x)
    with pytest.raises(autograd.DerivativeRuleError, match="wrong"):
        autograd.register_op(wrong, "test.wrong")


def test_register_op_refuses_a_taken_key():
    with pytest.raises(ValueError, match="'mul' is taken"):
        autograd.register_op(Op("times", lambda out, a, b: (b, a),
                                        forward=lambda a, b: a * b), "mul")


def test_replay_names_an_op_whose_rule_cannot_run_on_arrays():
    naive = Op("naive_sin", lambda out, x: (math.cos(x),), forward=math.sin,
               array_forward="sin")
    w = Value(0.5)
    replay = autograd.trace(lambda x: autograd.apply(naive, w * x), 1.0, params=[w])
    with pytest.raises(TypeError, match="op 'naive_sin' cannot run on numpy arrays"):
        replay.value_and_gradient(replay.parameter_vector(), np.array([0.1, 0.2]))


def test_replay_names_an_op_whose_forward_cannot_run_on_arrays():
    naive = Op("naive_sin", lambda out, x: (ops.exp(x),), forward=math.sin)
    w = Value(0.5)
    replay = autograd.trace(lambda x: autograd.apply(naive, w * x), 1.0, params=[w])
    with pytest.raises(TypeError, match="op 'naive_sin' cannot run on numpy arrays.*forward"):
        replay(np.array([0.1, 0.2]))


def test_every_registered_op_has_hypothesis_forms_from_its_declarations():
    from autograd import testing

    forms = testing.op_forms()
    assert [op.key for op in autograd.all_ops() if not op.detached and op.key not in forms] == []
    assert nn.losses.SHIFT.key not in forms  # a stop-gradient: finite differences disagree
    assert [f.name for f in forms["leaky_relu"]] == [f"leaky_relu({p!r})" for (p,) in
                                                     ops.LEAKY_RELU.test_params]
    log = testing.form("log")
    assert log.op_inputs([Value(-2.0)])[0].data == 4.5  # mapped into log's domain: a² + 0.5
    assert testing.form("pow(-1)").op is ops.POW.with_params(-1)


def test_values_methods_are_plain_readable_functions():
    import inspect

    import autograd.value

    assert "def __mul__(self" in inspect.getsource(Value.__mul__)
    assert "_unary(op, self)" in inspect.getsource(Value.tanh)
    assert "exec(" not in inspect.getsource(autograd.value)


def test_every_op_naming_a_method_is_a_value_method_applying_it():
    for op in autograd.all_ops():
        if op.method:
            others = (0.4, 0.3)[:op.n_inputs() - 1]
            y = getattr(Value(0.6), op.method)(*map(Value, others), *op.params)
            assert y.op.base is op and y.data == op.forward(0.6, *others, *op.params), op.key


def test_a_custom_op_through_apply_is_the_built_in_path_with_its_checks():
    mytanh = Op("mytanh", lambda out, x: (1 - out * out,), forward=math.tanh)
    x = Value(0.3)
    ours, builtin = autograd.apply(mytanh, x), x.tanh()
    assert (ours.data, ours.local_grads) == (builtin.data, builtin.local_grads)
    wrong = Op("wrong", lambda out, x: (1.0, 2.0), forward=lambda x: x)
    with pytest.raises(autograd.DerivativeRuleError, match="'wrong' has 1 input"):
        autograd.apply(wrong, x)
    as_int = autograd.apply(Op("one", lambda out, x: (0,), forward=lambda x: 1), x)
    assert as_int.data.__class__ is float and as_int.local_grads[0].__class__ is float


def test_the_add_an_op_checklist_reaches_every_place_for_sin_and_cos():
    """ARCHITECTURE.md's checklist: an entry in autograd/ops.py and its registry key are enough."""
    from autograd import testing

    for op, f, df in ((ops.SIN, math.sin, math.cos), (ops.COS, math.cos,
                                                       lambda t: -math.sin(t))):
        assert op in autograd.all_ops() and op.key in testing.OPS
        x = Value(0.4)
        y = getattr(x, op.method)()
        y.backward()
        assert y.op is op and y.data == f(0.4) and x.grad == pytest.approx(df(0.4), rel=1e-15)
        d2 = autograd.grad(autograd.grad(lambda v, op=op: getattr(v, op.method)()))(0.4)
        assert d2 == pytest.approx(-f(0.4), rel=1e-12)  # sin'' = −sin, cos'' = −cos
        w = Value(0.7)
        replay = autograd.trace(lambda t, op=op, w=w: getattr(w * t, op.method)(), 1.0,
                                params=[w])
        _, grad = replay.value_and_gradient(replay.parameter_vector(), np.array([0.5]))
        assert grad[0] == pytest.approx(0.5 * df(0.35), rel=1e-12)
        assert op.torch is not None and op.derivative is not None


def test_a_two_input_custom_op_is_the_built_in_path_with_its_checks():
    mul2 = Op("mul2", lambda out, a, b: (b, a), forward=lambda a, b: a * b)
    a, b = Value(0.3), Value(-1.5)
    ours, builtin = autograd.apply(mul2, a, 2.0), a * 2.0
    assert (ours.data, ours.local_grads[0]) == (builtin.data, builtin.local_grads[0])
    assert ours.parents[1].is_constant and autograd.apply(mul2, 2.0, 3.0).is_constant
    ours = autograd.apply(mul2, a, b)
    ours.backward()
    assert ours.op is mul2 and (a.grad, b.grad) == (-1.5, 0.3)
    with autograd.no_grad():
        assert autograd.apply(mul2, a, b).is_constant
    as_int = autograd.apply(Op("count", lambda out, a, b: (0, 1), forward=lambda a, b: 2), a, b)
    assert as_int.data.__class__ is float and [g.__class__ for g in as_int.local_grads] == \
        [float, float]
    wrong = Op("wrong2", lambda out, a, b: (1.0,), forward=lambda a, b: a)
    with pytest.raises(autograd.DerivativeRuleError, match="'wrong2' has 2 input"):
        autograd.apply(wrong, a, b)
    nothing_in = Op("one", lambda out: (), forward=lambda: 1.0)  # no inputs: the general path
    assert autograd.apply(nothing_in).data == 1.0
    div = Op("div2", lambda out, a, b: (1.0 / b, -out / b), forward=lambda a, b: a / b)
    with pytest.raises(ZeroDivisionError, match="div2"):
        autograd.apply(div, a, 0.0)


def test_a_subclass_of_op_still_gets_its_own_rule_checks_and_arrangement():
    class Doubled(Op):  # a subclass changing how the rule's result is read: the general path
        __slots__ = ()

        def local_grads(self, out, inputs):
            return tuple(2 * g for g in super().local_grads(out, inputs))

    class Named(Op):  # a subclass adding nothing the path depends on: the fast path
        __slots__ = ()

    x = Value(0.5)
    doubled = Doubled("d", lambda out, x: (1.0,), forward=lambda x: x)
    assert autograd.apply(doubled, x).local_grads == (2.0,)
    named = Named("n", lambda out, a, b: (b, a), forward=lambda a, b: a * b)
    y = autograd.apply(named, x, Value(4.0))
    assert (y.data, y.local_grads, y.op) == (2.0, (4.0, 0.5), named)


# --- what the tests need, declared with each op -----------------------------------------------
@pytest.mark.parametrize("op", autograd.all_ops(), ids=lambda op: op.key)
def test_every_registered_op_declares_what_the_tests_need(op):
    """A PyTorch twin (the oracle), parameters to test with (a parametrised op), and a domain
    that holds: inside it the forward and the rule give finite numbers."""
    assert op.torch is not None, f"{op.key}: give torch=, its PyTorch twin for the oracle"
    assert not op.params or op.test_params, f"{op.key}: give test_params= to test it with"
    for params in op.test_params or [op.params]:
        variant = op.with_params(*params) if params else op
        n = variant.n_inputs()
        xs = [_inside(variant.domain_of(i)) for i in range(n)]
        out = variant.forward(*variant.arguments(xs))
        assert math.isfinite(out), (op.key, params, xs, out)
        assert all(math.isfinite(d) for d in variant.local_grads(out, xs)), (op.key, params)


def _inside(domain):
    low, high = domain.intervals[-1]
    return max(low, min(high, 0.7)) if low < 0.7 < high else (low + min(high, low + 2)) / 2


def test_an_op_with_parameters_but_no_test_params_is_caught():
    bare = Op("scale", lambda out, x, k: (k,), params=(2.0,), forward=lambda x, k: k * x,
              torch=lambda x, k: k * x)
    with pytest.raises(AssertionError, match="test_params"):
        test_every_registered_op_declares_what_the_tests_need(bare)


def test_domains_and_kinks_per_input_and_per_parameter():
    assert ops.DIV.domain_of(0) == ops.REALS and 0.0 not in ops.DIV.domain_of(1)
    assert -1.0 in ops.DIV.domain_of(1) and 2.0 in ops.DIV.domain_of(1)
    assert ops.POW.with_params(3).domain_of(0) == ops.REALS
    assert ops.POW.with_params(-1).domain_of(0) == ops.NONZERO
    assert ops.POW.with_params(0.5).domain_of(0) == ops.POSITIVE
    assert ops.LOG.domain_of(0) == ops.POSITIVE and ops.TANH.domain_of(0) == ops.REALS
    assert ops.RELU.kinks_of(0) == (0.0,) and ops.EXP.kinks_of(0) == ()
    two = Op("two", lambda out, a, b: (1.0, 1.0), forward=lambda a, b: a + b,
             kinks=((0.0,), (1.0, 2.0)), domain=lambda: (ops.POSITIVE, ops.REALS))
    assert two.kinks_of(1) == (1.0, 2.0) and two.domain_of(0) == ops.POSITIVE
    with pytest.raises(ValueError, match="low < high"):
        ops.Domain((1.0, 0.0))


def test_registered_registers_an_op_for_a_block_only_with_its_method():
    cube = Op("cube", lambda out, x: (3 * x * x,), forward=lambda x: x ** 3, method="cube",
              torch=lambda x: x ** 3)
    with autograd.registered(cube, "test.cube") as op:
        assert op is cube and cube in autograd.all_ops() and Value(2.0).cube().data == 8.0
    assert cube not in autograd.all_ops() and not hasattr(Value, "cube") and cube.key is None
    with pytest.raises(KeyError, match="not registered"):
        autograd.unregister_op(cube)
    with pytest.raises(ZeroDivisionError), autograd.registered(cube, "test.cube"):
        raise ZeroDivisionError("inside the block")
    assert "test.cube" not in ops.REGISTRY  # taken out on an error too
    assert hasattr(Value, "tanh")  # a built-in's method stays


def test_nns_ops_let_nan_through_as_torch_does():
    """Found when the fuzz oracle first ran nn's registered ops: max(-1.0, nan) was -1.0 and
    the clamped log of NaN was −100, hiding a NaN from the loss."""
    for xs in ([-1.0, math.nan], [math.nan, 2.0]):
        assert math.isnan(autograd.apply(nn.losses.SHIFT, *map(Value, xs)).data)
    assert math.isnan(autograd.apply(nn.losses.CLAMPED_LOG, Value(math.nan)).data)
    assert autograd.apply(nn.losses.CLAMPED_LOG, Value(0.0)).data == -100.0
    batch = nn.losses.CLAMPED_LOG.array_forward(np.array([math.nan, 0.0, 1.0]))
    assert math.isnan(batch[0]) and list(batch[1:]) == [-100.0, 0.0]
