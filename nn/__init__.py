"""nn — neural networks built from autograd Values, from Rosenblatt's perceptron to the MLP.

Uses only autograd's public API. Every parameter is a ``Value`` labelled with its dotted
name (``layers.0.neurons.1.w.0``), so a model's graph can be drawn and its backward pass
stepped through.
"""

from . import activations, data, examples, init, losses, optim, schedulers
from .backprop_table import BackpropIdentityError, BackpropRow, BackpropTable, backprop_by_layer
from .checks import InvalidParameterError
from .diagram import draw_network
from .estimators import ConvergenceWarning, MLPClassifier, MLPRegressor
from .examples import mazur_network
from .layers import MLP, BatchNorm, Dropout, Layer, Neuron
from .module import Module
from .perceptron import Perceptron, PerceptronHistory
from .regularization import l1_penalty, l2_penalty, magnitude_prune
from .serialization import ModelFileError, load, save
from .torch_export import to_torch
from .training import (
    EarlyStopping,
    History,
    accuracy,
    confusion_matrix,
    evaluate,
    fit,
    predict,
)

__all__ = [
    "MLP",
    "BackpropIdentityError",
    "BackpropRow",
    "BackpropTable",
    "BatchNorm",
    "ConvergenceWarning",
    "Dropout",
    "EarlyStopping",
    "History",
    "InvalidParameterError",
    "Layer",
    "MLPClassifier",
    "MLPRegressor",
    "ModelFileError",
    "Module",
    "Neuron",
    "Perceptron",
    "PerceptronHistory",
    "accuracy",
    "activations",
    "backprop_by_layer",
    "confusion_matrix",
    "data",
    "draw_network",
    "evaluate",
    "examples",
    "fit",
    "init",
    "l1_penalty",
    "l2_penalty",
    "load",
    "losses",
    "magnitude_prune",
    "mazur_network",
    "optim",
    "predict",
    "save",
    "schedulers",
    "to_torch",
]


def __getattr__(name: str):
    """``nn.plots`` on first use (it imports matplotlib, which ``import nn`` need not)."""
    if name == "plots":
        import importlib

        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module 'nn' has no attribute {name!r}")
