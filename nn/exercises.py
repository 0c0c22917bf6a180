"""Exercises with feedback: ``check(exercise_id, answer)`` compares an answer with the engine.

An answer is a number, a tuple of numbers, or a function (a formula such as ``σ′(z)``, or a
whole hand-written backward pass returning gradients). The checker

1. draws **fresh random inputs** several times (``Exercise.draws``; a number answer has one,
   fixed, question),
2. computes the **reference** with the engine (``autograd``/``nn``) on each draw — never a
   stored number,
3. compares part by part with ``|answer − reference| ≤ atol + rtol·|reference|``
   (``rtol = 1e-6``, ``atol = 1e-9``),
4. when a part is wrong, looks for the **typical mistake** it matches on every draw (a missing
   mean, a sign, σ′ written as σ, …) and answers with that mistake's hint — otherwise with a
   generic one. No message ever shows the reference's numbers.

An unanswered stub — ``...``, ``None``, a function whose body is ``...`` (it returns ``None``)
or that raises ``NotImplementedError`` — gets a friendly "not answered yet" instead of an error,
so a lesson runs top to bottom before the learner has written anything.

The exercises themselves (statement, reference, inputs, typical mistakes) live in
:mod:`nn.exercise_bank`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from nn.exercise_bank import EXERCISES
from nn.exercise_record import Exercise

RTOL = 1e-6
ATOL = 1e-9


@dataclass
class CheckResult:
    """What ``check`` found: a status and the lines a learner reads (no reference numbers)."""

    exercise: Exercise
    status: str  # "unanswered", "correct", "wrong", "error"
    lines: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        """True when every part matches the engine on every draw."""
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    _MARK: ClassVar[dict[str, str]] = {
        "unanswered": "…", "correct": "✓", "wrong": "✗", "error": "✗"}
    _HEAD: ClassVar[dict[str, str]] = {
        "unanswered": "not answered yet", "correct": "correct",
        "wrong": "not yet right", "error": "your answer raised an error"}
    _COLOUR: ClassVar[dict[str, str]] = {
        "unanswered": "#555555", "correct": "#1a7f37", "wrong": "#b35900", "error": "#b31d28"}

    def __str__(self) -> str:
        head = f"{self._MARK[self.status]} {self.exercise.id} — {self.exercise.title}: " \
               f"{self._HEAD[self.status]}"
        return "\n".join([head] + [f"  • {line}" for line in self.lines])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = self._COLOUR[self.status]
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines)
        return (f'<div style="max-width:680px;font-size:15px;line-height:1.45;'
                f'border-left:5px solid {colour};padding:6px 12px;margin:4px 0">'
                f'<div style="font-weight:bold;color:{colour}">'
                f'{self._MARK[self.status]} {html.escape(self.exercise.id)} — '
                f'{html.escape(self.exercise.title)}: {self._HEAD[self.status]}</div>'
                + (f'<ul style="margin:4px 0 0 0;padding-left:20px">{items}</ul>' if items else "")
                + "</div>")


def _is_stub(answer: object) -> bool:
    return answer is None or answer is Ellipsis


def _as_parts(value: object, parts: Sequence[str]) -> list[Any]:
    if len(parts) == 1:
        return [value]
    if isinstance(value, Mapping):
        return [value.get(p) for p in parts]
    if not isinstance(value, (tuple, list)) or len(value) != len(parts):
        raise _ShapeError(f"give {len(parts)} values, in this order: {', '.join(parts)}")
    return list(value)


class _ShapeError(Exception):
    pass


def close(answer: object, reference: object, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """``|answer − reference| ≤ atol + rtol·|reference|`` elementwise, same shape; False when
    the answer is not numeric, has the wrong shape, or is NaN."""
    try:
        a = np.asarray(getattr(answer, "data", answer), dtype=float)
        r = np.asarray(reference, dtype=float)
    except (TypeError, ValueError):
        return False
    if a.shape != r.shape:
        a = a.squeeze() if a.size == r.size == 1 else a
        r = r.squeeze() if a.size == r.size == 1 else r
        if a.shape != r.shape:
            return False
    return bool(np.all(np.abs(a - r) <= atol + rtol * np.abs(r)))


def _shape_hint(answer: object, reference: object) -> str | None:
    try:
        a = np.shape(np.asarray(answer, dtype=float))
        r = np.shape(np.asarray(reference, dtype=float))
    except (TypeError, ValueError):
        return f"it should be a number or an array of numbers, got a {type(answer).__name__}"
    if a != r and not (math.prod(a) == math.prod(r) == 1):
        return f"its shape is {a}, the engine's is {r}"
    return None


def check(exercise_id: str, answer: object, *, seed: int | None = None) -> CheckResult:
    """Check ``answer`` to the exercise ``exercise_id`` against the engine.

    Each call draws ``Exercise.draws`` fresh input sets (``seed`` makes them repeatable) and
    compares every part with ``rtol = 1e-6``. Returns a :class:`CheckResult`, shown as a
    coloured box in Jupyter and as text elsewhere; it never raises because of the answer.

    Raises:
        KeyError: ``exercise_id`` is not in :data:`nn.exercise_bank.EXERCISES` (the message
            lists the known ids).
    """
    if exercise_id not in EXERCISES:
        raise KeyError(f"check: exercise_id must be one of {sorted(EXERCISES)}, "
                       f"got {exercise_id!r}; for example check('{next(iter(EXERCISES))}', ...)")
    ex = EXERCISES[exercise_id]
    if _is_stub(answer):
        return CheckResult(ex, "unanswered",
                           ["replace the ... with your answer, then run this cell again"])
    if ex.kind == "function" and not callable(answer):
        return CheckResult(ex, "error", ["the answer should be a function, "
                                         f"got a {type(answer).__name__}"])
    rng = np.random.default_rng(seed)
    draws = 1 if ex.kind == "value" else ex.draws
    wrong_on: dict[str, int] = {p: 0 for p in ex.parts}
    answers: list[list[Any]] = []
    inputs_seen: list[dict[str, Any]] = []
    references: list[Mapping[str, Any]] = []
    shape_notes: dict[str, str] = {}
    for _ in range(draws):
        inputs = ex.inputs(rng)
        reference = ex.reference(**_copy(inputs))
        if ex.kind == "function" and callable(answer):
            try:
                value = answer(**_copy(inputs))
            except NotImplementedError:
                return CheckResult(ex, "unanswered", [
                    "your function still raises NotImplementedError: write its body, "
                    "then run this cell again"])
            except Exception as error:  # the learner's code: report, never raise
                return CheckResult(ex, "error", [
                    f"{type(error).__name__}: {error}",
                    f"it was called with the arguments {', '.join(inputs)}"])
            if _is_stub(value):
                return CheckResult(ex, "unanswered", ["your function returns None: write its body "
                                                      "(and its return), then run this cell again"])
        else:
            value = answer
        try:
            given = _as_parts(value, ex.parts)
        except _ShapeError as error:
            return CheckResult(ex, "wrong", [str(error)])
        for part, g in zip(ex.parts, given):
            if _is_stub(g):
                return CheckResult(ex, "unanswered", [f"{part} is not answered yet"])
            if not close(g, reference[part]):
                wrong_on[part] += 1
                note = _shape_hint(g, reference[part])
                if note:
                    shape_notes[part] = note
        answers.append(given)
        inputs_seen.append(inputs)
        references.append(reference)
    if not any(wrong_on.values()):
        what = "your answer matches the engine" if draws == 1 else \
            f"your answer matches the engine on {draws} random draws"
        return CheckResult(ex, "correct", [what])
    lines = []
    for index, part in enumerate(ex.parts):
        if not wrong_on[part]:
            lines.append(f"{part}: right")
            continue
        if part in shape_notes:
            lines.append(f"{part}: {shape_notes[part]}")
            continue
        hint = _matching_mistake(ex, part, [a[index] for a in answers], inputs_seen)
        if hint is None:
            hint = _scale_hint([a[index] for a in answers], [r[part] for r in references])
        if hint is None:
            where = "" if draws == 1 else f" on {wrong_on[part]} of {draws} random draws"
            hint = f"differs from the engine{where}; go back to the chain rule, factor by factor"
        lines.append(f"{part}: {hint}")
    return CheckResult(ex, "wrong", lines)


def _matching_mistake(ex: Exercise, part: str, given: list[Any],
                      inputs_seen: list[dict[str, Any]]) -> str | None:
    for mistake in ex.mistakes:
        if mistake.part != part:
            continue
        if all(close(g, mistake.wrong(**_copy(i))) for g, i in zip(given, inputs_seen)):
            return mistake.hint
    return None


def _scale_hint(given: list[Any], references: list[Any]) -> str | None:
    """"right up to its sign" or "up to a constant factor" when answer = k × reference on every
    draw, the same k ≠ 1 each time. k itself is not shown: with the answer, it would give the
    reference away."""
    ratios = []
    for g, r in zip(given, references):
        try:
            a = np.ravel(np.asarray(getattr(g, "data", g), dtype=float))
            b = np.ravel(np.asarray(r, dtype=float))
        except (TypeError, ValueError):
            return None
        if a.shape != b.shape or not np.all(np.isfinite(a)):
            return None
        mask = np.abs(b) > ATOL
        if not mask.any() or not np.allclose(a[~mask], 0, atol=ATOL):
            return None
        ratios.extend((a[mask] / b[mask]).tolist())
    if not ratios or not np.allclose(ratios, ratios[0], rtol=RTOL) or abs(ratios[0]) < ATOL:
        return None
    k = ratios[0]
    if math.isclose(k, -1.0, rel_tol=RTOL):
        return "right up to its sign: check the sign of each factor"
    return "right up to a constant factor, the same on every draw: look for a constant too " \
           "many or missing (a 2, a 1/N, a learning rate)"


def _copy(inputs: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the inputs, so an answer that changes its arguments cannot change the
    reference's."""
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}


def statement(exercise_id: str) -> str:
    """The exercise's statement, as its lesson poses it."""
    return EXERCISES[exercise_id].statement
