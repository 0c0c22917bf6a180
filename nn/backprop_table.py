"""Backpropagation layer by layer, as the course writes it, with the engine's numbers.

From the output layer back to the first, for each layer ``l`` and neuron ``j``::

    ∂L/∂aⱼ⁽ˡ⁾  = Σₖ wₖⱼ⁽ˡ⁺¹⁾ δₖ⁽ˡ⁺¹⁾        the gradient arriving from the next layer
    δⱼ⁽ˡ⁾      = ∂L/∂zⱼ⁽ˡ⁾ = ∂L/∂aⱼ⁽ˡ⁾ · f′(zⱼ⁽ˡ⁾)
    ∂L/∂wⱼₖ⁽ˡ⁾ = δⱼ⁽ˡ⁾ · aₖ⁽ˡ⁻¹⁾               (a⁽⁰⁾ = x)
    ∂L/∂bⱼ⁽ˡ⁾  = δⱼ⁽ˡ⁾

(for the output layer ``∂L/∂aⱼ`` comes from the loss itself). Every number is read from the
Values of one forward and backward pass (``.grad``, ``.data``, the activation node's
``local_grads`` for ``f′``) — and each identity is then *checked* against them: the table
shows the engine's number (``value``) beside the formula evaluated on the engine's other
numbers (``check``), and an identity that does not hold raises :class:`BackpropIdentityError`.

For a batch (the loss averaging over samples), ``∂L/∂aⱼ`` and ``δⱼ`` are per sample
(``δⱼ⁽ˡ⁾`` of sample ``i`` is ``∂L/∂zⱼ⁽ˡ⁾`` of that sample's graph, the ``1/N`` of the mean
included), and the parameters' gradients are sums over the samples:
``∂L/∂wⱼₖ⁽ˡ⁾ = Σᵢ δⱼ⁽ˡ⁾⁽ⁱ⁾ aₖ⁽ˡ⁻¹⁾⁽ⁱ⁾``, the per-sample terms in ``row.parts``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from . import checks
from .network_pass import LossArg, NetworkPass, NeuronRecord, run_pass
from .notation import input_symbol, neuron_symbol, parameter_symbol, subscript, superscript

REL_TOL = 1e-9
ABS_TOL = 1e-12
MAX_TERMS = 4  # sums with more terms are written Σ (their terms stay in row.parts)


class BackpropIdentityError(AssertionError):
    """A backprop identity does not hold with the engine's numbers (e.g. ``δ·a`` differs from
    the weight's ``.grad``): the model computes something else than ``f(w·x + b)``."""


@dataclass(frozen=True)
class BackpropRow:
    """One quantity of the backward pass.

    Attributes:
        layer: ``l``, 1-based (1 for the first layer).
        neuron: ``j``, 1-based.
        kind: ``"dL/da"``, ``"delta"``, ``"dL/dw"`` or ``"dL/db"``.
        quantity: its name in the course's notation (``δ₁⁽²⁾``, ``∂L/∂w₁,₂⁽²⁾``).
        formula: the formula, in symbols (``∂L/∂a₁⁽²⁾ · f′(z₁⁽²⁾)``).
        numbers: the formula with the engine's numbers put in (``0.741365 × 0.186816``).
        value: the engine's number for the quantity (a ``.grad``).
        check: the formula evaluated on the engine's numbers (``None`` where the quantity
            is where backprop starts: ``∂L/∂a`` of an output, from the loss).
        sample: the sample (1-based) in a batch; ``None`` for a single sample, or for a
            batch's parameter gradient (the sum over samples).
        parts: the terms of a sum (``wₖⱼδₖ`` per ``k``; ``δⱼaₖ`` or ``δⱼ`` per sample).
        name: the parameter's dotted name (``layers.1.neurons.0.w.1``), else ``""``.
    """

    layer: int
    neuron: int
    kind: str
    quantity: str
    formula: str
    numbers: str
    value: float
    check: float | None
    sample: int | None = None
    parts: tuple[float, ...] = ()
    name: str = ""

    @property
    def ok(self) -> bool:
        """Whether the formula gives the engine's number (to ``1e-9`` relative, ``1e-12``
        absolute); ``True`` when there is nothing to check."""
        return self.check is None or math.isclose(self.value, self.check, rel_tol=REL_TOL,
                                                  abs_tol=ABS_TOL)


