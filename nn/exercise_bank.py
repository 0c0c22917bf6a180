"""The lessons' exercises, declared for :func:`nn.exercises.check`.

Each :class:`~nn.exercise_record.Exercise` has an id (``"01.perceptron"`` — lesson, then name), the
statement the lesson poses, a random input generator, a **reference computed by the engine**
(``autograd``/``nn``, never a stored number) and the typical mistakes, each with the hint
that points at the wrong factor or case. ``EXERCISES`` maps id → exercise.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Value
from nn.exercise_record import Exercise, Mistake
from nn.layers import MLP
from nn.losses import binary_cross_entropy
from nn.perceptron import Perceptron

EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to :data:`EXERCISES` (ids are unique)."""
    if exercise.id in EXERCISES:
        raise ValueError(f"register: exercise id {exercise.id!r} is already used; pick another id")
    EXERCISES[exercise.id] = exercise
    return exercise


def _sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


# ---------------------------------------------------------------- lesson 01: the perceptron
AND = ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 0, 0, 1])


def _perceptron_inputs(rng: np.random.Generator) -> dict[str, Any]:
    X = rng.integers(0, 2, size=(4, 2)).astype(float) + rng.normal(0, 0.3, size=(4, 2))
    return {"X": X, "y": rng.integers(0, 2, size=4), "order": rng.integers(0, 4, size=24),
            "taux_apprentissage": None if rng.random() < 0.2 else float(rng.uniform(0.05, 1.0)),
            "seuil": float(rng.uniform(-0.5, 1.0))}


def _perceptron_reference(X, y, order, taux_apprentissage, seuil) -> dict[str, Any]:
    """The library's perceptron fed the same samples in the same order, one at a time."""
    p = Perceptron(X.shape[1], lr=1.0 if taux_apprentissage is None else taux_apprentissage,
                   threshold=seuil)
    for idx in order:
        p.fit([X[idx].tolist()], [int(y[idx])], epochs=1)
    return {"coefs": np.array([w.data for w in p.w]), "bias": p.b.data}


def _perceptron_wrong(sign: float = 1.0, use_lr: bool = True, lr_in_bias: bool = True):
    def run(X, y, order, taux_apprentissage, seuil):
        lr = 1.0 if taux_apprentissage is None or not use_lr else taux_apprentissage
        coefs, bias = np.zeros(X.shape[1]), 0.0
        for idx in order:
            prediction = 1 if X[idx] @ coefs + bias > seuil else 0
            erreur = sign * (y[idx] - prediction)
            coefs = coefs + lr * erreur * X[idx]
            bias = bias + (lr if lr_in_bias else 1.0) * erreur
        return coefs, bias
    return run


register(Exercise(
    id="01.perceptron", lesson=1, title="Rosenblatt's perceptron, with and without a learning rate",
    statement="perceptron(X, y, order, taux_apprentissage=None, seuil=0.5) visits the samples "
              "X[idx] for idx in order, predicts 1 if X[idx]·coefs + bias > seuil else 0, and "
              "updates coefs and bias from zero by taux_apprentissage·(y − prediction) (by the "
              "error alone when taux_apprentissage is None). Return (coefs, bias).",
    kind="function", parts=("coefs", "bias"),
    inputs=_perceptron_inputs, reference=_perceptron_reference,
    mistakes=(
        Mistake("coefs", lambda **k: _perceptron_wrong(sign=-1)(**k)[0],
                "the update goes the wrong way: the error is (true − prediction), and the "
                "weights move towards a sample the neuron should have fired on"),
        Mistake("bias", lambda **k: _perceptron_wrong(sign=-1)(**k)[1],
                "the update goes the wrong way: the error is (true − prediction)"),
        Mistake("coefs", lambda **k: _perceptron_wrong(use_lr=False)(**k)[0],
                "right without a learning rate; with one, every step is "
                "taux_apprentissage × error"),
        Mistake("bias", lambda **k: _perceptron_wrong(use_lr=False)(**k)[1],
                "right without a learning rate; with one, every step is "
                "taux_apprentissage × error"),
        Mistake("coefs", lambda **k: _perceptron_wrong(lr_in_bias=False)(**k)[0],
                "the bias steps by the error alone: scale its step by taux_apprentissage too "
                "(a wrong bias then changes the later predictions, hence the weights)"),
        Mistake("bias", lambda **k: _perceptron_wrong(lr_in_bias=False)(**k)[1],
                "the bias must step by taux_apprentissage × error, like the weights"),
    )))


def _and_epochs(w0: list[float], b0: float) -> int:
    p = Perceptron(2, lr=0.2, threshold=0.5, seed=0)
    for w, v in zip(p.w, w0):
        w.data = v
    p.b.data = b0
    return len(p.fit(*AND, epochs=100).mistakes)


register(Exercise(
    id="01.initial_weights", lesson=1, title="influence of the initial weights and bias",
    statement="Start nn.Perceptron(2, lr=0.2, threshold=0.5, seed=0) at w = [3, −3], b = −2 and "
              "fit it on AND (epochs=100). How many epochs does fit run until it converges "
              "(the length of history.mistakes, the last mistake-free epoch included)?",
    kind="value", parts=("epochs",),
    inputs=lambda rng: {}, reference=lambda: {"epochs": _and_epochs([3.0, -3.0], -2.0)},
    mistakes=(
        Mistake("epochs", lambda: _and_epochs([3.0, -3.0], -2.0) - 1,
                "count the last epoch too: fit stops after an epoch *without* a mistake"),
        Mistake("epochs", lambda: _and_epochs([0.0, 0.0], 0.0),
                "that is the count from the zero start; set p.w[i].data and p.b.data before fit"),
    )))


def _accuracy_inputs(rng: np.random.Generator) -> dict[str, Any]:
    n = int(rng.integers(5, 30))
    p = Perceptron(2, threshold=float(rng.normal()))
    for w in p.w:
        w.data = float(rng.normal())
    X = rng.normal(0, 2, size=(n, 2)).tolist()
    return {"p": p, "X": X, "y": rng.integers(0, 2, size=n).tolist()}


