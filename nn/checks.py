"""Argument checks shared by nn: a bad argument is reported by its name, its value and the fix.

Every check accepts what Python numbers and lists accept *and* their numpy counterparts
(``np.int64``, ``np.float32``, arrays), by duck typing: numpy registers its scalars as
``numbers.Integral`` / ``numbers.Real``, and arrays are sequences. numpy is never imported.

* :class:`InvalidParameterError` — a hyper-parameter of the wrong type or out of range. As
  scikit-learn's, it is both a ``ValueError`` and a ``TypeError``.
* Data (``X``, ``y``) with NaN or ±inf raises ``ValueError`` naming the sample (and feature).
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
from collections.abc import Callable, Mapping, Sequence, Sized
from typing import Any, NoReturn, TypeGuard, TypeVar

import numpy as np

T = TypeVar("T", bound=Callable)


class InvalidParameterError(ValueError, TypeError):
    """An argument of the wrong type or out of its range (both a ``ValueError`` and a
    ``TypeError``, as scikit-learn's ``InvalidParameterError``)."""


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '≥'} {low}"
    if high is not None:
        return f"{'<' if high_open else '≤'} {high}"
    return ""


def fail(who: str, name: str, requirement: str, value: object,
         example: object = None) -> NoReturn:
    """Raise :class:`InvalidParameterError`: ``who: name must be requirement, got value``."""
    if example is None:
        fix = ""
    elif "[" in name or " " in name:  # an element ("betas[0]") or a description
        fix = f"; for example {example!r}"
    else:
        fix = f"; for example {name}={example!r}"
    raise InvalidParameterError(f"{who}: {name} must be {requirement}, got {value!r}{fix}")


def integer(value: object, name: str, who: str, *, low: int | None = None,
            high: int | None = None, example: object = None) -> int:
    """``value`` as a Python int in ``[low, high]`` (any ``numbers.Integral`` but bool).

    Raises:
        InvalidParameterError: not an integer (``2.5``, ``True``, ``"3"``) or out of range.
    """
    bounds = _interval(low, high, False, False)
    requirement = f"an int {bounds}".rstrip()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        fail(who, name, requirement, value, example)
    number = operator.index(value)
    if (low is not None and number < low) or (high is not None and number > high):
        fail(who, name, requirement, value, example)
    return number


def real(value: object, name: str, who: str, *, low: float | None = None,
         high: float | None = None, low_open: bool = False, high_open: bool = False,
         example: object = None) -> float:
    """``value`` as a finite float in the interval given (any ``numbers.Real`` but bool).

    ``low_open``/``high_open`` exclude the end points: ``low=0, low_open=True`` is ``> 0``.

    Raises:
        InvalidParameterError: not a number, NaN or ±inf, or out of range.
    """
    bounds = _interval(low, high, low_open, high_open)
    requirement = f"a finite number {bounds}".rstrip()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(who, name, requirement, value, example)
    number = float(value)
    if not math.isfinite(number):
        fail(who, name, requirement, value, example)
    if low is not None and (number <= low if low_open else number < low):
        fail(who, name, requirement, value, example)
    if high is not None and (number >= high if high_open else number > high):
        fail(who, name, requirement, value, example)
    return number


def flag(value: object, name: str, who: str) -> bool:
    """``value`` as a bool: ``True``/``False`` (numpy's bools too), nothing else.

    Raises:
        InvalidParameterError: anything else (``1``, ``"yes"``, ``None``).
    """
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        return bool(value)
    fail(who, name, "True or False", value)
    raise AssertionError  # unreachable: fail raises


def option(value: object, name: str, who: str, options: tuple[str, ...]) -> str:
    """``value`` when it is one of ``options`` (strings).

    Raises:
        InvalidParameterError: anything else; the message lists the options.
    """
    if isinstance(value, str) and value in options:
        return value
    fail(who, name, "one of " + ", ".join(repr(o) for o in options), value)
    raise AssertionError  # unreachable: fail raises


def digits(value: object, who: str, name: str = "digits") -> int:
    """The significant digits a view shows numbers with: an int in [1, 17] (17 digits
    identify every float64; 0 would print nothing). One check for every view, so
    ``draw_network``, ``backprop_by_layer`` and the steppers accept the same values.

    Raises:
        InvalidParameterError: not an int in [1, 17].
    """
    return integer(value, name, who, low=1, high=17, example=4)


def seed(value: object, who: str, name: str = "seed") -> int | None:
    """A seed for ``random.Random``: ``None`` or an int.

    Raises:
        InvalidParameterError: anything else (a float, a bool, a string).
    """
    if value is None:
        return None
    return integer(value, name, who, example=0)


def lookup(table: Mapping[str, T], choice: str | T, what: str, alternative: str) -> T:
    """``choice`` itself when it is a function, else ``table[choice]``.

    Args:
        table: the known names.
        choice: a name or a function.
        what: what is looked up, for the error ("activation").
        alternative: what else the caller may pass, for the error.
    Raises:
        ValueError: an unknown name; the message lists the known ones.
    """
    if callable(choice):
        return choice
    try:
        return table[choice]
    except (KeyError, TypeError):
        raise ValueError(f"unknown {what} {choice!r}; use one of {', '.join(table)} or "
                         f"{alternative}") from None


def plain(value: Any) -> Any:
    """A numpy scalar as the Python number (or str) it holds; anything else unchanged."""
    cls = value.__class__
    if cls is int or cls is float or cls is str:
        return value
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return value.item()
    return value


