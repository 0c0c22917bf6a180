"""Replay benchmark: training at array speed, against hand-written numpy, PyTorch and the
scalar engine, all measured in the same run (medians over repeats; wall-clock here varies
by ±20–40 %, so compare the ratios).

1. One full-batch step (forward + backward of the mean BCE-with-logits loss) of
   ``MLP(2, [16, 16, 1])`` (relu) on 100 moons: replay vs hand-written numpy vs PyTorch vs
   the scalar engine. Targets: replay within 3× of numpy, ≥ 100× faster than scalar.
2. A digits epoch (64-32-10, batch 32, Adam, cross-entropy): replay's training steps vs
   the same loop in PyTorch (CPU) and the scalar engine's ``fit``. Target: under 0.2 s
   (``nn.fit(engine="replay")`` whole: 4).
3. An MNIST-shaped epoch (784-128-10, 60,000 generated samples, batch 128): replay's
   steps vs PyTorch, and the one-sample trace. Target: under 10 s.
4. ``nn.fit(engine="replay")`` whole, against its peers (issue 18), each pair alternated:
   a 100-moons full-batch epoch (Adam, BCE with logits, accuracy recorded) against the
   hand-written numpy training step (forward, backward and the same Adam update), target
   ≤ 3×; a digits fit (64-32-10, batch 32, Adam, cross-entropy, the trace included) against
   PyTorch's loop with the same bookkeeping (a shuffle per epoch, the epoch's loss and
   accuracy), one epoch ≤ 2× and ten epochs ≤ 1.2×.

Run:  make bench   (or .venv/bin/python benchmarks/bench_replay.py)
"""

from __future__ import annotations

import itertools
import statistics
import time

import numpy as np

import autograd
import nn
from nn.replay import ReplayEngine

try:
    import torch
except ImportError:  # pragma: no cover - torch comes with make test's oracle extra
    torch = None


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def weights_of(model: nn.MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.array([[w.data for w in n.w] for n in layer.neurons]),
             np.array([n.b.data for n in layer.neurons])) for layer in model.layers]


# --- 1. one full-batch step on moons ---------------------------------------------------------
def numpy_step(layers, X, y):
    """Hand-written forward and backward of the relu MLP with mean BCE-with-logits."""
    (W1, b1), (W2, b2), (W3, b3) = layers
    z1 = X @ W1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2.T + b2
    a2 = np.maximum(z2, 0)
    z3 = (a2 @ W3.T + b3)[:, 0]
    loss = np.mean(np.logaddexp(0, z3) - z3 * y)
    d3 = ((1 / (1 + np.exp(-z3))) - y)[:, None] / len(y)
    gW3, gb3 = d3.T @ a2, d3.sum(0)
    d2 = (d3 @ W3) * (z2 > 0)
    gW2, gb2 = d2.T @ a1, d2.sum(0)
    d1 = (d2 @ W2) * (z1 > 0)
    gW1, gb1 = d1.T @ X, d1.sum(0)
    return loss, (gW1, gb1, gW2, gb2, gW3, gb3)


def moons_step() -> dict:
    X, y = nn.data.make_moons(100, noise=0.1, seed=1)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    Xa, ya = np.array(X), np.array(y, dtype=float)
    form = nn.losses.get("bce_with_logits").per_sample
    replay = autograd.trace(lambda x, t: form(model(x), t), X[0], float(y[0]), params=params)
    theta = replay.parameter_vector()
    layers = weights_of(model)

    def scalar():
        model.zero_grad()
        loss = nn.losses.binary_cross_entropy([model(x) for x in X], y, from_logits=True)
        loss.backward()

    results = {"replay": median_time(lambda: replay.value_and_gradient(theta, Xa, ya), 300),
               "numpy": median_time(lambda: numpy_step(layers, Xa, ya), 300),
               "scalar": median_time(scalar, 9)}
    # the same numbers: replay's loss and gradient against the scalar engine's
    value, grad = replay.value_and_gradient(theta, Xa, ya)
    scalar()
    results["max |Δgrad| vs scalar"] = float(np.abs(grad - [p.grad for p in params]).max())
    results["|Δloss| vs numpy"] = abs(value - numpy_step(layers, Xa, ya)[0])
    if torch is not None:
        torch.set_num_threads(1)
        tX, ty = torch.tensor(Xa), torch.tensor(ya)
        tl = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
              for W, b in layers]

        def torch_step():
            for W, b in tl:
                W.grad = b.grad = None
            h = tX
            for i, (W, b) in enumerate(tl):
                h = h @ W.T + b
                if i < len(tl) - 1:
                    h = torch.relu(h)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(h[:, 0], ty)
            loss.backward()

        results["torch"] = median_time(torch_step, 300)
    return results


