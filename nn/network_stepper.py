"""The network diagram as a page to step through: forward neuron by neuron, backward δ by δ.

``nn.draw_network(model, x, target=..., loss=...).stepper()`` — the same picture, with frames
for :class:`autograd.Stepper`: first the inputs, then each neuron's ``z`` and ``a`` layer by
layer, the loss, and then, from the output layer back, each neuron's ``∂L/∂a``, ``δ`` and
``∂L/∂b`` with the gradients of the weights into it — every sentence the layer-by-layer
table's formula with the engine's numbers. With ``.stepper(lr=0.1)`` an update phase
follows: ``w ← w − η·∂L/∂w`` for each weight and bias, in the network's order (the model
itself is not changed). A number appears when its step computes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import Drawing, Stepper

from .backprop_table import backprop_rows
from .network_pass import NetworkPass
from .notation import input_symbol, neuron_symbol, parameter_symbol


def network_stepper(drawing: Drawing, recorded: NetworkPass, gradient_fill: str, *,
                    value_fill: str | None = None, lr: float | None = None,
                    digits: int = 4) -> Stepper:
    """A :class:`autograd.Stepper` over ``drawing`` (made by ``draw_network`` from
    ``recorded``): the forward pass neuron by neuron, then the backward pass δ by δ, then
    (with ``lr``) the update of each parameter; texts in ``gradient_fill`` (the diagram's
    gradients) stay hidden until their backward step, texts in ``value_fill`` (its forward
    values) until their forward step.

    Raises:
        ValueError: ``lr`` is given but not a finite number > 0, or there is no loss.
    """
    if lr is not None:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) \
                or lr <= 0:
            raise ValueError(f"stepper: lr must be a finite number > 0 (the learning rate η of "
                             f"w ← w − η·∂L/∂w), got {lr!r}; e.g. lr=0.1")
        if recorded.loss is None:
            raise ValueError("stepper: an update needs gradients; draw the network with "
                             "target=... and loss=... to step through lr=...")

    sample = recorded.samples[0]
    layers = sample.layers
    lnum = (lambda li: li + 1) if recorded.layered else (lambda li: None)
    inputs = [f"tg-x{k}" for k in range(len(sample.x))]
    neurons = {(li, j): f"tg-n{li}_{j}" for li, layer in enumerate(layers)
               for j in range(len(layer))}

    def into(li: int, j: int) -> list[str]:
        source = (lambda k: f"x{k}") if li == 0 else (lambda k: f"n{li - 1}_{k}")
        return [f"tg-{source(k)}-n{li}_{j}" for k in range(len(layers[li][j].inputs))]

    edges = [e for (li, j) in neurons for e in into(li, j)]
    frames: list[dict[str, Any]] = [
        {"phase": "start", "say": "Before the forward pass: press → (or ▶) to compute the "
                                  "network neuron by neuron, then backpropagate"
                                  + (", then update." if lr is not None else ".")}]
    values = ", ".join(f"{input_symbol(k + 1)} = {x:.6g}" for k, x in enumerate(sample.x))
    frames.append({"phase": "forward", "say": f"forward: the sample enters, {values} (data: "
                                              "no gradient)",
                   "reveal": inputs, "lit": inputs})
    for (li, j), key in neurons.items():
        rec = layers[li][j]
        z, a = neuron_symbol("z", lnum(li), j + 1), neuron_symbol("a", lnum(li), j + 1)
        previous = [input_symbol(k + 1) if li == 0 else neuron_symbol("a", lnum(li - 1), k + 1)
                    for k in range(len(rec.inputs))]
        terms = " + ".join(f"{parameter_symbol(w)}·{p}" for w, p in zip(rec.neuron.w, previous))
        activation = rec.neuron.activation if isinstance(rec.neuron.activation, str) else "f"
        frames.append({"phase": "forward", "reveal": [key, *into(li, j)],
                       "lit": [key, *into(li, j)],
                       "say": f"forward: {z} = {terms} + {parameter_symbol(rec.neuron.b)} = "
                              f"{rec.z.data:.6g};  {a} = {activation}({z}) = {rec.a.data:.6g}"})
    keys = [*inputs, *neurons.values(), *edges]
    hidden = [*neurons.values(), *edges]
    if recorded.loss is not None:
        last = len(layers) - 1
        to_loss = [f"tg-n{last}_{j}-loss" for j in range(len(layers[last]))]
        keys += ["tg-loss", *to_loss]
        frames.append({"phase": "forward", "reveal": ["tg-loss", *to_loss],
                       "lit": ["tg-loss"],
                       "say": f"forward: L = {recorded.loss_name}(ŷ, y) = "
                              f"{recorded.loss.data:.6g}"})
        by_neuron: dict[tuple[int, int], list] = {}
        for row in backprop_rows(recorded, batch=False, digits=6):
            by_neuron.setdefault((row.layer - 1, row.neuron - 1), []).append(row)
        for (li, j), rows in by_neuron.items():  # from the output layer back
            out_edges = [f"tg-n{li}_{j}-n{li + 1}_{k}" for k in range(len(layers[li + 1]))] \
                if li + 1 < len(layers) else [f"tg-n{li}_{j}-loss"]
            said = [_sentence(r) for r in rows if r.kind in ("dL/da", "delta", "dL/db")]
            weights = [r for r in rows if r.kind == "dL/dw"]
            if weights:
                said.append(f"∂L/∂w = δ·a for the {len(weights)} weights into it: "
                            + ", ".join(f"{r.quantity} = {r.value:.6g}" for r in weights))
            frames.append({"phase": "backward", "say": "backward: " + ";  ".join(said),
                           "show": [neurons[li, j], *into(li, j)],
                           "lit": [neurons[li, j], *out_edges]})
    initial: dict[str, dict[str, str]] = {}
    if lr is not None:
        update, initial = _update_frames(recorded, lr, digits, into)
        frames += update
        keys += [k for k in initial if k not in keys]
    return Stepper(drawing, frames, title="backprop through the network", pending=keys,
                   keys=keys, hidden=hidden, hide_fill=gradient_fill, value_fill=value_fill,
                   initial=initial)


def _update_frames(recorded: NetworkPass, lr: float, digits: int,
                   into: Callable[[int, int], list[str]]
                   ) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """One frame per parameter, layer by layer, neuron by neuron (its weights, then its
    bias): ``w ← w − η·∂L/∂w`` with the pass's gradient; the new value is written where the
    picture shows it (an edge's ``w… = value`` when the layer's edges are labelled, a
    neuron's ``b = value``)."""
    frames: list[dict[str, Any]] = []
    initial: dict[str, dict[str, str]] = {}

    def fmt(v: float) -> str:
        return "0" if v == 0 else f"{v:.{digits}g}"

    for li, layer in enumerate(recorded.samples[0].layers):
        for j, rec in enumerate(layer):
            neuron = rec.neuron
            edges = into(li, j)
            for w, edge in [*zip(neuron.w, edges), (neuron.b, f"tg-n{li}_{j}")]:
                g = recorded.grad(w)
                new = w.data - lr * g
                symbol = parameter_symbol(w)
                step = f"{g:.4g}" if g >= 0 else f"({g:.4g})"
                frame: dict[str, Any] = {"phase": "update", "lit": [edge],
                         "say": f"update: {symbol} ← {w.data:.4g} − {lr:g} × {step} = "
                                f"{new:.4g}   (w ← w − η·∂L/∂w)"}
                field = "b" if w is neuron.b else symbol  # the texts "b = …", "w… = …"
                initial.setdefault(edge, {})[field] = f"= {fmt(w.data)}"
                frame["set"] = {edge: {field: f"= {fmt(new)}"}}
                frames.append(frame)
    return frames, initial


def _sentence(row) -> str:
    """A table row as a sentence: quantity = formula = numbers = value, without repeats."""
    value = f"{row.value:.6g}"
    if not row.numbers:  # where backprop starts: the loss's derivative
        return f"{row.quantity} = {value} ({row.formula})"
    if row.numbers.strip("()") == value:
        return f"{row.quantity} = {row.formula} = {value}"
    return f"{row.quantity} = {row.formula} = {row.numbers} = {value}"
