"""Losses: one :class:`Loss` record per loss, and the batch functions built from them.

A loss compares a model's outputs on a batch with the targets and returns one Value, named as
the course writes it — the loss ``L``, each sample's term ``ℓᵢ`` (1-based), their sum ``Σᵢℓᵢ``
(labels a user may overwrite; one per sample, none per neuron)::

    L = (1/N) Σᵢ ℓ(ŷᵢ, yᵢ)    (reduction="mean", the default)     or     Σᵢ ℓ(ŷᵢ, yᵢ)    ("sum")

Each loss is one record (``nn.losses.get("bce")``) holding

* ``formula`` — ℓ(ŷ, y) for one sample, written once. The batch functions (:func:`mse`,
  :func:`cross_entropy`, …) build ℓᵢ for every sample and reduce them (:meth:`Loss.__call__`);
  the replay engine traces ℓ of one sample (:meth:`Loss.per_sample`) and runs that graph over
  whole batches. Given its target as a number, ℓ may take a shortcut the number allows — the
  true class's score picked by index, a term multiplied by an exact 0 left out; given it as a
  Value (replay's trace), it records the same graph for every sample.
* the reduction (mean or sum) and the weights, below;
* ``decide`` — outputs → class labels, on numpy arrays (``None`` for a regression loss);
* the targets it accepts (each checked, the bad one named) and their array form for replay
  (:meth:`Loss.encode`: one-hot rows for cross-entropy).

Weights, for imbalanced data: a sequence (one weight per sample) or a dict
``{class: weight}`` (per class, looked up by each sample's target). With per-class weights
the mean is the weighted mean ``Σ wᵢℓᵢ / Σ wᵢ`` (as ``torch.nn.CrossEntropyLoss``); with
per-sample weights it is ``Σ wᵢℓᵢ / N`` (as ``torch.nn.BCELoss(weight=...)``).

**A loss of your own** has one calling convention everywhere (``fit``, ``evaluate``, the
estimators, the replay engine, ``draw_network``): ``loss(outputs, targets) -> Value`` —
``outputs`` the model's outputs for a batch (one per sample), ``targets`` theirs, and the
result the batch's *mean* loss, built from Value operations. Or give ℓ of one sample and let
a record do the rest: ``Loss("quartic", lambda out, y: (out - y) ** 4)``.

**Adding a built-in loss:** the checklist in ARCHITECTURE.md ("Adding a loss"), which
``tests/nn_lib/test_add_a_loss.py`` runs with a new loss.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Number, Value

from . import checks

Weights = Sequence[Number] | Mapping[object, Number] | None
LOG_CLAMP = -100.0  # PyTorch's BCELoss clamps log(p) to ≥ -100, so p = 0 gives a finite loss
REDUCTIONS = ("mean", "sum")


# --- batches: lists of predictions and targets, checked ----------------------------------------
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


def _flatten(preds: list, targets: list, what: str) -> tuple[list, list]:
    """Multi-output predictions (a list per sample) as one list of numbers each (a single
    output's target may be a list of one)."""
    _check_lengths(preds, targets, what)
    if isinstance(preds[0], (list, tuple)) or isinstance(targets[0], (list, tuple)):
        flat_p, flat_t = [], []
        for p, t in zip(preds, targets):
            p, t = _items(p), _items(t)
            _check_lengths(p, t, what)
            flat_p += p
            flat_t += t
        return flat_p, flat_t
    return preds, targets


def _reduce(losses: list[Value], targets: list, weights: Weights, reduction: str,
            what: str) -> Value:
    """The batch loss from the per-sample terms ℓᵢ: ``Σ ℓᵢ / N`` or ``Σ ℓᵢ``, weighted
    ``Σ wᵢℓᵢ / Σ wᵢ`` (per class) or ``Σ wᵢℓᵢ / N`` (per sample). Its result is the final
    node of every built-in batch loss."""
    if reduction not in REDUCTIONS:
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


def _value(p) -> Value:
    return p if isinstance(p, Value) else autograd.constant(p)


def _items(v) -> list:
    return list(v) if isinstance(v, (list, tuple)) else [v]


# --- the record -----------------------------------------------------------------------------------
class Loss:
    """One loss: its formula for one sample, its reduction, its decision and its targets.

    Args:
        name: the name ``fit(loss=...)`` and :func:`get` know it by (and error messages use).
        formula: ℓ(output, target) of one sample → Value, built from Value operations. With
            ``elementwise=True``, ℓ of one output number (a multi-output sample averages
            or sums its outputs' terms, as the batch's reduction does).
        decide: the class labels of a batch of outputs, on arrays: ``(N,)`` outputs (one per
            sample) → ``(N,)`` labels; ``(N, k)`` → ``(N,)`` for one score per class, or
            ``(N, k)`` for k binary decisions; ``None`` for a regression loss.
        check_target: ``check_target(y, i, n_outputs, what) -> y`` checks target ``i`` (and
            may convert it, e.g. to a float); raises ``ValueError`` naming it.
        check_output: ``check_output(p, what)`` checks one prediction (a Value).
        one_hot: replay encodes the targets as one-hot rows (class indices in, ``(N, k)`` out).
        elementwise: ``formula`` compares one output number with one target number; a
            sample with several outputs (lists) counts each, as PyTorch's losses do.
        aliases: other names for :func:`get`.

    Calling the record is the batch loss: ``loss(outputs, targets, reduction=..., weights=...)``.

    Example (a loss of your own, from its per-sample formula)::

        >>> from autograd import Value
        >>> quartic = Loss("quartic", lambda out, y: (out - y) ** 4)
        >>> quartic([Value(1.0), Value(3.0)], [0.0, 1.0]).data   # (1 + 16) / 2
        8.5
    """

    def __init__(self, name: str, formula: Callable[[Any, Any], Value], *,
                 decide: Callable[[np.ndarray], np.ndarray] | None = None,
                 check_target: Callable[[Any, int, int, str], Any] | None = None,
                 check_output: Callable[[Value, str], None] | None = None,
                 one_hot: bool = False, elementwise: bool = False,
                 aliases: tuple[str, ...] = ()) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Loss: name must be a non-empty str, got {name!r}")
        if not callable(formula):
            raise TypeError(f"Loss: formula must be a function (output, target) -> Value, "
                            f"got {type(formula).__name__}")
        self.name, self.formula, self.decide = name, formula, decide
        self.check_target, self.check_output = check_target, check_output
        self.one_hot, self.elementwise, self.aliases = one_hot, elementwise, aliases
        self.batch_function: Callable | None = None  # set by from_function

    @classmethod
    def from_function(cls, fn: Callable[[list, list], Value]) -> Loss:
        """The record of a loss given as ``fn(outputs, targets) -> Value`` (the batch's mean):
        its batch form is ``fn`` itself, its one-sample form ``fn([output], [target])``."""
        record = cls(getattr(fn, "__name__", "loss"), lambda out, y: fn([out], [y]))
        record.batch_function = fn
        return record

    @property
    def custom(self) -> bool:
        """Whether this record wraps a function given as ``loss(outputs, targets)``."""
        return self.batch_function is not None

    def __repr__(self) -> str:
        return f"<Loss {self.name!r}>"

    # --- the batch --------------------------------------------------------------------------
    def __call__(self, outputs, targets, *, reduction: str = "mean",
                 weights: Weights = None) -> Value:
        """The batch loss ``L = (1/N) Σᵢ ℓᵢ`` (or the sum, or the weighted mean): each
        ``ℓᵢ = formula(outputᵢ, targetᵢ)``, then :func:`_reduce`.

        Raises:
            ValueError: lengths that differ, an empty batch, a bad target (named), a bad
                reduction or weights.
            FloatingPointError: a prediction is NaN or infinite.
        """
        if self.batch_function is not None:
            if reduction != "mean" or weights is not None:
                raise TypeError(f"{self.name}: a loss given as a function has its own "
                                f"reduction and weights, got reduction={reduction!r}, "
                                f"weights={weights!r}; call it without them, or build "
                                "Loss(name, formula) from its one-sample formula to get them")
            return self.batch_function(outputs, targets)
        what = self.name
        if self.one_hot:
            outputs = _lone_sample(outputs, targets, what)
        outputs, targets = _batch(outputs, what), _batch(targets, what, "target")
        if self.elementwise:
            outputs, targets = _flatten(outputs, targets, what)
        else:
            _check_lengths(outputs, targets, what)
        terms = []  # ℓᵢ, one per sample (per output number for an elementwise loss)
        for i, (p, y) in enumerate(zip(outputs, targets)):
            if self.check_target is not None:
                y = self.check_target(y, i, len(p) if isinstance(p, list) else 1, what)
            if self.check_output is not None:
                self.check_output(_value(p), what)
            terms.append(self.formula(p, y))
        return _reduce(terms, targets, weights, reduction, what)

    # --- one sample, for the replay engine ----------------------------------------------------
    def per_sample(self, output, target, reduction: str = "mean") -> Value:
        """ℓ of one sample, the function the replay engine traces: the batch loss is the
        mean (``reduction="mean"``) or the sum of ``per_sample`` over the samples. The
        target is in :meth:`encode`'s form (cross-entropy: a one-hot row)."""
        if not self.elementwise:
            return self.formula(output, target)
        terms = [self.formula(o, t) for o, t in zip(_items(output), _items(target))]
        if len(terms) == 1:
            return terms[0]
        total = autograd.sum(terms)
        return total / len(terms) if reduction == "mean" else total

    def encode(self, targets: Sequence, n_outputs: int, who: str = "fit") -> np.ndarray:
        """The targets as the array the replay engine feeds its trace: ``(N,)`` or
        ``(N, k)`` floats, one-hot rows for a one-hot loss; each target checked.

        Raises:
            ValueError: a target this loss does not accept (named by index), or targets
                that are not numbers.
        """
        what = f"{who}: {self.name}"
        try:
            array = np.asarray(targets)
        except ValueError:  # ragged
            array = np.asarray(["ragged"])
        if array.dtype.kind != "b" and any(type(t) in (bool, np.bool_) for t in targets):
            array = np.asarray(["a bool"])  # numpy would read True as 1: let the check say no
        if not _plainly_valid(self, array, n_outputs):  # then name the first bad target
            targets = list(targets)
            if self.check_target is not None:
                targets = [self.check_target(checks.plain(t), i, n_outputs, what)
                           for i, t in enumerate(targets)]
            try:
                array = np.asarray(targets, dtype=int if self.one_hot else float)
            except (TypeError, ValueError):
                raise ValueError(f"{what}: engine='replay' needs numeric targets (a number "
                                 f"or a list of numbers per sample), got {targets[:3]!r}…; "
                                 "encode the labels as numbers, or use engine='scalar'"
                                 ) from None
        if self.one_hot:
            return np.eye(n_outputs)[array]
        return array.astype(float)

    def labels(self, outputs: np.ndarray | Sequence) -> np.ndarray | None:
        """``decide`` applied to a batch of outputs (``None`` for a regression loss)."""
        return None if self.decide is None else self.decide(np.asarray(outputs, dtype=float))


def _lone_sample(logits, targets, what: str):
    """One sample's class scores (a flat list) as a batch of one; refused with several
    targets (then the model has one output, not one per class)."""
    if logits and isinstance(logits, (list, tuple)) and not isinstance(logits[0],
                                                                       (list, tuple)):
        seen = [targets] if isinstance(targets, numbers.Integral) else targets
        if len(seen) != 1:
            raise ValueError(
                f"{what}: got {len(logits)} single scores for {len(seen)} targets; "
                "it needs one list of class scores per sample (a model with one output per "
                "class). For a single output, use binary_cross_entropy(from_logits=True)."
            )
        return [logits]
    return logits


def _plainly_valid(record: Loss, targets: np.ndarray, n_outputs: int) -> bool:
    """Whether every target is plainly one the loss accepts, checked on the whole array at
    once (ints or floats only: a bool or a string goes through the per-target check)."""
    if targets.dtype.kind not in "if" or not np.isfinite(targets).all():
        return False
    check = record.check_target
    if check is _class_index:
        return targets.dtype.kind == "i" and targets.ndim == 1 and \
            bool(((targets >= 0) & (targets < n_outputs)).all())
    if check is _probability_target:
        return bool(((targets >= 0) & (targets <= 1)).all())
    if check is _plus_minus_one:
        return bool(np.isin(targets, (-1, 1)).all())
    return check is None


# --- the formulas ℓ(output, target) ------------------------------------------------------------
def _squared_error(p, y) -> Value:
    """ℓ = (ŷ − y)², ∂ℓ/∂ŷ = 2(ŷ − y)."""
    return (p - y) ** 2


def _absolute_error(p, y) -> Value:
    """ℓ = |ŷ − y|, ∂ℓ/∂ŷ = sign(ŷ − y) (0 at 0)."""
    return abs(_value(p) - y)


def clamped_log(x: Value) -> Value:
    """``max(ln x, −100)`` as one node (``CLAMPED_LOG``): ∂/∂x = 1/x, and 0 where clamped —
    PyTorch's BCELoss clamp, so p = 0 gives a finite loss that passes no gradient."""
    return autograd.apply(CLAMPED_LOG, x)


def _bce(p, y) -> Value:
    """ℓ = −(y·log p + (1 − y)·log(1 − p)), each log clamped at −100 (:func:`clamped_log`).

    A target given as a number that makes a coefficient exactly 0 (a hard 0/1 label) leaves
    that term out: it would add exactly 0, value and gradient."""
    p = _value(p)
    q = 1 - y
    if not isinstance(y, Value) and y == 0:  # a hard label 0: only the log(1 − p) term
        return clamped_log(1 - p) * -q
    if not isinstance(q, Value) and q == 0:  # a hard label 1: only the log p term
        return clamped_log(p) * -y
    return clamped_log(p) * -y + clamped_log(1 - p) * -q


def _bce_with_logits(z, y) -> Value:
    """ℓ = softplus(z) − y·z = log(1 + eᶻ) − y·z: BCE of σ(z), without saturating; ∂ℓ/∂z =
    σ(z) − y."""
    z = _value(z)
    return softplus(z) - z * y


def _log_total(logits: list[Value], shift) -> Value:
    """``log Σₖ exp zₖ`` computed as ``m + log Σₖ exp(zₖ − m)``: no exp overflows."""
    return autograd.sum([(z - shift).exp() for z in logits]).log() + shift


def _cross_entropy(logits, target) -> Value:
    """ℓ = log Σₖ exp zₖ − z_t = −log softmax(z)_t, for a class index t; ∂ℓ/∂zₖ =
    softmax(z)ₖ − [k = t].

    With a one-hot row y (replay's encoding) the true score is ``Σₖ yₖzₖ`` and the shift
    ``m = max zₖ`` an op passing no gradient (:data:`SHIFT`), so the graph is the same for
    every sample; with an index, the score is picked and m is a number."""
    z = [_value(v) for v in _items(logits)]
    shift: float | Value
    if isinstance(target, numbers.Integral):
        shift, true_score = max(v.data for v in z), z[target]
    else:
        shift, true_score = autograd.apply(SHIFT, *z), autograd.dot(z, _items(target))
    return -(true_score - _log_total(z, shift))


def _hinge(s, y) -> Value:
    """ℓ = max(0, 1 − y·s) for y ∈ {−1, +1}: the max-margin loss (micrograd's demo)."""
    return (1 - _value(s) * y).relu()


# --- the targets each loss accepts ------------------------------------------------------------
def _probability_target(y, i: int, n_outputs: int, what: str) -> float:
    return checks.real(y, f"target {i}", what, low=0, high=1, example=1)


def _probability(p: Value, what: str) -> None:
    if not 0.0 <= p.data <= 1.0:
        raise ValueError(
            f"{what}: predictions must be probabilities in [0, 1], got {p.data!r}; apply a "
            "sigmoid first, or pass logits with from_logits=True"
        )


def _class_index(t, i: int, n_outputs: int, what: str) -> int:
    index = -1 if isinstance(t, bool) or not isinstance(t, numbers.Integral) \
        else operator.index(t)
    if not 0 <= index < n_outputs:
        raise ValueError(f"{what}: target {t!r} is not a class index in 0..{n_outputs - 1}; "
                         "targets are integer class labels, one per sample")
    return index


def _plus_minus_one(y, i: int, n_outputs: int, what: str):
    if isinstance(y, bool) or y not in (-1, 1):
        raise ValueError(f"{what}: targets must be -1 or +1, got {y!r}; convert 0/1 labels "
                         "with 2*y - 1")
    return y


# --- decisions: outputs → class labels, on arrays ----------------------------------------------
def _at_least(threshold: float) -> Callable[[np.ndarray], np.ndarray]:
    def decide(outputs: np.ndarray) -> np.ndarray:
        """1 where the output is ≥ the threshold, else 0 (each output: multi-label too)."""
        return (outputs >= threshold).astype(int)
    return decide


def _sign(outputs: np.ndarray) -> np.ndarray:
    """+1 where the score is > 0, else −1."""
    return np.where(outputs > 0, 1, -1)


def _argmax(outputs: np.ndarray) -> np.ndarray:
    """The index of the largest score per row (the first one on ties)."""
    if outputs.ndim != 2:
        raise ValueError(f"cross_entropy decides from one score per class, but the outputs "
                         f"have shape {outputs.shape}")
    return outputs.argmax(axis=1)


# --- the records --------------------------------------------------------------------------------
MSE = Loss("mse", _squared_error, elementwise=True)
MAE = Loss("mae", _absolute_error, elementwise=True)
BCE = Loss("binary_cross_entropy", _bce, decide=_at_least(0.5),
           check_target=_probability_target, check_output=_probability, elementwise=True,
           aliases=("bce",))
BCE_WITH_LOGITS = Loss("bce_with_logits", _bce_with_logits, decide=_at_least(0.0),
                       check_target=_probability_target, elementwise=True)
CROSS_ENTROPY = Loss("cross_entropy", _cross_entropy, decide=_argmax,
                     check_target=_class_index, one_hot=True)
HINGE = Loss("hinge", _hinge, decide=_sign, check_target=_plus_minus_one, elementwise=True)

# Every name and alias, in one place.
LOSSES: dict[str, Loss] = {name: record
                           for record in (MSE, MAE, BCE, BCE_WITH_LOGITS, CROSS_ENTROPY, HINGE)
                           for name in (record.name, *record.aliases)}


def get(loss: str | Loss | Callable) -> Loss:
    """The :class:`Loss` record for a name (or alias: ``"bce"``), a record itself, or a
    function ``loss(outputs, targets) -> Value`` (wrapped: :meth:`Loss.from_function`).

    Raises:
        ValueError: an unknown name (the known ones are listed).
    """
    if isinstance(loss, Loss):
        return loss
    if callable(loss):
        return Loss.from_function(loss)
    try:
        return LOSSES[loss]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {loss!r}; use one of {', '.join(LOSSES)} or a "
                         "function (outputs, targets) -> Value (the batch's mean)") from None


