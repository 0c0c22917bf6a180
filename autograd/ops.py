"""Every op, defined once: its name, its forward function and its derivative rule.

An op is one :class:`Op` object in the table at the bottom of this file. ``Value`` methods and
the n-ary functions (``autograd.sum``, ``dot``, ``matvec``) are thin calls into it. Adding an
op is one entry here and its key in the registry table at the bottom (ARCHITECTURE.md's checklist):
its ``Value`` method, ``autograd.testing``'s forms and the PyTorch oracle come from the
registry, and from what the entry declares for tests (``domain``, ``kinks``,
``test_params``, ``torch``).

* ``forward(*inputs, *params)`` computes the result from plain floats;
* ``rule(out, *inputs, *params)`` returns the *local* derivatives ∂out/∂input, one per input
  (the n-ary ops take their inputs as sequences: ``rule(out, xs)``, ``rule(out, ws, xs)``).

The same rule runs three ways, so it is written only with ``+ − × ÷ **``, the comparisons
``< <= > >=`` (a Value's ``==`` is identity) and the helpers below (:func:`where`,
:func:`is_zero`, :func:`exp`, :func:`log`, :func:`sigmoid`, :func:`sign`), which
work on floats, on Values and on numpy arrays alike:

* at forward time with floats, to store the local derivatives on the new node;
* in ``backward(create_graph=True)`` with Values (the node itself as ``out``), so the
  derivative is a graph that can be differentiated again;
* over whole batches with numpy arrays.

Where a rule meets a singularity (``d/dx √x`` at 0, a tiny base to a negative power) the
result follows IEEE 754 as PyTorch does — ±inf or NaN — instead of raising: see
:func:`ieee_locals`.
"""

from __future__ import annotations

import ast
import inspect
import math
import numbers
import operator
import sys
import warnings
from collections.abc import Callable, Sequence

from .errors import DerivativeRuleError

Rule = Callable[..., tuple]


class Domain:
    """Where an input of an op is valid: a union of open intervals ``(low, high)``.

    ``x in domain`` holds when ``low < x < high`` for one of them: ``Domain((0, inf))`` for
    log's input, ``Domain((-inf, 0), (0, inf))`` for a divisor.
    """

    __slots__ = ("intervals",)

    def __init__(self, *intervals: tuple[float, float]) -> None:
        if not intervals or any(len(i) != 2 or not i[0] < i[1] for i in intervals):
            raise ValueError(f"Domain: give one or more intervals (low, high) with low < high, "
                             f"e.g. Domain((0, math.inf)); got {intervals!r}")
        self.intervals = tuple((float(lo), float(hi)) for lo, hi in intervals)

    def __contains__(self, x: float) -> bool:
        return any(lo < x < hi for lo, hi in self.intervals)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Domain) and other.intervals == self.intervals

    def __hash__(self) -> int:
        return hash(self.intervals)

    def __repr__(self) -> str:
        return f"Domain{self.intervals!r}"[:-2] + ")" if len(self.intervals) == 1 \
            else f"Domain{self.intervals!r}"


REALS = Domain((-math.inf, math.inf))
POSITIVE = Domain((0.0, math.inf))
NONZERO = Domain((-math.inf, 0.0), (0.0, math.inf))


