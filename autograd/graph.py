"""The graph a root reaches: its nodes in topological order, in reading order, how many.

Names of nodes (``formula``, ``describe``…) live in :mod:`autograd.naming`; they are
importable from here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .naming import describe, formula, given_name, needs_parentheses, op_text
from .ops import CONST

__all__ = ["count_nodes", "describe", "formula", "given_name", "needs_parentheses", "op_text",
           "reading_order", "topological_order"]

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
        >>> [v.label or str(v.op) for v in topological_order(c)]
        ['a', 'const', '*', '+']
    """
    if not hasattr(root, "parents"):
        raise TypeError(f"topological_order: root must be a Value (the output of a graph), got "
                        f"{type(root).__name__} {root!r}")
    order: list[Value] = []
    seen: set[Value] = set()
    visit = seen.add
    stack: list[Any] = [root]  # Values; a None marker above one whose parents are pushed
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


def reading_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph, each after its inputs, in the order one reads the
    computation: a node comes right after the inputs it needs, which come as they are
    used — its computed inputs first (in the order it takes them), then its data, then its
    other leaves (parameters).

    For a network's loss this is the network's order: the sample's inputs, then layer by
    layer, neuron by neuron (each neuron's weights, w·x, bias, z, a), the loss last — with
    no knowledge of networks: a neuron's inputs are computed before the weights that read
    them are needed, and a number a loss uses appears where the loss uses it.
    (:func:`topological_order` is the backward pass's order, unchanged.)

    Example::

        >>> from autograd import Value
        >>> w = Value(0.5, label="w"); x = Value(2.0, label="x")
        >>> y = (w * 3.0 + x).tanh()
        >>> [v.label or str(v.op) for v in reading_order(y)]
        ['const', 'w', '*', 'x', '+', 'tanh']
    """
    if not hasattr(root, "parents"):
        raise TypeError(f"reading_order: root must be a Value (the output of a graph), got "
                        f"{type(root).__name__} {root!r}")
    order: list[Value] = []
    placed: set[Value] = set()
    stack: list[tuple[Value, list[Value]]] = [(root, _inputs_in_reading_order(root))]
    while stack:
        node, todo = stack[-1]
        while todo and todo[-1] in placed:
            todo.pop()
        if todo:
            following = todo.pop()
            stack.append((following, _inputs_in_reading_order(following)))
            continue
        stack.pop()
        if node not in placed:
            placed.add(node)
            order.append(node)
    return order


def _inputs_in_reading_order(node: Value) -> list[Value]:
    """The node's distinct inputs to place, the first to place last (a stack)."""
    parents = list(dict.fromkeys(node.parents))
    computed = [p for p in parents if p.parents]
    data = [p for p in parents if not p.parents and p.op is CONST]
    leaves = [p for p in parents if not p.parents and p.op is not CONST]
    return (computed + data + leaves)[::-1]


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