# --- the batch functions ------------------------------------------------------------------------
def mse(preds, targets, *, reduction: str = "mean", weights: Weights = None) -> Value:
    """Mean squared error ``(1/N) Σᵢ (ŷᵢ − yᵢ)²`` (multi-output predictions: lists,
    averaged over every output of every sample).

    Example::

        >>> from autograd import Value
        >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
        2.5
    """
    return MSE(preds, targets, reduction=reduction, weights=weights)


def mae(preds, targets, *, reduction: str = "mean", weights: Weights = None) -> Value:
    """Mean absolute error ``(1/N) Σᵢ |ŷᵢ − yᵢ|`` (its derivative at 0 is taken as 0)."""
    return MAE(preds, targets, reduction=reduction, weights=weights)


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
    record = BCE_WITH_LOGITS if from_logits else BCE
    return record(preds, targets, reduction=reduction, weights=weights)


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
    return CROSS_ENTROPY(logits, target_indices, reduction=reduction, weights=weights)


def hinge(scores, targets, *, reduction: str = "mean", weights: Weights = None) -> Value:
    """The max-margin loss ``max(0, 1 − y·s)`` for labels y ∈ {−1, +1} (micrograd's demo)."""
    return HINGE(scores, targets, reduction=reduction, weights=weights)


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """``zᵢ − log Σ exp zⱼ``, with the max subtracted first so no exp overflows."""
    logits = [_value(z) for z in logits]
    log_total = _log_total(logits, max(z.data for z in logits))
    return [z - log_total for z in logits]


