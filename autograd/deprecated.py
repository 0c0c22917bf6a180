"""Old names kept for one release; each says what replaces it.

They live apart so that the modules they stand in for import nothing for them: ``short_label``
needs a ``Value`` (a stand-in leaf for the namers to read), and :mod:`autograd.graph`, where it
was, is imported by ``value`` itself.
"""

from __future__ import annotations

from .naming import given_name
from .value import Value

__all__ = ["short_label"]


def short_label(label: str) -> str:
    """Deprecated: a label as the registered namers write it. Name nodes with
    :func:`autograd.naming.name` (a Value), or a network's dotted parameter names with
    ``nn.notation.short_label``; the engine itself knows no network's names.

    With ``nn`` imported, ``layers.0.neurons.1.w.0`` reads ``w₂,₁⁽¹⁾``; any other label
    (and every label when no namer is registered) is returned as typed.
    """
    return given_name(Value(0.0, label=label)) or label  # a stand-in leaf carrying the label
