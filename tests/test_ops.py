"""Each op: forward value and local derivative against the analytic formula."""

import math

import pytest

import autograd
from autograd import Value


def derivative(fn, x):
    v = Value(x)
    out = fn(v)
    out.backward()
    return out.data, v.grad


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# (name, op on a Value, forward formula, derivative formula, points)
UNARY = [
    ("neg", lambda v: -v, lambda x: -x, lambda x: -1.0, [-2.0, 0.5]),
    ("abs", abs, abs, lambda x: math.copysign(1.0, x), [-2.0, 0.5]),
    ("exp", Value.exp, math.exp, math.exp, [-3.0, 0.0, 2.5]),
    ("log", Value.log, math.log, lambda x: 1 / x, [0.1, 1.0, 7.0]),
    ("sqrt", Value.sqrt, math.sqrt, lambda x: 0.5 / math.sqrt(x), [0.25, 4.0]),
    ("tanh", Value.tanh, math.tanh, lambda x: 1 - math.tanh(x) ** 2, [-1.5, 0.0, 0.7]),
    ("sigmoid", Value.sigmoid, sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)), [-2.0, 0.0, 3.0]),
    ("relu", Value.relu, lambda x: max(0.0, x), lambda x: float(x > 0), [-2.0, 1.5]),
    ("leaky_relu", Value.leaky_relu, lambda x: x if x > 0 else 0.01 * x,
     lambda x: 1.0 if x > 0 else 0.01, [-2.0, 1.5]),
    ("leaky_relu(0.2)", lambda v: v.leaky_relu(0.2), lambda x: x if x > 0 else 0.2 * x,
     lambda x: 1.0 if x > 0 else 0.2, [-2.0, 1.5]),
    ("elu", Value.elu, lambda x: x if x > 0 else math.exp(x) - 1,
     lambda x: 1.0 if x > 0 else math.exp(x), [-2.0, 1.5]),
    ("elu(0.5)", lambda v: v.elu(0.5), lambda x: x if x > 0 else 0.5 * (math.exp(x) - 1),
     lambda x: 1.0 if x > 0 else 0.5 * math.exp(x), [-2.0, 1.5]),
    ("step", Value.step, lambda x: float(x >= 0), lambda x: 0.0, [-2.0, 0.0, 1.5]),
    ("square", lambda v: v ** 2, lambda x: x * x, lambda x: 2 * x, [-3.0, 0.5]),
    ("cube", lambda v: v ** 3, lambda x: x ** 3, lambda x: 3 * x * x, [-3.0, 0.5]),
    ("power 0.5", lambda v: v ** 0.5, math.sqrt, lambda x: 0.5 * x ** -0.5, [0.25, 9.0]),
    ("power -1", lambda v: v ** -1, lambda x: 1 / x, lambda x: -1 / x ** 2, [-2.0, 0.5]),
    ("reflected power", lambda v: 2 ** v, lambda x: 2 ** x, lambda x: 2 ** x * math.log(2),
     [-1.0, 3.0]),
    ("reflected sub", lambda v: 5 - v, lambda x: 5 - x, lambda x: -1.0, [2.0]),
    ("reflected div", lambda v: 3 / v, lambda x: 3 / x, lambda x: -3 / x ** 2, [-2.0, 0.5]),
    ("reflected add", lambda v: 5 + v, lambda x: 5 + x, lambda x: 1.0, [2.0]),
    ("reflected mul", lambda v: 5 * v, lambda x: 5 * x, lambda x: 5.0, [2.0]),
    ("identity", Value.identity, lambda x: x, lambda x: 1.0, [2.0]),
    ("pos", lambda v: +v, lambda x: x, lambda x: 1.0, [2.0]),
]


@pytest.mark.parametrize(
    "fn, forward, dfdx, x",
    [pytest.param(fn, f, d, x, id=f"{name}@{x}") for name, fn, f, d, xs in UNARY for x in xs],
)
def test_unary_op_forward_and_derivative(fn, forward, dfdx, x):
    value, grad = derivative(fn, x)
    assert value == pytest.approx(forward(x), rel=1e-12, abs=1e-15)
    assert grad == pytest.approx(dfdx(x), rel=1e-12, abs=1e-15)


BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a)),
    ("div", lambda a, b: a / b, lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    ("pow", lambda a, b: a ** b, lambda a, b: a ** b,
     lambda a, b: (b * a ** (b - 1), a ** b * math.log(a))),
]