def is_sequence(value: object) -> TypeGuard[Sequence[Any]]:
    """Whether ``value`` is a sequence of samples or features: a list, a tuple, a numpy array
    (anything with a length and indexing but a string or a mapping)."""
    return hasattr(value, "__len__") and hasattr(value, "__getitem__") and \
        not isinstance(value, (str, bytes, Mapping))


def _number(value: object, where: str, who: str, fix: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{who}: {where} is {value!r}, not a number; {fix}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(
            f"{who}: {where} is {number!r}; NaN and infinity cannot be learned from. Remove "
            "or fill in the missing values first (e.g. with the feature's mean)"
        )
    return number


def _finite_matrix(X: Sequence[Any] | np.ndarray) -> list | None:
    """``X`` as lists of floats when it plainly is a matrix of finite numbers (a numpy array
    of numbers, or equal-length lists of ints and floats), checked in a few C-level passes;
    else ``None`` and :func:`samples` checks element by element (and names the bad one)."""
    if isinstance(X, np.ndarray):
        if X.ndim != 2 or X.dtype.kind not in "fiu" or not X.shape[1]:
            return None
        matrix = X.astype(float)
    else:
        if not all(isinstance(row, list) for row in X) or len(set(map(len, X))) != 1 \
                or not len(X[0]) or \
                not set(map(type, itertools.chain.from_iterable(X))) <= {float, int}:
            return None
        matrix = np.array(X, dtype=float)
    return matrix.tolist() if np.isfinite(matrix).all() else None


def samples(X: object, who: str, name: str = "X") -> list:
    """The samples of ``X`` as lists of finite floats (a number for a one-feature sample).

    Accepts lists, tuples and numpy arrays of numbers, one sample per row.

    Raises:
        ValueError: ``X`` is empty, not a sequence of samples, ragged, or holds a value
            that is not a finite number (the message names the sample and feature index).
    """
    if not is_sequence(X):
        raise ValueError(f"{who}: {name} must be a list of samples (each a list of numbers), "
                         f"got {type(X).__name__}")
    if len(X) == 0:
        raise ValueError(f"{who}: {name} has no samples; give at least one")
    fast = _finite_matrix(X)
    if fast is not None:
        return fast
    rows: list = []
    width = None
    fix = f"{name} must hold numbers only"
    for i, row in enumerate(X):
        if is_sequence(row):
            converted: Any = [_number(v, f"{name}[{i}][{j}] (sample {i}, feature {j})", who, fix)
                              for j, v in enumerate(row)]
            size = len(converted)
        else:
            converted = _number(row, f"{name}[{i}] (sample {i})", who, fix)
            size = None
        if i == 0:
            width = size
        elif size != width:
            raise ValueError(
                f"{who}: {name} is ragged: sample 0 has "
                f"{'no feature list' if width is None else f'{width} features'} but sample {i} "
                f"has {'no feature list' if size is None else f'{size}'}; every sample needs "
                "the same number of features"
            )
        rows.append(converted)
    return rows


def targets(y: object, who: str, name: str = "y") -> list:
    """The targets of ``y`` as a list: numpy scalars become Python ones, numbers must be
    finite, a multi-output target (a sequence) becomes a list of finite floats; other labels
    (strings...) pass unchanged.

    Raises:
        ValueError: ``y`` is not a sequence, or a target is NaN or ±inf (named by index).
    """
    if not is_sequence(y):
        raise ValueError(f"{who}: {name} must be a list of targets, one per sample, got "
                         f"{type(y).__name__}")
    if isinstance(y, np.ndarray) and y.dtype.kind in ("biuf" if y.ndim == 1 else "iuf") \
            and y.ndim in (1, 2) and (y.dtype.kind != "f" or np.isfinite(y).all()):
        # the Python numbers the loop below gives (rows of floats), in one C-level pass
        return (y if y.ndim == 1 else y.astype(float)).tolist()
    fix = f"{name} must hold numbers or labels"
    result = []
    for i, target in enumerate(y):
        if is_sequence(target):
            result.append([_number(v, f"{name}[{i}][{j}] (sample {i}, output {j})", who, fix)
                           for j, v in enumerate(target)])
            continue
        target = plain(target)
        if isinstance(target, numbers.Real) and not isinstance(target, bool) and \
                not math.isfinite(target):
            _number(target, f"{name}[{i}] (sample {i})", who, fix)
        result.append(target)
    return result


def samples_array(X: object, who: str, name: str = "X") -> np.ndarray:
    """The samples of ``X`` checked as :func:`samples` checks them, as a float array:
    ``(N, d)``, or ``(N,)`` for one number per sample. A numeric array of finite numbers is
    checked in one C-level pass, without a list of lists in between.

    Raises:
        ValueError: as :func:`samples`.
    """
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "fiu" and X.size and \
            np.isfinite(X).all():
        return X.astype(float, copy=False)
    return np.asarray(samples(X, who, name), dtype=float)


def same_length(X: Sized, y: Sized, who: str, names: tuple[str, str] = ("X", "y")) -> None:
    """Raise ``ValueError`` unless there is one target per sample."""
    if len(X) != len(y):
        raise ValueError(f"{who}: {names[0]} has {len(X)} samples but {names[1]} has {len(y)} "
                         "targets; give one target per sample")
