"""Gradient checking, and property tests of random graphs over every op."""

import math
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
from autograd import GradcheckError, Value, gradcheck, numerical_grad
from autograd.testing import OPS, expressions, expressions_with_inputs, safe_floats


def test_numerical_grad_matches_known_derivatives():
    g = numerical_grad(lambda x, y: x * y.exp(), [2.0, 0.5])
    assert g == pytest.approx([math.exp(0.5), 2 * math.exp(0.5)], rel=1e-8)


def test_numerical_grad_works_with_float_only_functions():
    assert numerical_grad(lambda x: x * x, [3.0]) == pytest.approx([6.0], rel=1e-8)


def test_gradcheck_passes_on_correct_ops():
    assert gradcheck(lambda x, y: (x * y).tanh() + (x / y).sigmoid() + y.log(), [0.3, 1.7])


def test_gradcheck_fails_with_a_table_on_a_wrong_custom_op():
    def wrong_square(x):  # claims d(x²)/dx = x
        return Value(x.data ** 2, parents=(x,), local_grads=(x.data,), op="wrong_square")

    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: wrong_square(x) + y, [1.5, 2.0])
    lines = str(info.value).splitlines()
    assert "analytic" in lines[1] and "numeric" in lines[1] and "error" in lines[1]
    row_x, row_y = lines[2].split(), lines[3].split()
    assert row_x[0] == "0" and float(row_x[2]) == 1.5 and float(row_x[3]) == pytest.approx(3.0)
    assert row_x[-1] == "NO" and row_y[-1] == "yes"


def test_gradcheck_uses_pytorch_criterion():
    # analytic off by 2e-5 on a gradient of 1: fails at atol=1e-5, rtol=0 but passes rtol=1e-3
    def off(x):
        return Value(x.data, parents=(x,), local_grads=(1.0 + 2e-5,), op="off")

    with pytest.raises(GradcheckError):
        gradcheck(off, [1.0], rtol=0.0)
    assert gradcheck(off, [1.0])


def test_gradcheck_of_a_function_not_depending_on_input():
    assert gradcheck(lambda x: Value(3.0), [1.0])


_ONE_INPUT = [(op, params) for op in autograd.all_ops()
              if op.inputs == "each" and op.arity() == 1 and not op.detached
              for params in (op.test_params or [()])]


@pytest.mark.parametrize("op, params", _ONE_INPUT,
                         ids=[f"{op.key}{list(p) if p else ''}" for op, p in _ONE_INPUT])
def test_safe_floats_stay_in_each_ops_domain(op, params):
    variant = op.with_params(*params) if params else op

    @given(safe_floats(variant))
    def check(x):
        assert gradcheck(lambda v: autograd.apply(variant, v), [x])

    check()


def test_safe_floats_by_key_keep_to_the_domain_and_away_from_kinks():
    @given(safe_floats("log"), safe_floats("relu"), safe_floats("div", input=1),
           safe_floats("divisor"))
    def check(log_x, relu_x, divisor, legacy):
        assert 0 < log_x <= 10 and abs(relu_x) > 1e-2 and abs(divisor) >= 1e-2
        assert 0.1 <= legacy <= 100

    check()
    with pytest.raises(ValueError, match="registry key"):
        safe_floats("no_such_op")
    with pytest.raises(ValueError, match="no valid float"):
        safe_floats("log", low=-5.0, high=-1.0)


@given(expressions_with_inputs())
def test_random_expression_graphs_pass_gradcheck(case):
    expr, xs = case
    assume(expr.well_conditioned(xs))
    assert gradcheck(expr, xs)


@given(st.sampled_from(OPS).flatmap(lambda op: expressions(ops=[op], max_ops=3)),
       st.lists(safe_floats(low=-2, high=2), min_size=3, max_size=3))
def test_each_op_alone_in_random_graphs(expr, xs):
    xs = xs[: expr.n_inputs]
    assume(expr.well_conditioned(xs))
    assert gradcheck(expr, xs)


