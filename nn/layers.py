"""The layers: Neuron, Layer and MLP (``activation(w·x + b)``, stacked), Dropout, BatchNorm."""

from __future__ import annotations

import itertools
import math
import numbers
import operator
import random
from collections.abc import Callable, Sequence
from typing import Any

import autograd
from autograd import Value

from . import activations, checks, notation
from . import init as initializers
from .module import Module

Activation = str | Callable[[Value], Value]
# One sample: its features (numbers or Values); a one-input model also takes the lone number.
Input = Sequence[Value | float] | Value | float
_is_value = Value.__instancecheck__  # isinstance(v, Value), as a fast predicate for map
_is_fused = operator.attrgetter("fused")
_data = operator.attrgetter("data")


def _as_values(x: Input, expected: int, who: str) -> list[Value]:
    """The inputs as Values (numbers become constants, drawn as data), checking the length.

    A list of Values of the right length is returned as it is (the fast path between
    layers); numbers — Python's or numpy's — must be finite.
    """
    if x.__class__ is list and len(x) == expected:  # the common case: no further checks
        if all(map(_is_value, x)):
            return x
    else:
        if isinstance(x, (Value, float, int, numbers.Real)):  # (type checkers: float, int)
            x = [x]
        if not hasattr(x, "__len__") or isinstance(x, str):
            raise TypeError(f"{who}: expects one sample, a list of {expected} numbers, got "
                            f"{type(x).__name__} {x!r}")
        if len(x) != expected:
            raise ValueError(
                f"{who} expects {expected} inputs per sample but got {len(x)}; check the "
                "model's nin against the number of features (one sample at a time, not a "
                "whole batch)"
            )
    # autograd.constant gives a clear TypeError for what is not a number
    values = [v if isinstance(v, Value) else autograd.constant(v) for v in x]
    if not math.isfinite(sum(map(_data, values))):  # NaN and ±inf survive a sum
        for i, v in enumerate(values):
            if not math.isfinite(v.data):
                raise ValueError(f"{who}: input {i} is {x[i]!r}; NaN and infinity cannot be "
                                 "computed with. Fill in or remove missing values first")
    return values


def _activation_op(activation: Activation) -> str | None:
    """The op an activation applies, as the namer recognises it: ``"sigmoid"``, ``"selu"``,
    ``"linear"`` (a = z); ``None`` for a function of the user's."""
    try:
        name = activations.name_of(activation)
    except ValueError:
        return None
    return {"identity": "linear", "logistic": "sigmoid"}.get(name, name)


def _rng(rng: random.Random | None, seed: object, who: str) -> random.Random:
    if rng is None:
        return random.Random(checks.seed(seed, who))
    if not isinstance(rng, random.Random):
        raise TypeError(f"{who}: rng must be a random.Random or None, got {type(rng).__name__}")
    return rng


class Dropout(Module):
    """Zero each input with probability ``p`` during training and scale the survivors by
    ``1/(1−p)`` (inverted dropout, as PyTorch), so evaluation needs no change: in ``eval()``
    it passes inputs through untouched.

    Each input becomes ``x·mᵢ/(1−p)`` with ``mᵢ ~ Bernoulli(1−p)`` (``p = 1``: all 0).

    Args:
        p: the drop probability, in [0, 1].
        seed: seeds the masks.
    Raises:
        InvalidParameterError: ``p`` is not a probability (named), or a bad seed.
    """

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        self.p = checks.real(p, "p", "Dropout", low=0, high=1, example=0.5)
        self._rng = random.Random(checks.seed(seed, "Dropout"))

    def forward(self, xs: Sequence[Value]) -> list[Value]:
        """Apply dropout to one sample's features."""
        if not self.training or self.p == 0.0:
            return list(xs)
        if self.p == 1.0:
            return [x * 0.0 for x in xs]
        keep = 1.0 / (1.0 - self.p)
        return [x * (0.0 if self._rng.random() < self.p else keep) for x in xs]

    def config(self) -> dict:
        return {"p": self.p}


