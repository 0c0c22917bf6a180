"""What a node is called where it is shown: a namer's name, the user's label, or its formula.

Names are worked out when something is shown — a drawing, a step of the backward pass, a
table, an explanation — never when a node is built, so naming costs nothing while a model
trains. For a node ``v`` the first of these that gives a name is used:

1. the ``namer`` given to the display (``draw(root, namer=f)``, ``stepper``, ``explain``,
   ``steps_table``, ``backward_steps``): ``f(v)`` returns a name, or ``None`` for "no
   opinion";
2. the namers libraries registered (:func:`register_namer`), in the order they were
   registered — ``nn`` registers one that writes a network's nodes as the course does
   (``x₁``, ``w₂,₁⁽¹⁾``, ``z₁⁽¹⁾``, ``a₁⁽¹⁾``, ``ŷ``); the engine itself knows no network;
3. the node's label, as typed;
4. how it was computed, when that is short (at most 24 characters: ``log(1 − ŷ)``,
   ``w·x + b``), else its op and a number (``*#4``). The full formula is
   :func:`full_formula` (a drawing's hover text).

While a picture or a table is being made, its graph is *shown* (:func:`showing`): names
are remembered for the time it takes, and a namer can ask which nodes read a node
(:func:`readers`) — e.g. that a number feeds a first-layer weight, so it is the input x₂.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from .ops import ADD, CONST, DIV, DOT, MUL, NEG, POW, SUB, SUM, Op

if TYPE_CHECKING:
    from .value import Value

Namer = Callable[["Value"], "str | None"]
MAX_LENGTH = 24  # longer formulas are named by their op and number (the full one on hover)

_chain: list[Namer] = []


def register_namer(namer: Namer) -> Namer:
    """Add ``namer`` to the namers every display asks (after those already registered).

    A namer is a function ``namer(v) -> str | None``: the name of the node ``v``, or
    ``None`` when it has no opinion (the next namer, then the label, then the formula
    decide). It is asked only while something is shown. Registering the same function
    twice keeps one entry. Usable as a decorator.

    Args:
        namer: the function.
    Returns:
        ``namer`` itself.
    Raises:
        TypeError: ``namer`` is not callable.

    Example::

        >>> from autograd import Value, naming
        >>> def greek(v): return "θ" if v.label == "theta" else None
        >>> _ = naming.register_namer(greek)
        >>> naming.name(Value(1.0, label="theta")), naming.name(Value(1.0, label="b"))
        ('θ', 'b')
        >>> naming.unregister_namer(greek)
    """
    if not callable(namer):
        raise TypeError(f"register_namer: namer must be a function v -> str | None, got "
                        f"{type(namer).__name__} {namer!r}")
    if namer not in _chain:
        _chain.append(namer)
    return namer


def unregister_namer(namer: Namer) -> None:
    """Remove a namer :func:`register_namer` added.

    Raises:
        ValueError: ``namer`` is not registered (the registered ones are listed).
    """
    if namer not in _chain:
        raise ValueError(f"unregister_namer: {namer!r} is not registered; the registered "
                         f"namers are {[getattr(n, '__qualname__', n) for n in _chain]}")
    _chain.remove(namer)


def namers() -> tuple[Namer, ...]:
    """The registered namers, in the order they are asked."""
    return tuple(_chain)


class _Shown:
    """A graph being shown: its namer, the names given so far, who reads each node."""

    __slots__ = ("_readers", "namer", "names", "roots")

    def __init__(self, roots: tuple, namer: Namer | None) -> None:
        self.roots = roots
        self.namer = namer
        self.names: dict = {}
        self._readers: dict | None = None

    def readers(self, v: Value) -> tuple:
        if self._readers is None:  # worked out on the first question only
            found: dict = {}
            seen = set(self.roots)
            stack = list(self.roots)
            while stack:
                node = stack.pop()
                for p in dict.fromkeys(node.parents):
                    found.setdefault(p, []).append(node)
                    if p not in seen:
                        seen.add(p)
                        stack.append(p)
            self._readers = found
        return tuple(self._readers.get(v, ()))


_shown: ContextVar[_Shown | None] = ContextVar("tracegrad_shown", default=None)


@contextmanager
def showing(roots: Value | Iterable[Value], namer: Namer | None = None) -> Iterator[None]:
    """Name nodes of ``roots``' graph as one picture: each name worked out once, with
    ``namer`` asked first, and :func:`readers` answering within this graph.

    Args:
        roots: the output(s) of the graph shown.
        namer: a function ``v -> str | None`` asked before the registered namers.
    Raises:
        TypeError: ``namer`` is not callable.
    """
    if namer is not None and not callable(namer):
        raise TypeError(f"namer must be a function v -> str | None (None: the registered "
                        f"namers and labels), got {type(namer).__name__} {namer!r}")
    shown = (roots,) if hasattr(roots, "parents") else tuple(roots)
    token = _shown.set(_Shown(shown, namer))
    try:
        yield
    finally:
        _shown.reset(token)


@contextmanager
def _shown_if_needed(v: Value, namer: Namer | None) -> Iterator[None]:
    """Show ``v``'s graph unless a graph is being shown already (and no namer is given)."""
    if namer is None and _shown.get() is not None:
        yield
        return
    with showing(v, namer):
        yield


