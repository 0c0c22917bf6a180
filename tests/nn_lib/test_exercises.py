"""nn.exercises: every exercise accepts its solution, rejects typical wrong answers with a hint
that shows none of the reference's numbers, and says "not answered yet" to a stub.

The solutions and wrong answers here are written by hand (numpy formulas), independently of the
bank's mistake functions: a bank whose reference or hints were wrong would fail."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import nn
from nn.exercise_bank import AND, EXERCISES
from nn.exercises import CheckResult, check


def sig(t):
    return 1 / (1 + np.exp(-np.asarray(t, dtype=float)))


# ------------------------------------------------------------------ hand-written answers
def perceptron(X, y, order, taux_apprentissage=None, seuil=0.5, sign=1, bias_lr=True):
    coefs, bias = np.zeros(X.shape[1]), 0.0
    for idx in order:
        prediction = 1 if np.dot(X[idx], coefs) + bias > seuil else 0
        erreur = sign * (y[idx] - prediction)
        lr = 1.0 if taux_apprentissage is None else taux_apprentissage
        coefs = coefs + lr * erreur * X[idx]
        bias = bias + (lr if bias_lr else 1.0) * erreur
    return coefs, bias


def and_epochs(w0, b0, minus=0):
    p = nn.Perceptron(2, lr=0.2, threshold=0.5, seed=0)
    for w, v in zip(p.w, w0):
        w.data = v
    p.b.data = b0
    return len(p.fit(*AND, epochs=100).mistakes) - minus


def accuracy(p, X, y):
    return sum(p.predict(x) == t for x, t in zip(X, y)) / len(X)


def neuron(w, b, X, y, reduce=np.mean, sign=1, extra_slope=False):
    yh = sig(X @ w + b)
    d = sign * (yh - y) * (yh * (1 - yh) if extra_slope else 1)
    return reduce(d[:, None] * X, axis=0), reduce(d)


def two_layer(W1, b1, W2, b2, X, y, reduce=np.mean, w2=True, slope=True, transpose=False):
    A1 = sig(X @ W1.T + b1)
    d2 = sig(A1 @ W2 + b2) - y
    d1 = d2[:, None] * (W2 if w2 else 1) * (A1 * (1 - A1) if slope else A1)
    dW1 = reduce(d1[:, :, None] * X[:, None, :], axis=0)
    return reduce(d2), reduce(d2[:, None] * A1, axis=0), reduce(d1, axis=0), \
        (dW1.T if transpose else dW1)


def and_ratio():
    ws = []
    for lr in (0.3, 0.1):
        p = nn.Perceptron(2, lr=lr, threshold=0.0, seed=0)
        p.fit(*AND, epochs=500)
        ws.append(p.w[0].data)
    return ws[0] / ws[1]


SOLUTIONS = {
    "01.perceptron": perceptron,
    "01.initial_weights": lambda: and_epochs([3.0, -3.0], -2.0),
    "01.blobs_accuracy": accuracy,
    "01.learning_rate": and_ratio,
    "02.neuron_gradients": neuron,
    "03.two_layer_gradients": two_layer,
    "04.sigmoid_prime": lambda z: sig(z) * (1 - sig(z)),
    "04.tanh_prime": lambda z: 1 - math.tanh(z) ** 2,
}

# id → [(wrong answer, a word the hint must contain)]
WRONG = {
    "01.perceptron": [
        (lambda **k: perceptron(**k, sign=-1), "wrong way"),
        (lambda **k: perceptron(**k, bias_lr=False), "taux_apprentissage"),
    ],
    "01.initial_weights": [(lambda: and_epochs([3.0, -3.0], -2.0, minus=1), "last epoch"),
                           (lambda: and_epochs([0.0, 0.0], 0.0), "zero start")],
    "01.blobs_accuracy": [(lambda p, X, y: 1 - accuracy(p, X, y), "error rate"),
                          (lambda p, X, y: len(X) * accuracy(p, X, y), "divide")],
    "01.learning_rate": [(lambda: 1.0, "scale"), (lambda: 1 / and_ratio(), "upside down")],
    "02.neuron_gradients": [
        (lambda **k: neuron(**k, reduce=np.sum), "mean over the N"),
        (lambda **k: neuron(**k, sign=-1), "sign"),
        (lambda **k: neuron(**k, extra_slope=True), "σ′ too many"),
    ],
    "03.two_layer_gradients": [
        (lambda **k: two_layer(**k, reduce=np.sum), "mean over the N"),
        (lambda **k: two_layer(**k, w2=False), "w_j⁽²⁾"),
        (lambda **k: two_layer(**k, slope=False), "not σ(z)"),
        (lambda **k: two_layer(**k, transpose=True), "shape"),
    ],
    "04.sigmoid_prime": [(lambda z: float(sig(z)), "σ(z) itself"),
                         (lambda z: 1 - float(sig(z)) ** 2, "tanh's rule")],
    "04.tanh_prime": [(lambda z: math.tanh(z), "tanh(z) itself"),
                      (lambda z: 1 - math.tanh(z), "square"),
                      (lambda z: math.tanh(z) * (1 - math.tanh(z)), "sigmoid's rule")],
}


def as_answer(exercise_id, fn):
    """A value exercise's answer is the number itself."""
    return fn() if EXERCISES[exercise_id].kind == "value" else fn


