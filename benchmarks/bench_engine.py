"""Engine benchmark: tracegrad's Value against micrograd 0.1.0, in the same run.

Measures, for the same ~100k-node expression built with ops both engines have:
  * build + backward time (default GC settings) and the ratio micrograd / tracegrad;
  * bytes per op node while the graph is alive (tracemalloc);
  * the deepest chain each engine's backward() survives;
  * a custom op through ``autograd.apply`` against the built-in op it copies (one input:
    ``tanh``; two: ``a * b``), µs per node and the ratio (the target: within 2×).

Run:  make bench   (or .venv/bin/python benchmarks/bench_engine.py)
"""

from __future__ import annotations

import gc
import math
import sys
import time
import timeit
import tracemalloc

from micrograd.engine import Value as MicroValue

from autograd import Op, Value, apply
from autograd.graph import topological_order

N_LEAVES = 200
N_TERMS = 12_500  # each term is 8 op nodes in both engines -> 100k op nodes


def build(value_cls):
    """A wide expression: many small terms summed pairwise (shallow, so micrograd's recursive
    topological sort survives). Only + * ** relu, so micrograd builds the same graph."""
    xs = [value_cls(((i * 37) % 101) / 50.0 - 1.0) for i in range(N_LEAVES)]
    terms = []
    for i in range(N_TERMS):
        a = xs[i % N_LEAVES]
        b = xs[(i * 7 + 3) % N_LEAVES]
        c = xs[(i * 13 + 5) % N_LEAVES]
        t = (a * b + c).relu() * a + (b * c) ** 2  # 7 op nodes
        terms.append(t)
    while len(terms) > 1:  # pairwise sums: ~1 more node per term
        pairs = [terms[i] + terms[i + 1] for i in range(0, len(terms) - 1, 2)]
        if len(terms) % 2:
            pairs.append(terms[-1])
        terms = pairs
    return xs, terms[0]


def time_build_backward(value_cls, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        xs, out = build(value_cls)
        out.backward()
        best = min(best, time.perf_counter() - t0)
        check = [x.grad for x in xs[:5]]
        del xs, out
    return best, check


def count_op_nodes_ours(root):
    return sum(1 for v in topological_order(root) if v.parents)


def count_op_nodes_micro(root):
    seen, stack, n = {root}, [root], 0
    while stack:
        v = stack.pop()
        if v._prev:
            n += 1
        for p in v._prev:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return n


def bytes_per_node(value_cls, counter):
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    _leaves, out = build(value_cls)  # both kept alive while measuring
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = counter(out)
    return used / nodes, nodes


DEPTHS = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000, 1_000_000)


def deepest_chain(value_cls):
    """The longest chain y = x + 0 + 0 + ... (from DEPTHS) whose backward() succeeds."""
    ok = 0
    for depth in DEPTHS:
        y = value_cls(0.5)
        for _ in range(depth):
            y = y + 0.0
        try:
            y.backward()
        except RecursionError:
            break
        ok = depth
        del y
    return ok


# Custom twins of built-in ops: the same forward and rule, applied through autograd.apply.
MUL2 = Op("mul2", lambda out, a, b: (b, a), forward=lambda a, b: a * b)
TANH2 = Op("tanh2", lambda out, x: (1 - out * out,), forward=math.tanh)


def custom_op_times(number=100_000, repeat=7):
    """µs per node: (built-in, custom) for ``x.tanh()`` vs ``apply(TANH2, x)`` and for
    ``a * b`` vs ``apply(MUL2, a, b)`` (best of ``repeat``, the pairs measured alternately)."""
    a, b = Value(0.3), Value(0.7)
    cases = {"1 input (tanh)": (lambda: a.tanh(), lambda: apply(TANH2, a)),
             "2 inputs (a * b)": (lambda: a * b, lambda: apply(MUL2, a, b))}
    times = {}
    for name, (builtin, custom) in cases.items():
        best = [math.inf, math.inf]
        for _ in range(repeat):
            for k, fn in enumerate((builtin, custom)):
                best[k] = min(best[k], timeit.timeit(fn, number=number) / number * 1e6)
        times[name] = tuple(best)
    return times


def main():
    print(f"Python {sys.version.split()[0]}, default GC settings {gc.get_threshold()}")
    ours_t, ours_g = time_build_backward(Value)
    micro_t, micro_g = time_build_backward(MicroValue)
    assert all(abs(a - b) < 1e-9 * max(1, abs(b)) for a, b in zip(ours_g, micro_g)), (
        ours_g, micro_g)
    ours_b, ours_n = bytes_per_node(Value, count_op_nodes_ours)
    micro_b, micro_n = bytes_per_node(MicroValue, count_op_nodes_micro)
    print(f"build+backward, {ours_n:,} op nodes (micrograd: {micro_n:,}):")
    print(f"  tracegrad {ours_t * 1e3:8.1f} ms   micrograd {micro_t * 1e3:8.1f} ms   "
          f"ratio {micro_t / ours_t:5.1f}x faster (same gradients)")
    print(f"bytes per op node (tracemalloc, graph alive): tracegrad {ours_b:6.1f}   "
          f"micrograd {micro_b:6.1f}   ratio {micro_b / ours_b:4.1f}x smaller")
    ours_d = deepest_chain(Value)
    micro_d = deepest_chain(MicroValue)
    print(f"deepest chain that backward() handles (tried 10^2..10^6): tracegrad {ours_d:,}   "
          f"micrograd {micro_d:,}")
    print("a custom op through autograd.apply against the built-in op (µs per node):")
    for name, (builtin, custom) in custom_op_times().items():
        print(f"  {name:17s} built-in {builtin:6.3f}   custom {custom:6.3f}   "
              f"ratio {custom / builtin:4.2f}x (target ≤ 2)")


if __name__ == "__main__":
    main()