class BatchNorm(Module):
    """Batch normalisation over a batch of samples (Ioffe & Szegedy 2015; ``BatchNorm1d``).

    Training: normalise each feature with the batch mean and (biased) variance, then scale
    and shift by the learned ``gamma`` and ``beta``; update running statistics with
    ``momentum`` (running variance unbiased, as PyTorch). ``eval()``: use the running ones.

    Call it on a whole batch: a list of samples, each a list of ``num_features`` Values.

    Raises:
        InvalidParameterError: ``num_features`` not an int ≥ 1, ``eps`` not > 0 (it keeps
            ``1/√(var + eps)`` finite for a constant feature), ``momentum`` not in [0, 1].
    """

    _buffers = ("running_mean", "running_var")

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        who = "BatchNorm"
        self.num_features = checks.integer(num_features, "num_features", who, low=1,
                                           example=16)
        self.eps = checks.real(eps, "eps", who, low=0, low_open=True, example=1e-5)
        self.momentum = checks.real(momentum, "momentum", who, low=0, high=1, example=0.1)
        self.gamma = [Value(1.0) for _ in range(num_features)]
        self.beta = [Value(0.0) for _ in range(num_features)]
        self.running_mean = [0.0] * num_features
        self.running_var = [1.0] * num_features
        self.label_parameters()

    def forward(self, batch: Sequence[Sequence[Value]]) -> list[list[Value]]:
        """Normalise a batch; returns the batch, same shape."""
        for row in batch:
            if len(row) != self.num_features:
                raise ValueError(f"BatchNorm: expects {self.num_features} features per "
                                 f"sample, got {len(row)}")
        n = len(batch)
        columns = list(zip(*batch))
        out_columns = []
        for j, column in enumerate(columns):
            if self.training:
                if n < 2:
                    raise ValueError("BatchNorm: training needs more than one sample per batch "
                                     "to estimate a variance; use a larger batch or eval()")
                mean = autograd.sum(column) / n
                centered = [x - mean for x in column]
                var = autograd.dot(centered, centered) / n
                m = self.momentum
                self.running_mean[j] = (1 - m) * self.running_mean[j] + m * mean.data
                self.running_var[j] = (1 - m) * self.running_var[j] + m * var.data * n / (n - 1)
                inv_std = (var + self.eps) ** -0.5
                normalized = [c * inv_std for c in centered]
            else:
                inv = 1.0 / math.sqrt(self.running_var[j] + self.eps)
                normalized = [(x - self.running_mean[j]) * inv for x in column]
            out_columns.append([x * self.gamma[j] + self.beta[j] for x in normalized])
        return [list(row) for row in zip(*out_columns)]

    def config(self) -> dict:
        return {"num_features": self.num_features, "eps": self.eps, "momentum": self.momentum}


class Neuron(Module):
    """One artificial neuron: ``activation(w·x + b)``.

    Args:
        nin: number of inputs.
        activation: a name from ``nn.activations`` or a function of a Value.
        init: an initialiser name or function (``nn.init``); ``None`` picks He for the ReLU
            family, Xavier otherwise. Biases start at 0.
        seed: seeds a ``random.Random`` (ignored when ``rng`` is given).
        fused: compute ``w·x`` as one ``autograd.dot`` node (fast, compact drawing); with
            ``False`` the graph shows every product and sum, for teaching.
        rng: the random generator to draw weights from (used by Layer and MLP).
        fan_out: the layer's width, for Xavier (1 for a lone neuron).

    Example::

        >>> n = Neuron(2, activation="sigmoid", init="zeros")
        >>> n([1.0, 2.0]).data
        0.5
    """

    def __init__(self, nin: int, activation: Activation = "relu", init=None,
                 seed: int | None = None, fused: bool = True, *,
                 rng: random.Random | None = None, fan_out: int = 1) -> None:
        self.nin = checks.integer(nin, "nin", "Neuron", low=1, example=2)
        fan_out = checks.integer(fan_out, "fan_out", "Neuron", low=1)
        self.activation = activation  # checked, and the function forward applies
        self.fused = checks.flag(fused, "fused", "Neuron")
        rng = _rng(rng, seed, "Neuron")
        draw = initializers.get(init, activation if isinstance(activation, str) else "")
        self.w = [Value(x) for x in draw(self.nin, fan_out, self.nin, rng)]
        self.b = Value(0.0)
        self.label_parameters()
        notation.note_neuron(self.b, _activation_op(activation))

    @property
    def activation(self) -> Activation:
        """The activation: a name from ``nn.activations`` or a function of a Value. The single
        source of what the neuron computes: assigning it changes ``forward`` (and so every
        view — ``draw_network``, ``to_torch``, ``save`` — shows what runs).

        Raises:
            ValueError: (on assignment) an unknown name.
        """
        return self._activation

    @activation.setter
    def activation(self, activation: Activation) -> None:
        self._act = activations.get(activation)  # an unknown name fails before any change
        self._activation = activation
        if "b" in vars(self):  # after __init__: the namer's note follows the new activation
            notation.note_neuron(self.b, _activation_op(activation))

    def forward(self, x: Input) -> Value:
        """The neuron's output for one sample ``x`` (a list of ``nin`` numbers or Values).

        Its nodes are named as the course names them (z, a, ``w·x``) when they are shown,
        not here: see :mod:`nn.notation`."""
        xs = _as_values(x, self.nin, "Neuron")
        if self.fused:
            z = autograd.dot(self.w, xs) + self.b
        else:
            z = self.w[0] * xs[0]
            for wi, xi in zip(self.w[1:], xs[1:]):
                z = z + wi * xi
            z = z + self.b
        return self._act(z)

    def names(self) -> tuple[str, str]:
        """The names of this neuron's pre-activation and activation nodes in the course's
        notation, from its bias's dotted name: ``layers.0.neurons.1.b`` gives ``("z₂⁽¹⁾",
        "a₂⁽¹⁾")``, a lone Neuron's ``b`` gives ``("z", "a")`` (drawings, step tables and
        ``explain`` name its nodes so; an MLP's output neuron's ``a`` is shown as ŷ).

        Example::

            >>> Neuron(2).names()
            ('z', 'a')
        """
        prefix, _, tail = notation.short_label(self.b.label).rpartition(".")
        index = tail[1:] if tail.startswith("b") else ""
        prefix = f"{prefix}." if prefix else ""
        return f"{prefix}z{index}", f"{prefix}a{index}"

    def config(self) -> dict:
        return {"nin": self.nin, "activation": activations.name_of(self.activation),
                "fused": self.fused}