def _accuracy_reference(p, X, y) -> dict[str, float]:
    return {"accuracy": float(np.mean([p.predict(x) == t for x, t in zip(X, y)]))}


register(Exercise(
    id="01.blobs_accuracy", lesson=1, title="blobs: how good does the perceptron get?",
    statement="accuracy(p, X, y) returns the fraction of the samples X that the perceptron p "
              "classifies right (p.predict(x) == target), a number in [0, 1].",
    kind="function", parts=("accuracy",),
    inputs=_accuracy_inputs, reference=_accuracy_reference,
    mistakes=(
        Mistake("accuracy", lambda p, X, y: 1 - _accuracy_reference(p, X, y)["accuracy"],
                "that is the error rate: count the samples it gets *right*"),
        Mistake("accuracy", lambda p, X, y: len(X) * _accuracy_reference(p, X, y)["accuracy"],
                "that is a count: divide by the number of samples"),
    )))


def _and_weight(lr: float) -> float:
    p = Perceptron(2, lr=lr, threshold=0.0, seed=0)
    p.fit(*AND, epochs=500)
    return p.w[0].data


register(Exercise(
    id="01.learning_rate", lesson=1, title="the learning rate with threshold 0",
    statement="Train nn.Perceptron(2, lr=η, threshold=0.0, seed=0) on AND (epochs=500) with "
              "η = 0.3 and with η = 0.1. What is the ratio w₁(η = 0.3) / w₁(η = 0.1) of their "
              "first weights? Answer without running it first, then check.",
    kind="value", parts=("ratio",),
    inputs=lambda rng: {}, reference=lambda: {"ratio": _and_weight(0.3) / _and_weight(0.1)},
    mistakes=(
        Mistake("ratio", lambda: 1.0,
                "the mistakes are the same whatever η, but each update is η × error × x: "
                "the weights scale with η"),
        Mistake("ratio", lambda: _and_weight(0.1) / _and_weight(0.3),
                "upside down: which learning rate takes the larger steps?"),
    )))


# ------------------------------------------------------- lesson 02: one logistic neuron, BCE
def _neuron_inputs(rng: np.random.Generator) -> dict[str, Any]:
    n = int(rng.integers(2, 9))
    return {"w": rng.normal(0, 1, size=2), "b": float(rng.normal()),
            "X": rng.normal(0, 1.5, size=(n, 2)), "y": rng.integers(0, 2, size=n).astype(float)}


def _neuron_reference(w, b, X, y) -> dict[str, Any]:
    """J = mean BCE of σ(w·x + b) over the samples, back-propagated by the engine."""
    ws, bv = [Value(float(v)) for v in w], Value(float(b))
    preds = [(autograd.dot(ws, [float(t) for t in x]) + bv).sigmoid() for x in X]
    binary_cross_entropy(preds, [float(t) for t in y]).backward()
    return {"∂J/∂w": np.array([v.grad for v in ws]), "∂J/∂b": bv.grad}


def _neuron_delta(w, b, X, y) -> np.ndarray:
    return _sigmoid(X @ w + b) - y


NEURON_MISTAKES = (
    Mistake("∂J/∂b", lambda w, b, X, y: _neuron_delta(w, b, X, y).sum(),
            "your ∂J/∂b is right for one sample; J is the mean over the N samples — check the 1/N"),
    Mistake("∂J/∂w", lambda w, b, X, y: (_neuron_delta(w, b, X, y)[:, None] * X).sum(0),
            "your ∂J/∂w is right for one sample; J is the mean over the N samples — check the 1/N"),
    Mistake("∂J/∂b", lambda w, b, X, y: -_neuron_delta(w, b, X, y).mean(),
            "the sign: ∂ℒ/∂ŷ · ∂ŷ/∂z simplifies to ŷ − y, not y − ŷ"),
    Mistake("∂J/∂w", lambda w, b, X, y: -(_neuron_delta(w, b, X, y)[:, None] * X).mean(0),
            "the sign: ∂ℒ/∂ŷ · ∂ŷ/∂z simplifies to ŷ − y, not y − ŷ"),
    Mistake("∂J/∂b", lambda w, b, X, y: (_neuron_delta(w, b, X, y)
                                          * _sigmoid(X @ w + b) * (1 - _sigmoid(X @ w + b))).mean(),
            "one σ′ too many: with the cross-entropy, ∂ℒ/∂ŷ · ŷ(1 − ŷ) is already ŷ − y"),
    Mistake("∂J/∂w", lambda w, b, X, y: ((_neuron_delta(w, b, X, y) * _sigmoid(X @ w + b)
                                           * (1 - _sigmoid(X @ w + b)))[:, None] * X).mean(0),
            "one σ′ too many: with the cross-entropy, ∂ℒ/∂ŷ · ŷ(1 − ŷ) is already ŷ − y"),
    Mistake("∂J/∂w", lambda w, b, X, y: np.full(2, _neuron_delta(w, b, X, y).mean()),
            "that is ∂J/∂b: for a weight, multiply each sample's (ŷ − y) by its x"),
)

register(Exercise(
    id="02.neuron_gradients", lesson=2, title="∂J/∂w and ∂J/∂b of a logistic neuron",
    statement="gradients(w, b, X, y): for ŷ = σ(w·x + b) and the cost J = (1/N) Σ BCE(ŷ⁽ⁱ⁾, y⁽ⁱ⁾) "
              "over the N rows of X, return (∂J/∂w, ∂J/∂b) — an array of 2 numbers and a number.",
    kind="function", parts=("∂J/∂w", "∂J/∂b"),
    inputs=_neuron_inputs, reference=_neuron_reference, mistakes=NEURON_MISTAKES))


# ------------------------------------------------- lesson 03: the course's two-layer network
def _two_layer_inputs(rng: np.random.Generator) -> dict[str, Any]:
    n = int(rng.integers(2, 7))
    return {"W1": rng.normal(0, 1, size=(3, 2)), "b1": rng.normal(0, 1, size=3),
            "W2": rng.normal(0, 1, size=3), "b2": float(rng.normal()),
            "X": rng.normal(0, 1.5, size=(n, 2)), "y": rng.integers(0, 2, size=n).astype(float)}


