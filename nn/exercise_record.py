"""What an exercise is: its statement, inputs, engine reference and typical mistakes.

The records :mod:`nn.exercise_bank` declares and :func:`nn.exercises.check` reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: ``wrong(**inputs)`` gives what that mistake produces for ``part``."""

    part: str
    wrong: Callable[..., Any]
    hint: str


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise.

    ``inputs(rng)`` draws one set of keyword arguments; ``reference(**inputs)`` computes the
    right answer with the engine, as a mapping ``part name → value`` (numbers or arrays). A
    function answer is called as ``answer(**inputs)`` and must return the parts in the order of
    ``parts`` (one part: the value itself). A number answer (``kind="value"``) is compared
    with the reference at the one fixed input (``inputs`` ignores ``rng``).
    """

    id: str
    lesson: int
    title: str
    statement: str
    kind: str  # "function" or "value"
    parts: tuple[str, ...]
    inputs: Callable[[np.random.Generator], dict[str, Any]]
    reference: Callable[..., Mapping[str, Any]]
    mistakes: tuple[Mistake, ...] = ()
    draws: int = 5
