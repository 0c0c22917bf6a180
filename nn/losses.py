"""Loss functions over a batch, with PyTorch's formulas, reductions and weights.

Every loss takes the model's outputs for a batch and the targets, and returns one Value,
named as the course writes it: the loss ``L``, each sample's term ``ℓᵢ`` (1-based), their
sum ``Σᵢℓᵢ`` (labels a user may overwrite; one per sample, none per neuron).

* ``reduction="mean"`` (default) or ``"sum"``.
* ``weights`` for imbalanced data: a sequence (one weight per sample) or a dict
  ``{class: weight}`` (per class, looked up by each sample's target). With per-class weights
  the mean is the weighted mean ``Σ wᵢℓᵢ / Σ wᵢ`` (as ``torch.nn.CrossEntropyLoss``); with
  per-sample weights it is ``Σ wᵢℓᵢ / N`` (as ``torch.nn.BCELoss(weight=...)``).
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np

import autograd
from autograd import Number, Value

from . import checks
from .checks import lookup

Weights = Sequence[Number] | Mapping[object, Number] | None
LOG_CLAMP = -100.0  # PyTorch's BCELoss clamps log(p) to ≥ -100, so p = 0 gives a finite loss


def _batch(preds, what: str, name: str = "prediction") -> list:
    """The batch as a list; a lone Value or number is a batch of one. numpy scalars become
    Python numbers; every number (and every Value's data) must be finite: a non-finite
    prediction raises ``FloatingPointError`` (the model diverged), a non-finite target
    ``ValueError`` (bad data)."""
    if isinstance(preds, (Value, numbers.Real)):
        preds = [preds]
    elif not hasattr(preds, "__len__") or isinstance(preds, (str, bytes)):
        raise TypeError(f"{what}: the {name}s must be a list (one per sample), got "
                        f"{type(preds).__name__}")
    batch = []
    for i, p in enumerate(preds):
        p = checks.plain(p)
        number = p.data if isinstance(p, Value) else p
        if isinstance(number, numbers.Real) and not math.isfinite(number):
            error = FloatingPointError if name == "prediction" else ValueError
            raise error(f"{what}: {name} {i} is {number!r}; a loss of NaN or infinity "
                        "cannot be minimised. Check the model's outputs and the data "
                        "(autograd.detect_anomaly() finds the first non-finite op)")
        nested = hasattr(p, "__len__") and not isinstance(p, (Value, str, bytes))
        batch.append(_batch(p, what, name) if nested else p)
    if not batch:
        raise ValueError(f"{what}: the batch is empty; give at least one prediction")
    return batch


def _check_lengths(preds: list, targets: list, what: str) -> None:
    if len(preds) != len(targets):
        raise ValueError(
            f"{what}: shape mismatch, {len(preds)} predictions but {len(targets)} targets; "
            "give one target per prediction"
        )


def _term_name(i: int) -> str:
    """``ℓᵢ`` for the 1-based sample ``i`` (remembered: a loss names every sample's term)."""
    while len(_TERM_NAMES) <= i:
        _TERM_NAMES.append("ℓ" + str(len(_TERM_NAMES)).translate(_SUBSCRIPTS))
    return _TERM_NAMES[i]


_TERM_NAMES: list[str] = []
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _named(losses: list[Value], total: Value, loss: Value, total_name: str) -> Value:
    """The loss named as the course writes it: L, its sum Σᵢℓᵢ, each sample's term ℓᵢ
    (1-based). One label per sample and per batch: nothing per neuron."""
    for i, term in enumerate(losses, 1):
        if isinstance(term, Value):  # numbers (a loss of plain numbers) have no name
            term.label = _term_name(i)
    if total is not loss:
        total.label = total_name
    loss.label = "L"
    return loss


def _reduce(losses: list[Value], targets: list, weights: Weights, reduction: str,
            what: str) -> Value:
    if reduction not in ("mean", "sum"):
        raise ValueError(f"{what}: reduction must be 'mean' or 'sum', got {reduction!r}")
    n = len(losses)
    if weights is None:
        total = autograd.sum(losses)
        return _named(losses, total, total / n if reduction == "mean" else total, "Σᵢℓᵢ")
    if isinstance(weights, Mapping):
        try:
            ws = [checks.real(weights[t], f"weights[{t!r}]", what, low=0) for t in targets]
        except KeyError as exc:
            raise ValueError(
                f"{what}: the class weights have no entry for class {exc.args[0]!r}; give a "
                f"weight for every class that occurs (weights={dict(weights)!r})"
            ) from None
        denominator = sum(ws)
    else:
        ws = [checks.real(w, f"weights[{i}]", what, low=0) for i, w in enumerate(weights)]
        if len(ws) != n:
            raise ValueError(f"{what}: {len(ws)} sample weights for {n} samples; give one each")
        denominator = n
    total = autograd.dot(losses, ws)
    if reduction == "sum":
        return _named(losses, total, total, "Σᵢwᵢℓᵢ")
    if denominator == 0:
        raise ValueError(f"{what}: the weights sum to 0, so the weighted mean is undefined")
    return _named(losses, total, total / denominator, "Σᵢwᵢℓᵢ")


def mse(preds, targets, *, reduction: str = "mean", weights: Weights = None) -> Value:
    """Mean squared error ``(ŷ − y)²`` (multi-output predictions: lists, averaged over all).

    Example::

        >>> from autograd import Value
        >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
        2.5
    """
    preds, targets = _flatten(_batch(preds, "mse"), _batch(targets, "mse", "target"), "mse")
    return _reduce([(p - t) ** 2 for p, t in zip(preds, targets)], targets, weights,
                   reduction, "mse")


def mae(preds, targets, *, reduction: str = "mean", weights: Weights = None) -> Value:
    """Mean absolute error ``|ŷ − y|`` (its derivative at 0 is taken as 0)."""
    preds, targets = _flatten(_batch(preds, "mae"), _batch(targets, "mae", "target"), "mae")
    return _reduce([abs(_value(p) - t) for p, t in zip(preds, targets)], targets, weights,
                   reduction, "mae")


def _flatten(preds: list, targets: list, what: str) -> tuple[list, list]:
    _check_lengths(preds, targets, what)
    if preds and isinstance(preds[0], (list, tuple)):
        flat_p, flat_t = [], []
        for p, t in zip(preds, targets):
            p, t = list(p), list(t) if isinstance(t, (list, tuple)) else [t]
            _check_lengths(p, t, what)
            flat_p += p
            flat_t += t
        return flat_p, flat_t
    return preds, targets


def _value(p) -> Value:
    return p if isinstance(p, Value) else autograd.constant(p)


def stable_sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e⁻ˣ) for a float, without overflow at either end (the engine's op)."""
    return Value(x).sigmoid().data


def softplus(x: Value) -> Value:
    """``log(1 + eˣ)`` without overflow, as one node whose derivative is ``sigmoid(x)``."""
    return x.softplus()


def binary_cross_entropy(preds, targets, *, from_logits: bool = False,
                         reduction: str = "mean", weights: Weights = None) -> Value:
    """``−(y·log p + (1−y)·log(1−p))`` per sample, for targets in [0, 1].

    Args:
        preds: probabilities in [0, 1] (e.g. a sigmoid output), or logits with
            ``from_logits=True``.
        targets: 0/1 labels (or soft labels in [0, 1]).
        from_logits: use the stable form ``softplus(z) − y·z`` (``BCEWithLogitsLoss``):
            no sigmoid saturation, no log of 0.
        reduction, weights: see the module docs (per-class weights: ``{0: w0, 1: w1}``).

    Probabilities of exactly 0 or 1 give a finite loss: ``log p`` is clamped at −100 as in
    PyTorch (that term then passes no gradient).
    """
    preds = _batch(preds, "binary_cross_entropy")
    targets = _batch(targets, "binary_cross_entropy", "target")
    _check_lengths(preds, targets, "binary_cross_entropy")
    losses = []
    for i, (p, y) in enumerate(zip(preds, targets)):
        y = checks.real(y, f"target {i}", "binary_cross_entropy", low=0, high=1, example=1)
        p = _value(p)
        if from_logits:
            losses.append(softplus(p) - p * y)
            continue
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: predictions must be probabilities in [0, 1], got "
                f"{p.data!r}; apply a sigmoid first, or pass logits with from_logits=True"
            )
        loss = None
        if y > 0:
            loss = _clamped_log(p) * -y
        if y < 1:
            term = _clamped_log(1 - p) * -(1 - y)
            loss = term if loss is None else loss + term
        losses.append(loss)
    return _reduce(losses, targets, weights, reduction, "binary_cross_entropy")


def _clamped_log(p: Value) -> Value:
    if p.data > math.exp(LOG_CLAMP):
        return p.log()
    # −100 with a zero derivative, still attached to p (as torch's clamp): a loss made only
    # of clamped terms is still a loss one can call backward() on.
    return p * 0.0 + LOG_CLAMP


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """``zᵢ − log Σ exp zⱼ``, with the max subtracted first so no exp overflows."""
    logits = [_value(z) for z in logits]
    shift = max(z.data for z in logits)
    log_total = autograd.sum([(z - shift).exp() for z in logits]).log() + shift
    return [z - log_total for z in logits]


def cross_entropy(logits, target_indices, *, reduction: str = "mean",
                  weights: Weights = None) -> Value:
    """Softmax cross-entropy ``−log softmax(z)[t]`` from raw scores (``nn.CrossEntropyLoss``).

    Args:
        logits: one list of class scores per sample (or one list for a single sample).
        target_indices: the true class index of each sample.
        reduction, weights: see the module docs (per-class weights: ``{index: weight}``).

    Example::

        >>> from autograd import Value
        >>> round(cross_entropy([[Value(2.0), Value(0.0)]], [0]).data, 4)
        0.1269
    """
    if logits and isinstance(logits, (list, tuple)) and not isinstance(logits[0],
                                                                       (list, tuple)):
        targets_seen = [target_indices] if isinstance(target_indices, numbers.Integral) \
            else target_indices
        if len(targets_seen) != 1:
            raise ValueError(
                f"cross_entropy: got {len(logits)} single scores for {len(targets_seen)} targets; "
                "it needs one list of class scores per sample (a model with one output per "
                "class). For a single output, use binary_cross_entropy(from_logits=True)."
            )
        logits = [logits]
    logits = _batch(logits, "cross_entropy")
    targets = _batch(target_indices, "cross_entropy", "target")
    _check_lengths(logits, targets, "cross_entropy")
    losses = []
    indices = []
    for scores, t in zip(logits, targets):
        if isinstance(t, bool) or not isinstance(t, numbers.Integral) or \
                not 0 <= t < len(scores):
            raise ValueError(
                f"cross_entropy: target {t!r} is not a class index in 0..{len(scores) - 1}; "
                "targets are integer class labels, one per sample"
            )
        t = operator.index(t)
        indices.append(t)
        losses.append(-log_softmax(scores)[t])
    targets = indices
    return _reduce(losses, targets, weights, reduction, "cross_entropy")


def hinge(scores, targets, *, reduction: str = "mean", weights: Weights = None) -> Value:
    """The max-margin loss ``max(0, 1 − y·s)`` for labels y ∈ {−1, +1} (micrograd's demo)."""
    scores = _batch(scores, "hinge")
    targets = _batch(targets, "hinge", "target")
    _check_lengths(scores, targets, "hinge")
    for y in targets:
        if y not in (-1, 1):
            raise ValueError(
                f"hinge: targets must be -1 or +1, got {y!r}; convert 0/1 labels with 2*y - 1"
            )
    losses = [(1 - _value(s) * y).relu() for s, y in zip(scores, targets)]
    return _reduce(losses, targets, weights, reduction, "hinge")


LOSSES = {
    "mse": mse,
    "mae": mae,
    "binary_cross_entropy": binary_cross_entropy,
    "bce": binary_cross_entropy,
    "bce_with_logits": partial(binary_cross_entropy, from_logits=True),
    "cross_entropy": cross_entropy,
    "hinge": hinge,
}


def get(loss):
    """The loss function for a name or the function itself (``ValueError`` if unknown)."""
    return lookup(LOSSES, loss, "loss", "a function (predictions, targets) -> Value")


# --- one sample's loss, for the replay engine ------------------------------------------------
# The losses above take a batch and may choose their graph from the numbers (the target's
# class, a clamp, the softmax's shift). To replay one sample's graph over a batch
# (autograd.trace), each loss also has a form of one sample whose graph is the same for every
# sample: targets are inputs (one-hot for classes) and the choices are ops. Its values and
# gradients are the batch form's, up to the order of additions (tests/nn_lib/test_fit_replay).
def _detached_max_forward(xs):
    return max(xs)


def _detached_max_array(xs):
    return np.maximum.reduce(list(xs))


SHIFT = autograd.Op("max", lambda out, xs: (0.0,) * len(xs), inputs="all",
                    forward=_detached_max_forward, masks=True, ieee=_detached_max_array,
                    math="the largest input, passing no gradient (log-sum-exp's shift, as "
                         "the number max(z.data) in log_softmax)", derivative=("0",))


def _clamped_log_forward(x, low):
    return math.log(x) if x > math.exp(low) else low


def _clamped_log_array(x, low):
    tiny = math.exp(low)
    return np.where(x > tiny, np.log(np.maximum(x, tiny)), low)


def _clamped_log_rule(out, x, low):
    tiny = math.exp(low)
    if isinstance(x, np.ndarray):
        return (np.where(x > tiny, 1.0 / np.maximum(x, tiny), 0.0),)
    return (1.0 / x if x > tiny else 0.0,)


CLAMPED_LOG = autograd.Op("log", _clamped_log_rule, params=(LOG_CLAMP,),
                          forward=_clamped_log_forward, masks=True, ieee=_clamped_log_array,
                          math="max(ln x, −100) as _clamped_log: ∂/∂x = 1/x, 0 where clamped",
                          derivative=("1/{x} if {x} > exp({p0}) else 0",))


def _items(v) -> list:
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _sample_regression(term, reduction: str):
    def per_sample(output, target) -> Value:
        terms = [term(o, t) for o, t in zip(_items(output), _items(target))]
        if len(terms) == 1:
            return terms[0]
        total = autograd.sum(terms)
        return total / len(terms) if reduction == "mean" else total
    return per_sample


def _sample_bce(p, y) -> Value:
    p = _items(p)[0]
    return autograd.apply(CLAMPED_LOG, p) * -y + autograd.apply(CLAMPED_LOG, 1 - p) * -(1 - y)


def _sample_bce_with_logits(z, y) -> Value:
    z = _items(z)[0]
    return softplus(z) - z * y


def _sample_cross_entropy(logits, one_hot) -> Value:
    logits = _items(logits)
    shift = autograd.apply(SHIFT, *logits)
    log_total = autograd.sum([(z - shift).exp() for z in logits]).log() + shift
    return -(autograd.dot(logits, _items(one_hot)) - log_total)


def _sample_hinge(s, y) -> Value:
    return (1 - _items(s)[0] * y).relu()


def one_hot(labels: Sequence[int], classes: int) -> np.ndarray:
    """Class indices as rows of a ``(N, classes)`` array: ``eᵢ[k] = [k = labels[i]]``.

    Raises:
        ValueError: a label is not an index in ``0..classes-1``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or \
            (labels.size and (labels.min() < 0 or labels.max() >= classes)):
        raise ValueError(f"cross_entropy: targets must be class indices in 0..{classes - 1}, "
                         f"one per sample; got {labels.tolist()[:10]}")
    return np.eye(classes)[labels]


def sample_loss(loss: str, reduction: str = "mean"):
    """One sample's form of the named loss, ``per_sample(output, target) -> Value``, whose
    graph is the same for every sample (for ``autograd.trace``): the batch loss is the mean
    (``reduction="mean"``) or the sum of ``per_sample`` over the samples. Cross-entropy takes
    the target one-hot (:func:`one_hot`).

    Returns:
        The function, or ``None`` for a name without one (or a function: trace it as it is).
    """
    if not isinstance(loss, str):
        return None
    forms = {
        "mse": _sample_regression(lambda o, t: (o - t) ** 2, reduction),
        "mae": _sample_regression(lambda o, t: abs(o - t), reduction),
        "binary_cross_entropy": _sample_bce,
        "bce": _sample_bce,
        "bce_with_logits": _sample_bce_with_logits,
        "cross_entropy": _sample_cross_entropy,
        "hinge": _sample_hinge,
    }
    return forms.get(loss)
