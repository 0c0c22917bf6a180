"""no_grad and detect_anomaly."""

import pytest

import autograd
from autograd import AnomalyError, Value, detect_anomaly, no_grad


def test_no_grad_records_no_parents_and_restores():
    w = Value(2.0)
    with no_grad():
        assert not autograd.is_grad_enabled()
        y = (w * 3).tanh() + autograd.dot([w], [1.0])
    assert y.parents == () and y.is_constant
    assert autograd.is_grad_enabled()
    assert (w * 3).parents[0] is w


def test_no_grad_nests_and_restores_after_errors():
    with no_grad():
        with autograd.enable_grad():
            assert (Value(1.0) * 2).parents
        assert not autograd.is_grad_enabled()
    with pytest.raises(ZeroDivisionError), no_grad():
        Value(1.0) / 0
    assert autograd.is_grad_enabled()


def test_no_grad_as_decorator():
    @no_grad()
    def evaluate(v):
        return v * 2

    assert evaluate(Value(1.0)).parents == ()


def test_anomaly_forward_names_op_and_site():
    x = Value(1e308, label="x")
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        x * 10
    message = str(info.value)
    assert "forward op '*' produced inf" in message
    assert "x = 1e+308" in message
    assert "test_modes.py:" in message


def test_anomaly_backward_names_node_label_and_creation_site():
    x = Value(0.0, label="x")
    with detect_anomaly():
        r = x.sqrt()  # derivative +inf at 0
        r.label = "root"
        out = r * 2
        with pytest.raises(AnomalyError) as info:
            out.backward()
    message = str(info.value)
    assert "backward produced inf" in message
    assert "node root (op 'sqrt', created at" in message and "test_modes.py:" in message
    assert "to its parent x" in message


def test_anomaly_off_by_default_and_restored():
    assert not autograd.is_anomaly_enabled()
    with detect_anomaly():
        assert autograd.is_anomaly_enabled()
    assert not autograd.is_anomaly_enabled()
    out = Value(1e308) * 10  # without the mode, floats behave as floats
    assert out.data == float("inf")


def test_anomaly_mode_gives_the_same_gradients():
    def build():
        x = Value(0.7)
        return x, (x * x).tanh() + x.exp()

    x1, y1 = build()
    y1.backward()
    with detect_anomaly():
        x2, y2 = build()
        y2.backward()
    assert x1.grad == x2.grad


# --- grad is a function transform: a no_grad() around the call does not change its result ----
def test_grad_and_value_and_grad_differentiate_inside_no_grad():
    f = lambda x, y: (x * y).tanh() + x ** 3  # noqa: E731
    expected = autograd.value_and_grad(f, argnums=(0, 1))(0.4, -1.3)
    numeric = autograd.numerical_grad(f, [0.4, -1.3])
    with no_grad():
        got = autograd.value_and_grad(f, argnums=(0, 1))(0.4, -1.3)
        slope = autograd.grad(f)(0.4, -1.3)
        curvature = autograd.grad(autograd.grad(f))(0.4, -1.3)
        assert not autograd.is_grad_enabled()  # restored after each call
    assert got == expected
    assert got[1] == pytest.approx(numeric, rel=1e-8)
    assert slope == expected[1][0]
    assert curvature == autograd.grad(autograd.grad(f))(0.4, -1.3)
    assert autograd.is_grad_enabled()


def test_grad_inside_no_grad_given_values_returns_constants():
    x = Value(2.0)
    with no_grad():
        value, slope = autograd.value_and_grad(lambda v: v ** 3)(x)
    assert (value.data, slope.data) == (8.0, 12.0)
    assert value.is_constant and slope.is_constant and x.grad == 0.0


def test_no_grad_inside_the_function_is_respected():
    def f(x):
        with no_grad():
            frozen = x * x  # a constant: no gradient flows through it
        return frozen * x

    with no_grad():
        assert autograd.grad(f)(3.0) == 9.0
    assert autograd.grad(f)(3.0) == 9.0
