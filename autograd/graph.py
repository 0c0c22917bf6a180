"""The graph a root reaches: its nodes in topological order, in reading order, how many.

Names of nodes (``formula``, ``describe``…) live in :mod:`autograd.naming`; they are
importable from here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import GraphCycleError
from .naming import describe, formula, given_name, needs_parentheses, op_text
from .ops import CONST

__all__ = ["GraphCycleError", "check_acyclic", "count_nodes", "cycle_error", "describe",
           "formula", "given_name", "needs_parentheses", "op_text", "reading_order",
           "topological_order"]

if TYPE_CHECKING:
    from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph, each after all of its parents (inputs first, root last).

    An iterative depth-first walk (a marker on the stack says "all parents of the node below
    me are done"), so a graph of any depth works. It cannot meet a cycle: ``Value.parents``
    refuses an assignment that would close one (the other walkers check anyway).

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
        for p in node._parents:  # the slot itself: this walk is on backward's hot path
            if p not in seen:
                push(p)
    return order


def cycle_error(node: Value, parent: Value, who: str) -> GraphCycleError:
    """The error for a walk that found ``parent`` among ``node``'s parents while ``parent``
    is itself being computed from ``node`` (a back edge): the graph has a cycle."""
    if parent is node:
        where = f"node {describe(node)!r} lists itself among its parents"
    else:
        where = (f"node {describe(node)!r} lists {describe(parent)!r} among its parents, but "
                 f"{describe(parent)!r} is computed from {describe(node)!r}")
    return GraphCycleError(
        f"{who}: the graph has a cycle: {where}, so {describe(parent)!r} is its own ancestor "
        "and no order of the nodes computes each after its inputs. This happens when a "
        "node's .parents is reassigned after a node computed from it was built; rebuild the "
        "expression instead of editing .parents"
    )


def check_acyclic(root: Value, who: str = "check_acyclic") -> None:
    """Raise :class:`GraphCycleError` (naming the node) when ``root``'s graph has a cycle.

    A graph is a DAG when a depth-first walk from ``root`` never meets a node on its own
    path (a back edge ``u → v`` with ``v`` an ancestor of ``u`` in the walk closes a cycle
    ``v → … → u → v``). Walkers that do not call :func:`topological_order` call this first.

    Args:
        root: the output node.
        who: the function to name in the error.
    Raises:
        GraphCycleError: a node is its own ancestor.
    """
    _walk_counting(root, None, who)


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
    walking: set[Value] = {root}  # the nodes on the stack: the path being walked
    stack: list[tuple[Value, list[Value]]] = [(root, _inputs_in_reading_order(root))]
    while stack:
        node, todo = stack[-1]
        while todo and todo[-1] in placed:
            todo.pop()
        if todo:
            following = todo.pop()
            if following in walking:
                raise cycle_error(node, following, "reading_order")
            walking.add(following)
            stack.append((following, _inputs_in_reading_order(following)))
            continue
        stack.pop()
        walking.discard(node)
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
    """The number of distinct nodes in ``root``'s graph, counting at most ``limit + 1``.

    A depth-first walk that stops once it has seen ``limit + 1`` nodes; on the way it
    refuses a cycle (as :func:`check_acyclic`) among the nodes it has seen.

    Raises:
        GraphCycleError: a node it met is its own ancestor.
    """
    return _walk_counting(root, limit, "count_nodes")


def _walk_counting(root: Value, limit: int | None, who: str) -> int:
    """A depth-first walk with a marker per node (as :func:`topological_order`'s) that
    counts the distinct nodes, stops past ``limit`` (``None``: no limit) and refuses a back
    edge (a parent seen but not placed: on the path, so the node is its own ancestor)."""
    seen: set[Value] = set()
    placed: set[Value] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            placed.add(stack.pop())
            continue
        if node in seen:
            continue
        seen.add(node)
        if limit is not None and len(seen) > limit:
            return len(seen)
        stack.append(node)
        stack.append(None)
        for p in node.parents:
            if p not in seen:
                stack.append(p)
            elif p not in placed:
                raise cycle_error(node, p, who)
    return len(seen)
