"""Graduating to PyTorch: the same network as a ``torch.nn.Sequential``, same weights.

PyTorch stays optional: it is imported only here, when ``to_torch`` is called, and a missing
install is a clear error saying how to add it.
"""

from __future__ import annotations

from typing import Any

from .activations import name_of
from .layers import MLP, BatchNorm, Dropout, Layer, Neuron, _shared_activation

# tracegrad activation name → how to build the same function in torch.nn
_TORCH_ACTIVATIONS = {
    "linear": None,
    "identity": None,
    "sigmoid": lambda tnn: tnn.Sigmoid(),
    "logistic": lambda tnn: tnn.Sigmoid(),
    "tanh": lambda tnn: tnn.Tanh(),
    "relu": lambda tnn: tnn.ReLU(),
    "leaky_relu": lambda tnn: tnn.LeakyReLU(0.01),
    "elu": lambda tnn: tnn.ELU(1.0),
    "selu": lambda tnn: tnn.SELU(),
}


def to_torch(model: MLP | Layer | Neuron, *, dtype: Any = None) -> Any:
    """The model as a ``torch.nn.Sequential`` computing the same function with the same weights.

    Each layer becomes ``torch.nn.Linear(nin, nout)`` whose row ``j`` is neuron ``j``'s
    weights (``weight[j, k] = wⱼₖ``, ``bias[j] = bⱼ``), followed by its activation
    (``relu`` → ``ReLU``, ``tanh`` → ``Tanh``, ``sigmoid`` → ``Sigmoid``, ``leaky_relu`` →
    ``LeakyReLU(0.01)``, ``elu`` → ``ELU(1.0)``, ``selu`` → ``SELU``; ``linear`` adds nothing)
    and, between hidden layers, the MLP's ``Dropout(p)``. So for a sample ``x``,
    ``to_torch(model)(torch.tensor(x))`` equals ``model(x)`` and, for the same loss, every
    parameter's gradient equals tracegrad's (to rounding: float64 by default).

    Feed it tensors of its dtype: ``net(torch.tensor(x, dtype=torch.float64))`` (a tensor
    made from Python floats is float32 by default, which a float64 network refuses).

    Args:
        model: an ``nn.MLP``, ``nn.Layer`` or ``nn.Neuron`` with named activations.
        dtype: the torch dtype of the parameters (default ``torch.float64``, tracegrad's
            precision; ``torch.float32`` for speed).
    Returns:
        A ``torch.nn.Sequential`` (a copy: training it does not change ``model``).
    Raises:
        ImportError: PyTorch is not installed (the message says how to install it).
        TypeError: another kind of model, a layer that is not a Layer of Neurons (a
            BatchNorm), or a ``dtype`` that is not a floating-point torch dtype.
        ValueError: an activation PyTorch has no module for (``step``: it has no gradient;
            a custom function), or a layer whose neurons compute different activations.

    Example::

        >>> import nn
        >>> net = nn.to_torch(nn.MLP(2, [3, 1], seed=0)); [type(m).__name__ for m in net]
        ['Linear', 'ReLU', 'Linear']
    """
    try:
        import torch
    except ImportError:
        raise ImportError(
            "to_torch needs PyTorch, which tracegrad does not install by default: pip install "
            "torch (the CPU build is enough), or pip install 'tracegrad[oracle]'"
        ) from None
    if isinstance(model, MLP):
        layers = list(model.layers)
        dropouts = list(model.dropouts)
    elif isinstance(model, Layer):
        layers, dropouts = [model], []
    elif isinstance(model, Neuron):
        layers, dropouts = [_one_neuron_layer(model)], []
    else:
        raise TypeError(f"to_torch: model must be an nn.MLP, nn.Layer or nn.Neuron, got "
                        f"{type(model).__name__}")
    dtype = torch.float64 if dtype is None else _checked_dtype(dtype, torch)
    for i, layer in enumerate(layers):
        _check_layer(layer, i)
    modules: list[Any] = []  # torch.nn modules: Linear, activations, Dropout
    for i, layer in enumerate(layers):
        neurons = layer.neurons
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons],
                                             dtype=dtype))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=dtype))
        modules.append(linear)
        activation = _torch_activation(
            _shared_activation(neurons, f"to_torch: layer {i}'s neurons"), torch.nn, i)
        if activation is not None:
            modules.append(activation)
        if i < len(dropouts) and isinstance(dropouts[i], Dropout) and dropouts[i].p:
            modules.append(torch.nn.Dropout(dropouts[i].p))
    return torch.nn.Sequential(*modules)


def _checked_dtype(dtype: object, torch: Any) -> Any:
    """``dtype`` when it is a floating-point ``torch.dtype``, else a clear error."""
    if isinstance(dtype, torch.dtype) and dtype.is_floating_point:
        return dtype
    raise TypeError(
        f"to_torch: dtype must be a floating-point torch dtype (torch.float64, tracegrad's "
        f"precision, or torch.float32), got {dtype!r} ({type(dtype).__name__}); for example "
        "dtype=torch.float32"
    )


def _check_layer(layer: object, index: int) -> None:
    """Refuse, by index and type, a layer to_torch cannot export (before building any)."""
    if isinstance(layer, BatchNorm):
        raise TypeError(
            f"to_torch: layer {index} of the model is a BatchNorm; to_torch exports Layers of "
            "Neurons (with the MLP's Dropout) only, and an MLP computes one sample at a time "
            "while BatchNorm needs a batch. Export the Layers and add "
            "torch.nn.BatchNorm1d(num_features) by hand"
        )
    neurons = getattr(layer, "neurons", None)
    if not neurons or not all(isinstance(n, Neuron) for n in neurons):
        raise TypeError(
            f"to_torch: layer {index} of the model is a {type(layer).__name__} (or holds "
            "other modules than Neurons); to_torch exports layers of nn.Neuron only"
        )


def _one_neuron_layer(neuron: Neuron) -> Any:
    """A stand-in with a Layer's shape (``neurons``) for a lone Neuron."""
    return type("OneNeuron", (), {"neurons": [neuron]})()


def _torch_activation(activation: Any, tnn: Any, index: int) -> Any:
    try:
        name = name_of(activation)
    except ValueError:
        raise ValueError(f"to_torch: layer {index}'s activation {activation!r} is a custom "
                         "function; PyTorch needs a module for it. Use a named activation "
                         "(relu, tanh, sigmoid, leaky_relu, elu, selu, linear)") from None
    if name not in _TORCH_ACTIVATIONS:
        raise ValueError(f"to_torch: layer {index}'s activation {name!r} has no PyTorch "
                         "module (the step function has no gradient, so it cannot be trained "
                         "by backprop); use relu, tanh, sigmoid, leaky_relu, elu, selu or linear")
    build = _TORCH_ACTIVATIONS[name]
    return None if build is None else build(tnn)
