"""Saving and loading models as JSON — data only, never pickle, never code execution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .layers import MLP, BatchNorm, Dropout, Layer, Neuron
from .module import Module
from .perceptron import Perceptron

FORMAT = "tracegrad-model"
VERSION = 1
KNOWN: dict[str, type[Module]] = {
    cls.__name__: cls for cls in (MLP, Layer, Neuron, Perceptron, Dropout, BatchNorm)
}


class ModelFileError(ValueError):
    """A saved model file is corrupt, tampered with, or not a tracegrad model."""


def save(model: Module, path: str | Path) -> Path:
    """Write ``model`` to ``path`` as JSON: its class, constructor config and weights.

    Returns:
        The path written.

    Example::

        >>> import tempfile, nn
        >>> model = nn.MLP(2, [3, 1], seed=0)
        >>> path = nn.save(model, tempfile.mkdtemp() + "/model.json")
        >>> nn.load(path).state_dict() == model.state_dict()
        True
    """
    name = type(model).__name__
    if KNOWN.get(name) is not type(model):
        raise TypeError(f"save: {name} is not one of the models nn can save "
                        f"({', '.join(KNOWN)})")
    document = {"format": FORMAT, "version": VERSION, "class": name,
                "config": model.config(), "state": model.state_dict()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, allow_nan=False), encoding="utf-8")
    return path


def load(path: str | Path) -> Module:
    """Rebuild a model written by :func:`save`.

    Raises:
        ModelFileError: the file is not valid JSON, not a tracegrad model, names a class
            nn does not know, or has a config or weights that do not fit.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"),
                              parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path.name} is not a valid model file: corrupt JSON ({exc}). "
                             "Save the model again with nn.save(model, path).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path.name} is not a tracegrad model file (no "
                             f"'format': '{FORMAT}' field)")
    if document.get("version") != VERSION:
        raise ModelFileError(f"{path.name}: unsupported model file version "
                             f"{document.get('version')!r}; this nn reads version {VERSION}")
    name = document.get("class")
    if name not in KNOWN:
        raise ModelFileError(f"{path.name}: unknown model class {name!r}; nn loads only "
                             f"{', '.join(KNOWN)}")
    config, state = document.get("config"), document.get("state")
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise ModelFileError(f"{path.name}: 'config' and 'state' must be JSON objects")
    try:
        model = KNOWN[name](**config)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path.name}: the saved config does not build a {name}: {exc}") \
            from None
    try:
        model.load_state_dict(state, strict=True)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path.name}: the saved weights do not fit: {exc}") from None
    return model


def _reject_constant(name: str) -> Any:
    raise ModelFileError(f"model file holds {name}, which is not a valid weight")


