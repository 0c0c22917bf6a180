"""One forward and backward pass of a model, recorded neuron by neuron for inspection.

The network diagram (``nn.diagram``) and the layer-by-layer backprop table
(``nn.backprop_table``) both read their numbers from here, and here every number is read from
the engine's Values of that pass — ``.data``, ``.grad``, ``.local_grads`` — never recomputed:

* the forward pass runs the layers one by one (``layer.forward(previous outputs)``), so each
  neuron's activation node ``aⱼ⁽ˡ⁾`` is at hand; its pre-activation ``zⱼ⁽ˡ⁾ = wⱼ·a⁽ˡ⁻¹⁾ + bⱼ``
  is found by walking the graph from ``a`` to the node whose parents include the bias;
* ``f′(zⱼ⁽ˡ⁾) = ∂a/∂z`` is the activation node's stored local derivative;
* after ``loss.backward()``, ``∂L/∂z`` and ``∂L/∂a`` are those nodes' ``.grad`` and
  ``∂L/∂w``, ``∂L/∂b`` the parameters' ``.grad``.

The model's state is left as it was: parameters' ``.grad`` are saved, zeroed for the pass (so
they hold this pass's gradient alone), read, and restored; dropout is not applied (the pass is
the network as in ``eval()``), and no random generator advances.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import autograd
from autograd import Value

from . import checks, losses
from .layers import MLP, Layer, Neuron
from .notation import input_symbol

LossArg = str | losses.Loss | Callable[[list, list], Value] | None
SUPPORTED = "nn.MLP, nn.Layer or nn.Neuron"


@dataclass
class NeuronRecord:
    """Neuron ``j`` of layer ``l`` (both 0-based here; shown 1-based) in one sample's pass.

    Attributes:
        neuron: the model's Neuron (its ``w`` and ``b`` are the parameters).
        inputs: the Values it read, ``a⁽ˡ⁻¹⁾`` (constants ``x`` for the first layer).
        z: the pre-activation node ``w·a⁽ˡ⁻¹⁾ + b``.
        a: the activation node (``a is z`` for the linear activation).
        fprime: ``f′(z) = ∂a/∂z``, from the activation node's ``local_grads``.
        a_grad, delta: ``∂L/∂a`` and ``δ = ∂L/∂z`` after the pass's backward (properties).
    """

    layer: int
    index: int
    neuron: Neuron
    inputs: list[Value]
    z: Value
    a: Value
    fprime: float

    @property
    def a_grad(self) -> float:
        """∂L/∂a in the recorded pass (``a.grad`` as a number; 0.0 without a loss)."""
        return float(self.a.grad)

    @property
    def delta(self) -> float:
        """δ = ∂L/∂z in the recorded pass (``z.grad`` as a number; 0.0 without a loss)."""
        return float(self.z.grad)


@dataclass
class SampleRecord:
    """One sample's forward pass: its input and, per layer, its neurons' records."""

    x: list[float]
    layers: list[list[NeuronRecord]]
    prediction: Any
    target: Any = None


@dataclass
class NetworkPass:
    """A recorded pass over one sample or a batch (see the module docs).

    Attributes:
        layers: the model's neurons, layer by layer.
        layered: whether the model is an MLP (its quantities carry the layer, ``a₁⁽²⁾``;
            a lone Layer's or Neuron's do not: ``a₁``).
        samples: one :class:`SampleRecord` per sample.
        loss: the loss node (``None`` without a loss); ``loss.backward()`` has run on it.
        loss_name: the loss's name, for display.
        param_grads: each parameter's ``.grad`` right after that backward pass (this pass's
            gradient alone: they were zeroed first); the parameters' own ``.grad`` are
            restored afterwards.
    """

    layers: list[list[Neuron]]
    samples: list[SampleRecord]
    layered: bool = True
    loss: Value | None = None
    loss_name: str = ""
    param_grads: dict[Value, float] = field(default_factory=dict)

    @property
    def has_grads(self) -> bool:
        """Whether a backward pass ran (a loss was given)."""
        return self.loss is not None

    def grad(self, parameter: Value) -> float:
        """∂L/∂parameter in this pass (``0.0`` when no loss was given)."""
        return self.param_grads.get(parameter, 0.0)


def checked_model(model: object, who: str) -> MLP | Layer | Neuron:
    """``model`` itself if it is one of the models shown neuron by neuron.

    Raises:
        TypeError: anything else (named, with what is supported).
    """
    if not isinstance(model, (MLP, Layer, Neuron)):
        raise TypeError(f"{who}: model must be an {SUPPORTED}, got {type(model).__name__}; "
                        "draw another Module's graph with autograd.draw(output)")
    return model


def layers_of(model: object, who: str) -> list[list[Neuron]]:
    """The model's neurons, layer by layer: an MLP's layers, a Layer's neurons, a Neuron.

    Raises:
        TypeError: anything else (named, with what is supported), or an MLP holding a layer
            that is not an ``nn.Layer`` of ``nn.Neuron``s.
    """
    model = checked_model(model, who)
    if isinstance(model, Neuron):
        return [[model]]
    layers: list = list(model.layers) if isinstance(model, MLP) else [model]
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer) or \
                not all(isinstance(n, Neuron) for n in layer.neurons):
            raise TypeError(
                f"{who}: layer {i} of the model is a {type(layer).__name__} (or holds other "
                f"modules than Neurons); only layers of nn.Neuron can be shown neuron by "
                "neuron. Draw its graph with autograd.draw(output) instead"
            )
    return [list(layer.neurons) for layer in layers]


def nin_of(layers: list[list[Neuron]]) -> int:
    """The number of inputs of the first layer."""
    return layers[0][0].nin


def check_sample(x: object, nin: int, who: str, name: str = "x") -> list[float]:
    """``x`` as a list of ``nin`` finite floats (numpy arrays and scalars accepted).

    Raises:
        ValueError: wrong length, not numbers, NaN or ±inf — naming ``name``, the value and
            the fix.
    """
    if isinstance(x, numbers.Real) and not isinstance(x, bool) and nin == 1:
        x = [x]
    if not checks.is_sequence(x):
        raise ValueError(f"{who}: {name} must be one sample, a list of {nin} numbers, got "
                         f"{type(x).__name__} {x!r}")
    if len(x) and all(hasattr(v, "__len__") and not isinstance(v, str) for v in x):
        hint = "pass batch=True for a batch" if who == "backprop_by_layer" else \
            "draw one sample at a time"
        raise ValueError(f"{who}: {name} holds {len(x)} samples, not one sample of {nin} "
                         f"numbers; {hint}")
    if len(x) != nin:
        raise ValueError(f"{who}: {name} has {len(x)} values but the model has {nin} inputs; "
                         f"give one sample of {nin} numbers, e.g. {name}={[0.5] * nin!r}")
    sample = []
    for i, v in enumerate(x):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ValueError(f"{who}: {name}[{i}] is {v!r}, not a number; {name} must hold "
                             f"{nin} numbers")
        if not math.isfinite(v):
            raise ValueError(f"{who}: {name}[{i}] is {v!r}; NaN and infinity cannot be "
                             "computed with. Fill in or remove missing values first")
        sample.append(float(v))
    return sample


def resolve_loss(loss: LossArg, who: str) -> tuple[losses.Loss, str]:
    """The loss record and its display name, for a name ``nn.fit`` accepts, a record or a
    function ``loss(outputs, targets) -> Value``.

    Raises:
        ValueError: an unknown name (the known ones are listed), or not a loss at all.
    """
    if isinstance(loss, str):
        try:
            return losses.get(loss), loss
        except ValueError as exc:
            raise ValueError(f"{who}: loss={loss!r} is not a known loss ({exc})") from None
    if not callable(loss):
        raise ValueError(f"{who}: loss must be a loss name ('mse', 'bce', 'bce_with_logits', "
                         f"'cross_entropy', ...) or a function (outputs, targets) -> Value, "
                         f"got {type(loss).__name__} {loss!r}")
    record = losses.get(loss)
    return record, record.name


def find_z(a: Value, bias: Value, who: str) -> Value:
    """The pre-activation node ``w·x + b`` behind the activation node ``a``: the nearest node,
    walking the graph back from ``a`` (``a`` itself first), whose parents include ``bias``.

    Raises:
        RuntimeError: no such node near ``a`` (a neuron whose forward is not ``f(w·x + b)``).
    """
    frontier = [a]
    seen = {a}
    for _ in range(8):  # an activation is a few nodes deep at most (selu: two)
        following = []
        for node in frontier:
            if any(p is bias for p in node.parents):
                return node
            for p in node.parents:
                if p not in seen:
                    seen.add(p)
                    following.append(p)
        frontier = following
    raise RuntimeError(f"{who}: cannot find z = w·x + b behind the neuron's output "
                       f"({bias.label or 'its bias'} is not among the parents of the nodes "
                       "near it); the neuron must compute activation(w·x + b)")


def activation_slope(a: Value, z: Value) -> float:
    """``f′(z) = ∂a/∂z`` as the engine stored it: ``1`` when ``a is z`` (linear), the
    activation node's local derivative when ``z`` is its parent, else (an activation made of
    several nodes, e.g. selu) the chain rule over the nodes between them."""
    if a is z:
        return 1.0
    if a.parents.count(z) == 1 and len(a.parents) == 1:
        return float(a.local_grads[0])
    return float(autograd.gradients(a).get(z, 0.0))


def _forward(layers: list[list[Neuron]], model: MLP | Layer | Neuron, x: list[float],
             who: str) -> SampleRecord:
    values: list[Value] = [autograd.constant(v, input_symbol(k + 1)) for k, v in enumerate(x)]
    records: list[list[NeuronRecord]] = []
    inputs = values
    for li, neurons in enumerate(layers):
        if isinstance(model, Neuron):
            outputs = [model.forward(inputs)]
        elif isinstance(model, Layer):
            outputs = model.forward(inputs)
        else:  # an MLP: its layers one by one (dropout is not applied)
            outputs = model.layers[li].forward(inputs)
        if isinstance(outputs, Value):
            outputs = [outputs]
        row = []
        for j, (neuron, a) in enumerate(zip(neurons, outputs)):
            z = find_z(a, neuron.b, who)
            row.append(NeuronRecord(li, j, neuron, inputs, z, a, activation_slope(a, z)))
        records.append(row)
        inputs = list(outputs)
    prediction = inputs[0] if isinstance(model, (Neuron, MLP)) and len(inputs) == 1 \
        else list(inputs)
    return SampleRecord(x, records, prediction)


def run_pass(model: object, xs: Sequence[object], targets: Sequence[object] | None,
             loss: LossArg, who: str, *, batch: bool) -> NetworkPass:
    """Run ``model`` on the samples ``xs`` layer by layer, then (with a loss) build the loss
    and back-propagate it, leaving the model's parameters and their ``.grad`` as they were.

    The loss is called as ``nn.fit`` calls it, ``loss([prediction₁, …], [target₁, …])`` —
    for one sample, lists of one (the named losses average over the samples).

    Args:
        model: an ``nn.MLP``, ``nn.Layer`` or ``nn.Neuron``.
        xs: the samples (each checked: length, finite numbers).
        targets: one per sample, or ``None``.
        loss: a loss name, an ``nn.losses.Loss``, a function ``(outputs, targets) -> Value``
            (the batch's mean, :mod:`nn.losses`' convention), or ``None``.
        who: the public function's name, for errors.
        batch: ``xs`` is a batch (names the samples ``xs[i]`` in errors, not ``x``).
    Raises:
        TypeError: an unsupported model, or a loss that returns no Value.
        ValueError: a bad sample, a target without a loss (or a loss without a target),
            an unknown loss name.
        FloatingPointError: the loss is NaN or infinite.
    """
    model = checked_model(model, who)
    layers = layers_of(model, who)
    nin = nin_of(layers)
    if targets is None and loss is not None:
        raise ValueError(f"{who}: loss={loss!r} needs a target to compare the prediction "
                         "with; pass target=... (e.g. target=[0.01, 0.99])")
    if targets is not None and loss is None:
        raise ValueError(f"{who}: a target was given but no loss; pass loss='mse' (or "
                         "another name nn.fit accepts, or a function (outputs, targets) -> "
                         "Value) so the gradients can be computed")
    loss_fn, loss_name = resolve_loss(loss, who) if loss is not None else (None, "")
    xs_name = "xs" if batch else "x"
    samples = [check_sample(x, nin, who, f"{xs_name}[{i}]" if batch else "x")
               for i, x in enumerate(xs)]
    parameters = model.parameters()
    saved = [p.grad for p in parameters]
    try:
        for p in parameters:
            p.grad = 0.0
        with autograd.enable_grad():
            records = [_forward(layers, model, x, who) for x in samples]
            if loss_fn is None or targets is None:  # both or neither, as checked above
                return NetworkPass(layers, records, isinstance(model, MLP))
            for record, target in zip(records, targets):
                record.target = target
            predictions = [r.prediction for r in records]
            try:
                value = loss_fn(predictions, list(targets))
            except TypeError as exc:
                if not loss_fn.custom:
                    raise
                raise TypeError(f"{who}: the loss {loss_name} must take lists, "
                                "loss(outputs, targets) -> Value, as nn.fit calls it (here "
                                f"{len(predictions)} output(s) and target(s)); it raised "
                                f"TypeError: {exc}") from exc
            if not isinstance(value, Value):
                raise TypeError(f"{who}: the loss must return one autograd.Value (its graph is "
                                f"what backward() follows), got {type(value).__name__}")
            if not math.isfinite(value.data):
                raise FloatingPointError(f"{who}: the loss is {value.data}; check the weights "
                                         "and the target")
            value.backward()
        grads = {p: float(p.grad) for p in parameters}
        return NetworkPass(layers, records, isinstance(model, MLP), value, loss_name, grads)
    finally:
        for p, g in zip(parameters, saved):
            p.grad = g
