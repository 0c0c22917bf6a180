"""autograd — a scalar reverse-mode autodiff engine you can watch work.

Every number is a :class:`Value` that remembers how it was computed; ``backward()`` applies
the chain rule over that graph; ``backward_steps`` shows each product; ``draw`` pictures it;
``gradcheck`` proves it against finite differences. What nodes are called where they are
shown is :mod:`autograd.naming`'s (labels, formulas, and namers libraries register).

    >>> from autograd import Value
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + 10
    >>> c.backward()
    >>> a.grad, b.grad
    (-3.0, 2.0)
"""

from . import naming, ops
from .backward import StepRecord, backward_steps, gradients, steps_table, zero_grad
from .checking import analytic_grad, gradcheck, numerical_grad
from .deprecated import short_label
from .drawing import Drawing, RendererNotFoundError, draw, find_renderer
from .errors import (
    AnomalyError,
    DataDependentGraphError,
    DerivativeRuleError,
    GradcheckError,
    GraphTooLargeError,
)
from .explain import Explanation, explain
from .functional import grad, value_and_grad
from .graph import reading_order, topological_order
from .modes import detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad
from .naming import register_namer, unregister_namer
from .ops import Domain, Op, all_ops
from .reductions import dot, matvec, sum
from .registering import register_op, registered, unregister_op
from .replay import Replay, trace
from .stepper import Stepper, stepper
from .value import Number, Value, apply, constant

__all__ = [
    "AnomalyError",
    "DataDependentGraphError",
    "DerivativeRuleError",
    "Domain",
    "Drawing",
    "Explanation",
    "GradcheckError",
    "GraphTooLargeError",
    "Number",
    "Op",
    "RendererNotFoundError",
    "Replay",
    "StepRecord",
    "Stepper",
    "Value",
    "all_ops",
    "analytic_grad",
    "apply",
    "backward_steps",
    "constant",
    "detect_anomaly",
    "dot",
    "draw",
    "enable_grad",
    "explain",
    "find_renderer",
    "grad",
    "gradcheck",
    "gradients",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "matvec",
    "naming",
    "no_grad",
    "numerical_grad",
    "ops",
    "reading_order",
    "register_namer",
    "register_op",
    "registered",
    "short_label",
    "stepper",
    "steps_table",
    "sum",
    "topological_order",
    "trace",
    "unregister_namer",
    "unregister_op",
    "value_and_grad",
    "zero_grad",
]
__version__ = "0.1.0"
