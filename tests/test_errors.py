"""Every bad input gets an exception that names the problem and a way out."""

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


def test_negative_base_with_value_exponent():
    with pytest.raises(ValueError, match=r"negative base -2.0 with a Value exponent"):
        Value(-2.0) ** Value(2.0)


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