_ONLY_NEURONS = {Neuron}  # a layer of plain Neurons (no subclass) computes one matvec


class Layer(Module):
    """``nout`` neurons reading the same inputs. Always returns a list (even of one).

    Args:
        nin, nout: inputs and neurons.
        activation, init, seed, fused, rng: as for :class:`Neuron`.
    """

    def __init__(self, nin: int, nout: int, activation: Activation = "relu", init=None,
                 seed: int | None = None, fused: bool = True, *,
                 rng: random.Random | None = None) -> None:
        self.nin = checks.integer(nin, "nin", "Layer", low=1, example=2)
        self.nout = checks.integer(nout, "nout", "Layer", low=1, example=4)
        rng = _rng(rng, seed, "Layer")
        self.neurons = [Neuron(self.nin, activation, init, fused=fused, rng=rng,
                               fan_out=self.nout) for _ in range(self.nout)]
        self.label_parameters()

    def forward(self, x: Input) -> list[Value]:
        """The layer's outputs for one sample: ``[neuron(x) for neuron in self.neurons]``.

        Any Module mapping the inputs to one Value may stand in ``neurons``; when they are
        all fused ``Neuron``s, their ``w·x`` are computed as one matrix-vector product.
        """
        xs = _as_values(x, self.nin, "Layer")
        neurons = self.neurons
        if self._all_neurons(neurons) and all(map(_is_fused, neurons)):
            # One matrix-vector product: the same dot nodes, the inputs read once.
            zs = autograd.matvec([n.w for n in neurons], xs)
            return [n._act(z + n.b) for n, z in zip(neurons, zs)]
        return [n(xs) for n in neurons]

    def _all_neurons(self, neurons: list) -> bool:
        """Whether every item is a plain ``Neuron`` (remembered until the list changes)."""
        key = tuple(neurons)
        if key != self.__dict__.get("_checked_neurons"):
            self._checked_neurons = key
            self._plain_neurons = set(map(type, key)) == _ONLY_NEURONS
        return self._plain_neurons

    @property
    def activation(self) -> Activation:
        """The activation its neurons share (what they compute).

        Raises:
            ValueError: the neurons use different activations (one was reassigned).
        """
        return _shared_activation(self.neurons, "this Layer's neurons")

    @activation.setter
    def activation(self, activation: Activation) -> None:
        activations.get(activation)  # an unknown name fails before any neuron changes
        for neuron in self.neurons:
            neuron.activation = activation

    def config(self) -> dict:
        first = self.neurons[0]
        return {"nin": self.nin, "nout": self.nout,
                "activation": activations.name_of(self.activation), "fused": first.fused}


def _shared_activation(neurons: Sequence[Any], what: str) -> Activation:
    """The one activation all ``neurons`` compute, or a ``ValueError`` listing them."""
    found: list[Any] = [getattr(n, "activation", None) for n in neurons]
    first = found[0]
    if all(a is first or (isinstance(a, str) and a == first) for a in found):
        return first
    names = ", ".join(f"neuron {j}: {_activation_label(a)}" for j, a in enumerate(found))
    raise ValueError(
        f"{what} compute different activations ({names}); a view or a saved model needs one "
        "activation per layer. Assign it to the whole layer (layer.activation = 'tanh' sets "
        "every neuron) or to every neuron"
    )