@given(expressions_with_inputs(max_ops=6))
def test_steps_and_backward_agree_on_random_graphs(case):
    expr, xs = case
    a = [Value(x) for x in xs]
    b = [Value(x) for x in xs]
    try:
        expr(*a).backward()
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)  # the expression leaves the floats (9.5 ** 857): nothing to compare
    steps = list(autograd.backward_steps(expr(*b)))
    assert [v.grad for v in a] == [v.grad for v in b]
    assert all(s.contribution == s.local_grad * s.upstream_grad for s in steps)


@given(expressions_with_inputs(max_ops=5))
def test_second_derivatives_of_random_graphs_match_finite_differences(case):
    expr, xs = case
    assume(expr.well_conditioned(xs))
    # d/dx0 of the analytic first derivative, against central differences of it
    first = autograd.grad(expr, argnums=0)
    second = autograd.grad(first, argnums=0)(*xs)
    h = 1e-5
    up = first(xs[0] + h, *xs[1:])
    down = first(xs[0] - h, *xs[1:])
    numeric = (up - down) / (2 * h)
    assume(all(expr.well_conditioned([x, *xs[1:]]) for x in (xs[0] + h, xs[0] - h)))
    assert second == pytest.approx(numeric, rel=1e-3, abs=1e-4)


def test_expression_repr_reads_as_a_formula():
    from autograd.testing import Expression

    expr = Expression(2, (("mul", (0, 1)), ("tanh", (2,))))
    assert repr(expr) == "Expression(tanh(mul(x0, x1)) + x0 + x1)"
    assert expr(Value(1.0), Value(2.0)).data == pytest.approx(math.tanh(2.0) + 3.0)


# --- checking functions that differentiate, and probes outside the domain ----------------------
def test_gradcheck_of_a_derivative_function_checks_the_second_derivative():
    cube_slope = autograd.grad(lambda v: v ** 3)  # 3v², whose derivative is 6v
    assert numerical_grad(cube_slope, [2.0]) == pytest.approx([12.0], rel=1e-6)
    assert gradcheck(cube_slope, [2.0])


def test_gradcheck_fails_relu_second_derivative_at_its_kink_as_pytorch_does():
    # relu' jumps from 0 to 1 at 0: central differences see (1 - 0) / 2ε, backprop sees 0
    relu_slope = autograd.grad(lambda v: v.relu())
    eps = 1e-6
    assert numerical_grad(relu_slope, [0.0], eps) == pytest.approx([1 / (2 * eps)])
    with pytest.raises(GradcheckError, match=r"(?m)^\s+0\s+0\s+0\s+500000\s"):
        gradcheck(relu_slope, [0.0], eps=eps)
    assert gradcheck(relu_slope, [0.5])  # away from the kink the derivative is flat, and 0


def test_gradcheck_and_numerical_grad_work_inside_no_grad():
    f = lambda x: x.tanh() * x  # noqa: E731
    outside = numerical_grad(f, [0.3])
    with autograd.no_grad():
        assert numerical_grad(f, [0.3]) == outside
        assert autograd.analytic_grad(f, [0.3]) == pytest.approx(outside, rel=1e-8)
        assert gradcheck(f, [0.3])
        assert not autograd.is_grad_enabled()  # the caller's mode is left as it was


def test_a_probe_outside_the_domain_is_named_with_the_point_and_eps():
    with pytest.raises(ValueError) as info:
        gradcheck(lambda x: x.sqrt(), [1e-7])
    message = str(info.value)
    for part in ("gradcheck", "x = 1e-07", "eps = 1e-06", "x - eps = -9e-07", "smaller eps",
                 "farther from the edge", "sqrt of -9e-07"):
        assert part in message, part
    # the smaller eps the message suggests does pass
    suggested = float(re.search(r"e\.g\. eps=([0-9.e+-]+)\)", message).group(1))
    assert suggested < 1e-7 and gradcheck(lambda x: x.sqrt(), [1e-7], eps=suggested)


def test_a_probe_past_an_edge_above_the_point_is_named_too():
    with pytest.raises(ValueError, match=r"numerical_grad: .*x \+ eps = 1\.0000009"):
        numerical_grad(lambda x: (1 - x).sqrt(), [1.0 - 1e-7])


def test_a_function_failing_at_the_point_itself_raises_its_own_error():
    with pytest.raises(ValueError, match=r"^sqrt of -0\.99"):
        numerical_grad(lambda x: x.sqrt(), [-1.0])