def displaying() -> bool:
    """Whether a graph is being shown (inside :func:`showing`)."""
    return _shown.get() is not None


def readers(v: Value) -> tuple[Value, ...]:
    """The nodes of the graph being shown that take ``v`` as an input (each once), for
    namers that name a node by how it is used; empty when nothing is being shown."""
    shown = _shown.get()
    return () if shown is None else shown.readers(v)


def given_name(v: Value) -> str | None:
    """``v``'s name from the display's namer, the registered namers or its label (in that
    order); ``None`` when none of them names it (then its formula does)."""
    shown = _shown.get()
    if shown is not None:
        known = shown.names.get(v, _UNKNOWN)
        if known is not _UNKNOWN:
            return known
    found = None
    namer = shown.namer if shown is not None else None
    if namer is not None:
        found = _ask(namer, v)
    if found is None:
        for registered in _chain:
            found = _ask(registered, v)
            if found is not None:
                break
    if found is None and v.label:
        found = v.label
    if shown is not None:
        shown.names[v] = found
    return found


_UNKNOWN = object()


def _ask(namer: Namer, v: Value) -> str | None:
    name = namer(v)
    if name is None or name == "":
        return None
    if not isinstance(name, str):
        raise TypeError(f"the namer {getattr(namer, '__qualname__', namer)!r} returned "
                        f"{type(name).__name__} {name!r} for a node; a namer returns its name "
                        "(a str) or None")
    return name


def name(v: Value, *, namer: Namer | None = None) -> str:
    """What ``v`` is called where it is shown: see the module docs (:func:`formula`)."""
    return formula(v, namer=namer)


def op_text(op: Op | str) -> str:
    """An op as shown to people: ``"leaky_relu(0.01)"``, ``"** 2"``, ``"*"``."""
    return op.describe() if isinstance(op, Op) else str(op)


def describe(v: Value) -> str:
    """A short name for a node without asking namers (error messages): its label, else its
    op and id (``"*#4"``), else its data."""
    if v.label:
        return v.label
    if v.op is CONST:
        return f"{v.data:g}"
    if not v.parents:
        return f"v#{v.id}"
    return f"{op_text(v.op)}#{v.id}"


def needs_parentheses(name: str) -> bool:
    """Whether a formula has an operator outside any parentheses (``a + b``, ``w·x``,
    ``wᵀx``), so it must be parenthesised after a ∂: ``∂(w·x)``, but ``∂log(1 − ŷ)``."""
    depth = 0
    for ch in name:
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in " ·/ᵀ":
            return True
    return False


_INFIX = {ADD: (" + ", 1), SUB: (" − ", 1), MUL: ("·", 2), DIV: ("/", 2)}
_POWERS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_ATOM = 3  # the precedence of a name or a function call: never parenthesised


