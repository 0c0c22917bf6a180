"""The course's claims, measured: one small seeded experiment per claim a lesson shows.

Every function is seeded and returns plain numbers: a lesson prints and plots them, and
``tests/test_claims.py`` asserts the property the lesson's sentence states on the same run.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Sequence

import numpy as np

import autograd
from autograd import Value

from . import data, losses, optim
from .layers import MLP, BatchNorm, Layer
from .module import Module
from .regularization import magnitude_prune
from .training import accuracy, fit, predict


def _moons(n_train: int, n_test: int, noise: float, seed: int) -> tuple:
    """Two-moons training and held-out sets (the held-out set drawn with another seed)."""
    X, y = data.make_moons(n_train, noise=noise, seed=seed)
    Xt, yt = data.make_moons(n_test, noise=noise, seed=seed + 1000)
    return X, y, Xt, yt


# --- 1. ReLU learns faster than sigmoid (lesson 04) -----------------------------------

def relu_vs_sigmoid(seeds: Sequence[int] = (0, 1, 2), epochs: int = 60, lr: float = 0.1,
                    hidden: Sequence[int] = (16, 16)) -> dict[str, list[list[float]]]:
    """Training-loss curves of the same MLP with ReLU and with sigmoid hidden layers.

    Two moons (200 samples, noise 0.15), 2 → 16 → 16 → 1, BCE with logits, plain SGD
    ``θ ← θ − η ∇L_B`` with η = ``lr`` and batches of 16, one curve per seed and activation
    (each its default init: He for ReLU, Xavier for sigmoid).

    Returns:
        ``{"relu": [curve per seed], "sigmoid": [...]}``, a curve being the training loss
        per epoch.
    """
    X, y = data.make_moons(200, noise=0.15, seed=0)
    curves: dict[str, list[list[float]]] = {"relu": [], "sigmoid": []}
    for act in curves:
        for s in seeds:
            model = MLP(2, [*hidden, 1], activation=act, seed=s)
            h = fit(model, X, y, loss="bce_with_logits", epochs=epochs, batch_size=16,
                    optimizer=optim.SGD(model.parameters(), lr=lr), seed=s,
                    progress=False, engine="replay")
            curves[act].append(h.train_loss)
    return curves


# --- 2. tanh is centred, sigmoid is not (lesson 04) -----------------------------------

def centring(activation: str, seed: int = 0, n: int = 200, width: int = 8) -> dict[str, float]:
    """Mean hidden activation and the sign pattern of the next layer's weight updates.

    A 2 → ``width`` → 1 MLP on standardised two moons. For the output neuron
    ``ŷ = w·a + b``, one sample's gradient is ``∂L/∂wⱼ = δ·aⱼ``: when every ``aⱼ > 0``
    (sigmoid), all ``wⱼ`` move in the same direction (the sign of δ), so reaching a
    mixed-sign target takes a zig-zag. We count the samples whose update has one sign.

    Returns:
        ``mean_activation`` (over samples and hidden neurons) and ``same_sign`` (the fraction
        of single-sample updates of the output weights whose non-zero entries share one sign).
    """
    X, y = data.make_moons(n, noise=0.1, seed=seed)
    Xa = np.asarray(X, dtype=float)
    Xa = (Xa - Xa.mean(0)) / Xa.std(0)
    model = MLP(2, [width, 1], activation=activation, seed=seed)
    acts: list[float] = []
    same = 0
    for x, t in zip(Xa.tolist(), y):
        model.zero_grad()
        hidden = model.layers[0](x)
        acts.extend(a.data for a in hidden)
        out = model.layers[1](hidden)
        loss = losses.binary_cross_entropy([out], [float(t)], from_logits=True)
        loss.backward()
        g = [w.grad for w in model.layers[1].neurons[0].w if w.grad != 0]
        same += all(v > 0 for v in g) or all(v < 0 for v in g)
    return {"mean_activation": float(np.mean(acts)), "same_sign": same / len(y)}


# --- 3. Skip connections against vanishing gradients (lesson 04) ----------------------

class ResidualBlock(Module):
    """``x ↦ x + f(W x + b)``: a dense layer whose input is added back to its output.

    Backward: ``∂L/∂x = ∂L/∂y · (I + ∂f/∂x)`` — the identity term carries the gradient
    past the layer even when ``f′`` is small.
    """

    def __init__(self, width: int, activation: str = "sigmoid",
                 rng: random.Random | None = None) -> None:
        self.layer = Layer(width, width, activation, rng=rng)

    def forward(self, x: Sequence[Value]) -> list[Value]:
        """``x + layer(x)``, one sample."""
        return [xi + fi for xi, fi in zip(x, self.layer(x))]


class DeepNet(Module):
    """``nin → width`` then ``depth`` hidden layers of ``width`` (plain or residual), then
    one linear output neuron."""

    def __init__(self, nin: int, width: int, depth: int, activation: str = "sigmoid",
                 residual: bool = False, seed: int = 0) -> None:
        rng = random.Random(seed)
        self.stem = Layer(nin, width, activation, rng=rng)
        self.blocks = [ResidualBlock(width, activation, rng) if residual
                       else Layer(width, width, activation, rng=rng) for _ in range(depth)]
        self.head = Layer(width, 1, "linear", rng=rng)

    def forward(self, x: Sequence[float]) -> Value:
        """The output for one sample."""
        h = self.stem(x)
        for block in self.blocks:
            h = block(h)
        out = self.head(h)
        return out[0] if isinstance(out, list) else out

    def layer_weights(self) -> list[list[Value]]:
        """The weights of each hidden layer, input side first (stem, then every block)."""
        layers = [self.stem] + [b.layer if isinstance(b, ResidualBlock) else b
                                for b in self.blocks]
        return [[w for n in layer.neurons for w in n.w] for layer in layers]


def gradient_per_layer(depth: int = 10, width: int = 8, residual: bool = False,
                       activation: str = "sigmoid", seed: int = 0,
                       n: int = 32) -> list[float]:
    """The gradient norm ``‖∂L/∂W⁽ˡ⁾‖`` of each hidden layer at initialisation.

    MSE of a ``DeepNet`` on ``n`` two-moons samples, one backward pass over their mean loss.

    Returns:
        One norm per hidden layer, input side first.
    """
    X, y = data.make_moons(n, noise=0.1, seed=seed)
    model = DeepNet(2, width, depth, activation, residual=residual, seed=seed)
    loss = losses.mse([model(x) for x in X], [float(t) for t in y])
    model.zero_grad()
    loss.backward()
    return [math.sqrt(sum(w.grad ** 2 for w in ws)) for ws in model.layer_weights()]


# --- 5. "SGD generalises better" than Adam (lesson 06) --------------------------------

def sgd_vs_adam(seeds: Sequence[int] = (0, 1, 2), epochs: int = 120) -> dict[str, list[float]]:
    """Held-out accuracy of the same over-parameterised MLP trained with SGD and with Adam.

    40 noisy two-moons samples (noise 0.25) to train, 500 held out; 2 → 32 → 32 → 1 ReLU,
    BCE with logits, batches of 8; SGD with momentum (η = 0.05, β = 0.9) against Adam
    (η = 0.01), both trained until the training loss is near 0.

    Returns:
        ``{"sgd": [...], "adam": [...]}`` held-out accuracy per seed, and ``"sgd_train"``,
        ``"adam_train"``: the last training loss per seed.
    """
    X, y, Xt, yt = _moons(40, 500, 0.25, 0)
    out: dict[str, list[float]] = {"sgd": [], "adam": [], "sgd_train": [], "adam_train": []}
    for name in ("sgd", "adam"):
        for s in seeds:
            model = MLP(2, [32, 32, 1], seed=s)
            opt = (optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if name == "sgd"
                   else optim.Adam(model.parameters(), lr=0.01))
            h = fit(model, X, y, loss="bce_with_logits", optimizer=opt, epochs=epochs,
                    batch_size=8, seed=s, validation=(Xt, yt), progress=False,
                    engine="replay")
            out[name].append(h.val_accuracy[-1])
            out[f"{name}_train"].append(h.train_loss[-1])
    return out


# --- 8. "Recreate the model if it diverges" (lesson 06) -------------------------------

def recreate_after_divergence(seed: int = 0, big_lr: float = 3.0,
                              good_lr: float = 0.05) -> dict[str, object]:
    """Diverge a run, then try to go on with a good learning rate: on the same model, and on
    a freshly created one.

    Two moons (40 samples), 2 → 16 → 16 → 1, MSE, SGD. ``fit`` stops a diverged run and
    keeps the last finite weights — which by then are huge, so every later loss overflows.

    Returns:
        ``diverged_at`` (the error message of the big-learning-rate run), ``max_weight`` (the
        largest |w| it left), ``continued`` (the error message, or the final loss, of going on
        with ``good_lr`` on the same model) and ``recreated`` (the training-loss curve of a new
        model with ``good_lr``).
    """
    X, y = data.make_moons(40, noise=0.25, seed=seed)

    def train(model: MLP, lr: float, epochs: int) -> list[float]:
        return fit(model, X, y, loss="mse", optimizer=optim.SGD(model.parameters(), lr=lr),
                   epochs=epochs, batch_size=8, seed=seed, progress=False,
                   engine="replay").train_loss

    model = MLP(2, [16, 16, 1], seed=seed)
    result: dict[str, object] = {}
    for key, lr in (("diverged_at", big_lr), ("continued", good_lr)):
        try:
            result[key] = train(model, lr, 50)[-1]
        except FloatingPointError as error:
            result[key] = str(error)
        if key == "diverged_at":
            result["max_weight"] = max(abs(p.data) for p in model.parameters())
    result["recreated"] = train(MLP(2, [16, 16, 1], seed=seed), good_lr, 100)
    return result


# --- 9. The learning-rate slide's local minima (lesson 06) ----------------------------

def double_well(x: Value) -> Value:
    """``f(x) = 0.05 (x + 2)² − 0.6 exp(−(x − 2)² / 0.18)``: a wide global minimum at
    ``x = −2`` (``f = 0``, curvature 0.1) and a narrow local one near ``x = 1.94``
    (``f ≈ 0.19``, curvature ≈ 6.6)."""
    return 0.05 * (x + 2) ** 2 - 0.6 * ((-((x - 2) ** 2)) / 0.18).exp()


def descend(lr: float, x0: float = 2.3, steps: int = 200) -> list[float]:
    """Gradient descent ``x ← x − η f′(x)`` on :func:`double_well`, ``f′`` from the engine.

    Returns:
        ``x`` after each step (stops early, with ``inf`` last, if ``|x|`` passes 1e6).
    """
    x, path = x0, []
    for _ in range(steps):
        v = Value(x)
        double_well(v).backward()
        x -= lr * float(v.grad)
        if not abs(x) < 1e6:
            path.append(math.inf)
            break
        path.append(x)
    return path


# --- 4. Batch norm "réduit l'overfitting" (lesson 07) ---------------------------------

class NormedMLP(Module):
    """``2 → width → width → 1`` ReLU MLP taking a whole batch; with ``batch_norm``, each
    hidden layer is ``z → BatchNorm → ReLU``."""

    def __init__(self, width: int = 16, batch_norm: bool = False, seed: int = 0) -> None:
        rng = random.Random(seed)
        sizes = [2, width, width, 1]
        self.layers = [Layer(a, b, "linear", rng=rng) for a, b in itertools.pairwise(sizes)]
        self.norms = [BatchNorm(width) for _ in sizes[1:-1]] if batch_norm else []
        self.label_parameters()

    def forward(self, batch: Sequence[Sequence[float]]) -> list[Value]:
        """A list of samples → a list of logits."""
        h: list = list(batch)
        for i, layer in enumerate(self.layers):
            h = [layer(sample) for sample in h]
            if i < len(self.layers) - 1:
                if self.norms:
                    h = self.norms[i](h)
                h = [[z.relu() for z in sample] for sample in h]
        return [sample[0] for sample in h]


def batch_norm_overfitting(seeds: Sequence[int] = (0, 1, 2), epochs: int = 60,
                           width: int = 16, lr: float = 0.1) -> dict[str, list[float]]:
    """Training and held-out accuracy of the same network with and without batch norm.

    30 noisy two-moons samples (noise 0.3) to train, 300 held out; SGD η = ``lr``, batches of
    10, BCE with logits, ``epochs`` epochs; the held-out set is scored in ``eval()`` mode
    (batch norm with its running statistics).

    Returns:
        ``{"plain_train", "plain_test", "bn_train", "bn_test"}``: accuracy per seed.
    """
    X, y, Xt, yt = _moons(30, 300, 0.3, 0)
    bce = losses.get("bce_with_logits")
    out: dict[str, list[float]] = {k: [] for k in
                                   ("plain_train", "plain_test", "bn_train", "bn_test")}
    for name in ("plain", "bn"):
        for s in seeds:
            model = NormedMLP(width, batch_norm=name == "bn", seed=s)
            opt = optim.SGD(model.parameters(), lr=lr)
            rng = random.Random(s)
            for _ in range(epochs):
                for xb, yb in data.batches(X, y, 10, shuffle=True, seed=rng):
                    opt.zero_grad()
                    bce(model(xb), yb).backward()
                    opt.step()
            model.eval()
            with autograd.no_grad():
                for key, (A, b) in (("train", (X, y)), ("test", (Xt, yt))):
                    guess = [int(v.data >= 0) for v in model(A)]
                    out[f"{name}_{key}"].append(float(np.mean([g == t for g, t in zip(guess, b)])))
    return out


# --- 6. "Batches protect from outliers" (lesson 05's claim, shown in 07) -------------

def outlier_steps(batch_size: int, epochs: int = 30, lr: float = 0.02,
                  seed: int = 0) -> dict[str, list[float]]:
    """A line ``ŷ = w x + b`` fitted with MSE and SGD to 40 points of ``y = 0.5 x + 1`` (noise
    0.2) of which three are outliers (+6), with single-sample or mini-batch updates.

    Each step is ``θ ← θ − η ∇L_B``, ``L_B`` the batch's mean squared error, so one outlier's
    pull on a step is divided by the batch size.

    Returns:
        ``w`` and ``b``: the weights after every step; ``jump``: the largest |Δw| of one step
        over the last 10 epochs.
    """
    rng = random.Random(seed)
    xs = [-4 + 8 * i / 39 for i in range(40)]
    ys = [0.5 * x + 1 + rng.gauss(0, 0.2) for x in xs]
    for i in (17, 19, 21):
        ys[i] += 6
    w, b = Value(0.0), Value(0.0)
    opt = optim.SGD([w, b], lr=lr)
    ws, bs, order = [], [], random.Random(seed)
    steps_per_epoch = math.ceil(40 / batch_size)
    for _ in range(epochs):
        for xb, yb in data.batches(xs, ys, batch_size, shuffle=True, seed=order):
            opt.zero_grad()
            losses.mse([w * x + b for x in xb], list(yb)).backward()
            opt.step()
            ws.append(w.data)
            bs.append(b.data)
    tail = ws[-10 * steps_per_epoch - 1:]
    return {"w": ws, "b": bs,
            "jump": [max(abs(p - q) for p, q in itertools.pairwise(tail))]}


# --- 7. Pruning "trains faster / lightens the model" (lesson 07) ----------------------

def pruning_effect(fractions: Sequence[float] = (0.0, 0.5, 0.8, 0.9), seed: int = 0,
                   repeats: int = 5) -> dict[str, list[float]]:
    """Magnitude pruning of a trained 2 → 32 → 32 → 1 ReLU MLP (two moons, Adam, 60 epochs).

    For each fraction, a copy of the trained weights loses its smallest ``|w|``
    (:func:`nn.magnitude_prune`); we record the non-zero parameters, the held-out accuracy,
    and the time of one forward + backward pass over 20 samples (best of ``repeats``,
    fractions interleaved) —
    the engine multiplies a zero weight like any other.

    Returns:
        ``nonzero``, ``accuracy`` and ``seconds``, one entry per fraction.
    """
    X, y, Xt, yt = _moons(200, 300, 0.15, seed)
    model = MLP(2, [32, 32, 1], seed=seed)
    fit(model, X, y, loss="bce_with_logits", epochs=60, batch_size=16, seed=seed,
        progress=False, engine="replay")
    trained = model.state_dict()
    bce = losses.get("bce_with_logits")

    def one_pass() -> float:
        start = time.perf_counter()
        model.zero_grad()
        bce([model(x) for x in X[:20]], y[:20]).backward()
        return time.perf_counter() - start

    out: dict[str, list[float]] = {"nonzero": [], "accuracy": [],
                                   "seconds": [math.inf] * len(fractions)}
    one_pass()  # warm-up
    for r in range(repeats):  # fractions interleaved, so a busy machine slows all alike
        for k, fraction in enumerate(fractions):
            model.load_state_dict(trained)
            magnitude_prune(model.parameters(), fraction)
            if r == 0:
                out["nonzero"].append(sum(p.data != 0 for p in model.parameters()))
                out["accuracy"].append(accuracy(yt, predict(model, Xt, lambda z: int(z >= 0))))
            out["seconds"][k] = min(out["seconds"][k], one_pass())
    return out