class Op:
    """An op: its name, forward function and derivative rule.

    Ops compare by identity: two ops with the same name are different ops (nn's clamped log
    is not :data:`LOG`, ``x ** 2`` is not ``a ** b``), so test a node with ``v.op is MUL``;
    ``op.name`` (or ``str(op)``) is its name for display.

    Args:
        name: what the op is called in drawings and step tables, e.g. ``"tanh"``.
        rule: ``rule(out, *inputs, *params)`` returning the local derivatives ∂out/∂input,
            or ``None`` for nodes that have no inputs (leaves and constants).
        params: fixed arguments of the op, e.g. ``(0.01,)`` for ``leaky_relu(slope=0.01)``.
        inputs: how forward and rule receive the node's parents: ``"each"`` (one argument per
            parent), ``"all"`` (one sequence) or ``"halves"`` (two sequences, as ``dot``).
        forward: ``forward(*inputs, *params)`` computing the result from floats (needed to
            call the op with :func:`autograd.apply`; built-in ops all have one), a function
            such as ``lambda a, b: a * b`` (a string is refused: nothing is ``eval``-ed).
        masks: a zero local derivative of this op is a *mask* (PyTorch's ``where``): it
            passes no gradient even when the upstream gradient is ±inf or NaN (relu, step);
            or a function of ``params`` saying so (``x ** 0``).
        math: the derivative in words, for documentation.
        array_forward: the op's forward function on numpy arrays, with IEEE semantics
            (±inf, NaN where ``forward`` raises) — a numpy name (``"exp"``) or a function of
            arrays. Replay runs it over whole batches (:func:`autograd.trace`), and the
            engine where ``forward`` raises inside a derivative rule; an op without one is
            replayed with ``forward`` itself, which must then work on arrays (as
            ``lambda a, b: a * b``). Its old name ``ieee`` (``Op(..., ieee=...)``,
            ``op.ieee``) works for one more release, with a ``DeprecationWarning``.
        error: ``error(exc, data, names) -> Exception``: the clear error user code gets when
            ``forward`` fails (``names`` describe the inputs, e.g. ``" of 'x'"``).
        derivative: the local derivatives as text, for step records and steppers: one short
            template per input, in order, naming the inputs ``{x}`` (one input) or ``{a}``,
            ``{b}`` (two), the result ``{out}`` and the parameters ``{p0}``, ``{p1}``…:
            ``("{b}", "{a}")`` for ``a·b``, ``("{out}(1 − {out})",)`` for σ. An ``"all"`` op
            gives one template for every input ``{x}``; a ``"halves"`` op (``dot``) two, for
            ``wᵢ`` and for ``xᵢ``, naming the pair ``{w}``, ``{x}``. Or a function of the
            parameters returning the templates (``x ** n``). Without it a step shows the
            derivative's number alone.
        method: the ``Value`` method applying it, e.g. ``"tanh"``: made from the op for a
            one-input op without parameters (``doc`` its docstring), written by hand for the
            others (``"__mul__"``, ``"leaky_relu"``); tests call the op through it.
        torch: its PyTorch twin, used only by the oracle tests: a function of tensors taking
            what ``forward`` takes (``lambda a, b: a * b``), or the name of a ``torch``
            function (``"sin"``); see :func:`torch_twin`.
        domain: where each input is valid — the op and its derivative defined and finite:
            a :class:`Domain` (every input), a tuple of them (one per input), or a function
            of the parameters returning either (``x ** n``); default :data:`REALS`.
        kinks: the points where the derivative jumps (``0`` for relu): a tuple of numbers
            (every input), a tuple of tuples (one per input), or a function of the
            parameters; tests keep their inputs away from them.
        test_params: the parameters tests apply a parametrised op with, one tuple (or one
            number) per test, e.g. ``(0.01, 0.1)`` for leaky_relu; a test fails for a
            registered op with parameters and none.
        detached: the rule is 0 on purpose (a stop-gradient, as ``torch``'s ``.detach()``),
            so finite differences do not apply to it.

    Example — a custom op that is differentiable to any order::

        >>> from autograd import Value, Op, apply
        >>> CUBE = Op("cube", lambda out, x: (3 * x * x,), forward=lambda x: x ** 3)
        >>> y = apply(CUBE, Value(2.0))
        >>> y.data, y.local_grads
        (8.0, (12.0,))
    """

    __slots__ = (
        "__weakref__",
        "_arity",
        "_masks",
        "_variants",
        "array_forward",
        "base",
        "derivative",
        "detached",
        "doc",
        "domain",
        "error",
        "forward",
        "inputs",
        "key",
        "kinks",
        "masks",
        "math",
        "method",
        "name",
        "params",
        "rule",
        "test_params",
        "torch",
    )

    name: str
    rule: Rule | None
    params: tuple
    inputs: str
    forward: Callable[..., float] | None
    masks: bool
    math: str
    array_forward: str | Callable | None
    error: Callable[..., Exception] | None
    derivative: tuple[str, ...] | Callable[..., tuple[str, ...]] | None
    _arity: int | None  # set on first arity()
    _masks: bool | Callable[[tuple], bool]  # as given: a function of params, for variants

    def __init__(self, name: str, rule: Rule | None = None, params: tuple = (),
                inputs: str = "each", *, forward: Callable[..., float] | None = None,
                masks: bool | Callable[[tuple], bool] = False, math: str = "",
                array_forward: str | Callable | None = None,
                error: Callable[..., Exception] | None = None,
                derivative: tuple[str, ...] | Callable[..., tuple[str, ...]] | None = None,
                 method: str | None = None, doc: str = "", torch: str | Callable | None = None,
                 domain: Domain | tuple | Callable | None = None,
                 kinks: tuple | Callable = (), test_params: Sequence[tuple | float] = (),
                 detached: bool = False, ieee: str | Callable | None = None) -> None:
        if not isinstance(name, str):
            raise TypeError(f"Op: name must be a string such as 'cube', got "
                            f"{type(name).__name__} {name!r}")
        if inputs not in ("each", "all", "halves"):
            raise ValueError(f"Op: inputs must be 'each', 'all' or 'halves', got {inputs!r}")
        if rule is not None and not callable(rule):
            raise TypeError(f"Op: rule must be a function rule(out, *inputs) returning the "
                            f"local derivatives, got {type(rule).__name__}")
        if not isinstance(params, (tuple, list)):
            raise TypeError(f"Op {name!r}: params must be a tuple of numbers, got "
                            f"{type(params).__name__} {params!r}")
        if isinstance(forward, str):
            raise TypeError(f"Op {name!r}: forward must be a function, got the string "
                            f"{forward!r} (string forwards are not eval-ed); write it as "
                            f"forward={_lambda_for(forward, len(params))}")
        if forward is not None and not callable(forward):
            raise TypeError(f"Op {name!r}: forward must be a function forward(*inputs, "
                            f"*params), got {type(forward).__name__} {forward!r}")
        if forward is not None and rule is None:
            raise ValueError(f"Op {name!r}: an op with a forward function needs its derivative "
                             "rule too: Op(name, rule, forward=...)")
        self.name = name
        self.rule = rule
        self.params = tuple(params)
        self.inputs = inputs
        self.forward = forward
        self.masks = masks(self.params) if callable(masks) else masks
        self._masks = masks
        self.math = math
        if ieee is not None:
            array_forward = _deprecated_ieee(name, ieee, array_forward)
        self.array_forward = array_forward
        self.error = error
        if isinstance(derivative, str):
            derivative = (derivative,)
        if derivative is not None and not callable(derivative) and \
                not all(isinstance(t, str) for t in derivative):
            raise TypeError(f"Op {name!r}: derivative must be a tuple of texts, one per input "
                            f"(e.g. ('{{b}}', '{{a}}') for a·b), got {derivative!r}")
        self.derivative = tuple(derivative) if isinstance(derivative, (list, tuple)) \
            else derivative
        self.method = method  # the Value method applying it, e.g. "tanh" (one-input ops)
        self.doc = doc  # that method's docstring
        self.torch = torch  # PyTorch's function of the same inputs, for the oracle tests
        self.domain = domain
        self.kinks = kinks
        self.test_params = tuple(tuple(p) if isinstance(p, (tuple, list)) else (p,)
                                 for p in test_params)
        self.detached = detached
        self._arity = self._count_inputs()  # read by autograd.apply for every node
        self.base = self  # the op this one is a variant of (with_params), else itself
        self.key: str | None = None  # its name in the registry, once registered
        self._variants: dict = {}

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Op({self.describe()!r})"

    @property
    def ieee(self) -> str | Callable | None:
        """Deprecated: the old name of :attr:`array_forward` (a ``DeprecationWarning``)."""
        warnings.warn("Op.ieee is deprecated: read op.array_forward (the op's forward "
                      "function on numpy arrays); .ieee goes in the next release",
                      DeprecationWarning, stacklevel=2)
        return self.array_forward

    def with_params(self, *params: float) -> Op:
        """This op with other parameters, one shared object per value (``leaky_relu(0.2)``)."""
        variant = self._variants.get(params)
        if variant is None:
            if len(self._variants) >= 1024:  # many distinct parameters: stay bounded
                self._variants.clear()
            variant = Op(self.name, self.rule, params, self.inputs,
                         forward=self.forward,
                         masks=self._masks, math=self.math, array_forward=self.array_forward,
                         error=self.error,
                         derivative=self.derivative, doc=self.doc, torch=self.torch,
                         domain=self.domain, kinks=self.kinks, test_params=self.test_params,
                         detached=self.detached)
            variant.base = self.base
            self._variants[params] = variant
        return variant

    def arity(self) -> int | None:
        """How many inputs ``forward`` takes (``None`` when it takes sequences or any);
        counted once, when the op is made (``inspect.signature`` costs far more than the op)."""
        return self._arity

    def _count_inputs(self) -> int | None:
        if self.inputs != "each" or self.forward is None:
            return None
        try:
            parameters = inspect.signature(self.forward).parameters.values()
        except (TypeError, ValueError):  # a builtin without a signature
            return None
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
            return None
        return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters) \
            - len(self.params)

    def arguments(self, values: Sequence) -> tuple:
        """``values`` (one per parent) arranged as this op's forward and rule receive them."""
        if self.inputs == "each":
            return (*values, *self.params)
        if self.inputs == "all":
            return (values,)
        n = len(values) // 2
        return (values[:n], values[n:])

    def domain_of(self, i: int) -> Domain:
        """Where input ``i`` is valid (the op and its derivative finite) at this op's
        parameters: its entry of ``domain`` (:data:`REALS` when none is given)."""
        domain = self.domain(*self.params) if callable(self.domain) else self.domain
        if domain is None:
            return REALS
        if isinstance(domain, Domain):
            return domain
        return domain[i] if i < len(domain) else REALS

    def kinks_of(self, i: int) -> tuple[float, ...]:
        """The points where the derivative with respect to input ``i`` jumps (relu: 0)."""
        kinks = self.kinks(*self.params) if callable(self.kinks) else self.kinks
        if kinks and isinstance(kinks[0], (tuple, list)):
            return tuple(kinks[i]) if i < len(kinks) else ()
        return tuple(kinks)

    def n_inputs(self) -> int:
        """How many inputs to give it in a test: its ``forward``'s count, or 3 for an
        ``"all"`` op (``sum``), 2 + 2 for a ``"halves"`` op (``dot``)."""
        return {"all": 3, "halves": 4}.get(self.inputs) or self.arity() or 1

    def local_grads(self, out, inputs: Sequence) -> tuple:
        """The rule applied to ``inputs`` (Values or floats, one per parent), checked to
        give one derivative per input.

        Raises:
            DerivativeRuleError: the rule returned another number of derivatives.
        """
        result = self.rule(out, *self.arguments(inputs))  # type: ignore[misc]  # has a rule here
        try:
            result = tuple(result)
        except TypeError:
            result = None
        if result is None or len(result) != len(inputs):
            got = "something that is not a tuple" if result is None else \
                f"{len(result)} derivative(s)"
            raise DerivativeRuleError(
                f"op '{self.describe()}' has {len(inputs)} input(s) but its derivative rule "
                f"returned {got}; a rule returns one ∂out/∂input per input, in order, as a "
                "tuple (e.g. (3 * x * x,) for one input)")
        return result

    def describe(self) -> str:
        """The op with its parameters, for display: ``"leaky_relu(0.01)"``, ``"** 2"``."""
        if not self.params:
            return self.name
        if self.rule is _power_rule:
            return f"** {_short(self.params[0])}"
        return f"{self.name}({', '.join(_short(p) for p in self.params)})"

    def __reduce__(self):
        # a registered op (or a variant of one) unpickles as the same object, so that
        # ``v.op is MUL`` survives a copy; another op by its definition
        base = self.base
        if base.key is not None and _REGISTERED.get(base.key) is base:
            return (_registered, (base.key, self.params if self is not base else None))
        return (_rebuild, (self.name, self.rule, self.params, self.inputs,
                           self.forward,
                           self._masks, self.math, self.array_forward, self.error, self.derivative,
                           self.method, self.doc, self.torch, self.domain, self.kinks,
                           self.test_params, self.detached))


