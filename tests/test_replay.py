"""autograd.trace: one sample's graph replayed over a batch gives the scalar engine's numbers."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import DataDependentGraphError, Op, Value, apply, constant, trace
from autograd.testing import expressions, safe_floats

TOLERANCE = 1e-12


def close(replayed, scalar, scale=None):
    """``|r − s| ≤ 1e-12 · scale`` elementwise; ``scale`` defaults to ``max(|s|, 1e-300)``:
    relative to the number, or to the size of the terms that were summed into it."""
    replayed, scalar = np.asarray(replayed, float), np.asarray(scalar, float)
    scale = np.maximum(np.abs(scalar), 1e-300) if scale is None else scale
    return bool(np.all(np.abs(replayed - scalar) <= TOLERANCE * scale))


def scalar_batch(f, params, rows, reduction):
    """The scalar engine on the whole batch: each sample's graph, the mean or sum, backward.
    Returns (per-sample outputs, L, gradients, the size of the terms summed into each
    gradient: Σ |contribution| over every chain-rule product reaching the parameter, and per
    sample the largest number in its graph). Replay may add in another order, so results
    that cancel are compared relative to the size of what was added."""
    outs, sizes, magnitudes = [], np.zeros(len(params)), []
    index = {id(p): k for k, p in enumerate(params)}
    for row in rows:
        for p in params:
            p.grad = 0.0
        out = f(*[constant(x) for x in row])
        for step in autograd.backward_steps(out):
            if id(step.parent) in index:
                sizes[index[id(step.parent)]] += abs(step.contribution)
        outs.append(out)
        magnitudes.append(max(abs(v.data) for v in autograd.topological_order(out)))
    for p in params:
        p.grad = 0.0
    total = autograd.sum(outs)
    loss = total / len(rows) if reduction == "mean" else total
    loss.backward()
    grads = [p.grad for p in params]
    if reduction == "mean":
        sizes /= len(rows)
    return [o.data for o in outs], loss.data, grads, sizes, np.array(magnitudes)


@settings(max_examples=150, deadline=None)
@given(expr=expressions(n_inputs=3, max_ops=8), n_params=st.integers(1, 2),
       rows=st.lists(st.lists(safe_floats(low=-3.0, high=3.0), min_size=3, max_size=3),
                     min_size=1, max_size=6),
       reduction=st.sampled_from(["mean", "sum"]))
def test_random_graphs_replay_to_the_scalar_numbers(expr, n_params, rows, reduction):
    params = [Value(rows[0][k], label=f"p{k}") for k in range(n_params)]
    data = [row[n_params:] for row in rows]
    assume(all(expr.well_conditioned([p.data for p in params] + d) for d in data))

    def f(*xs):
        return expr(*params, *xs)

    outs, loss, grads, sizes, magnitudes = scalar_batch(f, params, data, reduction)
    replay = trace(f, *data[0])
    columns = [np.array([d[k] for d in data]) for k in range(len(data[0]))]
    assert close(replay(*columns), outs, scale=np.maximum(magnitudes, 1e-300))
    for p in params:
        p.grad = 0.0
    value = replay.backward(*columns, reduction=reduction)
    assert close(value, loss, scale=max(magnitudes))
    assert close([p.grad for p in params], grads, scale=np.maximum(sizes, 1e-300))


def test_gradients_accumulate_into_grad_as_backward_does():
    w = Value(0.5, label="w")
    replay = trace(lambda x: (w * x).tanh(), 1.0)
    xs = np.array([0.1, -2.0, 3.0])
    replay.backward(xs)
    once = w.grad
    replay.backward(xs)
    assert w.grad == 2 * once
    expected = np.mean((1 - np.tanh(0.5 * xs) ** 2) * xs)
    assert math.isclose(once, expected, rel_tol=1e-12)


def test_sum_reduction_is_n_times_the_mean():
    w = Value(2.0)
    replay = trace(lambda x, y: (w * x - y) ** 2, 0.0, 0.0)
    X, Y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 2.0])
    _, g_mean = replay.value_and_gradient(replay.parameter_vector(), X, Y)
    _, g_sum = replay.value_and_gradient(replay.parameter_vector(), X, Y, reduction="sum")
    assert np.allclose(g_sum, 3 * g_mean, rtol=1e-14)


def test_the_traced_graph_is_one_ordinary_sample_graph():
    w = Value(1.5, label="w")
    replay = trace(lambda x: (w * x).relu(), 2.0)
    assert replay.graph.data == 3.0
    assert replay.params == [w] and [v.label for v in replay.inputs] == ["x0"]
    assert autograd.topological_order(replay.graph)[-1].op is autograd.ops.RELU


def test_masking_ops_pass_no_gradient_from_an_infinite_upstream():
    # d/dx √(relu(x)) at x < 0: relu's zero derivative masks sqrt's infinite one (as backward)
    w = Value(1.0)
    replay = trace(lambda x: (w * x).relu().sqrt(), -1.0)
    with np.errstate(all="ignore"):
        replay.backward(np.array([-1.0, -2.0]))
    scalar = Value(1.0)
    (scalar * constant(-1.0)).relu().sqrt().backward()
    assert w.grad == scalar.grad == 0.0


def test_a_dot_of_shared_inputs_runs_as_one_matrix_product():
    W = [[Value(float(i + j)) for j in range(3)] for i in range(4)]
    replay = trace(lambda xs: autograd.sum(autograd.matvec(W, xs)), [1.0, 2.0, 3.0])
    assert any(type(g).__name__ == "MatVec" for g in replay.groups)
    X = np.arange(6.0).reshape(2, 3)
    expected = [sum(w.data * x for row in W for w, x in zip(row, xs)) for xs in X]
    assert close(replay(X), expected)


def test_several_outputs_give_one_column_each():
    w = Value(2.0)
    replay = trace(lambda x: [w * x, w + x], 1.0)
    assert replay(np.array([1.0, 3.0])).tolist() == [[2.0, 3.0], [6.0, 5.0]]
    with pytest.raises(ValueError, match="returns 2 Values per sample"):
        replay.backward(np.array([1.0]))


def test_a_custom_op_replays_with_its_own_forward_and_rule():
    cube = Op("cube", lambda out, x: (3 * x * x,), forward=lambda x: x ** 3)
    w = Value(2.0)
    replay = trace(lambda x: apply(cube, w * x), 1.0)
    replay.backward(np.array([1.0, 0.5]))
    assert math.isclose(w.grad, (12.0 + 3 * 1.0 * 0.5) / 2, rel_tol=1e-12)


# --- graphs that depend on the data ------------------------------------------------------
def test_verify_accepts_a_static_graph():
    w = Value(0.3)
    replay = trace(lambda x: abs(w * x).relu(), 1.0)
    replay.verify(np.array([1.0, -1.0, 2.0]))


def test_verify_catches_python_branching_on_data():
    w = Value(0.3)

    def f(x):
        return w * x if x.data > 0 else (w * x).exp()

    replay = trace(f, 1.0)
    with pytest.raises(DataDependentGraphError, match="sample 1 records a different graph"):
        replay.verify(np.array([1.0, -1.0]))


def test_verify_catches_a_number_read_out_of_the_data():
    w = Value(0.3)
    replay = trace(lambda x: w * x - x.data, 1.0)  # x.data is baked in as a constant
    with pytest.raises(DataDependentGraphError, match="depends on the data"):
        replay.verify(np.array([1.0, 2.0]))


# --- clear errors -----------------------------------------------------------------------
def test_bad_calls_say_what_to_do():
    w = Value(1.0)
    with pytest.raises(TypeError, match="give an example sample"):
        trace(lambda x: w * x)
    with pytest.raises(TypeError, match="example argument 0 is a Value"):
        trace(lambda x: w * x, Value(1.0))
    with pytest.raises(TypeError, match="must return a Value"):
        trace(lambda x: 3.0, 1.0)
    with pytest.raises(ValueError, match="a leaf"):
        trace(lambda x: w, 1.0)
    with pytest.raises(ValueError, match="not in params"):
        trace(lambda x: w * x, 1.0, params=[])
    with pytest.raises(TypeError, match="no derivative rule"):
        trace(lambda x: Value((w * x).data, (w,), (x.data,), op="mine"), 1.0)
    replay = trace(lambda x, y: w * x + y, 1.0, 2.0)
    with pytest.raises(TypeError, match="traced with 2 argument"):
        replay(np.array([1.0]))
    with pytest.raises(ValueError, match="argument 1 has 1 samples, argument 0 has 2"):
        replay(np.array([1.0, 2.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum', got 'max'"):
        replay.backward(np.array([1.0]), np.array([1.0]), reduction="max")
    vector = trace(lambda xs: w * xs[0] + xs[1], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"argument 0 has shape \(2, 3\)"):
        vector(np.zeros((2, 3)))


def test_a_dot_of_parameters_only_replays_as_the_scalar_engine():
    """An L2 term Σ w·w (a dot whose both halves are parameters) runs as one vectorised
    group; its gradient 2w·u is summed over the samples like any other."""
    ws = [Value(v, label=f"w{i}") for i, v in enumerate([0.5, -1.0, 2.0])]

    def f(x, t):
        return (autograd.dot(ws, [x, x, 1.0]) - t) ** 2 + autograd.dot(ws, ws) * 0.1

    xs, ts = np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.0, -1.0])
    replay = autograd.trace(f, 0.3, 1.0)
    assert any(isinstance(g, autograd.array_program.ParamDot) for g in replay.groups)
    loss = replay.backward(xs, ts)
    got = [w.grad for w in ws]
    for w in ws:
        w.grad = 0.0
    scalar = autograd.sum([f(float(x), float(t)) for x, t in zip(xs, ts)]) / 3
    scalar.backward()
    assert loss == pytest.approx(scalar.data, rel=1e-12)
    assert got == pytest.approx([w.grad for w in ws], rel=1e-12)
