"""``Module``: the base of every model — parameters by dotted name, modes, state dicts."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

from autograd import Value


class Module:
    """A part of a model. Subclasses keep their parameters as attributes: a ``Value``, a list
    of Values, another ``Module`` or a list of Modules; names starting with ``_`` are private.

    Parameters are named by their path, PyTorch style — ``layers.0.neurons.1.w.0`` — and those
    names become the Values' labels, so drawings and step tables speak the model's language.
    Attributes listed in ``_buffers`` (lists of floats, e.g. BatchNorm's running statistics)
    are saved in the state dict too, but are not trained.
    """

    training: bool = True
    _buffers: tuple[str, ...] = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output (subclasses define it)."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    # --- structure -------------------------------------------------------------------------
    def _public_attributes(self) -> Iterator[tuple[str, Any]]:
        for name, attr in vars(self).items():
            if not name.startswith("_") and name not in self._buffers:
                yield name, attr

    def children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules, as ``(name, module)`` (list items named ``name.i``)."""
        for name, attr in self._public_attributes():
            if isinstance(attr, Module):
                yield name, attr
            elif isinstance(attr, (list, tuple)):
                for i, item in enumerate(attr):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Value]]:
        """Every parameter with its dotted name, in a fixed order.

        Example::

            >>> from nn import MLP
            >>> [name for name, _ in MLP(2, [1], seed=0).named_parameters()]
            ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', 'layers.0.neurons.0.b']
        """
        found: list[tuple[str, Value]] = []
        for name, attr in self._public_attributes():
            path = f"{prefix}{name}"
            if isinstance(attr, Value):
                found.append((path, attr))
            elif isinstance(attr, Module):
                found.extend(attr.named_parameters(path + "."))
            elif isinstance(attr, (list, tuple)):
                for i, item in enumerate(attr):
                    if isinstance(item, Value):
                        found.append((f"{path}.{i}", item))
                    elif isinstance(item, Module):
                        found.extend(item.named_parameters(f"{path}.{i}."))
        return found

    def label_parameters(self) -> None:
        """Set every parameter's label to its dotted name (constructors call this, so the
        outermost model's names win: ``layers.0.neurons.1.w.0``)."""
        for name, value in self.named_parameters():
            value.label = name

    def parameters(self) -> list[Value]:
        """Every parameter (a list of Values), in the order of ``named_parameters()``."""
        return [value for _, value in self.named_parameters()]

    def named_buffers(self, prefix: str = "") -> list[tuple[str, list[float], int]]:
        """Every buffer entry as ``(name, list, index)``: saved, loaded, never trained."""
        found: list[tuple[str, list[float], int]] = []
        for name in self._buffers:
            values = getattr(self, name)
            found.extend((f"{prefix}{name}.{i}", values, i) for i in range(len(values)))
        for name, child in self.children():
            found.extend(child.named_buffers(f"{prefix}{name}."))
        return found

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops, BatchNorm uses batch statistics); returns self."""
        self.training = mode
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``; returns self."""
        return self.train(False)

    # --- state -------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, float]:
        """Parameter and buffer values by name (plain floats: JSON-ready)."""
        state = {name: p.data for name, p in self.named_parameters()}
        state.update({name: values[i] for name, values, i in self.named_buffers()})
        return state

    def load_state_dict(self, state: dict[str, float], strict: bool = True) -> tuple[list, list]:
        """Copy values into the parameters and buffers with the same names.

        Args:
            state: a mapping from name to number, as ``state_dict()`` returns.
            strict: require exactly the model's names.
        Returns:
            ``(missing, unexpected)`` key lists (both empty when strict).
        Raises:
            ValueError: strict and the keys differ (both lists in the message), or a value is
                not a finite number.
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict: expected a dict of name -> number, got "
                            f"{type(state).__name__}")
        params = dict(self.named_parameters())
        buffers = {name: (values, i) for name, values, i in self.named_buffers()}
        known = params.keys() | buffers.keys()
        missing = [k for k in [*params, *buffers] if k not in state]
        unexpected = [k for k in state if k not in known]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: the state does not fit this {type(self).__name__}: "
                f"missing keys {missing}, unexpected keys {unexpected}. Build the model with "
                "the same sizes as the saved one, or pass strict=False to load what matches."
            )
        for name, number in state.items():
            if name not in known:
                continue
            if isinstance(number, bool) or not isinstance(number, numbers.Real) or \
                    not math.isfinite(number):
                raise ValueError(
                    f"load_state_dict: {name} must be a finite number, got {number!r}"
                )
            if name in params:
                params[name].data = float(number)
            else:
                values, i = buffers[name]
                values[i] = float(number)
        return missing, unexpected

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this module's shape (for ``nn.save``)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be saved: it has no config()")

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"
