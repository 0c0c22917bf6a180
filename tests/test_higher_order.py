"""Higher-order derivatives: create_graph=True and nested grad."""

import math

import pytest

import autograd
from autograd import Value, grad, value_and_grad


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# (name, f on a Value, f'' analytic, points)
SECOND = [
    ("x**3", lambda v: v ** 3, lambda x: 6 * x, [-1.5, 2.0]),
    ("x**0.5", lambda v: v ** 0.5, lambda x: -0.25 * x ** -1.5, [0.5, 4.0]),
    ("exp", Value.exp, math.exp, [-1.0, 0.5]),
    ("log", Value.log, lambda x: -1 / x**2, [0.5, 3.0]),
    ("sqrt", Value.sqrt, lambda x: -0.25 * x ** -1.5, [0.5, 4.0]),
    ("tanh", Value.tanh, lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2), [-0.7, 1.2]),
    ("sigmoid", Value.sigmoid,
     lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)), [-1.0, 2.0]),
    ("elu", Value.elu, lambda x: 0.0 if x > 0 else math.exp(x), [-1.0, 2.0]),
    ("relu", Value.relu, lambda x: 0.0, [-1.0, 2.0]),
    ("1/x", lambda v: 1 / v, lambda x: 2 / x**3, [-2.0, 0.5]),
    ("x/(x+1)", lambda v: v / (v + 1), lambda x: -2 / (x + 1) ** 3, [0.5, 2.0]),
    ("2**x", lambda v: 2 ** v, lambda x: 2**x * math.log(2) ** 2, [-1.0, 1.5]),
    ("x**x", lambda v: v ** v,
     lambda x: x**x * ((math.log(x) + 1) ** 2 + 1 / x), [0.5, 1.7]),
    ("x*sin-ish", lambda v: v * v.tanh(),
     lambda x: 2 * (1 - math.tanh(x) ** 2) - 2 * x * math.tanh(x) * (1 - math.tanh(x) ** 2),
     [0.3, -1.1]),
    ("dot", lambda v: autograd.dot([v, v], [v, 3.0]), lambda x: 2.0, [1.5]),
    ("sum", lambda v: autograd.sum([v * v, v, 2.0]), lambda x: 2.0, [1.5]),
]


@pytest.mark.parametrize(
    "f, f2, x", [pytest.param(f, f2, x, id=f"{n}@{x}") for n, f, f2, xs in SECOND for x in xs]
)
def test_second_derivative_by_nested_grad(f, f2, x):
    assert grad(grad(f))(x) == pytest.approx(f2(x), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    "f, f2, x", [pytest.param(f, f2, x, id=f"{n}@{x}") for n, f, f2, xs in SECOND for x in xs]
)
def test_second_derivative_by_create_graph(f, f2, x):
    v = Value(x)
    f(v).backward(create_graph=True)
    first = v.grad
    v.grad = 0.0
    if isinstance(first, Value):
        first.backward()
        assert v.grad == pytest.approx(f2(x), rel=1e-9, abs=1e-12)
    else:  # derivative does not depend on x
        assert f2(x) == 0.0


def test_third_derivative():
    f = lambda x: x ** 4  # noqa: E731
    assert grad(grad(grad(f)))(2.0) == pytest.approx(24 * 2.0)


def test_hessian_entries_by_argnums():
    f = lambda x, y: x * x * y + (x * y).exp()  # noqa: E731
    x, y = 0.5, -1.5
    exy = math.exp(x * y)
    assert grad(grad(f, 0), 0)(x, y) == pytest.approx(2 * y + y * y * exy)
    assert grad(grad(f, 0), 1)(x, y) == pytest.approx(2 * x + exy + x * y * exy)
    assert grad(grad(f, 1), 0)(x, y) == pytest.approx(2 * x + exy + x * y * exy)
    assert grad(grad(f, 1), 1)(x, y) == pytest.approx(x * x * exy)


def test_tuple_argnums_and_value_and_grad():
    value, (gx, gy) = value_and_grad(lambda x, y: x * y + y, argnums=(0, 1))(2.0, 3.0)
    assert (value, gx, gy) == (9.0, 3.0, 3.0)
    assert isinstance(value, float)


def test_nested_grad_has_no_perturbation_confusion():
    # d/dx [ x · (d/dy (x·y)) at y = x ] = d/dx [x · x] = 2x ; a confused engine gives 4x... or x
    def outer(x):
        return x * grad(lambda y: x * y)(x)

    assert grad(outer)(3.0) == pytest.approx(6.0)


def test_inner_grad_over_a_closed_over_outer_variable():
    # d/dx [ d/dy (x·y) ] = d/dx x = 1, even though y is a plain number
    assert grad(lambda x: grad(lambda y: x * y)(1.0))(3.0) == pytest.approx(1.0)


def test_grad_of_a_constant_function_is_zero():
    assert grad(lambda x: 5.0)(2.0) == 0.0
    assert grad(lambda x, y: y * 2, argnums=0)(1.0, 2.0) == 0.0


def test_grad_errors_are_clear():
    with pytest.raises(ValueError, match="no argument 2"):
        grad(lambda x: x, argnums=2)(1.0)
    with pytest.raises(TypeError, match="must return one Value or number"):
        grad(lambda x: [x, x])(1.0)
    with pytest.raises(TypeError, match="got str"):
        grad(lambda x: x)("1")


def test_custom_op_without_rule_cannot_be_differentiated_twice():
    x = Value(2.0)
    y = Value(x.data ** 3, parents=(x,), local_grads=(12.0,), op="cube")
    with pytest.raises(autograd.DerivativeRuleError, match=r"op 'cube'.*autograd.Op"):
        y.backward(create_graph=True)


def test_custom_op_with_a_rule_is_differentiable_twice():
    cube = autograd.Op("cube", lambda out, x: (3 * x * x,))

    def f(x):
        return Value(x.data ** 3, parents=(x,), local_grads=(3 * x.data**2,), op=cube)

    assert grad(grad(f))(2.0) == pytest.approx(12.0)


def test_create_graph_grads_are_values_and_leave_first_order_numbers():
    x = Value(3.0)
    (x * x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 27.0


def test_arguments_not_differentiated_reach_f_as_values():
    f = lambda x, y: x.exp() * y  # noqa: E731 - x is a constant when differentiating by y
    assert grad(f, argnums=1)(0.0, 3.0) == 1.0
    assert grad(f, argnums=-1)(0.0, 3.0) == 1.0
