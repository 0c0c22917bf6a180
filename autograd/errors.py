"""The exceptions autograd raises beyond Python's own (TypeError, ValueError, ...)."""


class AnomalyError(ArithmeticError):
    """Inside ``detect_anomaly()``: an op or a gradient produced NaN or infinity."""


class GradcheckError(AssertionError):
    """``gradcheck`` found an analytic gradient that disagrees with finite differences."""


class GraphTooLargeError(ValueError):
    """``draw`` was asked for more nodes than its ``max_nodes``."""


class DerivativeRuleError(TypeError):
    """``create_graph=True`` met a custom op that has no derivative rule."""


class DataDependentGraphError(ValueError):
    """``Replay.verify``: another sample records a different graph than the traced one."""


class GraphCycleError(ValueError):
    """A node is its own ancestor (its ``parents`` were reassigned after a node computed from
    it was built): the graph is no longer a DAG, so no walk over it has an order."""


class RenderTimeoutError(RuntimeError):
    """The renderer (Graphviz ``dot``) did not finish a picture within its time limit."""