def _two_layer_reference(W1, b1, W2, b2, X, y) -> dict[str, Any]:
    """The engine's 2-3-1 sigmoid MLP with these parameters, J = mean BCE, backward."""
    net = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    hidden, out = net.layers[0].neurons, net.layers[1].neurons[0]
    for j, neuron in enumerate(hidden):
        for k, w in enumerate(neuron.w):
            w.data = float(W1[j, k])
        neuron.b.data = float(b1[j])
    for k, w in enumerate(out.w):
        w.data = float(W2[k])
    out.b.data = float(b2)
    binary_cross_entropy([net([float(t) for t in x]) for x in X], [float(t) for t in y]).backward()
    return {"∂J/∂b[2]": out.b.grad, "∂J/∂w[2]": np.array([w.grad for w in out.w]),
            "∂J/∂b[1]": np.array([n.b.grad for n in hidden]),
            "∂J/∂w[1]": np.array([[w.grad for w in n.w] for n in hidden])}


def _two_layer_by_hand(W1, b1, W2, b2, X, y, *, reduce=np.mean, sign=1.0, w2=True,
                       slope="a(1-a)") -> dict[str, Any]:
    A1 = _sigmoid(X @ W1.T + b1)
    d2 = sign * (_sigmoid(A1 @ W2 + b2) - y)
    local = {"a(1-a)": A1 * (1 - A1), "a": A1, "1": np.ones_like(A1)}[slope]
    d1 = d2[:, None] * (W2 if w2 else 1.0) * local
    return {"∂J/∂b[2]": reduce(d2), "∂J/∂w[2]": reduce(d2[:, None] * A1, axis=0),
            "∂J/∂b[1]": reduce(d1, axis=0),
            "∂J/∂w[1]": reduce(d1[:, :, None] * X[:, None, :], axis=0)}


def _two_layer_mistake(part: str, hint: str, **how) -> Mistake:
    return Mistake(part, lambda **k: _two_layer_by_hand(**k, **how)[part], hint)


_SUM = "right for one sample; J is the mean over the N samples — check the 1/N"
register(Exercise(
    id="03.two_layer_gradients", lesson=3, title="the deck's exercise: a two-layer network",
    statement="two_layer_gradients(W1, b1, W2, b2, X, y): the 2-3-1 network "
              "a⁽¹⁾ = σ(W1 x + b1), ŷ = σ(W2·a⁽¹⁾ + b2) (W1 is 3×2, row j = neuron j), "
              "J = (1/N) Σ BCE(ŷ⁽ⁱ⁾, y⁽ⁱ⁾) over the rows of X. Return "
              "(∂J/∂b[2], ∂J/∂w[2], ∂J/∂b[1], ∂J/∂w[1]) with the shapes of b2, W2, b1, W1.",
    kind="function", parts=("∂J/∂b[2]", "∂J/∂w[2]", "∂J/∂b[1]", "∂J/∂w[1]"),
    inputs=_two_layer_inputs, reference=_two_layer_reference,
    mistakes=tuple(
        [_two_layer_mistake(p, _SUM, reduce=np.sum)
         for p in ("∂J/∂b[2]", "∂J/∂w[2]", "∂J/∂b[1]", "∂J/∂w[1]")]
        + [_two_layer_mistake(p, "the sign: the output's δ is ŷ − y, not y − ŷ", sign=-1.0)
           for p in ("∂J/∂b[2]", "∂J/∂w[2]", "∂J/∂b[1]", "∂J/∂w[1]")]
        + [_two_layer_mistake(p, "the factor ∂z⁽²⁾/∂a_j⁽¹⁾ = w_j⁽²⁾ is missing: the gradient "
                                 "reaches hidden neuron j through its outgoing weight", w2=False)
           for p in ("∂J/∂b[1]", "∂J/∂w[1]")]
        + [_two_layer_mistake(p, "∂a⁽¹⁾/∂z⁽¹⁾ is σ′(z) = a(1 − a), not σ(z) = a", slope="a")
           for p in ("∂J/∂b[1]", "∂J/∂w[1]")]
        + [_two_layer_mistake(p, "the hidden sigmoid's slope ∂a⁽¹⁾/∂z⁽¹⁾ = a(1 − a) is missing",
                              slope="1")
           for p in ("∂J/∂b[1]", "∂J/∂w[1]")])))


# ------------------------------------------------------------- lesson 04: σ′ and tanh′
def _z_inputs(rng: np.random.Generator) -> dict[str, Any]:
    return {"z": float(rng.uniform(-4, 4))}


_sigmoid_slope = autograd.grad(lambda t: t.sigmoid())
_tanh_slope = autograd.grad(lambda t: t.tanh())

register(Exercise(
    id="04.sigmoid_prime", lesson=4, title="the sigmoid's derivative",
    statement="sigmoid_prime(z) returns g′(z) for g(z) = 1 / (1 + e^(−z)), as a formula "
              "(math.exp).",
    kind="function", parts=("g′(z)",), inputs=_z_inputs,
    reference=lambda z: {"g′(z)": _sigmoid_slope(z)},
    mistakes=(
        Mistake("g′(z)", lambda z: float(_sigmoid(z)), "that is σ(z) itself; σ′(z) = σ(z)·(…)"),
        Mistake("g′(z)", lambda z: 1 - float(_sigmoid(z)) ** 2,
                "1 − g² is tanh's rule; for the sigmoid, the product of g and 1 − g"),
        Mistake("g′(z)", lambda z: math.exp(-z) / (1 + math.exp(-z)),
                "the quotient rule squares the denominator: (1 + e^(−z))²"),
        Mistake("g′(z)", lambda z: -math.exp(-z) / (1 + math.exp(-z)) ** 2,
                "the sign: d/dz e^(−z) = −e^(−z), and the minus of 1/u′s derivative cancels it"),
    )))

register(Exercise(
    id="04.tanh_prime", lesson=4, title="tanh's derivative",
    statement="tanh_prime(z) returns tanh′(z), as a formula (math.tanh).",
    kind="function", parts=("tanh′(z)",), inputs=_z_inputs,
    reference=lambda z: {"tanh′(z)": _tanh_slope(z)},
    mistakes=(
        Mistake("tanh′(z)", lambda z: math.tanh(z), "that is tanh(z) itself, not its slope"),
        Mistake("tanh′(z)", lambda z: 1 - math.tanh(z), "a square is missing in your formula"),
        Mistake("tanh′(z)", lambda z: math.tanh(z) * (1 - math.tanh(z)),
                "g(1 − g) is the sigmoid's rule; tanh's is 1 − tanh²"),
    )))