def _lambda_for(expression: str, n_params: int) -> str:
    """The lambda to write for a forward given as text: ``lambda a, b: a * b`` for ``"a * b"``
    (its inputs are the single-letter names it reads, in alphabetical order)."""
    try:
        names = sorted({node.id for node in ast.walk(ast.parse(expression, mode="eval"))
                        if isinstance(node, ast.Name) and len(node.id) == 1})
    except SyntaxError:
        names = []
    names = names or ["x"]
    names += [f"p{i}" for i in range(n_params)]
    return f"lambda {', '.join(names)}: {expression}"


def _registered(key: str, params: tuple | None) -> Op:
    op = _REGISTERED[key]
    return op if params is None else op.with_params(*params)


def _rebuild(name, rule, params, inputs, forward, masks, math_, array_forward, error,
             derivative=None, method=None, doc="", torch=None, domain=None, kinks=(),
             test_params=(), detached=False) -> Op:
    return Op(name, rule, params, inputs, forward=forward, masks=masks, math=math_,
              array_forward=array_forward, error=error, derivative=derivative, method=method,
              doc=doc, torch=torch, domain=domain, kinks=kinks, test_params=test_params,
              detached=detached)


def _deprecated_ieee(name: str, ieee, array_forward):
    """``Op(..., ieee=f)``, the old name of ``array_forward=f``: a DeprecationWarning."""
    if array_forward is not None:
        raise TypeError(f"Op {name!r}: give array_forward= only (ieee= is its old name), "
                        f"got both: ieee={ieee!r}, array_forward={array_forward!r}")
    warnings.warn("Op(..., ieee=...) is deprecated: the argument is now array_forward= (the "
                  "op's forward function on numpy arrays); ieee= goes in the next release",
                  DeprecationWarning, stacklevel=3)
    return ieee


