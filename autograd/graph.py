"""The graph a root reaches: its nodes in topological order, how many, and their names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .ops import CONST, Op

if TYPE_CHECKING:
    from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph, each after all of its parents (inputs first, root last).

    An iterative depth-first walk (a marker on the stack says "all parents of the node below
    me are done"), so a graph of any depth works.

    Args:
        root: the output node.
    Returns:
        A list of the distinct nodes; the backward pass walks it in reverse.

    Example::

        >>> from autograd import Value
        >>> a = Value(1.0, label="a"); b = a * 2; c = b + a
        >>> [v.label or v.op for v in topological_order(c)]
        ['a', 'const', '*', '+']
    """
    if not hasattr(root, "parents"):
        raise TypeError(f"topological_order: root must be a Value (the output of a graph), got "
                        f"{type(root).__name__} {root!r}")
    order: list[Value] = []
    seen: set[Value] = set()
    visit = seen.add
    stack: list[Value | None] = [root]
    pop = stack.pop
    push = stack.append
    while stack:
        node = pop()
        if node is None:  # the marker: the node beneath it has all its parents placed
            order.append(pop())
            continue
        if node in seen:
            continue
        visit(node)
        push(node)
        push(None)
        for p in node.parents:
            if p not in seen:
                push(p)
    return order


def count_nodes(root: Value, limit: int) -> int:
    """The number of distinct nodes in ``root``'s graph, counting at most ``limit + 1``."""
    seen = {root}
    stack = [root]
    while stack:
        for p in stack.pop().parents:
            if p not in seen:
                seen.add(p)
                if len(seen) > limit:
                    return len(seen)
                stack.append(p)
    return len(seen)


def op_text(op: str) -> str:
    """An op as shown to people: ``"leaky_relu(0.01)"``, ``"** 2"``, ``"*"``."""
    return op.describe() if isinstance(op, Op) else str(op)


def describe(v: Value) -> str:
    """A short name for a node: its label, else its op and id (``"*#4"``), else its data."""
    if v.label:
        return v.label
    if v.op is CONST:
        return f"{v.data:g}"
    if not v.parents:
        return f"v#{v.id}"
    return f"{op_text(v.op)}#{v.id}"


_SUBSCRIPTS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_SUPERSCRIPTS = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


_MODULE_PATH = re.compile(r"(?:(?P<prefix>.+?)\.)??(?P<path>(?:layers\.\d+\.)?"
                          r"(?:neurons\.\d+\.)?(?P<symbol>[A-Za-z_]\w*)(?:\.\d+)?)")


def short_label(label: str) -> str:
    """A network parameter's dotted name as the course writes it, 1-based: the symbol, the
    layer as a superscript and the other indices as subscripts.

    ``layers.0.neurons.1.w.0`` (layer 1, neuron 2, input 1) becomes ``w₂,₁⁽¹⁾``, i.e.
    w₂₁⁽¹⁾ in the course's notation; ``layers.1.neurons.0.b`` becomes ``b₁⁽²⁾``;
    ``neurons.1.w.0`` (a Layer's) ``w₂,₁``; a Neuron's ``w.0`` ``w₁``. A prefix before the
    path is kept (``encoder.w₂,₁⁽¹⁾``). Any other label — ``x.1``, ``w=0.5``, ``L.total`` — is
    returned as typed.

    Example::

        >>> short_label("layers.0.neurons.1.w.0"), short_label("w.2"), short_label("x0")
        ('w₂,₁⁽¹⁾', 'w₃', 'x0')
        >>> short_label("L.total"), short_label("x.1"), short_label("p=0.7")
        ('L.total', 'x.1', 'p=0.7')
    """
    match = _MODULE_PATH.fullmatch(label)
    if match is None:
        return label
    path = match["path"]
    if not (path.startswith(("layers.", "neurons.")) or re.fullmatch(r"[wb]\.\d+", path)):
        return label  # not a network's parameter name: the user's own label
    parts = path.split(".")
    layer = ""
    indices = []
    for previous, part in zip(["", *parts], parts):
        if part.isdigit():
            if previous == "layers":
                layer = f"({int(part) + 1})".translate(_SUPERSCRIPTS)
            else:
                indices.append(str(int(part) + 1))
    short = match["symbol"] + ",".join(indices).translate(_SUBSCRIPTS) + layer
    return f"{match['prefix']}.{short}" if match["prefix"] else short


