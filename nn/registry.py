"""Looking things up by name: activations, initialisers, losses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

T = TypeVar("T", bound=Callable)


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
