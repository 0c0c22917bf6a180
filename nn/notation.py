"""The course's notation for a network's quantities, 1-based: ``a₂⁽¹⁾``, ``z₁⁽²⁾``, ``x₁``, ``ŷ``.

Layer ``l`` is a superscript in parentheses, the neuron ``j`` (and an input ``k``) subscripts,
as the course writes ``aⱼ⁽ˡ⁾ = f(zⱼ⁽ˡ⁾)`` and ``wⱼₖ⁽ˡ⁾``.

:func:`course_name` is the namer ``nn`` registers with the engine
(``autograd.naming.register_namer``) when it is imported: every drawing, step record, step
table, stepper and explanation then names a network's nodes this way, worked out from the
graph when it is shown — nothing is labelled while the network computes:

* a parameter by its dotted name (``layers.0.neurons.1.w.0`` → ``w₂,₁⁽¹⁾``);
* a neuron's ``w·x`` node (a ``dot`` over its weights) ``w₂⁽¹⁾ᵀx``, or ``w₁⁽²⁾ᵀa⁽¹⁾``;
* ``w·x + b`` (its bias added) ``zⱼ⁽ˡ⁾``; its activation ``aⱼ⁽ˡ⁾`` — in an MLP's output
  layer ``ŷ`` (``ŷ₁, ŷ₂, …`` for several outputs); a linear neuron's ``z`` is its ``a``;
* a number a first-layer weight ``wⱼ,ₖ⁽¹⁾`` multiplies: the input ``xₖ``.

Other nodes — and nodes the user labelled — are left to their labels and formulas.
"""

from __future__ import annotations

import re
import weakref

from autograd import Value, naming, ops

_SUBSCRIPTS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_SUPERSCRIPTS = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_MODULE_PATH = re.compile(r"(?:(?P<prefix>.+?)\.)??(?P<path>(?:layers\.\d+\.)?"
                          r"(?:neurons\.\d+\.)?(?P<symbol>[A-Za-z_]\w*)(?:\.\d+)?)")
# the activation each op computes (a variant, leaky_relu(0.2), by the op it was made from)
_ACTIVATION_OPS = {ops.SIGMOID: "sigmoid", ops.TANH: "tanh", ops.RELU: "relu",
                   ops.LEAKY_RELU: "leaky_relu", ops.ELU: "elu", ops.STEP: "step"}


def subscript(*indices: int) -> str:
    """1-based indices as subscripts, comma-separated: ``subscript(2, 1) == "₂,₁"``."""
    return ",".join(str(i) for i in indices).translate(_SUBSCRIPTS)


def superscript(layer: int | None) -> str:
    """A layer number as the course's superscript ``⁽ˡ⁾`` (``""`` for ``None``)."""
    return "" if layer is None else f"({layer})".translate(_SUPERSCRIPTS)


def neuron_symbol(symbol: str, layer: int | None, neuron: int) -> str:
    """``symbol`` of neuron ``neuron`` in layer ``layer`` (both 1-based; ``layer=None`` for a
    model of one layer): ``neuron_symbol("a", 2, 1) == "a₁⁽²⁾"``.

    Example::

        >>> neuron_symbol("δ", 1, 2), neuron_symbol("z", None, 3)
        ('δ₂⁽¹⁾', 'z₃')
    """
    return symbol + subscript(neuron) + superscript(layer)


def input_symbol(k: int) -> str:
    """The ``k``-th input (1-based): ``x₁``."""
    return "x" + subscript(k)


def output_symbol(j: int, outputs: int) -> str:
    """The network's output ``j`` of ``outputs`` (1-based): ``ŷ`` alone, else ``ŷ₁, ŷ₂…``."""
    return "ŷ" if outputs == 1 else "ŷ" + subscript(j)


class Path:
    """A parameter's dotted name, read: ``layers.0.neurons.1.w.0`` is the symbol ``w`` of
    layer 1 (``layer``, 1-based; ``None`` outside an MLP), neuron 2 (``neuron``) and input 1
    (``index``), after an optional ``prefix`` (``encoder``)."""

    __slots__ = ("index", "layer", "neuron", "prefix", "symbol")

    def __init__(self, prefix: str, symbol: str, layer: int | None, neuron: int | None,
                 index: int | None) -> None:
        self.prefix, self.symbol = prefix, symbol
        self.layer, self.neuron, self.index = layer, neuron, index

    def named(self, symbol: str, *indices: int) -> str:
        """``symbol`` with this path's prefix and layer and the given indices."""
        text = symbol + subscript(*indices) + superscript(self.layer)
        return f"{self.prefix}.{text}" if self.prefix else text

    def same_neuron(self, other: Path) -> bool:
        return (self.prefix, self.layer, self.neuron) == (other.prefix, other.layer,
                                                          other.neuron)