def formula(v: Value, max_length: int = MAX_LENGTH, *, own_label: bool = True,
            namer: Namer | None = None) -> str:
    """A node's name where it is shown: a namer's or its label (see the module docs), else
    how it was computed when that is short — ``log(1 − ŷ)``, ``w0·x0 + w1·x1``, ``z²`` —
    else (longer than ``max_length``, or more than five ops deep) :func:`describe`'s
    ``op#id``. With ``own_label=False`` the node itself is named by its formula
    (``w0·x0 + w1·x1 + b`` for ``z``), its inputs by their names.

    Args:
        v: the node.
        max_length: the longest formula used as a name.
        own_label: name ``v`` by its namer's name or label when it has one.
        namer: a function ``v -> str | None`` asked first (for ``v`` and its inputs).

    Example::

        >>> from autograd import Value
        >>> p = Value(0.7, label="ŷ"); y = 1.0
        >>> formula((1 - p).log()), formula(p * y + 2), formula((p + 1) ** 2)
        ('log(1 − ŷ)', 'ŷ·1 + 2', '(ŷ + 1)²')
    """
    with _shown_if_needed(v, namer):
        if own_label:
            given = given_name(v)
            if given is not None:
                return given
        found = _formula(v, 5, own_label=own_label)
        return found[0] if found is not None and len(found[0]) <= max_length else describe(v)