def _short(x: float) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    return number_text(x)


def number_text(x: float) -> str:
    """``repr(x)``, except that an int too long to print in full (Python refuses ints of more
    than 4,300 digits) or to read is shown as ``1e+400``."""
    if x.__class__ is not int or -10**15 < x < 10**15:
        return repr(x)
    digits = int(math.log10(abs(x)))  # math.log10 takes ints of any size
    mantissa = abs(x) / 10 ** digits
    if mantissa >= 10:  # log10 rounded up to the next power of ten
        digits, mantissa = digits + 1, mantissa / 10
    return f"{'-' if x < 0 else ''}{mantissa:.6g}e+{digits}"


# --- helpers a rule may use: the same call on floats, Values and numpy arrays ------------
def _numpy():
    import numpy

    return numpy


def where(condition, if_true, if_false):
    """``if_true`` where ``condition`` holds, else ``if_false`` (``numpy.where`` on arrays).

    With a float or a Value the condition is a plain ``bool`` and one branch is returned
    as it is — so a rule can return shared constant tuples (no allocation per node); with
    tuples and an array condition, each element is chosen elementwise.
    """
    if condition is True:
        return if_true
    if condition is False:
        return if_false
    np = _numpy()
    if isinstance(if_true, tuple):  # a whole rule's result: one array per input
        return tuple(np.where(condition, t, f) for t, f in zip(if_true, if_false))
    return np.where(condition, if_true, if_false)


def is_zero(x):
    """``x == 0`` for floats, Values and arrays (a Value's ``==`` is identity, so that nodes
    stay hashable: rules compare with ``< <= > >=`` only)."""
    return (x <= 0) & (x >= 0)


def exp(x):
    """eˣ of a float (an overflow raises, and the caller retries the IEEE way), a Value or
    an array."""
    if x.__class__ is float:
        return math.exp(x)
    method = getattr(x, "exp", None)  # a Value
    return method() if method is not None else _numpy().exp(x)


def log(x):
    """ln x of a float (−inf at 0, NaN below, as IEEE), a Value or an array."""
    if x.__class__ is float:
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
    method = getattr(x, "log", None)
    return method() if method is not None else _numpy().log(x)


def sin(x):
    """sin x of a float, a Value or an array."""
    if x.__class__ is float:
        return math.sin(x)
    method = getattr(x, "sin", None)
    return method() if method is not None else _numpy().sin(x)


def cos(x):
    """cos x of a float, a Value or an array."""
    if x.__class__ is float:
        return math.cos(x)
    method = getattr(x, "cos", None)
    return method() if method is not None else _numpy().cos(x)


def sigmoid(x):
    """σ(x) = 1/(1 + e⁻ˣ) of a float (without overflow), a Value or an array."""
    if x.__class__ is float:
        return stable_sigmoid(x)
    method = getattr(x, "sigmoid", None)
    if method is not None:
        return method()
    np = _numpy()
    return np.exp(-np.logaddexp(0.0, -x))


def sign(x):
    """−1, 0 or 1 (0 for NaN, as ``torch.sgn``), for floats, Values and arrays."""
    return where(x > 0, 1.0, where(x < 0, -1.0, 0.0))


def ieee_locals(op: Op, out, data: Sequence) -> tuple:
    """The op's local derivatives computed the IEEE way: the rule run on numpy float64
    numbers with floating-point errors ignored, so ``0.5/0`` is inf and ``1e-300 ** -1.5`` is
    inf (PyTorch's values) instead of a ``ZeroDivisionError`` or an ``OverflowError``."""
    np = _numpy()
    as64 = np.float64
    values = [as64(v) for v in data]
    with np.errstate(all="ignore"):
        result = op.rule(as64(out), *op.arguments(values))  # type: ignore[misc]  # has a rule here
    return tuple(r if r.__class__ is UndefinedDerivative else float(r) for r in result)


def ieee_forward(op: Op, data: Sequence) -> float:
    """The op's result the IEEE way (±inf, NaN) where ``op.forward`` raises."""
    np = _numpy()
    if op.array_forward is None:
        return math.nan
    function = (op.array_forward if callable(op.array_forward)
                else getattr(np, op.array_forward))
    with np.errstate(all="ignore"):
        return float(function(*(_float64(v) for v in op.arguments(data))))