_INFIX = {"+": (" + ", 1), "-": (" − ", 1), "*": ("·", 2), "/": ("/", 2)}
_POWERS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_ATOM = 3  # the precedence of a name or a function call: never parenthesised


def formula(v: Value, max_length: int = 36, *, own_label: bool = True) -> str:
    """A node named by how it was computed, when that is short: ``log(1 − ŷ)``, ``w0·x0 +
    w1·x1``, ``z²``; its label if it has one (a network's parameter by its :func:`short_label`,
    ``w₂,₁⁽¹⁾``); else (longer than ``max_length``, or more than
    five ops deep) :func:`describe`'s ``op#id``. With ``own_label=False`` a labelled node is
    named by its formula too (``z`` as ``w0·x0 + w1·x1 + b``).

    Example::

        >>> from autograd import Value
        >>> p = Value(0.7, label="ŷ"); y = 1.0
        >>> formula((1 - p).log()), formula(p * y + 2), formula((p + 1) ** 2)
        ('log(1 − ŷ)', 'ŷ·1 + 2', '(ŷ + 1)²')
    """
    if v.label and own_label:
        return short_label(v.label)  # a network's parameter in the course's notation
    found = _formula(v, 5, own_label=own_label)
    return found[0] if found is not None and len(found[0]) <= max_length else describe(v)


def needs_parentheses(name: str) -> bool:
    """Whether a formula has an operator outside any parentheses (``a + b``, ``w·x``), so it
    must be parenthesised after a ∂: ``∂(w·x)``, but ``∂log(1 − ŷ)``."""
    depth = 0
    for ch in name:
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in " ·/":
            return True
    return False


def _formula(v: Value, depth: int, *, own_label: bool = True) -> tuple[str, int] | None:
    """``(text, precedence)`` of v's formula, or None when deeper than ``depth``."""
    if v.label and own_label:
        return short_label(v.label), _ATOM
    if not v.parents:
        name = describe(v)
        return (f"({name})", _ATOM) if name.startswith("-") else (name, _ATOM)
    op = str(v.op)
    if op == "sum" and len(v.parents) > 3:
        return f"Σ({len(v.parents)} terms)", _ATOM
    if depth == 0:
        return None
    parents = v.parents
    if op == "dot" and len(parents) > 4:  # w·x + …: its first term names it
        parents = (parents[0], parents[len(parents) // 2])
    inner = [_formula(p, depth - 1) for p in parents]
    if any(x is None for x in inner):
        if op in ("sum", "dot"):  # too deep to spell out: say what it adds up
            n = len(v.parents)
            return (f"Σ({n} term{'s' if n > 1 else ''})" if op == "sum" else
                    f"Σ({n // 2} products)"), _ATOM
        return None

    if op in _INFIX and len(inner) == 2:
        symbol, precedence = _INFIX[op]
        right = precedence + 1 if op in "-/" else precedence  # a − (b + c), a / (b·c)
        return f"{_wrapped(inner[0], precedence)}{symbol}{_wrapped(inner[1], right)}", precedence
    if op == "neg":
        return f"−{_wrapped(inner[0], 2)}", 2
    if op == "**" and isinstance(v.op, Op) and v.op.params:
        n = v.op.params[0]
        power = str(n).translate(_POWERS) if isinstance(n, int) else f"^{n:g}"
        return f"{_wrapped(inner[0], _ATOM)}{power}", _ATOM
    if op == "dot":
        half = len(inner) // 2
        terms = [f"{_wrapped(w, 2)}·{_wrapped(x, 2)}" for w, x in zip(inner[:half],
                                                                       inner[half:])]
        return " + ".join(terms) + (" + …" if len(v.parents) > 4 else ""), 1
    if op == "sum":
        if len(inner) == 1:  # a sum of one term is not the term: name it apart from it
            return f"Σ({inner[0][0]})", _ATOM
        return " + ".join(_wrapped(x, 1) for x in inner), 1
    return f"{op_text(v.op)}({', '.join(x[0] for x in inner)})", _ATOM


def _wrapped(item: tuple[str, int], at_least: int) -> str:
    """A formula, parenthesised when its operator binds less tightly than ``at_least``."""
    return item[0] if item[1] >= at_least else f"({item[0]})"
