"""Every bad input gets an exception that names the problem and a way out."""

import math

import pytest

import autograd
from autograd import Value


@pytest.mark.parametrize("bad", ["3", None, [1.0], 1 + 2j])
def test_non_numbers_raise_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize("op", [
    lambda v: v + "x", lambda v: "x" + v, lambda v: v * "x", lambda v: v - "x",
    lambda v: v / "x", lambda v: v ** "x", lambda v: "x" ** v,
])
def test_strings_in_arithmetic_raise_type_error_with_a_fix(op):
    with pytest.raises(TypeError, match=r"got str 'x'.*float\(text\)"):
        op(Value(1.0))


def test_bad_parent_and_length_mismatch_in_constructor():
    with pytest.raises(TypeError, match=r"every parent must be a Value, got float"):
        Value(1.0, parents=(2.0,), local_grads=(1.0,))
    with pytest.raises(ValueError, match=r"1 parents but 2 local gradients"):
        Value(1.0, parents=(Value(1.0),), local_grads=(1.0, 2.0))


def test_log_of_zero_and_negative():
    for x in (0.0, -1.0):
        with pytest.raises(ValueError, match=rf"log of {x!r}.*positive.*1e-12"):
            Value(x).log()


def test_log_error_names_the_label():
    with pytest.raises(ValueError, match=r"log of 0.0 of 'p'"):
        Value(0.0, label="p").log()


def test_sqrt_of_negative():
    with pytest.raises(ValueError, match=r"sqrt of -4.0.*≥ 0"):
        Value(-4.0).sqrt()


def test_division_by_zero_says_division_not_power():
    for make in (lambda: Value(3.0) / 0, lambda: Value(3.0) / Value(0.0), lambda: 3 / Value(0.0)):
        with pytest.raises(ZeroDivisionError, match=r"^division by zero: 3.0 / 0.0") as info:
            make()
        assert "power" not in str(info.value)


def test_negative_base_with_fractional_exponent():
    with pytest.raises(ValueError, match=r"negative base -8.0.*non-integer exponent 0.5"):
        Value(-8.0) ** 0.5


def test_negative_base_with_an_integral_value_exponent_computes_the_power():
    for exponent in (3.0, 2.0, -3.0, 0.0):
        y = Value(-2.0) ** Value(exponent)
        assert y.data == (-2.0) ** exponent
    assert ((-2.0) ** Value(3.0)).data == -8.0  # a number base, a Value exponent


def test_negative_base_with_a_value_exponent_gives_the_base_its_gradient():
    # the exponent's gradient is not needed: a constant, or grad by the base only
    x = Value(-2.0)
    (x ** autograd.constant(3.0)).backward()
    power = lambda a, b: a ** b  # noqa: E731
    by_base = autograd.grad(power, argnums=0)
    assert x.grad == by_base(-2.0, 3.0) == pytest.approx(
        autograd.numerical_grad(lambda a: a ** Value(3.0), [-2.0])[0], rel=1e-8)
    # second derivative by the base, through the recorded rule (itself a negative-base power)
    assert autograd.grad(by_base, argnums=0)(-2.0, 3.0) == pytest.approx(
        autograd.numerical_grad(lambda a: by_base(a, 3.0), [-2.0])[0], rel=1e-6)


@pytest.mark.parametrize("run", [
    lambda y: y.backward(),
    lambda y: autograd.gradients(y),
    lambda y: y.backward(create_graph=True),
    lambda y: list(autograd.backward_steps(y)),
], ids=["backward", "gradients", "create_graph", "steps"])
def test_negative_base_exponent_gradient_raises_when_needed_never_a_silent_nan(run):
    y = Value(-2.0) ** Value(3.0)
    assert y.local_grads[0] == 12.0
    with pytest.raises(ValueError, match=r"(?s)exponent.*-2\.0.*negative.*NaN.*constant"):
        run(y)


def test_negative_base_exponent_gradient_raises_also_where_the_base_gradient_overflows():
    # b·aᵇ⁻¹ = -1 · (-1e-300)⁻² overflows: the local derivatives are then computed the IEEE
    # way (numpy), and the exponent's must still refuse, not become a silent NaN
    y = (-1e-300) ** Value(-1.0)
    assert y.data == (-1e-300) ** -1
    with pytest.raises(ValueError, match=r"exponent.*-1e-300"):
        y.backward()


def test_negative_base_with_a_fractional_value_exponent_has_no_real_result():
    for make in (lambda: Value(-2.0) ** Value(2.5), lambda: (-2.0) ** Value(0.5)):
        with pytest.raises(ValueError, match=r"negative base -2.0 with non-integer exponent"):
            make()


def test_an_int_exponent_beyond_floats_gives_the_exact_limit():
    assert (Value(1.0) ** 10**400).data == 1.0
    assert (Value(-1.0) ** 10**400).data == 1.0
    assert (Value(-1.0) ** (10**400 + 1)).data == -1.0
    assert (Value(0.5) ** 10**400).data == 0.0
    assert (Value(2.0) ** -10**400).data == 0.0
    y = Value(1.0) ** 10**400
    assert y.local_grads == (math.inf,)  # n·1ⁿ⁻¹ = 10**400, beyond floats
    assert y.op.describe() == "** 1e+400"


@pytest.mark.parametrize("make, shown", [
    (lambda: Value(2.0) ** 10**5000, r"2.0 \*\* 1e\+5000"),
    (lambda: Value(0.5) ** -10**400, r"0.5 \*\* -1e\+400"),
])
def test_an_int_exponent_beyond_floats_overflows_with_a_readable_message(make, shown):
    with pytest.raises(OverflowError, match=rf"power overflow: {shown} is larger"):
        make()


def test_a_value_given_as_data_names_the_argument_and_the_fix():
    with pytest.raises(TypeError, match=r"Value\(data\): got the Value .*= 1.0.*v\.data"):
        Value(Value(1.0))


@pytest.mark.parametrize("call", [
    lambda a, b: Value.backward([a, b]),
    lambda a, b: (a + b).backward([a, b]),
], ids=["unbound", "as-seed"])
def test_backward_of_several_outputs_says_how(call):
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match=r"(?s)backward takes one number.*seed.*autograd\.sum"
                                        r".*call backward on each"):
        call(a * 2, b * 3)


def test_zero_to_negative_power():
    with pytest.raises(ZeroDivisionError, match=r"0.0 \*\* -1.*negative power of zero"):
        Value(0.0) ** -1


def test_integer_power_of_negative_base_is_fine():
    v = Value(-2.0)
    out = v ** 3.0
    out.backward()
    assert out.data == -8.0 and v.grad == 12.0


def test_exp_overflow():
    with pytest.raises(OverflowError, match=r"exp overflow: exp\(1000.0\).*stable form"):
        Value(1000.0).exp()


def test_power_overflow():
    with pytest.raises(OverflowError, match=r"power overflow"):
        Value(10.0) ** 400.0


def test_backward_root_and_seed_checked():
    with pytest.raises(TypeError, match=r"backward\(grad\).*got str"):
        Value(1.0).backward("one")
    with pytest.raises(TypeError, match="root must be a Value"):
        autograd.backward_steps(3.0).__next__()


def test_sqrt_at_zero_has_infinite_derivative_not_an_error():
    v = Value(0.0)
    out = v.sqrt()
    assert out.data == 0.0
    assert out.local_grads == (float("inf"),)