def _float64(x):
    """``numpy.float64(x)``; an int beyond the float range becomes ±inf, as IEEE rounds it."""
    np = _numpy()
    try:
        return np.float64(x)
    except OverflowError:
        return np.float64(math.inf if x > 0 else -math.inf)


class UndefinedDerivative(float):
    """A local derivative with no real value, stored where PyTorch stores NaN: the exponent's
    ∂(aᵇ)/∂b = aᵇ·ln a for a negative base a (``Value(-2.0) ** Value(3.0)`` is −8, its base's
    derivative b·aᵇ⁻¹ = 12, but ln(−2) is not a real number).

    It is a NaN float, so the node can be drawn and printed; multiplying it — the chain rule's
    product, which a backward pass computes only for an input that gets a gradient — raises a
    ``ValueError`` that says why and what to do. So the error comes exactly when that gradient
    is needed (a constant exponent gets none: ``x ** autograd.constant(3.0)`` backpropagates
    to x), and never as a silent NaN. It costs nothing elsewhere: no loop checks for it.
    """

    __slots__ = ("base", "exponent")
    base: float
    exponent: float

    def __new__(cls, base: float = math.nan, exponent: float = math.nan) -> UndefinedDerivative:
        self = super().__new__(cls, math.nan)
        self.base, self.exponent = base, exponent
        return self

    def __reduce__(self):
        return (UndefinedDerivative, (self.base, self.exponent))

    def _refuse(self, other) -> float:
        raise ValueError(
            f"the gradient of ({self.base!r}) ** {self.exponent!r} with respect to its exponent, "
            f"∂(aᵇ)/∂b = aᵇ·ln a, has no real value: the base {self.base!r} is negative "
            "(PyTorch gives NaN). The base's gradient b·aᵇ⁻¹ is defined: if the exponent is "
            "not learned, make it a constant — a plain number (x ** 3) or "
            "autograd.constant(3.0) — or differentiate by the base only (autograd.grad(f, "
            "argnums=0)); otherwise keep the base positive.")

    __mul__ = __rmul__ = _refuse


def check_parameter(value: object, name: str, where_: str) -> float:
    """A finite real number for an op parameter (a slope, an alpha), else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where_}: {name} must be a real number, got "
                        f"{type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{where_}: {name} must be finite, got {value!r}; pick a number such "
                         f"as the default")
    return value


# --- forward functions that need more than one expression ----------------------------------
def stable_sigmoid(x: float) -> float:
    """σ(x) = 1/(1 + e⁻ˣ) for a float, with no overflow for any x (NaN stays NaN)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _power(a: float, n: float) -> float:
    if a <= 0:
        if a < 0 and n.__class__ is not int:  # a fractional power of a negative base
            raise ValueError("math domain error")
        if a == 0 and n < 0:  # Python gives inf for 0 ** -inf but raises for 0 ** -1
            raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    try:
        return a ** n
    except OverflowError:  # the result, or an int exponent too large for a float
        if n.__class__ is not int or -_LARGEST_FLOAT_INT <= n <= _LARGEST_FLOAT_INT:
            raise
        return _power_beyond_floats(a, n)


_LARGEST_FLOAT_INT = int(sys.float_info.max)


def _power_beyond_floats(a: float, n: int) -> float:
    """``a ** n`` for an int n too large to be a float (10 ** 400): 1.0 ** n is 1.0, ±1 by
    parity for a = −1, 0.0 inside (−1, 1); outside, an overflow (an error)."""
    magnitude = abs(a) ** (math.inf if n > 0 else -math.inf)
    if magnitude == math.inf and math.isfinite(a):
        raise OverflowError("Numerical result out of range")
    return -magnitude if a < 0 and n & 1 else magnitude


def _power_of_value(a: float, b: float) -> float:
    if a < 0:  # real only for an integral exponent, as (−2) ** 3 = −8
        if not b.is_integer():
            raise ValueError("math domain error")
        return _power(a, int(b))
    return _power(a, b)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x))) if x == x else x


def _leaky_relu(x: float, slope: float) -> float:
    return x if x > 0 else slope * x


def _elu(x: float, alpha: float) -> float:
    return x if x > 0 else alpha * math.expm1(x)


def _dot(ws: Sequence[float], xs: Sequence[float]) -> float:
    return sum(map(operator.mul, ws, xs), 0.0)


# --- Op.array_forward functions, for ops whose float forward branches ---------------------
def _array_relu(x):
    return _numpy().where(x <= 0, 0.0, x)  # NaN stays NaN, as the float forward


def _array_leaky_relu(x, slope: float):
    return _numpy().where(x > 0, x, slope * x)


def _array_elu(x, alpha: float):
    np = _numpy()
    return np.where(x > 0, x, alpha * np.expm1(x))


def _array_step(x):
    np = _numpy()
    return np.where(x >= 0, 1.0, np.where(x < 0, 0.0, x))


def _array_softplus(x):
    np = _numpy()
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _power_rule(out, x, n: float) -> tuple:
    # n is a constant, so branching on it keeps the rule array-friendly
    if n == 2:
        return (2 * x,)
    if n == 1 or n == 0:
        return (float(n),)
    try:
        return (n * x ** (n - 1),)
    except OverflowError:
        if n.__class__ is not int or -_LARGEST_FLOAT_INT <= n <= _LARGEST_FLOAT_INT:
            raise
        # n beyond every float: n·xⁿ⁻¹ = n·out/x is ±inf where out = ±1 (|x| = 1), else 0
        big = math.inf if n > 0 else -math.inf
        return (where(is_zero(out), 0.0, big * sign(out) * sign(x)),)