def full_formula(v: Value, *, namer: Namer | None = None, limit: int = 300) -> str:
    """How ``v`` was computed, its inputs by their names, without the length limit of
    :func:`formula` (up to ``limit`` characters and twelve ops deep): a hover text."""
    with _shown_if_needed(v, namer):
        found = _formula(v, 12, own_label=False)
        text = found[0] if found is not None else formula(v)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _formula(v: Value, depth: int, *, own_label: bool = True) -> tuple[str, int] | None:
    """``(text, precedence)`` of v's formula, or None when deeper than ``depth``."""
    if own_label:
        given = given_name(v)
        if given is not None:
            return given, _ATOM
    if not v.parents:
        name = describe(v)
        return (f"({name})", _ATOM) if name.startswith("-") else (name, _ATOM)
    op = v.op
    if op is SUM and len(v.parents) > 3:
        return f"Σ({len(v.parents)} terms)", _ATOM
    if depth == 0:
        return None
    parents = v.parents
    if op is DOT and len(parents) > 4:  # w·x + …: its first term names it
        parents = (parents[0], parents[len(parents) // 2])
    spelled = [_formula(p, depth - 1) for p in parents]
    inner = [x for x in spelled if x is not None]
    if len(inner) < len(spelled):
        if op is SUM or op is DOT:  # too deep to spell out: say what it adds up
            n = len(v.parents)
            return (f"Σ({n} term{'s' if n > 1 else ''})" if op is SUM else
                    f"Σ({n // 2} products)"), _ATOM
        return None

    infix = _INFIX.get(op) if isinstance(op, Op) else None
    if infix is not None and len(inner) == 2:
        symbol, precedence = infix
        right = precedence + 1 if op is SUB or op is DIV else precedence  # a − (b + c), a / (b·c)
        return f"{_wrapped(inner[0], precedence)}{symbol}{_wrapped(inner[1], right)}", precedence
    if op is NEG:
        return f"−{_wrapped(inner[0], 2)}", 2
    if isinstance(op, Op) and op.rule is POW.rule:  # x ** n, n a number
        n = op.params[0]
        power = str(n).translate(_POWERS) if isinstance(n, int) else f"^{n:g}"
        return f"{_wrapped(inner[0], _ATOM)}{power}", _ATOM
    if op is DOT:
        half = len(inner) // 2
        terms = [f"{_wrapped(w, 2)}·{_wrapped(x, 2)}" for w, x in zip(inner[:half],
                                                                       inner[half:])]
        return " + ".join(terms) + (" + …" if len(v.parents) > 4 else ""), 1
    if op is SUM:
        if len(inner) == 1:  # a sum of one term is not the term: name it apart from it
            return f"Σ({inner[0][0]})", _ATOM
        return " + ".join(_wrapped(x, 1) for x in inner), 1
    return f"{op_text(v.op)}({', '.join(x[0] for x in inner)})", _ATOM


def _wrapped(item: tuple[str, int], at_least: int) -> str:
    """A formula, parenthesised when its operator binds less tightly than ``at_least``."""
    return item[0] if item[1] >= at_least else f"({item[0]})"


# --- the local derivative as text -------------------------------------------------------------
_FIELD = re.compile(r"\{(\w+)\}")
_RAISED = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻^⁽⁾"  # a power after a name, or a name that carries a layer ⁽ˡ⁾


def rule_text(node: Value, index: int, *, namer: Namer | None = None) -> str | None:
    """∂node/∂(its input number ``index``) as the op's own math, its operands named:
    ``a₁⁽¹⁾(1 − a₁⁽¹⁾)`` for a sigmoid, ``1/ŷ`` for a log, ``x₁`` for a dot's weight;
    ``None`` when the op has no derivative text (:class:`autograd.Op`'s ``derivative``).

    A name is parenthesised where the template needs it: ``1/(w·x)``, ``(a₁⁽¹⁾)²``,
    ``2·(-1)``.
    """
    op = node.op
    templates = getattr(op, "derivative", None)
    if templates is None or not node.parents:
        return None
    params = getattr(op, "params", ())
    if callable(templates):
        templates = templates(*params)
    parents = node.parents
    inputs = getattr(op, "inputs", "each")
    if inputs == "all":
        template, operands = templates[0], {"x": parents[index]}
    elif inputs == "halves":
        n = len(parents) // 2
        k = index % n
        template = templates[0] if index < n else templates[1]
        operands = {"w": parents[k], "x": parents[n + k]}
    elif len(parents) == 1:
        template, operands = templates[0], {"x": parents[0]}
    else:
        template, operands = templates[index], dict(zip("ab", parents))
    operands["out"] = node
    with _shown_if_needed(node, namer):
        conditional = _CONDITIONAL.fullmatch(template)
        if conditional is None:
            return _filled(template, operands, params)
        then, condition, otherwise = conditional.group("then", "condition", "else")
        if _holds(condition, operands, params):
            return f"{_filled(then, operands, params)} ({_filled(condition, operands, params)})"
        return f"{_filled(otherwise, operands, params)} " \
               f"({_filled(_negated(condition), operands, params)})"


# A rule in two cases, "A if condition else B" (relu, leaky_relu, elu, the clamped log): a
# step shows the case its numbers are in, and why — ``1 (z₁⁽¹⁾ > 0)``, ``0.01 (z ≤ 0)``.
_CONDITIONAL = re.compile(r"(?P<then>.+?) if (?P<condition>.+?) else (?P<else>.+)")
_NEGATIONS = ((" >= ", " < "), (" <= ", " > "), (" > ", " ≤ "), (" < ", " ≥ "))


def _holds(condition: str, operands: dict, params: tuple) -> bool:
    """Whether a rule's condition (``{x} > 0``, ``{x} > exp({p0})``) holds for the node's
    numbers: each side a field, a number or ``exp(...)`` of one, compared (nothing eval-ed)."""
    numbers = {f"p{i}": float(p) for i, p in enumerate(params)}
    numbers.update((key, float(v.data)) for key, v in operands.items())
    match = _COMPARISON.fullmatch(condition.strip())
    if match is None:
        raise ValueError(f"derivative template condition {condition!r}: write it as two sides "
                         "compared with <, <=, > or >=, each a field ({x}, {p0}), a number or "
                         "exp(...) of one")
    left, op, right = match.groups()
    return _COMPARE[op](_side(left, numbers, condition), _side(right, numbers, condition))


_COMPARISON = re.compile(r"(.+?)\s*(<=|>=|<|>)\s*(.+)")
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _side(text: str, numbers: dict, condition: str) -> float:
    """One side of a condition: ``{x}``, ``0``, ``exp({p0})``, ``exp(-100)``."""
    text = text.strip()
    if text.startswith("exp(") and text.endswith(")"):
        return math.exp(_side(text[4:-1], numbers, condition))
    field = _FIELD.fullmatch(text)
    if field is not None:
        return numbers[field.group(1)]
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"derivative template condition {condition!r}: {text!r} is not a "
                         "field ({x}, {p0}), a number or exp(...) of one") from None


def _negated(condition: str) -> str:
    """``{x} > 0`` as ``{x} ≤ 0``: the condition of a rule's other case."""
    for op, opposite in _NEGATIONS:
        if op in condition:
            return condition.replace(op, opposite, 1)
    return f"not ({condition})"


def _filled(template: str, operands: dict, params: tuple) -> str:
    def field(match: re.Match) -> str:
        key = match.group(1)
        if key.startswith("p") and key[1:].isdigit():
            return _number(params[int(key[1:])])
        text = formula(operands[key])
        if template == match.group(0):  # the name alone: as it is
            return text
        after = template[match.end():match.end() + 1]
        raised = after and after in _RAISED and any(ch in _RAISED for ch in text)
        if needs_parentheses(text) or text.startswith(("-", "−")) or raised:
            return f"({text})"
        return text

    return _FIELD.sub(field, template)


def _number(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)
