"""Modes are per thread, as PyTorch's grad mode is: ``no_grad``, ``enable_grad``,
``detect_anomaly`` and ``grad()``'s nesting state in one thread never change another thread.

Each test forces an interleaving with ``threading.Event``s: a thread parks inside a mode
while another thread works, so a mode kept in a module global is caught every time.
"""

from __future__ import annotations

import math
import sys
import threading

import pytest
from thread_runner import run_threads

import autograd
import nn
from autograd import Value

TIMEOUT = 20.0


def wait(event: threading.Event) -> None:
    assert event.wait(TIMEOUT), "timed out waiting for the other thread"


def test_no_grad_in_one_thread_does_not_stop_another_thread_recording():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def a():
        with autograd.no_grad():
            inside.set()
            wait(done)
            seen["a_inside"] = autograd.is_grad_enabled()
            seen["a_result_parents"] = (Value(2.0) * 3).parents

    def b():
        wait(inside)
        x = Value(2.0)
        y = (x * x).tanh() + autograd.dot([x], [1.0])
        seen["b_enabled"] = autograd.is_grad_enabled()
        seen["b_has_parents"] = bool(y.parents)
        y.backward()
        seen["b_grad"] = x.grad
        done.set()

    run_threads(a, b)
    assert seen["b_enabled"] is True
    assert seen["b_has_parents"] is True
    assert seen["b_grad"] != 0.0
    assert seen["a_inside"] is False and seen["a_result_parents"] == ()
    assert autograd.is_grad_enabled()


@pytest.mark.parametrize("exit_order", ["A then B", "B then A"])
def test_interleaved_no_grad_blocks_leave_recording_on_everywhere(exit_order):
    a_in, b_in, first_out, second_out = (threading.Event() for _ in range(4))
    seen = {}

    def worker(name, entered, wait_for_entry, my_turn, after_me):
        def run():
            if wait_for_entry is not None:
                wait(wait_for_entry)
            with autograd.no_grad():
                entered.set()
                wait(my_turn)
                seen[f"{name} inside"] = autograd.is_grad_enabled()
            seen[f"{name} after"] = autograd.is_grad_enabled()
            seen[f"{name} records after"] = bool((Value(1.0) * 2).parents)
            after_me.set()
        return run

    go_first = threading.Event()
    if exit_order == "A then B":
        a = worker("A", a_in, None, go_first, first_out)
        b = worker("B", b_in, a_in, first_out, second_out)
    else:
        a = worker("A", a_in, None, first_out, second_out)
        b = worker("B", b_in, a_in, go_first, first_out)

    def conductor():
        wait(a_in)
        wait(b_in)  # both are inside no_grad now
        go_first.set()
        wait(second_out)

    run_threads(a, b, conductor)
    assert seen["A inside"] is False and seen["B inside"] is False
    assert seen["A after"] is True and seen["B after"] is True
    assert seen["A records after"] and seen["B records after"]
    assert autograd.is_grad_enabled()
    assert (Value(1.0) * 2).parents


def test_a_new_thread_records_even_when_started_inside_no_grad():
    seen = {}

    def worker():
        seen["enabled"] = autograd.is_grad_enabled()
        seen["parents"] = bool((Value(1.0) * 2).parents)

    with autograd.no_grad():
        run_threads(worker)
        assert not autograd.is_grad_enabled()
    assert seen == {"enabled": True, "parents": True}


def test_enable_grad_in_one_thread_does_not_reenable_recording_in_another():
    inside_no_grad, inside_enable, done = (threading.Event() for _ in range(3))
    seen = {}

    def a():
        with autograd.no_grad():
            inside_no_grad.set()
            wait(inside_enable)
            seen["a"] = autograd.is_grad_enabled()
            seen["a parents"] = (Value(1.0) * 2).parents
            done.set()

    def b():
        wait(inside_no_grad)
        with autograd.no_grad(), autograd.enable_grad():
            inside_enable.set()
            wait(done)
            seen["b"] = autograd.is_grad_enabled()

    run_threads(a, b)
    assert seen["a"] is False and seen["a parents"] == ()
    assert seen["b"] is True


def test_detect_anomaly_in_one_thread_does_not_raise_in_another():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def a():
        with autograd.detect_anomaly():
            inside.set()
            wait(done)
            with pytest.raises(autograd.AnomalyError):
                Value(1e308) * 10

    def b():
        wait(inside)
        seen["enabled"] = autograd.is_anomaly_enabled()
        x = Value(1e308)
        y = x * 10  # inf, silently, as outside detect_anomaly
        seen["y"] = y.data
        r = Value(0.0).sqrt() * 2  # an infinite gradient, silently too
        r.backward()
        done.set()

    run_threads(a, b)
    assert seen == {"enabled": False, "y": float("inf")}
    assert not autograd.is_anomaly_enabled()


def test_nested_grad_in_one_thread_while_another_calls_grad_at_top_level():
    inner_running, b_done = threading.Event(), threading.Event()
    seen = {}

    def f(x):
        if isinstance(x, Value) and not inner_running.is_set():
            inner_running.set()  # A is now inside grad(grad(f)): nesting depth 2
            wait(b_done)
        return x ** 3 + x.exp()

    def a():
        seen["a"] = autograd.grad(autograd.grad(f))(0.5)

    def b():
        wait(inner_running)
        seen["b"] = autograd.grad(lambda x: x * x * x)(2.0)
        seen["b value_and_grad"] = autograd.value_and_grad(lambda x: x.tanh())(0.0)
        b_done.set()

    run_threads(a, b)
    assert type(seen["b"]) is float and seen["b"] == 12.0  # 3·2², a float at top level
    value, derivative = seen["b value_and_grad"]
    assert type(value) is float and type(derivative) is float and derivative == 1.0
    assert seen["a"] == pytest.approx(6 * 0.5 + math.exp(0.5), rel=1e-12)


def _dataset():
    return nn.data.make_moons(40, noise=0.1, seed=3)


def _train(model: nn.MLP) -> nn.History:
    X, y = _dataset()
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    return nn.fit(model, X, y, loss="bce_with_logits", optimizer=optimizer, epochs=15,
                  seed=0, progress=False)


def _weights(model: nn.MLP) -> list[float]:
    return [p.data for p in model.parameters()]


def test_training_in_one_thread_while_another_predicts_under_no_grad():
    alone = nn.MLP(2, [6, 1], activation="tanh", seed=1)
    initial = _weights(alone)
    history_alone = _train(alone)

    trained = nn.MLP(2, [6, 1], activation="tanh", seed=1)
    watcher = nn.MLP(2, [6, 1], activation="tanh", seed=2)
    X, _ = _dataset()
    training_done = threading.Event()
    predictions = []
    seen = {}

    def train():
        try:
            seen["history"] = _train(trained)
        finally:
            training_done.set()

    def predict():
        while not training_done.is_set():
            predictions.append(nn.predict(watcher, X[:5]))

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often: many interleavings per epoch
    try:
        run_threads(train, predict)
    finally:
        sys.setswitchinterval(switch)
    assert predictions, "the predicting thread never ran"
    assert _weights(trained) != initial, "training did not change the weights"
    assert seen["history"].train_loss[-1] <= history_alone.train_loss[-1]
    assert _weights(trained) == _weights(alone)  # same seed: bit-identical to training alone
    assert autograd.is_grad_enabled()
