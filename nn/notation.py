"""The course's notation for a network's quantities, 1-based: ``a₂⁽¹⁾``, ``z₁⁽²⁾``, ``x₁``.

Layer ``l`` is a superscript in parentheses, the neuron ``j`` (and an input ``k``) subscripts,
as the course writes ``aⱼ⁽ˡ⁾ = f(zⱼ⁽ˡ⁾)`` and ``wⱼₖ⁽ˡ⁾``. Parameters are named from their
dotted labels by ``autograd.short_label`` (``layers.0.neurons.1.w.0`` → ``w₂,₁⁽¹⁾``).
"""

from __future__ import annotations

import autograd
from autograd import Value

_SUBSCRIPTS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_SUPERSCRIPTS = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def subscript(*indices: int) -> str:
    """1-based indices as subscripts, comma-separated: ``subscript(2, 1) == "₂,₁"``."""
    return ",".join(str(i) for i in indices).translate(_SUBSCRIPTS)


def superscript(layer: int | None) -> str:
    """A layer number as the course's superscript ``⁽ˡ⁾`` (``""`` for ``None``)."""
    return "" if layer is None else f"({layer})".translate(_SUPERSCRIPTS)


def neuron_symbol(symbol: str, layer: int | None, neuron: int) -> str:
    """``symbol`` of neuron ``neuron`` in layer ``layer`` (both 1-based; ``layer=None`` for a
    model of one layer): ``neuron_symbol("a", 2, 1) == "a₁⁽²⁾"``.

    Example::

        >>> neuron_symbol("δ", 1, 2), neuron_symbol("z", None, 3)
        ('δ₂⁽¹⁾', 'z₃')
    """
    return symbol + subscript(neuron) + superscript(layer)


def input_symbol(k: int) -> str:
    """The ``k``-th input (1-based): ``x₁``."""
    return "x" + subscript(k)


def parameter_symbol(p: Value) -> str:
    """A parameter's name in the course's notation, from its dotted label (``w₂,₁⁽¹⁾``)."""
    return autograd.short_label(p.label) if p.label else "?"