def reference_numbers(exercise_id, seed):
    """Every number the reference takes on the draws check(seed=seed) makes."""
    ex = EXERCISES[exercise_id]
    rng = np.random.default_rng(seed)
    numbers = []
    for _ in range(1 if ex.kind == "value" else ex.draws):
        ref = ex.reference(**ex.inputs(rng))
        numbers += [float(v) for part in ex.parts for v in np.ravel(ref[part])]
    return numbers


def shows_a_reference_number(result: CheckResult, numbers) -> list[str]:
    """Numbers of the feedback lines equal (to their printed digits) to a reference number;
    single digits are left out (they occur in words like 1/N, a⁽²⁾, "divide by 4") and so
    are references within ±2.5."""
    shown = re.findall(r"-?\d+(?:\.\d+)?", " ".join(result.lines))
    found = []
    for text in shown:
        if re.fullmatch(r"-?\d", text):
            continue
        decimals = len(text.split(".")[1]) if "." in text else 0
        for n in numbers:
            if abs(n) > 2.5 and round(n, decimals) == float(text):
                found.append(text)
    return found


def test_every_exercise_has_a_solution_and_wrong_answers_here():
    assert set(SOLUTIONS) == set(EXERCISES) == set(WRONG)


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_the_solution_is_accepted(exercise_id):
    for seed in (0, 1):
        result = check(exercise_id, as_answer(exercise_id, SOLUTIONS[exercise_id]), seed=seed)
        assert result.correct, str(result)
        assert "✓" in str(result) and "✓" in result._repr_html_()


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_typical_wrong_answers_are_rejected_with_their_hint(exercise_id):
    assert len(WRONG[exercise_id]) >= 2
    for wrong, word in WRONG[exercise_id]:
        result = check(exercise_id, as_answer(exercise_id, wrong), seed=3)
        assert result.status == "wrong", str(result)
        assert word in str(result), str(result)
        assert shows_a_reference_number(result, reference_numbers(exercise_id, 3)) == []


def test_the_number_detector_can_see_a_leak():
    result = CheckResult(EXERCISES["04.tanh_prime"], "wrong", ["you said 3.1416"])
    assert shows_a_reference_number(result, [math.pi]) == ["3.1416"]


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_stubs_are_not_answered_yet(exercise_id):
    def stub(*args, **kwargs): ...

    def raises(*args, **kwargs):
        raise NotImplementedError

    for answer in (None, ..., stub, raises):
        if EXERCISES[exercise_id].kind == "value" and callable(answer):
            continue
        result = check(exercise_id, answer)
        assert result.status == "unanswered" and "not answered yet" in str(result)


def test_an_answer_that_raises_is_reported_not_raised():
    result = check("04.sigmoid_prime", lambda z: 1 / 0)
    assert result.status == "error" and "ZeroDivisionError" in str(result)


def test_a_wrong_answer_no_mistake_explains_gets_a_generic_hint():
    result = check("04.sigmoid_prime", lambda z: 0.123)
    assert result.status == "wrong" and "differs from the engine" in str(result)


def test_a_tuple_of_the_wrong_length_is_named():
    result = check("02.neuron_gradients", lambda w, b, X, y: 0.0)
    assert result.status == "wrong" and "∂J/∂w, ∂J/∂b" in str(result)


def test_draws_are_fresh_each_call():
    seen = []
    check("04.sigmoid_prime", lambda z: seen.append(z) or 0.0)
    check("04.sigmoid_prime", lambda z: seen.append(z) or 0.0)
    assert len(seen) == 2 * EXERCISES["04.sigmoid_prime"].draws and len(set(seen)) == len(seen)


