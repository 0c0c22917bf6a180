"""The graph a root reaches: its nodes in topological order, how many, and their names."""

from __future__ import annotations

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
