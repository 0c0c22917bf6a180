"""The backward pass: graph shapes, accumulation, depth, memory and published examples."""

import gc
import math
import weakref

import pytest

import autograd
from autograd import Value


def test_design_example():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b + 10
    c.backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)


def test_reused_node_accumulates_with_plus_equals():
    a = Value(3.0)
    out = a * a + a  # d/da = 2a + 1
    out.backward()
    assert a.grad == 7.0


def test_same_node_twice_in_one_op():
    a = Value(-4.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_diamond():
    x = Value(2.0)
    left = x * 3
    right = x.exp()
    out = left * right  # d/dx 3x·eˣ = 3eˣ + 3x·eˣ
    out.backward()
    assert x.grad == pytest.approx(3 * math.exp(2) * (1 + 2), rel=1e-12)


def test_two_backward_calls_accumulate_exactly_twice():
    x = Value(1.5)
    h = (x * x).tanh()  # an intermediate node shared by the pass
    out = h * h + h
    out.backward()
    once = x.grad
    h_once = h.grad
    out.backward()
    assert x.grad == 2 * once  # not 3x: each pass starts from its own upstream gradients
    assert h.grad == h_once  # an intermediate shows the latest pass's upstream gradient


def test_seed_scales_all_gradients():
    x = Value(2.0)
    (x * x).backward(grad=0.5)
    assert x.grad == 2.0


def test_backward_of_a_leaf_seeds_itself():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


def test_zero_grad_whole_graph_and_list():
    x, y = Value(2.0), Value(3.0)
    out = x * y
    out.backward()
    autograd.zero_grad(out)
    assert (x.grad, y.grad, out.grad) == (0.0, 0.0, 0.0)
    out.backward()
    autograd.zero_grad([x])
    assert (x.grad, y.grad) == (0.0, 2.0)


def test_million_deep_chain():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 0.0
    y.backward()
    assert x.grad == 1.0


def test_topological_order_parents_first_on_a_deep_chain():
    x = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    order = autograd.topological_order(y)
    position = {v: i for i, v in enumerate(order)}
    assert order[-1] is y and len(order) == 40_001
    assert all(position[p] < position[v] for v in order for p in v.parents)


def test_graph_is_freed_by_reference_counting_alone():
    gc.disable()
    try:
        x = Value(1.0)
        out = ((x * 2).tanh() + x.exp()) * x
        out.backward()
        refs = [weakref.ref(v) for v in autograd.topological_order(out) if v is not x]
        del out
        assert all(r() is None for r in refs)
        assert x.grad != 0.0
    finally:
        gc.enable()


def test_graph_is_freed_after_backward_steps_too():
    gc.disable()
    try:
        x = Value(1.0)
        out = (x * 3).sigmoid()
        list(autograd.backward_steps(out))
        ref = weakref.ref(out)
        del out
        assert ref() is None
    finally:
        gc.enable()


# --- CS231n backprop notes (https://cs231n.github.io/optimization-2/), exact numbers --------
def test_cs231n_simple_expression():
    # f(x, y, z) = (x + y) z at x=-2, y=5, z=-4
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad, q.grad) == (-4.0, -4.0, 3.0, -4.0)


def test_cs231n_sigmoid_neuron():
    # f(w, x) = σ(w0 x0 + w1 x1 + w2) with w=[2,-3,-3], x=[-1,-2]: dot = 1, f = 0.73
    w0, w1, w2 = Value(2.0), Value(-3.0), Value(-3.0)
    x0, x1 = Value(-1.0), Value(-2.0)
    dot = w0 * x0 + w1 * x1 + w2
    f = 1.0 / (1 + (-dot).exp())  # the notes' gate-by-gate form
    f.backward()
    assert dot.data == 1.0
    assert f.data == pytest.approx(0.7310585786300049, abs=1e-15)
    ddot = (1 - f.data) * f.data  # the notes' shortcut, 0.2 to two places
    assert round(ddot, 2) == 0.2
    assert [w0.grad, w1.grad, w2.grad] == pytest.approx([-ddot, -2 * ddot, ddot], rel=1e-12)
    assert [x0.grad, x1.grad] == pytest.approx([2 * ddot, -3 * ddot], rel=1e-12)
    # the published two-decimal figures: dw=[-0.2, -0.39, 0.2], dx=[0.39, -0.59]
    assert [round(g, 2) for g in (w0.grad, w1.grad, w2.grad)] == [-0.2, -0.39, 0.2]
    assert [round(g, 2) for g in (x0.grad, x1.grad)] == [0.39, -0.59]


def test_cs231n_sigmoid_neuron_with_the_fused_ops_agrees():
    ws = [Value(2.0), Value(-3.0)]
    b = Value(-3.0)
    f = (autograd.dot(ws, [-1.0, -2.0]) + b).sigmoid()
    f.backward()
    ddot = f.data * (1 - f.data)
    assert [w.grad for w in ws] == pytest.approx([-ddot, -2 * ddot], rel=1e-15)
    assert b.grad == pytest.approx(ddot, rel=1e-15)


def test_course_sigmoid_bce_gradients_match_hand_derivation():
    from nn.cli import sigmoid_neuron_bce

    for y in (0.0, 1.0):
        net = sigmoid_neuron_bce([0.4, -0.6], [0.5, -1.5], 0.1, y)
        net["loss"].backward()
        error = net["y_hat"].data - y
        assert [w.grad for w in net["w"]] == pytest.approx([error * 0.5, error * -1.5], rel=1e-12)
        assert net["b"].grad == pytest.approx(error, rel=1e-12)


def test_gradients_leave_grad_fields_alone():
    x = Value(2.0)
    out = x * x
    grads = autograd.gradients(out)
    assert grads[x] == 4.0 and x.grad == 0.0


def test_micrograd_lecture_neuron():
    # Karpathy, "The spelled-out intro to neural networks and backpropagation" (micrograd):
    # o = tanh(x1 w1 + x2 w2 + b) with b chosen so that o = 1/sqrt(2)
    x1, x2 = Value(2.0), Value(0.0)
    w1, w2 = Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(0.7071, abs=1e-4)
    grads = [x1.grad, w1.grad, x2.grad, w2.grad, b.grad]
    assert grads == pytest.approx([-1.5, 1.0, 0.5, 0.0, 0.5], abs=1e-12)