def _power_of_value_rule(out, a, b) -> tuple:
    """∂(aᵇ)/∂a = b·aᵇ⁻¹ (0 at a = b = 0); ∂(aᵇ)/∂b = aᵇ·ln a (0 at a = 0, b ≥ 0), which has
    no real value for a < 0 (an integral b): an :class:`UndefinedDerivative` there for a float
    or a Value, NaN (PyTorch's value) in a replayed batch."""
    base = b * a ** (b - 1)
    negative = a < 0
    if getattr(negative, "ndim", 0) == 0 and negative:  # a float's or a Value's comparison
        return (base, UndefinedDerivative(_as_number(a), _as_number(b)))
    return (where(is_zero(a) & is_zero(b), 0.0, base),
            where(is_zero(a) & (b >= 0), 0.0, out * log(a)))


def _as_number(x) -> float:
    """The number of a float, a numpy scalar or a Value (whose float() is refused while a
    rule is recorded)."""
    return x.data if hasattr(x, "local_grads") else float(x)


_POWERS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _power_text(n: float) -> tuple[str]:
    """∂(xⁿ)/∂x as text: ``2·x``, ``3·x²``, ``0.5·x^(-0.5)`` (``0`` and ``1`` as numbers)."""
    if n == 0 or n == 1:
        return (f"{n:g}",)
    if n == 2:
        return ("2·{x}",)
    if float(n).is_integer():
        return (f"{n:g}·{{x}}{f'{n - 1:g}'.translate(_POWERS)}",)
    power = f"{n - 1:g}"
    return (f"{n:g}·{{x}}^{power if n > 1 else f'({power})'}",)


def _relu_rule(out, x) -> tuple:
    if x.__class__ is float:  # the hot case, without a call: (1,) above 0, else (0,)
        return (ONE, ZERO)[x <= 0]
    return where(x <= 0, ZERO, ONE)  # 1 at NaN, as PyTorch's threshold_backward


# --- the clear errors user code gets where a forward function fails -------------------------
def _division_error(exc, data, names):
    a, b = data
    return ZeroDivisionError(
        f"division by zero: {a!r} / {b!r} (the divisor{names[1]} is 0). Guard the zero case or "
        "add a small epsilon to the divisor: a / (b + 1e-12).")


def _power_error(exc, data, names):
    a, n = data
    shown = number_text(n)
    if a < 0 and not (n.__class__ is int or n.is_integer()):
        return ValueError(
            f"power: negative base {a!r}{names[0]} with non-integer exponent {shown} has no "
            "real result. Use an integer exponent, or make the base positive first, e.g. "
            "abs(x) ** p or (x * x + 1e-12) ** (p / 2).")
    if isinstance(exc, OverflowError):
        return OverflowError(
            f"power overflow: {a!r} ** {shown}{names[0]} is larger than the largest float "
            "(about 1.8e308). Scale the base or the exponent down.")
    return ZeroDivisionError(
        f"power: 0.0 ** {shown}{names[0]} is a division by zero (a negative power of zero). "
        "Keep the base away from zero, e.g. (x + 1e-12) ** n.")


def _exp_error(exc, data, names):
    return OverflowError(
        f"exp overflow: exp({data[0]!r}){names[0]} is larger than the largest float (about "
        "1.8e308, reached at x ≈ 709.78). Scale the input down, or use a stable form: "
        "sigmoid(), tanh(), or a log-sum-exp / from_logits loss.")


def _log_error(exc, data, names):
    return ValueError(
        f"log of {data[0]!r}{names[0]}: the logarithm is defined only for positive numbers. "
        "Clamp the input first, e.g. (p + 1e-12).log(), or use a loss that works on logits "
        "(from_logits=True).")


def _sqrt_error(exc, data, names):
    return ValueError(
        f"sqrt of {data[0]!r}{names[0]}: the square root is defined only for numbers ≥ 0. "
        "Use abs(x).sqrt() or (x * x + 1e-12).sqrt() if the sign does not matter.")


# --- what tests need: domains and PyTorch twins ----------------------------------------------
def _power_domain(n: float) -> Domain:
    """Where ``x ** n`` and its derivative are finite: every x for an int n ≥ 0, x ≠ 0 for a
    negative int, x > 0 for a float n (a negative base needs an int exponent)."""
    if n.__class__ is int:
        return REALS if n >= 0 else NONZERO
    return POSITIVE


def _torch():
    import torch  # the oracle tests' dependency, never a runtime one

    return torch


def _torch_sum(xs):
    """Σ xs in the order autograd.sum adds them (from 0.0), as a tensor."""
    total = _torch().tensor(0.0)
    for x in xs:
        total = total + x
    return total


_TORCH_STEP: list = []


