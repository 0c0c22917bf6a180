"""Graph traversal without recursion: topological order and node counting."""

from __future__ import annotations

from collections.abc import Iterator

from .value import Value


def consumer_counts(root: Value) -> dict[Value, int]:
    """For every node reachable from ``root``: how many edges lead out of it within the graph.

    A node is ready for the backward pass once all of its consumers have sent their gradient.
    Iterative depth-first walk, so a graph of any depth works.
    """
    counts = {root: 0}
    stack = [root]
    pop = stack.pop
    push = stack.append
    while stack:
        for p in pop().parents:
            if p in counts:
                counts[p] += 1
            else:
                counts[p] = 1
                push(p)
    return counts


def reverse_topological(root: Value) -> Iterator[Value]:
    """Yield every node of ``root``'s graph, each only after all nodes that consume it.

    This is the order of the backward pass (Kahn's algorithm, started at the output).
    """
    pending = consumer_counts(root)
    ready = [root]
    pop = ready.pop
    push = ready.append
    while ready:
        node = pop()
        yield node
        for p in node.parents:
            left = pending[p] - 1
            pending[p] = left
            if not left:
                push(p)


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph, each after all of its parents (inputs first, root last).

    Args:
        root: the output node.
    Returns:
        A list of the distinct nodes; works for graphs of any depth (no recursion).

    Example::

        >>> from autograd import Value
        >>> a = Value(1.0, label="a"); b = a * 2; c = b + a
        >>> [v.label or v.op for v in topological_order(c)][-1]
        '+'
    """
    order = list(reverse_topological(root))
    order.reverse()
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
