"""Replay is re-entrant: one ``Replay`` called from several threads gives, call by call, the
bits one thread gives; ``Replay.backward`` from several threads adds every gradient.

A replay keeps no forward arrays on the shared object between calls: each call's value store
and saved operands are its own. Before that, two threads got wrong gradients in a few % of
calls (one thread's backward read the other's forward arrays) — these tests caught it.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from thread_runner import run_threads

import nn
from autograd import Value, trace

THREADS = 4
CALLS = 2_000
TIMEOUT = 60.0


@pytest.fixture
def busy_switching():
    """Switch threads as often as the interpreter allows, so calls interleave mid-program."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def model_and_replay():
    """An MLP's per-sample loss (every kind of group: matrix products, sums, elementwise ops,
    a generic node), traced once."""
    model = nn.MLP(3, [6, 5, 1], activation="tanh", seed=3)
    params = model.parameters()
    bias = Value(0.25, label="c")

    def loss(x, t):
        out = model(x)
        return ((out - t) ** 2 + (bias * x[0]).relu() + out.sigmoid()).log()

    return trace(loss, [0.1, 0.2, 0.3], 0.5, params=[*params, bias]), [*params, bias]


def batches(count: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``count`` different small batches (different sizes too), so mixed-up calls differ."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(n, 3)), rng.normal(size=n))
            for n in rng.integers(1, 9, size=count)]


def bits(*arrays) -> bytes:
    return b"".join(np.ascontiguousarray(np.asarray(a, dtype=float)).tobytes() for a in arrays)


def test_value_and_gradient_from_four_threads_matches_one_thread_bit_for_bit(busy_switching):
    replay, _ = model_and_replay()
    theta = replay.parameter_vector()
    data = batches(CALLS)
    expected = [bits(*replay.value_and_gradient(theta, X, t)) for X, t in data]
    got: list[list[bytes | None]] = [[None] * CALLS for _ in range(THREADS)]

    def worker(k: int):
        def run():
            for j in range(CALLS):  # each thread starts at another batch: calls interleave
                i = (j + k * CALLS // THREADS) % CALLS
                X, t = data[i]
                got[k][i] = bits(*replay.value_and_gradient(theta, X, t))
        return run

    run_threads(*[worker(k) for k in range(THREADS)], together=True, timeout=TIMEOUT)
    wrong = [(k, i) for k in range(THREADS) for i in range(CALLS) if got[k][i] != expected[i]]
    assert not wrong, (f"{len(wrong)} of {THREADS * CALLS} calls differ from one thread's "
                       f"result, e.g. thread {wrong[0][0]} on batch {wrong[0][1]}")


def test_outputs_from_four_threads_match_one_thread_bit_for_bit(busy_switching):
    replay, _ = model_and_replay()
    theta = replay.parameter_vector()
    data = batches(CALLS // 4, seed=1)
    expected = [bits(replay.outputs_of(theta, X, t)) for X, t in data]
    mismatches = []

    def run():
        for i, (X, t) in enumerate(data):
            if bits(replay.outputs_of(theta, X, t)) != expected[i]:
                mismatches.append(i)

    run_threads(*[run] * THREADS, together=True, timeout=TIMEOUT)
    assert not mismatches


def test_backward_from_four_threads_adds_every_gradient(busy_switching):
    # ℓ = Σₖ wₖ·x + b with integer x: each call adds exact integers to .grad, so the total
    # is exact in any order; a lost update or another call's numbers show as a difference
    w = [Value(0.5, label=f"w{k}") for k in range(50)]
    b = Value(-1.0, label="b")
    replay = trace(lambda x: sum((wk * x for wk in w), b), 1.0)
    rng = np.random.default_rng(2)
    data = [rng.integers(-9, 10, size=n).astype(float) for n in rng.integers(1, 9, size=500)]

    def run():
        for X in data:
            replay.backward(X, reduction="sum")

    run_threads(*[run] * THREADS, together=True, timeout=TIMEOUT)
    expected_w = THREADS * sum(float(X.sum()) for X in data)
    expected_b = THREADS * sum(len(X) for X in data)
    wrong = [p.label for p in w if p.grad != expected_w]
    assert not wrong and b.grad == expected_b, (
        f"{len(wrong)} gradients differ from {expected_w}, e.g. {wrong[:3]}; "
        f"b.grad = {b.grad}, expected {expected_b}")