def test_an_unknown_id_names_the_known_ones():
    with pytest.raises(KeyError, match="04.sigmoid_prime"):
        check("4.sigmoid", lambda z: z)


def test_html_is_readable_in_a_narrow_column():
    html = check("04.tanh_prime", lambda z: math.tanh(z))._repr_html_()
    size = int(re.search(r"font-size:(\d+)px", html).group(1))
    width = int(re.search(r"max-width:(\d+)px", html).group(1))
    assert size >= 14 and width <= 700


# ---------------------------------------------------------------------- lesson 05
def std_by_hand(X, ddof=0, centre=True, axis=0):
    centred = X - X.mean(axis, keepdims=True) if centre else X
    return centred / X.std(axis, ddof=ddof, keepdims=True)


def minmax_by_hand(X, by_max=False):
    low, high = X.min(axis=0), X.max(axis=0)
    return (X - low) / (high if by_max else high - low)


def last_weight(Ws, bs, x, y, squash=True, relu=True):
    a = np.asarray(x)
    for W, b in zip(Ws[:-1], bs[:-1]):
        z = W @ a + b
        a = np.maximum(0, z) if relu or W is not Ws[-2] else z
    z = (Ws[-1] @ a + bs[-1])[0]
    return ((sig(z) if squash else z) - y) * a[3]


def weighted(zs, ts, class_weights, normalise=True):
    ell = [math.log(1 + math.exp(z)) - t * z for z, t in zip(zs, ts)]
    ws = [class_weights[t] for t in ts]
    return sum(w * e for w, e in zip(ws, ell)) / (sum(ws) if normalise else len(ws))


SOLUTIONS.update({
    "05.standardize": std_by_hand,
    "05.minmax": minmax_by_hand,
    "05.last_weight_grad": last_weight,
    "05.loss_slopes": lambda y_hat, y: (2 * (y_hat - y), float(np.sign(y_hat - y))),
    "05.xavier_bound": lambda: (math.sqrt(6 / 64), math.sqrt(6 / 64) / math.sqrt(3)),
    "05.weighted_loss": weighted,
})
WRONG.update({
    "05.standardize": [(lambda X: std_by_hand(X, ddof=1), "population"),
                       (lambda X: std_by_hand(X, centre=False), "centred")],
    "05.minmax": [(lambda X: minmax_by_hand(X, by_max=True), "range"),
                  (lambda X: minmax_by_hand(X.T).T, "each sample")],
    "05.last_weight_grad": [(lambda **k: last_weight(**k, squash=False), "σ(z) − y"),
                            (lambda **k: last_weight(**k, relu=False), "ReLU's output")],
    "05.loss_slopes": [(lambda y_hat, y: (y_hat - y, float(np.sign(y_hat - y))), "factor 2"),
                       (lambda y_hat, y: (2 * (y_hat - y), y_hat - y), "sign of u")],
    "05.xavier_bound": [(lambda: (math.sqrt(6 / 32), math.sqrt(6 / 32) / math.sqrt(3)),
                         "both fans"),
                        (lambda: (math.sqrt(6 / 64), math.sqrt(6 / 64)), "√3")],
    "05.weighted_loss": [
        (lambda zs, ts, class_weights: weighted(zs, ts, class_weights, normalise=False),
         "sum of the weights"),
        (lambda zs, ts, class_weights: weighted(zs, ts, {0: 1, 1: 1}), "unweighted")],
})


# ---------------------------------------------------------------------- lesson 06
def invscaling(learning_rate_init, power_t, epochs, n_samples, t_is_epochs=False, plus=1):
    t = epochs if t_is_epochs else epochs * n_samples
    return learning_rate_init / (t + plus) ** power_t


SOLUTIONS.update({
    "06.optimizer_state": lambda: (0, 1, 1, 1, 2),
    "06.invscaling": invscaling,
})
WRONG.update({
    "06.optimizer_state": [(lambda: (0, 0, 1, 1, 2), "velocity"),
                           (lambda: (0, 1, 1, 1, 1), "two moving averages")],
    "06.invscaling": [(lambda **k: invscaling(**k, t_is_epochs=True), "counts samples"),
                      (lambda **k: invscaling(**k, plus=0), "(t + 1)")],
})