class BackpropTable:
    """The rows of a layer-by-layer backward pass (see the module docs).

    Attributes:
        rows: the :class:`BackpropRow` list, output layer first.
        loss: the loss's value; ``loss_name`` its name; ``batch_size`` the samples.
    """

    def __init__(self, rows: list[BackpropRow], loss: float, loss_name: str,
                 batch_size: int, digits: int = 6) -> None:
        self.rows = rows
        self.loss = loss
        self.loss_name = loss_name
        self.batch_size = batch_size
        self.digits = digits

    @property
    def ok(self) -> bool:
        """Whether every identity holds with the engine's numbers."""
        return all(r.ok for r in self.rows)

    def failures(self) -> list[BackpropRow]:
        """The rows whose identity does not hold."""
        return [r for r in self.rows if not r.ok]

    def row(self, quantity: str, sample: int | None = None) -> BackpropRow:
        """The row of ``quantity`` (as displayed, e.g. ``"δ₁⁽²⁾"``) for ``sample``.

        Raises:
            KeyError: no such row (the message lists a few that exist).
        """
        for r in self.rows:
            if r.quantity == quantity and r.sample == sample:
                return r
        known = ", ".join(dict.fromkeys(r.quantity for r in self.rows[:12]))
        raise KeyError(f"no row {quantity!r} (sample {sample}); rows are e.g. {known}")

    def _cells(self, r: BackpropRow) -> list[str]:
        d = self.digits
        cells = [str(r.layer), str(r.neuron)]
        if self.batch_size > 1:
            cells.append("all" if r.sample is None else str(r.sample))
        mark = "" if r.check is None else ("✓" if r.ok else f"✗ formula gives {r.check:.{d}g}")
        formula = f"{r.formula} = {r.numbers}" if r.numbers else r.formula
        value = "0" if r.value == 0 else f"{r.value:.{d}g}"  # not "-0"
        return [*cells, r.quantity, formula, value, mark]

    def _header(self) -> list[str]:
        head = ["l", "j"]
        if self.batch_size > 1:
            head.append("sample")
        return [*head, "quantity", "formula = with the engine's numbers", "value", "check"]

    def __str__(self) -> str:
        table = [self._header()] + [self._cells(r) for r in self.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines = [f"loss {self.loss_name} = {self.loss:.{self.digits}g}"
                 + (f" (mean over {self.batch_size} samples)" if self.batch_size > 1 else "")]
        for n, row in enumerate(table):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th style='text-align:left'>{esc(h)}</th>" for h in self._header())
        body = []
        for r in self.rows:
            style = "" if r.ok else " style='background:#ffe3e3'"
            cells = "".join(f"<td style='text-align:left'>{esc(c)}</td>" for c in self._cells(r))
            body.append(f"<tr{style}>{cells}</tr>")
        caption = esc(str(self).split("\n", 1)[0])
        return (f"<table><caption style='text-align:left'>{caption}</caption>"
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")

    def __repr__(self) -> str:
        return (f"<BackpropTable: {len(self.rows)} rows, loss {self.loss_name} = "
                f"{self.loss:.{self.digits}g}, identities {'hold' if self.ok else 'FAIL'}>")


def backprop_by_layer(model: object, x: object, target: object, loss: LossArg, *,
                      batch: bool = False, strict: bool = True,
                      digits: int = 6) -> BackpropTable:
    """The backward pass of ``model`` on a sample, layer by layer, as the course writes it.

    For each layer ``l`` from the output back, and each neuron ``j``::

        ∂L/∂aⱼ⁽ˡ⁾  = Σₖ wₖⱼ⁽ˡ⁺¹⁾ δₖ⁽ˡ⁺¹⁾      (output layer: from the loss)
        δⱼ⁽ˡ⁾      = ∂L/∂zⱼ⁽ˡ⁾ = ∂L/∂aⱼ⁽ˡ⁾ · f′(zⱼ⁽ˡ⁾)
        ∂L/∂wⱼₖ⁽ˡ⁾ = δⱼ⁽ˡ⁾ · aₖ⁽ˡ⁻¹⁾   (a⁽⁰⁾ = x),     ∂L/∂bⱼ⁽ˡ⁾ = δⱼ⁽ˡ⁾

    Each value is the engine's (a ``.grad`` after ``loss.backward()``), shown beside the
    formula evaluated on the engine's other numbers. The model's parameters and their
    ``.grad`` are left unchanged (see ``nn.network_pass``).

    Args:
        model: an ``nn.MLP`` (or a lone ``nn.Layer`` / ``nn.Neuron``).
        x: one sample (a list of numbers) — or, with ``batch=True``, a list of samples.
        target: its target — or, with ``batch=True``, one target per sample.
        loss: a name ``nn.fit`` accepts (``"mse"``, ``"bce"``, ``"bce_with_logits"``,
            ``"cross_entropy"``, …) or a function ``(outputs, targets) -> Value``, called
            as ``nn.fit`` calls it: with the lists of predictions and targets (lists of one
            for one sample).
        batch: ``x`` and ``target`` are a batch; the loss is then over all samples (the
            named losses average), δ is per sample and ∂L/∂w sums the samples' terms.
        strict: raise :class:`BackpropIdentityError` if an identity fails (with ``False``
            the failing rows are marked ✗ in the table and listed by ``failures()``).
        digits: significant digits in the text and HTML tables.
    Returns:
        A :class:`BackpropTable`: ``.rows`` (structured), ``str()`` (a text table) and an
        HTML table in Jupyter.
    Raises:
        TypeError: an unsupported model; ValueError: a bad sample, target or loss name.
        BackpropIdentityError: an identity does not hold (``strict=True``).

    Example::

        >>> from nn.examples import mazur_network
        >>> model, x, target = mazur_network()
        >>> table = backprop_by_layer(model, x, target, "mse")
        >>> r = table.row("∂L/∂w₁,₁⁽²⁾"); round(r.value, 9), r.ok
        (0.082167041, True)
    """
    who = "backprop_by_layer"
    batch = checks.flag(batch, "batch", who)
    strict = checks.flag(strict, "strict", who)
    digits = checks.digits(digits, who)
    if batch:
        if not checks.is_sequence(x) or not checks.is_sequence(target):
            raise ValueError(f"{who}: with batch=True, x is a list of samples and target a "
                             f"list of targets, got {type(x).__name__} and "
                             f"{type(target).__name__}")
        if len(x) == 0 or len(x) != len(target):
            raise ValueError(f"{who}: with batch=True, give one target per sample; got "
                             f"{len(x)} samples and {len(target)} targets")
        xs, targets = list(x), list(target)
    else:
        xs, targets = [x], [target]
    if loss is None:
        raise ValueError(f"{who}: loss is None; pass a loss name such as loss='mse' or a "
                         "function (outputs, targets) -> Value")
    recorded = run_pass(model, xs, targets, loss, who, batch=batch)
    assert recorded.loss is not None  # run_pass builds the loss whenever one is given
    table = BackpropTable(backprop_rows(recorded, batch, digits), recorded.loss.data,
                          recorded.loss_name, len(xs), digits)
    if strict and not table.ok:
        lines = "\n".join(f"  {r.quantity} (sample {r.sample}): engine {r.value!r}, formula "
                          f"{r.formula} gives {r.check!r}" for r in table.failures())
        raise BackpropIdentityError(
            f"{who}: {len(table.failures())} identities do not hold with the engine's numbers:"
            f"\n{lines}\nThe model does not compute f(w·x + b) layer after layer as the table "
            "assumes; pass strict=False to see the table anyway")
    return table


def backprop_rows(p: NetworkPass, batch: bool, digits: int) -> list[BackpropRow]:
    """The table's rows for a recorded pass: per layer from the output back, per neuron its
    ∂L/∂a, δ, ∂L/∂w and ∂L/∂b (read by the network stepper too)."""
    fmt = _formatter(digits)
    top = len(p.layers) - 1
    rows: list[BackpropRow] = []
    for li in range(top, -1, -1):
        lnum = li + 1 if p.layered else None
        for j in range(len(p.layers[li])):
            a_name = neuron_symbol("a", lnum, j + 1)
            z_name = neuron_symbol("z", lnum, j + 1)
            delta_name = neuron_symbol("δ", lnum, j + 1)
            per_sample = [s.layers[li][j] for s in p.samples]
            for i, rec in enumerate(per_sample):
                sample = i + 1 if batch else None
                if li == top:
                    rows.append(BackpropRow(
                        li + 1, j + 1, "dL/da", f"∂L/∂{a_name}",
                        f"from the loss {p.loss_name}: where backprop starts", "",
                        rec.a_grad, None, sample))
                else:
                    rows.append(_arriving(p, li, j, i, lnum, a_name, sample, fmt))
                rows.append(BackpropRow(
                    li + 1, j + 1, "delta", delta_name,
                    f"∂L/∂{z_name} = ∂L/∂{a_name} · f′({z_name})",
                    f"{fmt(rec.a_grad)} × {fmt(rec.fprime)}", rec.delta,
                    rec.a_grad * rec.fprime, sample))
            rows.extend(_parameter_rows(p, li, j, per_sample, lnum, batch, fmt))
    return rows


def _arriving(p: NetworkPass, li: int, j: int, i: int, lnum: int | None, a_name: str,
              sample: int | None, fmt) -> BackpropRow:
    """∂L/∂aⱼ⁽ˡ⁾ = Σₖ wₖⱼ⁽ˡ⁺¹⁾ δₖ⁽ˡ⁺¹⁾ for sample ``i``."""
    rec = p.samples[i].layers[li][j]
    following = p.samples[i].layers[li + 1]
    nxt = None if lnum is None else lnum + 1
    weights = [r.neuron.w[j] for r in following]
    deltas = [r.delta for r in following]
    parts = tuple(w.data * d for w, d in zip(weights, deltas))
    if len(following) <= MAX_TERMS:
        formula = " + ".join(f"{parameter_symbol(w)}·{neuron_symbol('δ', nxt, k + 1)}"
                             for k, w in enumerate(weights))
        numbers = " + ".join(f"{fmt(w.data)}×{fmt(d)}" for w, d in zip(weights, deltas))
    else:
        formula = f"Σₖ wₖ,{subscript(j + 1)}{superscript(nxt)} δₖ{superscript(nxt)}"
        numbers = f"the sum of {len(parts)} products (in row.parts)"
    return BackpropRow(li + 1, j + 1, "dL/da", f"∂L/∂{a_name}", formula, numbers, rec.a_grad,
                       math.fsum(parts), sample, parts)


def _parameter_rows(p: NetworkPass, li: int, j: int, per_sample: list[NeuronRecord],
                    lnum: int | None, batch: bool, fmt) -> list[BackpropRow]:
    """∂L/∂wⱼₖ⁽ˡ⁾ = Σᵢ δⱼ⁽ˡ⁾ aₖ⁽ˡ⁻¹⁾ and ∂L/∂bⱼ⁽ˡ⁾ = Σᵢ δⱼ⁽ˡ⁾ (one term for one sample)."""
    neuron = per_sample[0].neuron
    delta_name = neuron_symbol("δ", lnum, j + 1)
    previous = None if lnum is None or lnum == 1 else lnum - 1
    rows = []
    deltas = [rec.delta for rec in per_sample]
    for k, w in enumerate(neuron.w):
        a_prev = input_symbol(k + 1) if li == 0 else neuron_symbol("a", previous, k + 1)
        inputs = [rec.inputs[k].data for rec in per_sample]
        parts = tuple(d * a for d, a in zip(deltas, inputs))
        formula = f"{delta_name} · {a_prev}"
        if batch:
            formula = f"Σᵢ {formula}"
        numbers = _sum_text([f"{fmt(d)} × {fmt(a)}" for d, a in zip(deltas, inputs)], parts,
                            fmt)
        rows.append(BackpropRow(li + 1, j + 1, "dL/dw", f"∂L/∂{parameter_symbol(w)}", formula,
                                numbers, p.grad(w), math.fsum(parts), None, parts, w.label))
    b = neuron.b
    rows.append(BackpropRow(li + 1, j + 1, "dL/db", f"∂L/∂{parameter_symbol(b)}",
                            f"Σᵢ {delta_name}" if batch else delta_name,
                            _sum_text([fmt(d) for d in deltas], tuple(deltas), fmt),
                            p.grad(b), math.fsum(deltas), None, tuple(deltas), b.label))
    return rows


def _sum_text(terms: list[str], parts: Sequence[float], fmt) -> str:
    if len(terms) <= MAX_TERMS:
        return " + ".join(terms)
    return f"{' + '.join(terms[:2])} + … ({len(terms)} samples, in row.parts)"


def _formatter(digits: int):
    def fmt(x: float) -> str:
        if x == 0:
            return "0"  # not "-0"
        text = f"{x:.{digits}g}"
        return f"({text})" if x < 0 else text
    return fmt