def _activation_label(activation: object) -> str:
    if isinstance(activation, str):
        return repr(activation)
    return getattr(activation, "__name__", repr(activation))


class MLP(Module):
    """A multi-layer perceptron: fully connected layers, one sample at a time.

    Args:
        nin: number of input features.
        nouts: the width of each layer, the last one being the output layer.
        activation: the hidden layers' activation.
        output_activation: the last layer's (``"linear"`` gives logits / raw scores).
        init: initialiser name or function (``nn.init``); ``None``: He for ReLU-like hidden
            activations, Xavier otherwise.
        seed: the same seed gives the same weights.
        fused: one ``dot`` node per neuron (``False`` draws every product).
        dropout: drop probability applied after every hidden layer while training
            (``nn.Dropout``; off in ``eval()``).

    Returns (when called):
        a single Value when the last layer has one neuron, else a list of Values.

    Example::

        >>> model = MLP(2, [4, 1], seed=0)
        >>> out = model([0.5, -1.0]); type(out).__name__
        'Value'
        >>> len(model.parameters())
        17
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: Activation = "relu",
                 output_activation: Activation = "linear", init=None,
                 seed: int | None = None, fused: bool = True, dropout: float = 0.0) -> None:
        who = "MLP"
        if isinstance(nouts, (numbers.Number, str, bytes)) or not hasattr(nouts, "__len__") \
                or len(nouts) == 0:
            checks.fail(who, "nouts", "a non-empty list of layer widths (for one output "
                        "neuron: nouts=[1])", nouts, [16, 1])
        self.nin = checks.integer(nin, "nin", who, low=1, example=2)
        self.nouts = [checks.integer(n, f"nouts[{i}]", who, low=1, example=16)
                      for i, n in enumerate(nouts)]
        activations.get(activation)  # an unknown name fails here even with no hidden layer
        self._activation = activation  # kept for a network without hidden layers
        dropout = checks.real(dropout, "dropout", who, low=0, high=1, high_open=True,
                              example=0.2)
        rng = random.Random(checks.seed(seed, who))
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(fan_in, fan_out, output_activation if i == last else activation, init,
                  fused=fused, rng=rng)
            for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes))
        ]
        self.dropout = dropout
        self.dropouts = [Dropout(dropout, seed=rng.randrange(2**32)) for _ in range(last)] \
            if dropout else []
        self.label_parameters()
        notation.note_outputs([n.b for n in self.layers[-1].neurons])  # shown as ŷ

    def forward(self, x: Input) -> Value | list[Value]:
        """The network's output for one sample."""
        out: list[Value] = _as_values(x, self.nin, "MLP")
        dropouts = self.dropouts
        for i, layer in enumerate(self.layers):
            out = layer.forward(out)  # any Module mapping a list of Values to Values fits
            if isinstance(out, Value):
                out = [out]
            if i < len(dropouts):
                out = dropouts[i](out)
        return out[0] if len(out) == 1 else out

    @property
    def activation(self) -> Activation:
        """The hidden layers' activation, read from their neurons (what they compute);
        assigning it sets every hidden neuron's.

        Raises:
            ValueError: the hidden neurons compute different activations.
        """
        hidden = [n for layer in self.layers[:-1] for n in getattr(layer, "neurons", ())]
        return _shared_activation(hidden, "the MLP's hidden neurons") if hidden \
            else self._activation

    @activation.setter
    def activation(self, activation: Activation) -> None:
        activations.get(activation)
        self._activation = activation
        for layer in self.layers[:-1]:
            for neuron in getattr(layer, "neurons", ()):
                neuron.activation = activation

    @property
    def output_activation(self) -> Activation:
        """The output layer's activation, read from its neurons; assigning it sets theirs.

        Raises:
            ValueError: the output neurons compute different activations.
        """
        return _shared_activation(getattr(self.layers[-1], "neurons", ()) or [None],
                                  "the MLP's output neurons")

    @output_activation.setter
    def output_activation(self, activation: Activation) -> None:
        activations.get(activation)
        for neuron in self.layers[-1].neurons:
            neuron.activation = activation

    def config(self) -> dict:
        return {"nin": self.nin, "nouts": list(self.nouts),
                "activation": activations.name_of(self.activation),
                "output_activation": activations.name_of(self.output_activation),
                "fused": self.layers[0].neurons[0].fused, "dropout": self.dropout}