def stable_sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e⁻ˣ) for a float, without overflow at either end (the engine's op)."""
    return Value(x).sigmoid().data


def softplus(x: Value) -> Value:
    """``log(1 + eˣ)`` without overflow, as one node whose derivative is ``sigmoid(x)``."""
    return x.softplus()


def one_hot(labels: Sequence[int], classes: int) -> np.ndarray:
    """Class indices as rows of a ``(N, classes)`` array: ``eᵢ[k] = [k = labels[i]]``.

    Raises:
        ValueError: a label is not an index in ``0..classes-1``.
    """
    indices = np.asarray(labels)
    if indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer) or \
            (indices.size and (indices.min() < 0 or indices.max() >= classes)):
        raise ValueError(f"cross_entropy: targets must be class indices in 0..{classes - 1}, "
                         f"one per sample; got {indices.tolist()[:10]}")
    return np.eye(classes)[indices]


# --- the two ops the one-sample formulas need --------------------------------------------------
# So that ℓ records the same graph for every sample (autograd.trace), the choices the numbers
# would make — the clamp, the softmax's shift — are ops.
def _detached_max_forward(xs):
    top = max(xs)  # Python's max skips a NaN after the first item: NaN propagates, as torch's
    return math.nan if any(x != x for x in xs) else top