def parse(label: str) -> Path | None:
    """The parts of a network parameter's dotted name (see :class:`Path`), or ``None`` for
    any other label (``x.1``, ``w=0.5``, ``L.total``, a lone ``b``)."""
    match = _MODULE_PATH.fullmatch(label)
    if match is None:
        return None
    path = match["path"]
    if not (path.startswith(("layers.", "neurons.")) or re.fullmatch(r"[wb]\.\d+", path)):
        return None  # not a network's parameter name: the user's own label
    parts = path.split(".")
    layer = neuron = index = None
    for previous, part in zip(["", *parts], parts):
        if part.isdigit():
            if previous == "layers":
                layer = int(part) + 1
            elif previous == "neurons":
                neuron = int(part) + 1
            else:
                index = int(part) + 1
    return Path(match["prefix"] or "", match["symbol"], layer, neuron, index)


def short_label(label: str) -> str:
    """A network parameter's dotted name as the course writes it, 1-based: the symbol, the
    layer as a superscript and the other indices as subscripts.

    ``layers.0.neurons.1.w.0`` (layer 1, neuron 2, input 1) becomes ``w₂,₁⁽¹⁾``, i.e.
    w₂₁⁽¹⁾ in the course's notation; ``layers.1.neurons.0.b`` becomes ``b₁⁽²⁾``;
    ``neurons.1.w.0`` (a Layer's) ``w₂,₁``; a Neuron's ``w.0`` ``w₁``. A prefix before the
    path is kept (``encoder.w₂,₁⁽¹⁾``). Any other label — ``x.1``, ``w=0.5``, ``L.total`` — is
    returned as typed.

    Example::

        >>> short_label("layers.0.neurons.1.w.0"), short_label("w.2"), short_label("x0")
        ('w₂,₁⁽¹⁾', 'w₃', 'x0')
        >>> short_label("L.total"), short_label("x.1"), short_label("p=0.7")
        ('L.total', 'x.1', 'p=0.7')
    """
    path = parse(label)
    if path is None:
        return label
    indices = [i for i in (path.neuron, path.index) if i is not None]
    return path.named(path.symbol, *indices)


def parameter_symbol(p: Value) -> str:
    """A parameter's name in the course's notation, from its dotted label (``w₂,₁⁽¹⁾``)."""
    return short_label(p.label) if p.label else "?"


# --- what the layers tell the namer: each neuron's activation, an MLP's outputs ------------
# Keyed by the neuron's bias (a parameter for the model's life): filled when a model is
# built, read only when something is shown.
_ACTIVATIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_OUTPUTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def note_neuron(bias: Value, activation: str | None) -> None:
    """Remember the activation op name of the neuron whose bias is ``bias`` (``"linear"``
    when a = z; ``None`` for a function the namer cannot recognise)."""
    _ACTIVATIONS[bias] = activation


def note_outputs(biases: list[Value]) -> None:
    """Remember the neurons (by bias) of an MLP's output layer: their activations are ŷ."""
    for j, b in enumerate(biases, 1):
        _OUTPUTS[b] = (j, len(biases))


# --- the namer ----------------------------------------------------------------------------------
def course_name(v: Value) -> str | None:
    """The node's name in the course's notation if it is part of an ``nn`` network (see the
    module docs), else ``None``: the engine then uses its label or its formula.

    Example::

        >>> import nn
        >>> model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid")
        >>> out = model([0.5, -1.0])
        >>> course_name(out), course_name(out.parents[0]), course_name(model.parameters()[0])
        ('ŷ', 'z₁⁽²⁾', 'w₁,₁⁽¹⁾')
        >>> course_name(Value(1.0, label="w"))  # a label of the user's: no opinion
    """
    if not v.parents:
        if v.label:
            path = parse(v.label)
            return None if path is None else short_label(v.label)
        return _input_name(v)  # data (or an unnamed Value) read by the first layer
    if v.label:
        return None  # a node the user named
    neuron = _neuron_of_z(v)
    if neuron is not None:
        bias, path = neuron
        if _activation(bias) == "linear":
            return _a_name(bias, path)
        return path.named("z", *_neuron_index(path))
    neuron = _neuron_of_a(v)
    if neuron is not None:
        return _a_name(*neuron)
    if v.op is ops.DOT:
        return _dot_name(v)
    return None


def _activation(bias: Value) -> str | None:
    return _ACTIVATIONS.get(bias)


def _neuron_index(path: Path) -> tuple[int, ...]:
    return () if path.neuron is None else (path.neuron,)