# ------------------------------------------------------------ lesson 05: training an MLP
def _matrix_inputs(rng: np.random.Generator) -> dict[str, Any]:
    n, d = int(rng.integers(4, 12)), int(rng.integers(2, 4))
    spread = rng.uniform(0.5, 4, d)
    return {"X": rng.normal(0, 1, size=d) * 3 + rng.normal(0, 1, size=(n, d)) * spread}


def _standardize_reference(X) -> dict[str, Any]:
    from nn.data import Standardizer
    return {"standardised X": np.array(Standardizer().fit_transform(X.tolist()))}


def _minmax_reference(X) -> dict[str, Any]:
    from nn.data import MinMaxScaler
    return {"normalised X": np.array(MinMaxScaler().fit_transform(X.tolist()))}


register(Exercise(
    id="05.standardize", lesson=5, title="standardise by hand",
    statement="standardize(X) returns X (N × d) with every feature (column) centred on its mean "
              "and divided by its population standard deviation, as nn.data.Standardizer.",
    kind="function", parts=("standardised X",),
    inputs=_matrix_inputs, reference=_standardize_reference,
    mistakes=(
        Mistake("standardised X", lambda X: (X - X.mean(0)) / X.std(0, ddof=1),
                "that is the sample standard deviation (÷ N − 1); the scaler uses the "
                "population one (÷ N), numpy's default"),
        Mistake("standardised X", lambda X: X / X.std(0),
                "the features are scaled but not centred: subtract the mean first"),
        Mistake("standardised X",
                lambda X: (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True),
                "those are the statistics of each sample (row); standardise each feature (column)"),
    )))

register(Exercise(
    id="05.minmax", lesson=5, title="min-max normalisation by hand",
    statement="minmax(X) maps every feature (column) of X linearly onto [0, 1]: its minimum to 0, "
              "its maximum to 1, as nn.data.MinMaxScaler.",
    kind="function", parts=("normalised X",),
    inputs=_matrix_inputs, reference=_minmax_reference,
    mistakes=(
        Mistake("normalised X", lambda X: (X - X.min(0)) / X.max(0),
                "divide by the range, max − min, not by the max"),
        Mistake("normalised X", lambda X: (X - X.min(1, keepdims=True))
                / (X.max(1, keepdims=True) - X.min(1, keepdims=True)),
                "those are the minimum and maximum of each sample (row); use each "
                "feature's (column)"),
    )))


def _last_weight_inputs(rng: np.random.Generator) -> dict[str, Any]:
    sizes = [2, int(rng.integers(4, 7)), int(rng.integers(4, 7)), 1]
    Ws = [rng.normal(0, 0.8, size=(o, i)) for i, o in itertools.pairwise(sizes)]
    bs = [rng.normal(0, 0.3, size=o) for o in sizes[1:]]
    return {"Ws": Ws, "bs": bs, "x": rng.normal(0, 1, size=2), "y": float(rng.integers(0, 2))}


def _last_weight_reference(Ws, bs, x, y) -> dict[str, float]:
    """The engine's ReLU MLP with these weights, loss bce_with_logits, ∂L/∂w₁,₄⁽³⁾."""
    model = MLP(2, [len(b) for b in bs], activation="relu", seed=0)
    for layer, W, b in zip(model.layers, Ws, bs):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                w.data = float(W[j, k])
            neuron.b.data = float(b[j])
    binary_cross_entropy([model([float(t) for t in x])], [y], from_logits=True).backward()
    return {"∂L/∂w₁,₄⁽³⁾": float(model.layers[-1].neurons[0].w[3].grad)}


def _last_weight_by_hand(Ws, bs, x, y, *, squash=True, relu=True, sign=1.0) -> float:
    a = np.asarray(x, dtype=float)
    z2 = Ws[1] @ np.maximum(0, Ws[0] @ a + bs[0]) + bs[1]
    a2 = np.maximum(0, z2) if relu else z2
    z = float((Ws[2] @ a2 + bs[2])[0])
    out = float(_sigmoid(z)) if squash else z
    return sign * (out - y) * a2[3]


register(Exercise(
    id="05.last_weight_grad", lesson=5, title="one weight's gradient, by numpy alone",
    statement="last_weight_grad(Ws, bs, x, y): the MLP 2 → n₁ → n₂ → 1 with ReLU hidden layers "
              "and a linear output z (a logit), layer l being a = f(Ws[l] @ a + bs[l]); the "
              "loss is bce_with_logits. Return ∂L/∂w₁,₄⁽³⁾ = ∂L/∂Ws[2][0, 3], by a numpy "
              "forward pass.",
    kind="function", parts=("∂L/∂w₁,₄⁽³⁾",),
    inputs=_last_weight_inputs, reference=_last_weight_reference,
    mistakes=(
        Mistake("∂L/∂w₁,₄⁽³⁾", lambda **k: _last_weight_by_hand(**k, squash=False),
                "the output is a logit z: the error is σ(z) − y, not z − y"),
        Mistake("∂L/∂w₁,₄⁽³⁾", lambda **k: _last_weight_by_hand(**k, relu=False),
                "a₄⁽²⁾ is the ReLU's output, max(0, z₄⁽²⁾), not z₄⁽²⁾"),
        Mistake("∂L/∂w₁,₄⁽³⁾", lambda **k: _last_weight_by_hand(**k, sign=-1.0),
                "the sign: ∂L/∂z = σ(z) − y"),
    )))


def _slopes_inputs(rng: np.random.Generator) -> dict[str, Any]:
    y_hat, y = rng.normal(0, 5, size=2)
    return {"y_hat": float(y_hat), "y": float(y)}