# --- 2 and 3. epochs --------------------------------------------------------------------------
def torch_epoch(sizes, X, y, batch_size, lr=0.01):
    torch.manual_seed(0)
    layers = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(fan_in, fan_out).double(), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    tX, ty = torch.tensor(X), torch.tensor(y)
    order = torch.randperm(len(X))

    def epoch():
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(tX[idx]), ty[idx])
            loss.backward()
            opt.step()

    return epoch


def replay_epoch(sizes, X, y, batch_size, lr=0.01):
    start = time.perf_counter()
    model = nn.MLP(sizes[0], sizes[1:], seed=0)
    opt = nn.optim.Adam(model.parameters(), lr=lr)
    trainer = ReplayEngine(model, "cross_entropy", opt, X, y)
    traced = time.perf_counter() - start
    order = np.random.default_rng(0).permutation(len(X))

    def epoch():
        for s in range(0, len(X), batch_size):
            trainer.step(order[s:s + batch_size])
        trainer.sync()

    return epoch, traced


def digits_epoch() -> dict:
    X, y = nn.data.load_digits()
    Xa = np.array(X, dtype=float) / 16
    ya = np.array(y)
    epoch, traced = replay_epoch([64, 32, 10], Xa, ya, 32)
    results = {"replay (steps)": median_time(epoch, 5), "replay trace": traced}
    if torch is not None:
        results["torch"] = median_time(torch_epoch([64, 32, 10], Xa, ya, 32), 5)
    model = nn.MLP(64, [32, 10], seed=0)
    start = time.perf_counter()
    nn.fit(model, Xa.tolist(), y, loss="cross_entropy", epochs=1, batch_size=32,
           optimizer=nn.optim.Adam(model.parameters(), lr=0.01), progress=False)
    results["nn.fit(engine='scalar'), 1 epoch"] = time.perf_counter() - start
    return results


def mnist_epoch() -> dict:
    rng = np.random.default_rng(0)
    X = rng.random((60_000, 784))
    y = rng.integers(0, 10, 60_000)
    epoch, traced = replay_epoch([784, 128, 10], X, y, 128)
    results = {"replay (steps)": median_time(epoch, 1), "replay trace": traced}
    if torch is not None:
        results["torch"] = median_time(torch_epoch([784, 128, 10], X, y, 128), 1)
    return results


# --- 4. nn.fit whole, against its peers --------------------------------------------------------
def numpy_adam_step(layers, state, X, y, lr=0.01, betas=(0.9, 0.999), eps=1e-8):
    """One hand-written training step: :func:`numpy_step`, then Adam on each array."""
    loss, grads = numpy_step(layers, X, y)
    state["t"] += 1
    t = state["t"]
    arrays = [a for pair in layers for a in pair]
    for i, (a, g) in enumerate(zip(arrays, grads)):
        m = state["m"][i] = betas[0] * state["m"][i] + (1 - betas[0]) * g
        v = state["v"][i] = betas[1] * state["v"][i] + (1 - betas[1]) * g * g
        a -= lr / (1 - betas[0] ** t) * m / (np.sqrt(v) / np.sqrt(1 - betas[1] ** t) + eps)
    return loss


