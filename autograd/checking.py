"""Gradient checking: analytic gradients (backward) against central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from .backward import gradients
from .errors import GradcheckError
from .modes import enable_grad, is_grad_enabled
from .value import Value, as_float

Number = int | float


def _recording() -> AbstractContextManager:
    """Grad mode on for the checked function (a no-op when it is already on: entering a mode
    block would slow every op of every thread while it is open)."""
    return nullcontext() if is_grad_enabled() else enable_grad()


def _evaluate(f: Callable[..., Any], xs: Sequence[float]) -> float:
    with _recording():
        out = f(*(Value(x) for x in xs))
    if isinstance(out, Value):
        return out.data
    return as_float(out, "the checked function's result")


def numerical_grad(
    f: Callable[..., Any], inputs: Sequence[Number], eps: float = 1e-6
) -> list[float]:
    """Central finite differences ``(f(x+ε) − f(x−ε)) / 2ε``, one per input.

    Args:
        f: called as ``f(*inputs)`` with Values, with grad mode on (even inside
            ``no_grad()``), so ``f`` may itself differentiate: ``autograd.grad(g)`` checks
            g''; returns a Value or a number.
        inputs: the point, one number per argument of ``f``.
        eps: the step ε. The error is O(ε²) plus rounding of order 1e-16·|f|/ε.
    Returns:
        The estimated ∂f/∂inputs[i] as a list of floats.
    Raises:
        ValueError, ArithmeticError: ``f`` fails at a probe x ± ε though it works at the
            point itself: the message names the point, ε and the probe (the point is within
            ε of the edge of ``f``'s domain, as ``sqrt`` at 1e-7).

    Example::

        >>> from autograd import numerical_grad
        >>> [round(g, 6) for g in numerical_grad(lambda x, y: x * y, [2.0, 3.0])]
        [3.0, 2.0]
    """
    return _central_differences(f, inputs, eps, "numerical_grad")


def _central_differences(f: Callable[..., Any], inputs: Sequence[Number], eps: float,
                         where: str) -> list[float]:
    eps = _positive(eps, "eps", where)
    xs = [as_float(x, f"{where}(inputs)") for x in inputs]
    result = []
    for i, x in enumerate(xs):
        probes = []
        for step in (eps, -eps):
            xs[i] = x + step
            try:
                probes.append(_evaluate(f, xs))
            except (ArithmeticError, ValueError) as exc:
                xs[i] = x
                raise _probe_error(f, xs, i, step, where, exc) from exc
        xs[i] = x
        result.append((probes[0] - probes[1]) / (2 * eps))
    return result


def _probe_error(f: Callable[..., Any], xs: list[float], i: int, step: float, where: str,
                 exc: Exception) -> Exception:
    """The error ``f`` raised at a probe, said as a probe's: finite differences moved input
    ``i`` by ``step`` from the user's point. If ``f`` fails at the point itself, its own
    error is the one to read."""
    try:
        _evaluate(f, xs)
    except Exception:
        return exc
    x, eps = xs[i], abs(step)
    probe = x + step
    message = (
        f"{where}: your point x = {x!r} (input {i}) lies within eps = {eps!r} of the edge of "
        f"f's domain: finite differences evaluate f at x ± eps, and f works at x but fails "
        f"at the probe x {'+' if step > 0 else '-'} eps = {probe!r}. Use a smaller eps, well "
        f"below the distance to that edge{_example_step(f, xs, i, step)}, or check at a "
        f"point farther from the edge. (f at {probe!r}: {type(exc).__name__}: {exc})")
    try:
        return type(exc)(message)
    except Exception:  # an exception type with another constructor
        return ValueError(message)


def _example_step(f: Callable[..., Any], xs: list[float], i: int, step: float) -> str:
    """`` (e.g. eps=1e-09)``: a power of ten a hundred times below the largest tenth of
    ``step`` at which f still works on that side (the edge lies between), so that the
    truncation error, which grows as (eps / distance)², stays small; ``""`` if none is found
    in ten tries."""
    x = xs[i]
    for k in range(1, 11):
        xs[i] = x + step * 10.0 ** -k
        try:
            _evaluate(f, xs)
        except Exception:
            continue
        else:
            return f" (e.g. eps={abs(step) * 10.0 ** -(k + 2):.0e})"
        finally:
            xs[i] = x
    return ""


def _positive(x: object, name: str, where: str) -> float:
    value = as_float(x, f"{where}({name})")
    if not 0 < value < float("inf"):
        raise ValueError(f"{where}: {name} must be a finite number > 0 (a small step such as "
                         f"1e-6), got {x!r}")
    return value


def analytic_grad(f: Callable[..., Any], inputs: Sequence[Number]) -> list[float]:
    """∂f/∂inputs[i] from one backward pass (leaves' ``.grad`` are not touched), with grad
    mode on (even inside ``no_grad()``: there is no gradient without a graph)."""
    leaves = [Value(x) for x in inputs]
    with _recording():
        out = f(*leaves)
    if not isinstance(out, Value):
        return [0.0] * len(leaves)
    grads = gradients(out)
    return [grads.get(leaf, 0.0) for leaf in leaves]


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[Number],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check backprop against finite differences, with PyTorch's criterion and defaults.

    Input i passes when ``|analytic − numeric| ≤ atol + rtol·|numeric|``.

    Args:
        f: called as ``f(*values)``, returns a Value.
        inputs: the point to check at, one number per argument.
        eps, atol, rtol: finite-difference step and tolerances (``torch.autograd.gradcheck``).
    Returns:
        ``True`` when every input passes.
    Raises:
        GradcheckError: some input fails; the message is a table of analytic, numeric and
            error per input.

    Example::

        >>> from autograd import gradcheck
        >>> gradcheck(lambda x, y: (x * y).tanh() + y.exp(), [0.3, -0.7])
        True
    """
    _positive(eps, "eps", "gradcheck")
    for name, tolerance in (("atol", atol), ("rtol", rtol)):
        if as_float(tolerance, f"gradcheck({name})") < 0 or tolerance != tolerance:
            raise ValueError(f"gradcheck: {name} must be a number ≥ 0, got {tolerance!r}")
    analytic = analytic_grad(f, inputs)
    numeric = _central_differences(f, inputs, eps, "gradcheck")
    rows = []
    failed = False
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        error = abs(a - n)
        allowed = atol + rtol * abs(n)
        ok = error <= allowed  # False for NaN too
        failed |= not ok
        rows.append((i, float(inputs[i]), a, n, error, allowed, ok))
    if failed:
        raise GradcheckError(_table(rows, eps, atol, rtol))
    return True


def _table(rows: list, eps: float, atol: float, rtol: float) -> str:
    lines = [
        f"gradcheck failed: analytic (backward) and numeric (central differences, eps={eps:g}) "
        f"gradients disagree; input i passes when |analytic - numeric| <= {atol:g} + "
        f"{rtol:g}*|numeric|.",
        f"{'input':>5}  {'at':>12}  {'analytic':>14}  {'numeric':>14}  {'error':>10}  "
        f"{'allowed':>10}  ok",
    ]
    for i, x, a, n, err, allowed, ok in rows:
        lines.append(
            f"{i:>5}  {x:>12.6g}  {a:>14.8g}  {n:>14.8g}  {err:>10.3g}  {allowed:>10.3g}  "
            f"{'yes' if ok else 'NO'}"
        )
    lines.append(
        "If this is your own op, check its local derivative; if the point sits on a kink "
        "(relu/abs at 0) or near a singularity, move it."
    )
    return "\n".join(lines)