def _bias_path(b: Value) -> Path | None:
    """The dotted path of a neuron's bias (a parameter labelled ``…b``), else None."""
    if b.parents or not b.label:
        return None
    path = parse(b.label)
    if path is not None and path.symbol == "b" and path.index is None:
        return path
    if b in _ACTIVATIONS:  # a lone Neuron's "b", or a relabelled bias
        prefix, _, last = b.label.rpartition(".")
        return Path(prefix, last, None, None, None)
    return None


def _weight_path(w: Value) -> Path | None:
    if w.parents or not w.label:
        return None
    path = parse(w.label)
    return path if path is not None and path.symbol == "w" and path.index is not None \
        else None


def _neuron_of_z(v: Value) -> tuple[Value, Path] | None:
    """``(bias, path)`` when ``v`` is a neuron's ``w·x + b``: a sum whose second input is a
    bias and whose first is that neuron's ``dot`` (or, unfused, its products' sum)."""
    if v.op is not ops.ADD or len(v.parents) != 2:
        return None
    wx, bias = v.parents
    path = _bias_path(bias)
    if path is None:
        return None
    first = wx
    while first.op is ops.ADD and first.parents:  # unfused: ((w₁x₁ + w₂x₂) + …)
        first = first.parents[0]
    if (first.op is not ops.DOT and first.op is not ops.MUL) or not first.parents:
        return None
    if bias in _ACTIVATIONS:  # a bias a Neuron made: its label may have been changed
        return bias, path
    weight = _weight_path(first.parents[0])
    if weight is None or weight.index != 1 or weight.neuron != path.neuron or \
            weight.layer != path.layer:
        return None
    return bias, path


def _neuron_of_a(v: Value) -> tuple[Value, Path] | None:
    """``(bias, path)`` when ``v`` is a neuron's activation f(z)."""
    z = None
    activation = _ACTIVATION_OPS.get(v.op.base) if isinstance(v.op, ops.Op) else None
    if len(v.parents) == 1 and activation is not None:
        z, expected = v.parents[0], activation
    elif v.op is ops.MUL and len(v.parents) == 2 and \
            getattr(v.parents[0].op, "base", None) is ops.ELU \
            and v.parents[1].op is ops.CONST:  # selu: λ·elu(z, α)
        z, expected = v.parents[0].parents[0], "selu"
    if z is None:
        return None
    neuron = _neuron_of_z(z)
    if neuron is None:
        return None
    if neuron[0] in _ACTIVATIONS and _activation(neuron[0]) != expected:
        return None  # the neuron's activation is another: this is something computed from z
    return neuron


def _a_name(bias: Value, path: Path) -> str:
    output = _OUTPUTS.get(bias)
    if output is not None:
        symbol = output_symbol(*output)
        return f"{path.prefix}.{symbol}" if path.prefix else symbol
    return path.named("a", *_neuron_index(path))


def _dot_name(v: Value) -> str | None:
    """``wⱼ⁽ˡ⁾ᵀx`` (first layer, or a lone layer) or ``wⱼ⁽ˡ⁾ᵀa⁽ˡ⁻¹⁾``: a dot over one
    neuron's weights, in order."""
    n = len(v.parents) // 2
    paths = [p for p in map(_weight_path, v.parents[:n]) if p is not None]
    if not paths or len(paths) != n:  # none, or a parent that is not a weight
        return None
    first = paths[0]
    if any(not p.same_neuron(first) or p.index != k for k, p in enumerate(paths, 1)):
        return None
    inputs = "x" if first.layer is None or first.layer == 1 \
        else "a" + superscript(first.layer - 1)
    return _transposed(first, inputs)


def _transposed(path: Path, inputs: str) -> str:
    """``wⱼ⁽ˡ⁾ᵀ`` followed by ``inputs``: a neuron's weighted sum of its inputs."""
    text = "w" + subscript(*_neuron_index(path)) + superscript(path.layer) + "ᵀ" + inputs
    return f"{path.prefix}.{text}" if path.prefix else text


def _input_name(v: Value) -> str | None:
    """``xₖ`` when a first-layer weight wⱼ,ₖ multiplies ``v`` (an unnamed leaf: data, or a
    Value given as input) within the graph being shown."""
    for reader in naming.readers(v):
        op = reader.op
        if op is ops.DOT:
            n = len(reader.parents) // 2
            for k in range(n, 2 * n):
                if reader.parents[k] is v:
                    path = _weight_path(reader.parents[k - n])
                    if path is not None and path.index is not None and \
                            path.layer in (None, 1):
                        return input_symbol(path.index)
        elif op is ops.MUL and len(reader.parents) == 2 and reader.parents[1] is v:
            path = _weight_path(reader.parents[0])
            if path is not None and path.index is not None and path.layer in (None, 1):
                return input_symbol(path.index)
    return None


naming.register_namer(course_name)  # every display names nn's nodes so, once nn is imported