class EpochClock:
    """A "scheduler" that only notes the time: ``fit`` steps it once per epoch, so the
    intervals are the epochs' durations (a median of them, like :func:`median_time`'s,
    ignores the moments another process had the CPU)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def step(self) -> None:
        self.times.append(time.perf_counter())

    def epochs(self) -> list[float]:
        return [b - a for a, b in itertools.pairwise(self.times)]


def fit_moons_epoch(rounds: int = 5, epochs: int = 200) -> dict:
    X, y = nn.data.make_moons(100, noise=0.1, seed=1)
    Xa, ya = np.array(X), np.array(y, dtype=float)
    layers = [(W.copy(), b.copy()) for W, b in weights_of(nn.MLP(2, [16, 16, 1], seed=0))]
    state = {"t": 0, "m": [np.zeros_like(a) for p in layers for a in p],
             "v": [np.zeros_like(a) for p in layers for a in p]}
    epoch, numpy = [], []
    for _ in range(rounds):  # alternated, so a busy machine slows both alike
        model = nn.MLP(2, [16, 16, 1], seed=0)
        clock = EpochClock()
        nn.fit(model, Xa, y, loss="bce_with_logits", epochs=epochs + 1, scheduler=clock,
               optimizer=nn.optim.Adam(model.parameters(), lr=0.01), progress=False,
               engine="replay")
        epoch.append(statistics.median(clock.epochs()))
        numpy.append(median_time(lambda: numpy_adam_step(layers, state, Xa, ya), epochs))
    return {"numpy training step (fwd + bwd + Adam)": statistics.median(numpy),
            "nn.fit epoch (replay, full batch)": statistics.median(epoch)}


def torch_fit(sizes, X, y, batch_size, epochs, lr=0.01):
    """PyTorch's loop as fit runs it: a new order each epoch, the epoch's mean loss and
    accuracy recorded."""
    torch.manual_seed(0)
    layers = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(fan_in, fan_out).double(), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    tX, ty = torch.tensor(X), torch.tensor(y)

    def run():
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        history = []
        for _ in range(epochs):
            order = torch.randperm(len(X))
            total, correct = 0.0, 0
            for start in range(0, len(X), batch_size):
                idx = order[start:start + batch_size]
                opt.zero_grad()
                out = model(tX[idx])
                loss = torch.nn.functional.cross_entropy(out, ty[idx])
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
                correct += int((out.argmax(1) == ty[idx]).sum())
            history.append((total / len(X), correct / len(X)))
        return history

    return run


def fit_digits(epochs: int, rounds: int = 5) -> dict:
    X, y = nn.data.load_digits()
    Xa, ya = np.array(X, dtype=float) / 16, np.array(y)
    ours, theirs = [], []
    for _ in range(rounds):
        model = nn.MLP(64, [32, 10], seed=0)
        opt = nn.optim.Adam(model.parameters(), lr=0.01)
        start = time.perf_counter()
        nn.fit(model, Xa, ya, loss="cross_entropy", optimizer=opt, epochs=epochs,
               batch_size=32, progress=False, engine="replay")
        ours.append(time.perf_counter() - start)
        run = torch_fit([64, 32, 10], Xa, ya, 32, epochs)
        start = time.perf_counter()
        run()
        theirs.append(time.perf_counter() - start)
    return {"torch": statistics.median(theirs),
            f"nn.fit(engine='replay'), {epochs} epoch(s)": statistics.median(ours)}


def show(title: str, results: dict, baseline: str, unit: float = 1e-3,
         unit_name: str = "ms") -> None:
    print(f"\n{title}")
    base = results.get(baseline)
    for name, value in results.items():
        if name.startswith(("max", "|")):
            print(f"  {name:38s} {value:.2e}")
            continue
        ratio = f"  ({value / base:6.2f}× {baseline})" if base and name != baseline else ""
        print(f"  {name:38s} {value / unit:10.3f} {unit_name}{ratio}")


def main() -> None:
    step = moons_step()
    show("One full-batch step, MLP(2, [16, 16, 1]) on 100 moons (median)", step, "numpy")
    print(f"  replay is {step['scalar'] / step['replay']:.0f}× faster than the scalar engine")
    show("A digits epoch, 64-32-10, batch 32, Adam (median of 5)", digits_epoch(), "torch",
         1.0, "s")
    show("An MNIST-shaped epoch, 784-128-10, 60,000 samples, batch 128", mnist_epoch(),
         "torch", 1.0, "s")
    moons = fit_moons_epoch()
    show("nn.fit on 100 moons, MLP(2, [16, 16, 1]), full batch, Adam (median epoch)",
         moons, "numpy training step (fwd + bwd + Adam)")
    ratios = [("moons fit epoch / numpy training step", moons["nn.fit epoch (replay, full "
               "batch)"] / moons["numpy training step (fwd + bwd + Adam)"], 3.0)]
    if torch is not None:
        for epochs, target in ((1, 2.0), (10, 1.2)):
            digits = fit_digits(epochs)
            show(f"nn.fit on the digits, 64-32-10, batch 32, Adam, {epochs} epoch(s), trace "
                 "included (medians of 5 rounds)", digits, "torch", 1.0, "s")
            ours = digits[f"nn.fit(engine='replay'), {epochs} epoch(s)"]
            ratios.append((f"digits fit, {epochs} epoch(s) / PyTorch's loop",
                           ours / digits["torch"], target))
    print("\nnn.fit against its peers (issue 18's targets)")
    for name, ratio, target in ratios:
        verdict = "within" if ratio <= target else "OVER"
        print(f"  {name:44s} {ratio:5.2f}×   target ≤ {target}×  ({verdict})")


if __name__ == "__main__":
    main()