def _detached_max_array(xs):
    return np.maximum.reduce(list(xs))


def _torch_detached_max(xs):
    import torch  # the oracle tests' twin only

    return torch.stack([torch.as_tensor(x) for x in xs]).max().detach()


SHIFT = autograd.register_op(autograd.Op("max", lambda out, xs: (0.0,) * len(xs), inputs="all",
                    forward=_detached_max_forward, masks=True,
                    array_forward=_detached_max_array,
                    math="the largest input, passing no gradient (log-sum-exp's shift, as "
                         "the number max(z.data) in log_softmax)", derivative=("0",),
                    torch=_torch_detached_max, detached=True),
                              "nn.shift")


_TINY = math.exp(LOG_CLAMP)  # below it ln x < −100: the clamp holds


def _clamped_log_forward(x):
    if x > _TINY:
        return math.log(x)
    return x if x != x else LOG_CLAMP  # NaN stays NaN, as torch's clamp(log(x), min=-100)


def _clamped_log_array(x):
    return np.where(x > _TINY, np.log(np.maximum(x, _TINY)), np.where(x != x, x, LOG_CLAMP))


def _clamped_log_rule(out, x):
    if isinstance(x, np.ndarray):
        return (np.where(x > _TINY, 1.0 / np.maximum(x, _TINY), 0.0),)
    return (1.0 / x if x > _TINY else 0.0,)


def _torch_clamped_log(x):
    import torch  # the oracle tests' twin only

    flat = torch.where(torch.isnan(x), x.detach(), LOG_CLAMP)  # NaN stays NaN; no gradient
    return torch.where(x > _TINY, torch.log(torch.clamp(x, min=_TINY)), flat)


# No params, so it reads "log" in names and step sentences; the clamp is in its rule's text.
CLAMPED_LOG = autograd.register_op(
    autograd.Op("log", _clamped_log_rule, forward=_clamped_log_forward, masks=True,
                array_forward=_clamped_log_array,
                math="max(ln x, −100): ∂/∂x = 1/x, 0 where clamped",
                derivative=(f"1/{{x}} if {{x}} > exp({LOG_CLAMP:g}) else 0",),
                torch=_torch_clamped_log, domain=autograd.ops.POSITIVE, kinks=(_TINY,)),
    "nn.clamped_log")