@pytest.mark.parametrize("name, fn, forward, grads", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("a, b", [(1.5, 2.5), (3.0, -0.5), (0.7, 3.0)])
def test_binary_op_forward_and_derivatives(name, fn, forward, grads, a, b):
    va, vb = Value(a), Value(b)
    out = fn(va, vb)
    out.backward()
    assert out.data == pytest.approx(forward(a, b), rel=1e-12)
    assert (va.grad, vb.grad) == pytest.approx(grads(a, b), rel=1e-12)


def test_value_pow_value_at_zero_base_has_zero_exponent_gradient():
    a, b = Value(0.0), Value(2.0)
    (a ** b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_sum_is_one_node_with_unit_local_grads():
    xs = [Value(float(i)) for i in range(5)]
    s = autograd.sum([*xs, 10])
    assert s.data == 20.0
    assert len(s.parents) == 6 and s.local_grads == (1.0,) * 6
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_sum_of_nothing_is_zero():
    assert autograd.sum([]).data == 0.0


def test_dot_is_one_node_with_partner_local_grads():
    ws = [Value(2.0), Value(-3.0)]
    xs = [Value(-1.0), Value(-2.0)]
    z = autograd.dot(ws, xs)
    assert z.data == 4.0 and z.op is autograd.ops.DOT
    assert z.parents == (*ws, *xs)
    assert z.local_grads == (-1.0, -2.0, 2.0, -3.0)
    z.backward()
    assert [w.grad for w in ws] == [-1.0, -2.0]
    assert [x.grad for x in xs] == [2.0, -3.0]


def test_dot_accepts_plain_numbers_as_inputs():
    ws = [Value(2.0), Value(-3.0)]
    z = autograd.dot(ws, [-1.0, -2.0])
    z.backward()
    assert [w.grad for w in ws] == [-1.0, -2.0]
    assert all(p.is_constant for p in z.parents[2:])


def test_dot_rejects_length_mismatch_naming_both_lengths():
    with pytest.raises(ValueError, match=r"shape mismatch, ws has 3 items but xs has 2"):
        autograd.dot([Value(1.0)] * 3, [1.0, 2.0])


def test_tanh_and_sigmoid_stay_finite_at_extremes():
    for x in (-1000.0, 1000.0, -1e308, 1e308):
        for fn in (Value.tanh, Value.sigmoid):
            v = Value(x)
            out = fn(v)
            out.backward()
            assert math.isfinite(out.data) and math.isfinite(v.grad)
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(-1000.0).tanh().data == -1.0


def test_sigmoid_is_accurate_for_large_negative_inputs():
    assert Value(-40.0).sigmoid().data == pytest.approx(math.exp(-40), rel=1e-12)


def test_comparisons_use_data_and_equality_stays_identity():
    a, b = Value(1.0), Value(1.0)
    assert a < 2 and a <= b and b >= a and not a > b and Value(3.0) > a
    assert a != b and a == a
    assert len({a, b}) == 2


def test_constants_are_marked_and_leaves_are_not():
    a = Value(2.0)
    out = a * 3
    assert out.parents[1].is_constant and out.parents[1].data == 3.0
    assert not a.is_constant and a.is_leaf and not out.is_leaf
    assert autograd.constant(4.0, label="x").op is autograd.ops.CONST


def test_data_is_stored_as_float_and_ints_work():
    v = Value(3)
    assert isinstance(v.data, float)
    assert (v * 2).data == 6.0
    assert float(Value(2.5)) == 2.5 and Value(2.5).item() == 2.5


def test_numpy_like_reals_are_accepted():
    from fractions import Fraction

    assert Value(Fraction(1, 4)).data == 0.25
    assert (Value(1.0) + Fraction(1, 2)).data == 1.5


def test_repr_shows_data_grad_and_label():
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"


def test_ids_are_deterministic_counters_given_on_first_use():
    a, b = Value(1.0), Value(2.0)
    first = a.id
    assert b.id == first + 1  # the next number, not a memory address
    assert a.id == first  # stable once given


def test_custom_op_through_the_low_level_constructor():
    x = Value(0.5, label="x")
    cube = Value(x.data**3, parents=(x,), local_grads=(3 * x.data**2,), op="cube")
    cube.backward()
    assert x.grad == 0.75
    assert cube.op == "cube" and cube.parents == (x,)


def test_parametrised_ops_describe_themselves():
    from autograd.value import op_text

    assert op_text((Value(-1.0).leaky_relu(0.2)).op) == "leaky_relu(0.2)"
    assert op_text((Value(2.0) ** 2).op) == "** 2"
    assert (Value(2.0) ** 2.0).op.params == (2,)


def test_matvec_is_one_dot_node_per_row():
    rows = [[Value(1.0), Value(2.0)], [Value(-1.0), Value(0.5)]]
    xs = [Value(3.0), 4.0]
    zs = autograd.matvec(rows, xs)
    assert [z.data for z in zs] == [11.0, -1.0] and all(z.op is autograd.ops.DOT for z in zs)
    autograd.sum(zs).backward()
    assert [w.grad for row in rows for w in row] == [3.0, 4.0, 3.0, 4.0]
    assert xs[0].grad == 0.0 and zs[0].parents[2].data == 3.0
    assert rows[0][0].grad == autograd.dot(rows[0], xs).local_grads[0]
    with pytest.raises(ValueError, match="shape mismatch, ws has 1 items but xs has 2"):
        autograd.matvec([[Value(1.0)]], xs)