def _torch_step(x):
    """The Heaviside step as ours: 1 for x ≥ 0, else 0, NaN for NaN; its derivative 0
    everywhere (a zero gradient that masks, as torch's ``sign`` backward)."""
    torch = _torch()
    if not _TORCH_STEP:
        class TorchStep(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return torch.where(torch.isnan(x), x, torch.where(x >= 0, 1.0, 0.0))

            @staticmethod
            def backward(ctx, grad):
                return torch.zeros_like(grad)

        _TORCH_STEP.append(TorchStep)
    return _TORCH_STEP[0].apply(x)


def torch_twin(op: Op) -> Callable | None:
    """``op``'s PyTorch twin as a function of tensors taking what ``forward`` takes (its
    ``torch``; a name such as ``"sin"`` is ``torch.sin``), or ``None``. For the oracle tests
    only: it imports torch."""
    twin = op.torch
    if isinstance(twin, str):
        return getattr(_torch(), twin)
    return twin


# --- the table: one entry per op -------------------------------------------------------------
# Shared local-derivative tuples: a rule returning one of these allocates nothing per node
# (fewer objects for the garbage collector to track: measured in benchmarks/bench_engine.py).
ZERO = (0.0,)
ONE = (1.0,)
ONE_ONE = (1.0, 1.0)

ADD = Op("+", lambda out, a, b: ONE_ONE, forward=lambda a, b: a + b,
         math="∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1", derivative=("1", "1"), method="__add__",
         torch=lambda a, b: a + b)
SUB = Op("-", lambda out, a, b: (1.0, -1.0), forward=lambda a, b: a - b,
         math="∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1", derivative=("1", "−1"), method="__sub__",
         torch=lambda a, b: a - b)
MUL = Op("*", lambda out, a, b: (b, a), forward=lambda a, b: a * b,
         math="∂(ab)/∂a = b, ∂(ab)/∂b = a", derivative=("{b}", "{a}"), method="__mul__",
         torch=lambda a, b: a * b)
DIV = Op("/", lambda out, a, b: (1.0 / b, -out / b), forward=lambda a, b: a / b,
         math="∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b² = −out/b",
         array_forward="divide", error=_division_error, derivative=("1/{b}", "−{a}/{b}²"),
         method="__truediv__", torch="div", domain=(REALS, NONZERO))
NEG = Op("neg", lambda out, x: (-1.0,), forward=lambda x: -x, array_forward="negative",
         math="∂(−x)/∂x = −1", method="__neg__", torch="neg", derivative=("−1",))
IDENTITY = Op("id", lambda out, x: ONE, forward=lambda x: x, math="∂x/∂x = 1",
              derivative=("1",), method="identity", torch="clone",
              doc="A new node equal to this one (derivative 1): a fresh name for the same "
                  "number.")
POW = Op("**", _power_rule, params=(2,), forward=_power,
         masks=lambda params: params[0] == 0,
         math="∂(xⁿ)/∂x = n·xⁿ⁻¹ (0 for n = 0, as PyTorch), n a constant",
         array_forward="power", error=_power_error, derivative=_power_text, method="__pow__",
         torch=lambda x, n: x ** n, domain=_power_domain,
         test_params=(0, 1, 2, 3, -1, -2, -3, 0.0, 2.0, -1.0, 0.5, -0.5, 1.5, 2.5, -1.5, 1 / 3,
                      0.25))
POW_VALUE = Op("**", _power_of_value_rule,
               forward=_power_of_value, array_forward="power", error=_power_error,
               math="∂(aᵇ)/∂a = b·aᵇ⁻¹ (0 at a = b = 0), ∂(aᵇ)/∂b = aᵇ·ln a (0 at a = 0, b ≥ 0)",
               derivative=("{b}·{a}^({b} − 1)", "{out}·ln({a})"), method="__pow__",
               torch=lambda a, b: a ** b, domain=(POSITIVE, REALS))
ABS = Op("abs", lambda out, x: (sign(x),), forward=lambda x: x if x > 0 else -x,
         array_forward="absolute", math="∂|x|/∂x = sign(x), 0 at x = 0 (as PyTorch)",
         derivative=("sign({x})",), method="__abs__", torch="abs", kinks=(0.0,))
EXP = Op("exp", lambda out, x: (out,), forward=math.exp, array_forward="exp", error=_exp_error,
         math="∂eˣ/∂x = eˣ = out", derivative=("exp({x})",), method="exp", torch="exp",
         domain=Domain((-math.inf, 709.782712893384)),
         doc="``e ** self``. Raises ``OverflowError`` past x ≈ 709.78.")
LOG = Op("log", lambda out, x: (1.0 / x,), forward=math.log, array_forward="log", error=_log_error,
         math="∂ln x/∂x = 1/x", derivative=("1/{x}",), method="log", torch="log",
         domain=POSITIVE,
         doc="Natural logarithm. Raises ``ValueError`` for x ≤ 0.")
SQRT = Op("sqrt", lambda out, x: (0.5 / out,), forward=math.sqrt, array_forward="sqrt",
          error=_sqrt_error, math="∂√x/∂x = 1/(2√x) = 0.5/out (inf at 0)",
          derivative=("1/(2√{x})",), method="sqrt", torch="sqrt", domain=POSITIVE,
          doc="Square root. Raises ``ValueError`` for x < 0 (its derivative at 0 is +inf).")
TANH = Op("tanh", lambda out, x: (1 - out * out,), forward=math.tanh, array_forward="tanh",
          math="∂tanh x/∂x = 1 − tanh² x = 1 − out²", derivative=("1 − {out}²",),
          method="tanh", torch="tanh",
          doc="Hyperbolic tangent; finite for every input (tanh(±1000) = ±1).")
SIGMOID = Op("sigmoid", lambda out, x: (out * (1 - out),), forward=stable_sigmoid,
             array_forward=sigmoid,
             math="∂σ(x)/∂x = σ(x)(1 − σ(x)) = out·(1 − out)",
             derivative=("{out}(1 − {out})",), method="sigmoid", torch="sigmoid",
             doc="The logistic function 1 / (1 + e⁻ˣ), without overflow.")
SOFTPLUS = Op("softplus", lambda out, x: (sigmoid(x),), forward=_softplus,
              array_forward=_array_softplus,
              math="softplus(x) = ln(1 + eˣ); ∂/∂x = σ(x)", derivative=("σ({x})",),
              method="softplus", doc="ln(1 + eˣ), a smooth relu, without overflow; its "
                                     "derivative is σ(x).",
              # torch's softplus is linear past its threshold: at 40 that is exact (ln(1 + e⁻⁴⁰)
              # is below an ulp of 40), and its second derivative stays finite far out
              torch=lambda x: _torch().nn.functional.softplus(x, threshold=40.0))
RELU = Op("relu", _relu_rule, forward=lambda x: 0.0 if x <= 0 else x,  # NaN stays NaN
          masks=True, array_forward=_array_relu,
          math="∂relu(x)/∂x = 1 for x > 0, else 0 (0 at x = 0, as PyTorch)",
          derivative=("1 if {x} > 0 else 0",), method="relu", torch="relu", kinks=(0.0,),
          doc="max(0, x); its derivative at exactly 0 is taken as 0 (as PyTorch); NaN stays "
              "NaN.")
LEAKY_RELU = Op("leaky_relu", lambda out, x, slope: (where(x > 0, 1.0, slope),),
                params=(0.01,), forward=_leaky_relu, array_forward=_array_leaky_relu,
                math="∂/∂x = 1 for x > 0, else the slope",
                derivative=("1 if {x} > 0 else {p0}",), method="leaky_relu",
                torch=lambda x, slope: _torch().nn.functional.leaky_relu(x, slope),
                kinks=(0.0,), test_params=(0.01, 0.1, 0.0, -0.2, 1.5))
ELU = Op("elu", lambda out, x, alpha: (where(x < 0, alpha * exp(x), where(x <= 0, alpha, 1.0)),),
         params=(1.0,), forward=_elu, array_forward=_array_elu,
         math="∂/∂x = 1 for x > 0, else α·eˣ (α at 0 and 1 at NaN, flat beyond: PyTorch's)",
         derivative=("1 if {x} > 0 else {p0}·exp({x})",), method="elu",
         torch=lambda x, alpha: _torch().nn.functional.elu(x, alpha), kinks=(0.0,),
         test_params=(1.0, 0.5, 2.0, 1.6732632423543772))  # the last: SELU's alpha
STEP = Op("step", lambda out, x: (0.0,),
          forward=lambda x: 1.0 if x >= 0 else (0.0 if x < 0 else x), masks=True,
          array_forward=_array_step,
          math="the Heaviside step is flat wherever it is differentiable: 0",
          derivative=("0",), method="step", torch=_torch_step, kinks=(0.0,),
          doc="Heaviside step: 1.0 for x ≥ 0, else 0.0. Its derivative is 0 everywhere (so no "
              "gradient flows through it: the perceptron learns by its own rule, not by "
              "backprop).")
SUM = Op("sum", lambda out, xs: (1.0,) * len(xs), inputs="all",
         forward=lambda xs: sum(xs, 0.0), math="∂(Σxᵢ)/∂xᵢ = 1", derivative=("1",),
         torch=_torch_sum)
DOT = Op("dot", lambda out, ws, xs: (*xs, *ws), inputs="halves", forward=_dot,
         math="∂(w·x)/∂wᵢ = xᵢ, ∂(w·x)/∂xᵢ = wᵢ (parents w₀…wₙ₋₁, x₀…xₙ₋₁)",
         derivative=("{x}", "{w}"), torch=lambda ws, xs: _torch_sum(
             [w * x for w, x in zip(ws, xs)]))
SIN = Op("sin", lambda out, x: (cos(x),), forward=math.sin, array_forward="sin",
         math="∂sin x/∂x = cos x", derivative=("cos({x})",), method="sin", torch="sin",
         doc="Sine of an angle in radians.")
COS = Op("cos", lambda out, x: (-sin(x),), forward=math.cos, array_forward="cos",
         math="∂cos x/∂x = −sin x", derivative=("−sin({x})",), method="cos", torch="cos",
         doc="Cosine of an angle in radians.")
CONST = Op("const")  # a number that entered the graph: no inputs, never a parameter


# --- the registry: every op, iterable ----------------------------------------------------
_REGISTERED: dict[str, Op] = {}  # by key, CONST included (for pickling by identity)
REGISTRY: dict[str, Op] = {}  # the ops one can apply, by key: "add", "pow_value"...


def add_op(op: Op, key: str) -> Op:
    """Put ``op`` in the registry under ``key`` and give ``Value`` its method (if ``Value``
    exists already); no checks — :func:`autograd.register_op` checks, then calls this."""
    op.key = key
    _REGISTERED[key] = op
    if op.rule is not None:
        REGISTRY[key] = op
    value = sys.modules.get(__package__ + ".value")
    if value is not None:  # Value exists already: give it this op's method
        value.attach_methods()
    return op


def lookup(key: str) -> Op | None:
    """The op registered under ``key`` (leaves' ``const`` included), or ``None``."""
    return _REGISTERED.get(key)


def remove_op(key: str) -> Op:
    """Take the op registered under ``key`` out of the registry (no checks: see
    :func:`autograd.unregister_op`)."""
    found = _REGISTERED.pop(key)
    REGISTRY.pop(key, None)
    found.key = None
    return found


def all_ops() -> list[Op]:
    """Every registered op one can apply (built-in, then libraries'), in registration order."""
    return list(REGISTRY.values())


for _key, _op in {
    "add": ADD, "sub": SUB, "mul": MUL, "div": DIV, "neg": NEG, "identity": IDENTITY,
    "pow": POW, "pow_value": POW_VALUE, "abs": ABS, "exp": EXP, "log": LOG, "sqrt": SQRT,
    "tanh": TANH, "sigmoid": SIGMOID, "softplus": SOFTPLUS, "relu": RELU,
    "leaky_relu": LEAKY_RELU, "elu": ELU, "step": STEP, "sum": SUM, "dot": DOT, "const": CONST,
    "sin": SIN, "cos": COS,
}.items():
    add_op(_op, _key)  # checked by the tests (validate_op needs Value, not yet defined)
