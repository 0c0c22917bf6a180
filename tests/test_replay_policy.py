"""One policy for both engines: a bad input fails the same way in replay as in the scalar
engine, NaN data propagates in both, and replay's backward never adds NaN to ``.grad``.

Each bad-input case runs through both engines: the scalar engine on the bad sample alone,
replay on a batch where the bad sample is not the first; both must end the same way (the
same exception class, or a number), and replay's message must name the op, the node and the
sample. Also here: ops known by identity in replay, and an op that cannot run on arrays
named with its node.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import DataDependentGraphError, Op, Value, apply, trace

GOOD = 0.5  # an input every case accepts: the example sample and the batch's other samples

LOGSUM = Op("logsum", lambda out, xs: tuple(1.0 / sum(xs) for _ in xs), inputs="all",
            forward=lambda xs: math.log(sum(xs)),
            array_forward=lambda xs: np.log(sum(xs)))  # a custom n-ary op: no error helper

# name: (f of one input Value, the bad input, the op the error names)
CASES = {
    "log(0)": (lambda x: (x - GOOD + 1.0).log(), GOOD - 1.0, "log"),
    "sqrt(-1)": (lambda x: (x - 0.25).sqrt(), -0.75, "sqrt"),
    "1/0": (lambda x: 1.0 / (x - 0.25), 0.25, "/"),
    "x/0 by a Value": (lambda x: x / (x - 0.25), 0.25, "/"),
    "exp(1000)": (lambda x: x.exp(), 1000.0, "exp"),
    "(-2)**0.5": (lambda x: x ** 0.5, -2.0, "** 0.5"),
    "0**-1": (lambda x: x ** -1, 0.0, "** -1"),
    "a custom op without an error helper": (lambda x: apply(LOGSUM, x, x), -1.0, "logsum"),
    "exp overflow after a matrix product": (
        lambda x: autograd.dot([Value(300.0), Value(400.0)], [x, x]).exp(), 2.0, "exp"),
}
FINE = {  # inputs the scalar engine accepts although they give ±inf or NaN: replay too
    "NaN data": (lambda x: (x * 2.0).log(), math.nan),
    "inf data": (lambda x: x.exp() + 1.0, math.inf),
    "an overflowing product": (lambda x: x * 1e300, 1e300),
    "log of inf": (lambda x: x.log(), math.inf),
}


def scalar_outcome(f, x: float):
    """The exception class the scalar engine raises on the input, else its number."""
    try:
        return f(Value(x)).data
    except (ArithmeticError, ValueError) as exc:
        return type(exc)


def replay_outcome(f, x: float):
    """The same through replay, on the batch [GOOD, GOOD, x, x] (the bad sample is 2)."""
    replay = trace(f, GOOD)
    try:
        return replay(np.array([GOOD, GOOD, x, x]))[2], None
    except (ArithmeticError, ValueError) as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize("case", CASES)
def test_a_bad_input_raises_the_scalar_engines_error_in_replay(case):
    f, bad, op_name = CASES[case]
    expected = scalar_outcome(f, bad)
    assert isinstance(expected, type), f"the case {case!r} must fail in the scalar engine"
    got, message = replay_outcome(f, bad)
    assert got is expected, f"replay: {got} where the scalar engine raises {expected}"
    assert "sample 2 of the batch" in message, message
    assert f"(op '{op_name}')" in message, message
    assert f"node {op_name}#" in message, message  # the node, by its op and id


@pytest.mark.parametrize("case", FINE)
def test_what_the_scalar_engine_accepts_replay_accepts_with_the_same_number(case):
    f, x = FINE[case]
    expected = scalar_outcome(f, x)
    got, message = replay_outcome(f, x)
    assert message is None, f"replay raised where the scalar engine gives {expected}"
    assert got == expected or (math.isnan(got) and math.isnan(expected))


def test_the_first_failing_sample_is_named_even_when_a_deeper_op_fails_first():
    # sample 1 fails at log (two ops deep), sample 2 at sqrt (one op deep): the scalar
    # engine, sample by sample, meets sample 1's log first
    replay = trace(lambda x, y: (x - 1.0).log() + y.sqrt(), 2.0, 1.0)
    with pytest.raises(ValueError, match=r"sample 1 of the batch, node log#\d+ \(op 'log'\)"):
        replay(np.array([2.0, 1.0, 2.0]), np.array([1.0, 1.0, -1.0]))
    with pytest.raises(ValueError, match="sample 2 of the batch.*sqrt of -1.0"):
        replay(np.array([2.0, 2.0, 2.0]), np.array([1.0, 1.0, -1.0]))


def test_gradients_and_training_steps_fail_as_the_forward_does():
    w = Value(1.0, label="w")
    replay = trace(lambda x: (w * x).log(), 1.0)
    X = np.array([1.0, 0.0])
    with pytest.raises(ValueError, match="sample 1 .*log of 0.0"):
        replay.value_and_gradient(replay.parameter_vector(), X)
    with pytest.raises(ValueError, match="sample 1 .*log of 0.0"):
        replay.backward(X)
    assert w.grad == 0.0


def test_nan_data_propagates_and_backward_refuses_to_add_it_to_grad():
    w = Value(2.0, label="w")
    replay = trace(lambda x: (w * x - 1.0) ** 2, 1.0)
    X = np.array([1.0, math.nan, 3.0])
    out = replay(X)
    assert math.isnan(out[1]) and out[0] == 1.0 and out[2] == 25.0  # as the scalar engine:
    assert math.isnan(((w * Value(math.nan) - 1.0) ** 2).data)  # NaN in, NaN out
    with pytest.raises(FloatingPointError, match=r"gradient of parameter 0 \(w\) is nan"):
        replay.backward(X)
    assert w.grad == 0.0  # nothing added
    loss, grad = replay.value_and_gradient(replay.parameter_vector(), X)
    assert math.isnan(loss) and math.isnan(grad[0])  # the arrays, for the caller to check


def test_backward_refuses_an_infinite_gradient():
    w = Value(0.0, label="w")
    replay = trace(lambda x: (w * x).sqrt(), 1.0)  # √0 is fine, its derivative is not
    with pytest.raises(FloatingPointError, match=r"parameter 0 \(w\) is inf"):
        replay.backward(np.array([1.0, 2.0]))
    assert w.grad == 0.0


def test_fit_fails_alike_with_both_engines():
    import nn

    class Logs(nn.Module):  # a model whose output is a log: log(0) for the sample 0
        def __init__(self):
            self.w = Value(1.0, label="w")

        def __call__(self, x):
            return (self.w * x[0]).log()

        def parameters(self):
            return [self.w]

    X, y = [[1.0], [2.0], [0.0], [3.0]], [0.0, 1.0, 0.0, 1.0]
    outcomes = []
    for engine in ("scalar", "replay"):
        model = Logs()
        with pytest.raises((ArithmeticError, ValueError)) as info:
            nn.fit(model, X, y, loss="mse", epochs=1, batch_size=4, engine=engine,
                   progress=False)
        outcomes.append(info.type)
        assert "log of 0.0" in str(info.value)
    assert outcomes[0] is outcomes[1]


# --- ops by identity ------------------------------------------------------------------------
def _same_rule(out, x):
    return (1.0,)


TWIST_UP = Op("twist", _same_rule, forward=lambda x: x + 1.0, array_forward=lambda x: x + 1.0)
TWIST_DOWN = Op("twist", _same_rule, forward=lambda x: x - 1.0, array_forward=lambda x: x - 1.0)


def test_two_ops_with_one_name_and_one_rule_replay_each_with_its_own_forward():
    replay = trace(lambda x, y: apply(TWIST_UP, x) * apply(TWIST_DOWN, y), 0.0, 0.0)
    X, Y = np.array([0.0, 2.0]), np.array([0.0, 5.0])
    expected = [apply(TWIST_UP, Value(a)).data * apply(TWIST_DOWN, Value(b)).data
                for a, b in zip(X, Y)]
    assert replay(X, Y).tolist() == expected == [-1.0, 12.0]


def test_verify_tells_two_ops_with_one_name_apart():
    replay = trace(lambda x: apply(TWIST_UP if x.data > 0 else TWIST_DOWN, x), 1.0)
    replay.verify(np.array([1.0, 2.0]))  # the same op for every sample: fine
    with pytest.raises(DataDependentGraphError):
        replay.verify(np.array([1.0, -1.0]))


def test_an_op_that_cannot_run_on_arrays_is_named_with_its_node():
    branching = Op("halfwave", lambda out, x: (1.0 if x > 0 else 0.0,),
                   forward=lambda x: x if x > 0 else 0.0)  # `if` on an array: ValueError
    w = Value(0.5, label="w")
    replay = trace(lambda x: apply(branching, w * x), 1.0)
    with pytest.raises(TypeError, match=r"op 'halfwave' cannot run on numpy arrays \(node "
                                        r"halfwave#\d+ of the traced graph; its forward"):
        replay(np.array([1.0, -1.0]))


# --- the ops replay does not check ----------------------------------------------------------
SPECIAL = (0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-310, -1e-310, 1e308, -1e308, 710.0, -710.0,
           math.inf, -math.inf, math.nan)


@pytest.mark.parametrize("op", sorted(autograd.replay.TOTAL_OPS, key=lambda op: op.name),
                         ids=lambda op: op.name)
def test_the_ops_replay_leaves_unchecked_never_raise_in_the_scalar_engine(op):
    """Replay skips the domain check for these ops: their float forward must not raise on
    any float, or replay would miss an error the scalar engine gives."""
    import itertools

    params = op.test_params or ((),)
    for p in params:
        variant = op.with_params(*p) if p else op
        for xs in itertools.product(SPECIAL, repeat=variant.arity() or 1):
            variant.forward(*variant.arguments(xs))  # raises: the test fails


def test_a_checked_op_that_raises_on_special_values_is_caught():
    """The other way round: sin raises on ±inf in the scalar engine (math.sin), so replay
    must check it — it is not among the unchecked ops, and replay raises there too."""
    assert autograd.ops.SIN not in autograd.replay.TOTAL_OPS
    f = lambda x: x.sin()  # noqa: E731
    assert scalar_outcome(f, math.inf) is ValueError
    got, message = replay_outcome(f, math.inf)
    assert got is ValueError and "sample 2" in message