def _slopes_reference(y_hat, y) -> dict[str, float]:
    from nn.losses import mae, mse
    grads = {}
    for name, loss in (("∂MSE/∂ŷ", mse), ("∂MAE/∂ŷ", mae)):
        v = Value(y_hat)
        loss([v], [y]).backward()
        grads[name] = float(v.grad)
    return grads


register(Exercise(
    id="05.loss_slopes", lesson=5, title="the gradients of MSE and MAE",
    statement="loss_slopes(y_hat, y) returns (∂MSE/∂ŷ, ∂MAE/∂ŷ) for one sample (N = 1): "
              "MSE = (ŷ − y)², MAE = |ŷ − y|.",
    kind="function", parts=("∂MSE/∂ŷ", "∂MAE/∂ŷ"),
    inputs=_slopes_inputs, reference=_slopes_reference,
    mistakes=(
        Mistake("∂MSE/∂ŷ", lambda y_hat, y: y_hat - y, "the square's derivative brings a factor 2"),
        Mistake("∂MSE/∂ŷ", lambda y_hat, y: 2 * (y - y_hat),
                "the sign: differentiate with respect to ŷ, not y"),
        Mistake("∂MAE/∂ŷ", lambda y_hat, y: y_hat - y,
                "that is the squared error's slope (halved); |u|′ is the sign of u"),
        Mistake("∂MAE/∂ŷ", lambda y_hat, y: float(np.sign(y - y_hat)),
                "the sign: differentiate with respect to ŷ, not y"),
    )))


class _EndPoint(random.Random):
    """A random generator whose uniform(a, b) returns b: the bound an initialiser draws in."""

    def uniform(self, low: float, high: float) -> float:
        return high


def _xavier_reference() -> dict[str, float]:
    from nn.init import xavier_uniform
    bound = xavier_uniform(32, 32, 1, _EndPoint())[0]
    return {"bound a": bound, "std": bound / math.sqrt(3)}


register(Exercise(
    id="05.xavier_bound", lesson=5, title="Xavier's bound and spread",
    statement="For the first layer of a tanh MLP(32, [32, …]) initialised with xavier_uniform, "
              "give (a, std): the bound a no weight exceeds and the weights' standard deviation "
              "(a uniform on [−a, a] has standard deviation a/√3).",
    kind="value", parts=("bound a", "std"),
    inputs=lambda rng: {}, reference=_xavier_reference,
    mistakes=(
        Mistake("bound a", lambda: math.sqrt(6 / 32),
                "Xavier averages both fans: fan_in + fan_out in the denominator"),
        Mistake("bound a", lambda: math.sqrt(2 / 64),
                "that is xavier_normal's standard deviation; the uniform's bound has a 6"),
        Mistake("std", lambda: _xavier_reference()["bound a"],
                "that is the bound; a uniform on [−a, a] spreads less: divide by √3"),
        Mistake("std", lambda: math.sqrt(6 / 32) / math.sqrt(3),
                "Xavier averages both fans: fan_in + fan_out in the denominator"),
    )))


def _weighted_inputs(rng: np.random.Generator) -> dict[str, Any]:
    n = int(rng.integers(3, 8))
    ts = [int(t) for t in rng.integers(0, 2, size=n)]
    ts[0], ts[1] = 0, 1
    return {"zs": rng.normal(0, 2, size=n).tolist(), "ts": ts,
            "class_weights": {0: float(rng.uniform(0.5, 2)), 1: float(rng.uniform(2, 8))}}


def _weighted_reference(zs, ts, class_weights) -> dict[str, float]:
    loss = binary_cross_entropy([Value(z) for z in zs], ts, from_logits=True,
                                weights=class_weights)
    return {"loss": loss.data}


def _ell(zs, ts) -> np.ndarray:
    z, t = np.asarray(zs), np.asarray(ts)
    return np.log1p(np.exp(z)) - t * z


register(Exercise(
    id="05.weighted_loss", lesson=5, title="the class-weighted loss",
    statement="weighted_bce(zs, ts, class_weights): logits zs, targets ts (0/1), a weight per "
              "class; return the weighted mean Σ wᵢ ℓᵢ / Σ wᵢ of ℓᵢ = log(1 + e^zᵢ) − yᵢ zᵢ, "
              "wᵢ the weight of sample i's class.",
    kind="function", parts=("loss",),
    inputs=_weighted_inputs, reference=_weighted_reference,
    mistakes=(
        Mistake("loss", lambda zs, ts, class_weights: float(
            (np.array([class_weights[t] for t in ts]) * _ell(zs, ts)).sum() / len(ts)),
                "divide by the sum of the weights, not by N"),
        Mistake("loss", lambda zs, ts, class_weights: float(_ell(zs, ts).mean()),
                "that is the unweighted mean: multiply each ℓᵢ by its class's weight"),
    )))


# ------------------------------------------------------------------ lesson 06: optimisers
OPTIMISERS = ("SGD", "SGD + momentum", "Adagrad", "RMSprop", "Adam")


def _state_reference() -> dict[str, int]:
    """The numbers each of nn.optim's optimisers keeps per parameter after one step."""
    from nn import optim
    makers: dict[str, Callable[[list[Value]], Any]] = {"SGD": lambda p: optim.SGD(p, lr=0.1),
              "SGD + momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
              "Adagrad": optim.Adagrad, "RMSprop": optim.RMSprop, "Adam": optim.Adam}
    kept = {}
    for name, make in makers.items():
        w = Value(3.0)
        opt = make([w])
        ((w - 1) ** 2).backward()
        opt.step()
        kept[name] = len([k for k in opt.state[0] if k != "step"])
    return kept


register(Exercise(
    id="06.optimizer_state", lesson=6, title="what each optimiser remembers",
    statement="How many numbers does each optimiser keep per parameter (its state, the step "
              "counter left out)? Answer (SGD, SGD + momentum, Adagrad, RMSprop, Adam).",
    kind="value", parts=OPTIMISERS,
    inputs=lambda rng: {}, reference=_state_reference,
    mistakes=(
        Mistake("SGD + momentum", lambda: 0,
                "momentum remembers where it was going: one velocity per parameter"),
        Mistake("Adam", lambda: 1,
                "Adam keeps two moving averages: of the gradient and of its square"),
        Mistake("Adagrad", lambda: 0,
                "Adagrad divides by the history of the squared gradients, which it must keep"),
        Mistake("RMSprop", lambda: 2,
                "RMSprop keeps only the average of the squared gradients (no first moment)"),
    )))