# ---------------------------------------------------------------------- lesson 07
def penalised(w, b, x, y, lam, penalty="l2", factor=2):
    data = (sig(w @ x + b) - y) * x
    return data + (factor * lam * w if penalty == "l2" else factor * lam * np.sign(w))


def bn(z, ddof=0, eps=1e-5):
    return (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0, ddof=ddof) + eps)


def prunable(model, threshold, rule=all, hidden_only=True):
    layers = model.layers[:-1] if hidden_only else model.layers
    return sum(1 for layer in layers for n in layer.neurons
               if rule(abs(w.data) < threshold for w in n.w))


SOLUTIONS.update({
    "07.l2_gradient": penalised,
    "07.l1_gradient": lambda **k: penalised(**k, penalty="l1", factor=1),
    "07.weight_decay": lambda w, grad, lr, weight_decay: w - lr * (grad + weight_decay * w),
    "07.dropout_mean": lambda: (3 / 0.8, 3.0),
    "07.batch_norm": bn,
    "07.prunable_neurons": prunable,
})
WRONG.update({
    "07.l2_gradient": [(lambda **k: penalised(**k, factor=1), "factor 2"),
                       (lambda **k: penalised(**k, factor=0), "data term alone")],
    "07.l1_gradient": [(lambda **k: penalised(**k, penalty="l1", factor=2), "no factor 2"),
                       (lambda **k: penalised(**k, penalty="l2", factor=2), "L2's gradient")],
    "07.weight_decay": [
        (lambda w, grad, lr, weight_decay: w - lr * grad - weight_decay * w, "learning rate"),
        (lambda w, grad, lr, weight_decay: w - lr * (grad + 2 * weight_decay * w), "(λ/2)")],
    "07.dropout_mean": [(lambda: (3.0, 3.0), "rescaled"), (lambda: (3 * 0.8, 3 * 0.8 * 0.8),
                                                           "not multiplied")],
    "07.batch_norm": [(lambda z: bn(z, ddof=1), "biased variance"),
                      (lambda z: bn(z, eps=0.0), "ε")],
    "07.prunable_neurons": [
        (lambda model, threshold: prunable(model, threshold, rule=any), "every"),
        (lambda model, threshold: prunable(model, threshold, hidden_only=False), "output layer")],
})


# ---------------------------------------------------------------------- lesson 08
def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def shrink(pixels, reduce=np.mean):
    image = np.asarray(pixels).reshape(8, 8)
    return np.array([[reduce(image[2 * i:2 * i + 2, 2 * j:2 * j + 2]) for j in range(4)]
                     for i in range(4)]).ravel()


SOLUTIONS.update({
    "08.softmax_gradient": lambda z, t: softmax(z) - np.eye(len(z))[t],
    "08.shrink": shrink,
})
WRONG.update({
    "08.softmax_gradient": [(lambda z, t: np.eye(len(z))[t] - softmax(z), "sign"),
                            (lambda z, t: softmax(z), "onehot(t)")],
    "08.shrink": [(lambda pixels: shrink(pixels, reduce=np.sum), "divide by 4"),
                  (lambda pixels: np.asarray(pixels).reshape(8, 8)[::2, ::2].ravel(),
                   "one pixel")],
})


# ---------------------------------------------------------------------- lesson 09
def bias_gradient(scores, targets, reduce=np.mean, sign=1):
    rows = [softmax(row) - np.eye(len(row))[t] for row, t in zip(scores, targets)]
    return sign * reduce(rows, axis=0)


SOLUTIONS.update({
    "09.bias_gradient": bias_gradient,
    "09.float32_spacing": lambda: 2.0 ** -23,
})
WRONG.update({
    "09.bias_gradient": [(lambda **k: bias_gradient(**k, reduce=np.sum), "1/N"),
                         (lambda **k: bias_gradient(**k, sign=-1), "sign")],
    "09.float32_spacing": [(lambda: 2.0 ** -52, "float64"), (lambda: 2.0 ** -24, "half the gap")],
})


def test_a_constant_factor_or_sign_is_named_without_the_factor():
    sign = check("04.tanh_prime", lambda z: -(1 - math.tanh(z) ** 2))
    scaled = check("04.tanh_prime", lambda z: 3 * (1 - math.tanh(z) ** 2))
    assert "up to its sign" in str(sign)
    assert "constant factor" in str(scaled) and "3" not in " ".join(scaled.lines)
