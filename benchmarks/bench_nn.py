"""Network benchmark: one training step of micrograd's moons demo, tracegrad vs micrograd.

``MLP(2, [16, 16, 1])`` on 100 moons points, full batch, micrograd's demo loss
(mean hinge + 1e-4·Σw²) and update (p -= 1.0·grad), from identical starting weights; the
resulting weights are compared. Also times one epoch of MLPClassifier on the 8×8 digits.

Run:  make bench   (or .venv/bin/python benchmarks/bench_nn.py)
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import warnings

from micrograd import nn as micro_nn
from micrograd.engine import Value as MicroValue

import autograd
import nn

STEPS = 9


def moons():
    return nn.data.make_moons(100, noise=0.1, seed=1)


def micro_step(model, X, y):
    inputs = [list(map(MicroValue, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= 1.0 * p.grad
    return total.data


def ours_step(model, X, y, params):
    scores = [model(row) for row in X]
    total = nn.losses.hinge(scores, y) + 1e-4 * nn.l2_penalty(params)
    for p in params:
        p.grad = 0.0
    total.backward()
    with autograd.no_grad():
        for p in params:
            p.data -= 1.0 * p.grad
    return total.data


def interleaved(micro_args, ours_args, rounds=STEPS):
    """Alternate one micrograd step and one tracegrad step, `rounds` times, so drifts in the
    machine's speed hit both alike; return each engine's times and the per-round ratios."""
    micro_times, ours_times, ratios = [], [], []
    for _ in range(rounds):
        # Collect the previous step's garbage first (micrograd's graphs are reference
        # cycles), so neither step pays for the other's; GC thresholds stay the defaults.
        gc.collect()
        t0 = time.perf_counter()
        micro_loss = micro_step(*micro_args)
        t1 = time.perf_counter()
        gc.collect()
        t1b = time.perf_counter()
        ours_loss = ours_step(*ours_args)
        t2 = time.perf_counter()
        micro_times.append(t1 - t0)
        ours_times.append(t2 - t1b)
        ratios.append((t1 - t0) / (t2 - t1b))
    return micro_times, ours_times, ratios, micro_loss, ours_loss


def plain_loops(micro_args, ours_args, steps=5):
    """Each engine trains `steps` steps in a row with no manual collection, as a training
    loop runs: micrograd then pays for the cycles its graphs leave behind."""
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(steps):
        micro_step(*micro_args)
    micro = (time.perf_counter() - t0) / steps
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(steps):
        ours_step(*ours_args)
    ours = (time.perf_counter() - t0) / steps
    return micro, ours


def main():
    X, y01 = moons()
    y = [2 * t - 1 for t in y01]
    random.seed(0)
    micro = micro_nn.MLP(2, [16, 16, 1])
    ours = nn.MLP(2, [16, 16, 1], activation="relu", output_activation="linear")
    params = ours.parameters()
    for p, q in zip(params, micro.parameters()):  # same order: w..., b per neuron
        p.data = float(q.data)
    print(f"Python {sys.version.split()[0]}, default GC settings {gc.get_threshold()}")
    micro_t, ours_t, ratios, micro_loss, ours_loss = interleaved((micro, X, y),
                                                                 (ours, X, y, params))
    worst = max(abs(p.data - q.data) for p, q in zip(params, micro.parameters()))
    print(f"one training step, MLP(2, [16, 16, 1]), 100 moons, hinge + L2, {STEPS} "
          "interleaved steps:")
    print(f"  tracegrad median {statistics.median(ours_t) * 1e3:6.1f} ms   micrograd median "
          f"{statistics.median(micro_t) * 1e3:7.1f} ms   ratio median "
          f"{statistics.median(ratios):5.1f}x (range {min(ratios):.1f}-{max(ratios):.1f})")
    print(f"  same last loss: {ours_loss:.12f} vs {micro_loss:.12f}; largest weight "
          f"difference after {STEPS} steps: {worst:.1e}")
    micro_loop, ours_loop = plain_loops((micro, X, y), (ours, X, y, params))
    print(f"  as plain training loops (5 steps each, no manual gc): tracegrad "
          f"{ours_loop * 1e3:.1f} ms/step, micrograd {micro_loop * 1e3:.1f} ms/step, ratio "
          f"{micro_loop / ours_loop:.1f}x")

    X, y = nn.data.load_digits()
    X = [[v / 16 for v in row] for row in X]
    clf = nn.MLPClassifier(hidden_layer_sizes=(32,), max_iter=1, batch_size=32,
                           learning_rate_init=0.01, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nn.ConvergenceWarning)
        t0 = time.perf_counter()
        clf.fit(X, y)
        elapsed = time.perf_counter() - t0
    print(f"one digits epoch (1,797 samples, 64-32-10, batch 32, adam): {elapsed:.2f} s "
          f"({elapsed / len(X) * 1e3:.2f} ms per sample)")


if __name__ == "__main__":
    main()