def _invscaling_inputs(rng: np.random.Generator) -> dict[str, Any]:
    return {"learning_rate_init": float(rng.uniform(0.01, 1)),
            "power_t": float(rng.uniform(0.2, 0.8)),
            "epochs": int(rng.integers(2, 6)), "n_samples": int(rng.integers(4, 16))}


def _invscaling_reference(learning_rate_init, power_t, epochs, n_samples) -> dict[str, float]:
    """nn.MLPClassifier trained with the "invscaling" schedule for exactly ``epochs`` passes
    over ``n_samples`` samples; the rate its optimiser holds at the end."""
    import warnings

    from nn.estimators import ConvergenceWarning, MLPClassifier
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 2)).tolist()
    y = [i % 2 for i in range(n_samples)]
    clf = MLPClassifier(hidden_layer_sizes=(1,), solver="sgd", learning_rate="invscaling",
                        learning_rate_init=learning_rate_init, power_t=power_t,
                        max_iter=epochs, batch_size=n_samples, tol=0.0,
                        n_iter_no_change=epochs + 1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return {"rate": clf._optimizer.lr}


register(Exercise(
    id="06.invscaling", lesson=6, title="the invscaling rate at the end of a run",
    statement="invscaling_rate(learning_rate_init, power_t, epochs, n_samples): the rate "
              "MLPClassifier's \"invscaling\" schedule (solver=\"sgd\") uses after epochs "
              "passes over n_samples training samples.",
    kind="function", parts=("rate",),
    inputs=_invscaling_inputs, reference=_invscaling_reference,
    mistakes=(
        Mistake("rate", lambda learning_rate_init, power_t, epochs, n_samples:
                learning_rate_init / (epochs + 1) ** power_t,
                "t counts samples, not epochs: epochs × n_samples"),
        Mistake("rate", lambda learning_rate_init, power_t, epochs, n_samples:
                learning_rate_init / (epochs * n_samples) ** power_t,
                "the schedule divides by (t + 1)^power_t, so that the rate is defined at t = 0"),
        Mistake("rate", lambda learning_rate_init, power_t, epochs, n_samples:
                learning_rate_init * (epochs * n_samples + 1) ** power_t,
                "the rate decreases: divide by (t + 1)^power_t"),
    )))


# ------------------------------------------------------------- lesson 07: regularisation
def _penalised_inputs(rng: np.random.Generator) -> dict[str, Any]:
    return {"w": rng.normal(0, 1, size=2), "b": float(rng.normal()),
            "x": rng.normal(0, 1.5, size=2),
            "y": float(rng.integers(0, 2)), "lam": float(rng.uniform(0.01, 0.5))}


def _penalised_reference(w, b, x, y, lam, penalty) -> dict[str, Any]:
    from nn.regularization import l1_penalty, l2_penalty
    ws = [Value(float(v)) for v in w]
    y_hat = (autograd.dot(ws, [float(t) for t in x]) + Value(float(b))).sigmoid()
    term = (l2_penalty if penalty == "l2" else l1_penalty)(ws)
    (binary_cross_entropy([y_hat], [y]) + lam * term).backward()
    return {"∂J/∂w": np.array([v.grad for v in ws])}


def _data_grad(w, b, x, y) -> np.ndarray:
    return (float(_sigmoid(w @ x + b)) - y) * x


register(Exercise(
    id="07.l2_gradient", lesson=7, title="the gradient of an L2-penalised neuron",
    statement="l2_gradients(w, b, x, y, lam): ŷ = σ(w·x + b), J = BCE(ŷ, y) + λ Σₖ wₖ² (the "
              "weights only, not the bias). Return ∂J/∂w (an array of 2).",
    kind="function", parts=("∂J/∂w",),
    inputs=_penalised_inputs,
    reference=lambda **k: _penalised_reference(**k, penalty="l2"),
    mistakes=(
        Mistake("∂J/∂w", lambda w, b, x, y, lam: _data_grad(w, b, x, y) + lam * w,
                "d/dw (λw²) is 2λw: the penalty's term misses its factor 2"),
        Mistake("∂J/∂w", lambda w, b, x, y, lam: _data_grad(w, b, x, y),
                "that is the data term alone: add the penalty's gradient"),
        Mistake("∂J/∂w", lambda w, b, x, y, lam: _data_grad(w, b, x, y) - 2 * lam * w,
                "the penalty pushes the weights towards 0: its gradient has the sign of w"),
    )))

register(Exercise(
    id="07.l1_gradient", lesson=7, title="the gradient of an L1-penalised neuron",
    statement="l1_gradients(w, b, x, y, lam): ŷ = σ(w·x + b), J = BCE(ŷ, y) + λ Σₖ |wₖ|. "
              "Return ∂J/∂w (an array of 2).",
    kind="function", parts=("∂J/∂w",),
    inputs=_penalised_inputs,
    reference=lambda **k: _penalised_reference(**k, penalty="l1"),
    mistakes=(
        Mistake("∂J/∂w", lambda w, b, x, y, lam: _data_grad(w, b, x, y) + 2 * lam * w,
                "that is L2's gradient; |w|′ is the sign of w"),
        Mistake("∂J/∂w", lambda w, b, x, y, lam: _data_grad(w, b, x, y) + 2 * lam * np.sign(w),
                "|w| has no square: its derivative is sign(w), with no factor 2"),
        Mistake("∂J/∂w", lambda w, b, x, y, lam: _data_grad(w, b, x, y) + lam * w,
                "|w|′ is the sign of w, not w"),
    )))


def _decay_inputs(rng: np.random.Generator) -> dict[str, Any]:
    return {"w": rng.normal(0, 1, size=3), "grad": rng.normal(0, 1, size=3),
            "lr": float(rng.uniform(0.01, 1)), "weight_decay": float(rng.uniform(0.01, 0.5))}


def _decay_reference(w, grad, lr, weight_decay) -> dict[str, Any]:
    from nn.optim import SGD
    ws = [Value(float(v)) for v in w]
    for v, g in zip(ws, grad):
        v.grad = float(g)
    SGD(ws, lr=lr, weight_decay=weight_decay).step()
    return {"new w": np.array([v.data for v in ws])}


register(Exercise(
    id="07.weight_decay", lesson=7, title="one SGD step with weight decay",
    statement="sgd_step(w, grad, lr, weight_decay): the weights after one step of "
              "nn.optim.SGD(..., lr, weight_decay) from w, the data loss's gradient being grad.",
    kind="function", parts=("new w",),
    inputs=_decay_inputs, reference=_decay_reference,
    mistakes=(
        Mistake("new w", lambda w, grad, lr, weight_decay: w - lr * grad - weight_decay * w,
                "the decay λw is added to the gradient, so the learning rate scales it too"),
        Mistake("new w", lambda w, grad, lr, weight_decay: w - lr * (grad + 2 * weight_decay * w),
                "weight_decay=λ adds λw — the gradient of (λ/2) Σ w², not of λ Σ w²"),
        Mistake("new w", lambda w, grad, lr, weight_decay: w - lr * (grad - weight_decay * w),
                "the decay pulls w towards 0: it adds +λw to the gradient"),
    )))


def _dropout_reference() -> dict[str, float]:
    """One survivor of nn.Dropout(p=0.2) on the number 3, and the mean it implies."""
    from nn.layers import Dropout
    drop = Dropout(p=0.2, seed=1)
    survivor = max(v.data for v in drop([Value(3.0) for _ in range(50)]))
    return {"survivor": survivor, "mean output": survivor * (1 - drop.p)}


register(Exercise(
    id="07.dropout_mean", lesson=7, title="why dropout divides by 1 − p",
    statement="nn.Dropout(p=0.2) in training mode, applied to many copies of the number 3: what "
              "is the value of an output that survives, and what is the mean of all outputs? "
              "Answer (survivor, mean output).",
    kind="value", parts=("survivor", "mean output"),
    inputs=lambda rng: {}, reference=_dropout_reference,
    mistakes=(
        Mistake("survivor", lambda: 3.0,
                "the survivors are rescaled, so that the mean output stays what it was"),
        Mistake("mean output", lambda: 3.0 * 0.8,
                "that would be without the rescaling; the survivors are divided by 1 − p"),
        Mistake("survivor", lambda: 3.0 * 0.8,
                "the survivors are divided by 1 − p, not multiplied"),
    )))


def _bn_inputs(rng: np.random.Generator) -> dict[str, Any]:
    n, d = int(rng.integers(3, 7)), int(rng.integers(2, 4))
    spread = rng.uniform(0.3, 2, d)
    return {"z": rng.normal(0, 1, size=d) * 5 + rng.normal(0, 1, size=(n, d)) * spread}


def _bn_reference(z) -> dict[str, Any]:
    from nn.layers import BatchNorm
    bn = BatchNorm(z.shape[1])
    out = bn([[Value(float(v)) for v in row] for row in z])
    return {"normalised batch": np.array([[v.data for v in row] for row in out])}


register(Exercise(
    id="07.batch_norm", lesson=7, title="batch normalisation by hand",
    statement="batch_norm(z): the output of nn.BatchNorm in training mode on the batch z "
              "(N samples × d features) at the start: γ = 1, β = 0, ε = 1e-5.",
    kind="function", parts=("normalised batch",),
    inputs=_bn_inputs, reference=_bn_reference,
    mistakes=(
        Mistake("normalised batch", lambda z: (z - z.mean(0)) / np.sqrt(z.var(0, ddof=1) + 1e-5),
                "normalise with the batch's biased variance (÷ N), as the layer does in training"),
        Mistake("normalised batch", lambda z: (z - z.mean(0)) / z.std(0),
                "ε is missing: divide by √(σ² + ε)"),
        Mistake("normalised batch", lambda z: (z - z.mean(1, keepdims=True))
                / np.sqrt(z.var(1, keepdims=True) + 1e-5),
                "those are the statistics of each sample (row); batch norm normalises each "
                "feature (column) over the batch"),
    )))


def _prune_inputs(rng: np.random.Generator) -> dict[str, Any]:
    model = MLP(int(rng.integers(2, 5)), [int(rng.integers(4, 9)), int(rng.integers(4, 9)), 1],
                seed=int(rng.integers(0, 1000)))
    for layer in model.layers:
        for neuron in layer.neurons:
            small = rng.random() < 0.4
            for w in neuron.w:
                w.data = float(rng.uniform(-0.049, 0.049) if small or rng.random() < 0.3
                               else rng.choice([-1, 1]) * rng.uniform(0.06, 1))
    return {"model": model, "threshold": 0.05}


def _prunable(model, threshold, *, rule=all, layers=slice(None, -1)) -> int:
    return sum(rule(abs(w.data) < threshold for w in neuron.w)
               for layer in model.layers[layers] for neuron in layer.neurons)


register(Exercise(
    id="07.prunable_neurons", lesson=7, title="neurons you could delete",
    statement="prunable(model, threshold): how many hidden neurons of the MLP model have every "
              "incoming weight below threshold in absolute value? (The output layer is not "
              "hidden.)",
    kind="function", parts=("count",),
    inputs=_prune_inputs,
    reference=lambda model, threshold: {"count": _prunable(model, threshold)},
    mistakes=(
        Mistake("count", lambda model, threshold: _prunable(model, threshold, rule=any),
                "a neuron is removable only if *every* incoming weight is small, not just one"),
        Mistake("count", lambda model, threshold: _prunable(model, threshold, layers=slice(None)),
                "the output layer is not hidden: leave it out"),
        Mistake("count", lambda model, threshold: sum(
            abs(w.data) < threshold for layer in model.layers[:-1]
            for neuron in layer.neurons for w in neuron.w),
                "that counts weights; count neurons whose incoming weights are all small"),
    )))


# ------------------------------------------------------- lesson 08: the digits workshop
def _softmax_inputs(rng: np.random.Generator) -> dict[str, Any]:
    k = int(rng.integers(3, 11))
    return {"z": rng.normal(0, 3, size=k), "t": int(rng.integers(0, k))}


def _softmax_reference(z, t) -> dict[str, Any]:
    from nn.losses import cross_entropy
    scores = [Value(float(v)) for v in z]
    cross_entropy([scores], [t]).backward()
    return {"∂L/∂z": np.array([v.grad for v in scores])}


def _softmax(z) -> np.ndarray:
    e = np.exp(np.asarray(z) - np.max(z))
    return e / e.sum()


register(Exercise(
    id="08.softmax_gradient", lesson=8, title="what reaches the scores",
    statement="score_gradient(z, t): the gradient ∂L/∂z of the cross-entropy L = −log "
              "softmax(z)[t] with respect to the scores z (an array of K), true class t.",
    kind="function", parts=("∂L/∂z",),
    inputs=_softmax_inputs, reference=_softmax_reference,
    mistakes=(
        Mistake("∂L/∂z", lambda z, t: np.eye(len(z))[t] - _softmax(z),
                "the sign: the true class's score must go up when you step against the gradient"),
        Mistake("∂L/∂z", lambda z, t: _softmax(z),
                "the true class's term is missing: subtract onehot(t)"),
        Mistake("∂L/∂z", lambda z, t: (_softmax(z) - np.eye(len(z))[t])
                * _softmax(z) * (1 - _softmax(z)),
                "no extra softmax′: with the cross-entropy, ∂L/∂z is already p − onehot(t) "
                "(and the softmax's Jacobian is not diagonal)"),
    )))


def _pixels_inputs(rng: np.random.Generator) -> dict[str, Any]:
    return {"pixels": rng.integers(0, 17, size=64).astype(float)}


def _shrink_reference(pixels) -> dict[str, Any]:
    """Each 2×2 block's mean, as an engine sum of Values."""
    image = [[Value(float(pixels[8 * r + c])) for c in range(8)] for r in range(8)]
    out = [autograd.sum([image[2 * i + a][2 * j + b] for a in (0, 1) for b in (0, 1)]) / 4
           for i in range(4) for j in range(4)]
    return {"4×4 pixels": np.array([v.data for v in out])}


register(Exercise(
    id="08.shrink", lesson=8, title="8×8 digits down to 4×4",
    statement="shrink(pixels): pixels is an 8×8 image flattened row by row (64 numbers); return "
              "the 4×4 image, flattened row by row (16 numbers), whose pixel (i, j) is the mean "
              "of the 2×2 block of rows 2i, 2i+1 and columns 2j, 2j+1.",
    kind="function", parts=("4×4 pixels",),
    inputs=_pixels_inputs, reference=_shrink_reference,
    mistakes=(
        Mistake("4×4 pixels", lambda pixels: pixels.reshape(4, 2, 4, 2).sum(axis=(1, 3)).ravel(),
                "the mean of a block, not its sum: divide by 4"),
        Mistake("4×4 pixels", lambda pixels: pixels.reshape(8, 8)[::2, ::2].ravel(),
                "that keeps one pixel of every block; average the four"),
        Mistake("4×4 pixels", lambda pixels: pixels.reshape(4, 4, 2, 2).mean(axis=(2, 3)).ravel(),
                "reshape(4, 4, 2, 2) groups pixels that are not neighbours: a block spans two "
                "rows, so split each axis in two — reshape(4, 2, 4, 2)"),
    )))


# ---------------------------------------------------------------- lesson 09: to PyTorch
def _batch_scores_inputs(rng: np.random.Generator) -> dict[str, Any]:
    n, k = int(rng.integers(2, 6)), int(rng.integers(3, 11))
    return {"scores": rng.normal(0, 2, size=(n, k)), "targets": rng.integers(0, k, size=n).tolist()}


def _bias_grad_reference(scores, targets) -> dict[str, Any]:
    """Output biases added to fixed scores; the mean cross-entropy over the batch; ∂L/∂b."""
    from nn.losses import cross_entropy
    bias = [Value(0.0) for _ in range(scores.shape[1])]
    cross_entropy([[float(s) + b for s, b in zip(row, bias)] for row in scores], targets).backward()
    return {"∂L/∂b": np.array([b.grad for b in bias])}


def _p_minus_onehot(scores, targets) -> np.ndarray:
    return np.array([_softmax(row) - np.eye(len(row))[t] for row, t in zip(scores, targets)])


register(Exercise(
    id="09.bias_gradient", lesson=9, title="the output bias's gradient over a batch",
    statement="bias_gradient(scores, targets): scores is N × K (one row of class scores per "
              "sample, output bias included), targets the N true classes; L is the mean "
              "cross-entropy over the batch, as torch.nn.CrossEntropyLoss. Return ∂L/∂b for the "
              "output layer's K biases.",
    kind="function", parts=("∂L/∂b",),
    inputs=_batch_scores_inputs, reference=_bias_grad_reference,
    mistakes=(
        Mistake("∂L/∂b", lambda scores, targets: _p_minus_onehot(scores, targets).sum(0),
                "right for one sample; the loss is the mean over the batch — check the 1/N"),
        Mistake("∂L/∂b", lambda scores, targets: -_p_minus_onehot(scores, targets).mean(0),
                "the sign: δ = p − onehot(t)"),
        Mistake("∂L/∂b", lambda scores, targets: np.array([_softmax(r) for r in scores]).mean(0),
                "the true class's term is missing: subtract onehot(t) for each sample"),
    )))


register(Exercise(
    id="09.float32_spacing", lesson=9, title="why float32 differs by about 1e-6",
    statement="float32 stores 24 significant bits. What is the gap between 1 and the next "
              "float32 number (its machine epsilon)? Give it exactly (a power of 2).",
    kind="value", parts=("epsilon",),
    inputs=lambda rng: {}, reference=lambda: {"epsilon": float(np.finfo(np.float32).eps)},
    mistakes=(
        Mistake("epsilon", lambda: float(np.finfo(np.float64).eps),
                "that is float64's: 53 bits; float32 has 24"),
        Mistake("epsilon", lambda: 2.0 ** -24,
                "that is half the gap (the rounding error bound); the gap itself is twice that"),
        Mistake("epsilon", lambda: 1e-7,
                "the right order of magnitude: give it exactly, as a power of 2"),
    )))
