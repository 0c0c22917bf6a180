"""Saving and loading models as JSON — data only, never pickle, never code execution.

Loading is bounded: before anything is built, :func:`load` checks the file size, every config
field's type and range, the number of parameters the config implies (against a budget) and
that the saved weights are exactly the ones that config needs. A small file therefore cannot
make ``load`` allocate a large model, and no file content makes it raise anything but
:class:`ModelFileError`.
"""

from __future__ import annotations

import inspect
import itertools
import json
import math
import os
import reprlib
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import activations
from . import init as initializers
from .layers import MLP, BatchNorm, Dropout, Layer, Neuron
from .module import Module
from .perceptron import Perceptron

FORMAT = "tracegrad-model"
VERSION = 1
KNOWN: dict[str, type[Module]] = {
    cls.__name__: cls for cls in (MLP, Layer, Neuron, Perceptron, Dropout, BatchNorm)
}
#: Default budget of :func:`load`: parameters plus buffers of the model a file describes.
#: A scalar-engine model of a million parameters takes ~20 s and ~350 MB to build.
MAX_PARAMETERS = 1_000_000
#: Default size cap of :func:`load`, in bytes (a million-parameter model saves to ~60 MB).
MAX_FILE_BYTES = 128 * 2**20
_SHOWN_KEYS = 10  # keys listed in a "missing/unexpected keys" message


class ModelFileError(ValueError):
    """A saved model file is corrupt, tampered with, or not a tracegrad model."""


def save(model: Module, path: str | Path) -> Path:
    """Write ``model`` to ``path`` as JSON: its class, constructor config and weights.

    The file is written atomically: the JSON goes to a temporary file in the same folder,
    which then replaces ``path``, so a failure never leaves a half-written model behind.

    Returns:
        The path written.
    Raises:
        TypeError: ``model`` is not one of the classes nn can save.
        ValueError: a parameter or buffer is NaN or infinite (JSON has no such numbers; the
            message names it, e.g. ``layers.0.neurons.1.w.0``), or the config holds a value
            :func:`load` would refuse. Nothing is written then.

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
    config = model.config()
    problem = _config_problem(name, config)
    if problem:
        raise ValueError(f"save: this {name} cannot be saved: its config field {problem}; "
                         "nothing was written")
    state = model.state_dict()
    for key, number in state.items():
        if not _is_finite_number(number):
            raise ValueError(
                f"save: {key} is {number!r}, which a model file cannot hold (JSON has no NaN "
                "or infinity); nothing was written. Training has probably diverged: lower "
                "the learning rate, or find the op with autograd.detect_anomaly()."
            )
    document = {"format": FORMAT, "version": VERSION, "class": name,
                "config": config, "state": state}
    text = json.dumps(document, indent=1, allow_nan=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, text.encode("utf-8"))
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a fresh temporary file next to ``path``, then rename it over
    ``path`` (``os.replace`` is atomic on one file system)."""
    for _ in range(100):
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 and the umask, as open() would give the file itself.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise FileExistsError(f"save: could not create a temporary file next to {path}")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def load(path: str | Path, *, max_parameters: int | None = MAX_PARAMETERS,
         max_bytes: int | None = MAX_FILE_BYTES) -> Module:
    """Rebuild a model written by :func:`save`, checking the file before building anything.

    The checks, in order: the file is at most ``max_bytes`` long; it is UTF-8 JSON without
    NaN/Infinity, too-deep nesting or oversize integers; it names a known class; its config
    has exactly that class's fields, each of the right type and range; the model it
    describes has at most ``max_parameters`` numbers (parameters plus buffers, e.g. an MLP
    with widths ``nin, n₁, …, n_L`` has ``Σ (nᵢ₋₁ + 1)·nᵢ``); and its state holds exactly
    the names that model has, each a finite number. Only then is the model built.

    Args:
        path: the file.
        max_parameters: the budget; pass a larger number (or ``None`` for no limit) to load
            a bigger model from a file you trust.
        max_bytes: the file-size cap; a larger number (or ``None``) lifts it.
    Returns:
        The model, with the saved weights.
    Raises:
        ModelFileError: the file is too large, not valid JSON, not a tracegrad model, names
            a class nn does not know, describes a model above the budget, or has a config or
            weights that do not fit. The message names the file and what is wrong.
        OSError: the file cannot be read (e.g. ``FileNotFoundError``).
    """
    max_parameters = _limit(max_parameters, "max_parameters")
    max_bytes = _limit(max_bytes, "max_bytes")
    path = Path(path)
    file = path.name
    document = _read_json(path, max_bytes)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{file} is not a tracegrad model file (no "
                             f"'format': '{FORMAT}' field)")
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        raise ModelFileError(f"{file}: unsupported model file version {_short(version)}; "
                             f"this nn reads version {VERSION}")
    name = document.get("class")
    if not isinstance(name, str) or name not in KNOWN:
        raise ModelFileError(f"{file}: unknown model class {_short(name)}; nn loads only "
                             f"{', '.join(KNOWN)}")
    config, state = document.get("config"), document.get("state")
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise ModelFileError(f"{file}: 'config' and 'state' must be JSON objects")
    problem = _config_problem(name, config)
    if problem:
        raise ModelFileError(f"{file}: the saved config does not build a {name}: "
                             f"config field {problem}")
    count = _state_size(name, config)
    if max_parameters is not None and count > max_parameters:
        lift = f"nn.load(path, max_parameters={count})" if count < 10**15 else \
            "nn.load(path, max_parameters=None)"
        raise ModelFileError(
            f"{file}: this {name} would have {_amount(count)} {_numbers(name)}, more than "
            f"the budget max_parameters={max_parameters:,}. If you trust the file, "
            f"lift the budget: {lift}"
        )
    _check_state(file, name, config, state, count)
    try:
        model = KNOWN[name](**config)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{file}: the saved config does not build a {name}: {exc}") \
            from None
    try:
        model.load_state_dict(state, strict=True)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{file}: the saved weights do not fit: {exc}") from None
    return model


# --- reading ------------------------------------------------------------------------------
class _RefusedError(Exception):
    """Raised by the JSON parser hooks; ``load`` turns it into a ModelFileError."""


def _read_json(path: Path, max_bytes: int | None) -> Any:
    """The file's JSON document, reading at most ``max_bytes + 1`` bytes."""
    file = path.name
    with path.open("rb") as stream:
        if max_bytes is None:
            raw = stream.read()
        else:  # in chunks: read(max_bytes + 1) would allocate that much up front
            chunks, size = [], 0
            while size <= max_bytes:
                chunk = stream.read(min(2**16, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            raw = b"".join(chunks)
    if max_bytes is not None and len(raw) > max_bytes:
        raise ModelFileError(
            f"{file} is larger than max_bytes={max_bytes:,} bytes, the size cap of nn.load. "
            "If you trust the file, lift the cap: nn.load(path, max_bytes=None)"
        )
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant,
                          parse_float=_finite_float)
    except _RefusedError as exc:
        raise ModelFileError(f"{file} is not a valid model file: {exc}") from None
    except RecursionError:
        raise ModelFileError(f"{file} is not a valid model file: its JSON is nested too "
                             "deeply to be a model") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, int digit limit
        raise ModelFileError(f"{file} is not a valid model file: corrupt JSON "
                             f"({_short_text(str(exc))}). Save the model again with "
                             "nn.save(model, path).") from None


def _reject_constant(name: str) -> Any:
    raise _RefusedError(f"it holds {name}, which is not a valid weight (JSON has no {name})")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _RefusedError(f"it holds the number {_short_text(text)}, too large for a float")
    return number


def _limit(value: object, name: str) -> int | None:
    if value is None or (type(value) is int and value >= 0):
        return value
    raise ValueError(f"load: {name} must be a non-negative int or None (no limit), "
                     f"got {_short(value)}")


# --- the config ---------------------------------------------------------------------------
_Check = Callable[[Any], "str | None"]


def _positive_int(value: Any) -> str | None:
    if type(value) is int and value >= 1:
        return None
    return f"must be a positive int, got {_short(value)}"


def _widths(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return f"must be a non-empty list of layer widths, got {_short(value)}"
    for i, width in enumerate(value):
        if _positive_int(width):
            return f"item {i} must be a positive int, got {_short(width)}"
    return None


def _number(low: float, high: float, what: str) -> _Check:
    def check(value: Any) -> str | None:
        if _is_finite_number(value) and low <= value <= high:
            return None
        return f"must be {what}, got {_short(value)}"
    return check


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, got {_short(value)}"


def _name_in(table: dict, what: str) -> _Check:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and value in table:
            return None
        return f"must be {what} name ({', '.join(table)}), got {_short(value)}"
    return check


_activation = _name_in(activations.ACTIVATIONS, "an activation")
_finite = _number(-math.inf, math.inf, "a finite number")
_probability = _number(0.0, 1.0, "a probability in [0, 1]")

#: Every config field of each class ``save`` writes, with its check. Fields left out of a
#: file take the constructor's default; the fields without a default are required.
SCHEMAS: dict[str, dict[str, _Check]] = {
    "MLP": {"nin": _positive_int, "nouts": _widths, "activation": _activation,
            "output_activation": _activation, "fused": _flag, "dropout": _probability},
    "Layer": {"nin": _positive_int, "nout": _positive_int, "activation": _activation,
              "fused": _flag},
    "Neuron": {"nin": _positive_int, "activation": _activation, "fused": _flag},
    "Perceptron": {"nin": _positive_int, "lr": _finite, "threshold": _finite,
                   "init": _name_in(initializers.INITIALIZERS, "an initializer")},
    "Dropout": {"p": _probability},
    "BatchNorm": {"num_features": _positive_int,
                  "eps": _number(0.0, math.inf, "a finite number ≥ 0"),
                  "momentum": _probability},
}


def _required(name: str) -> list[str]:
    """The constructor arguments of class ``name`` that have no default."""
    return [p.name for p in inspect.signature(KNOWN[name]).parameters.values()
            if p.default is inspect.Parameter.empty and p.kind in
            (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _config_problem(name: str, config: dict) -> str | None:
    """What is wrong with ``config`` for class ``name`` ("'nin' must be …"), or None."""
    schema = SCHEMAS[name]
    for key, value in config.items():
        if key not in schema:
            return (f"{_short(key)} is not a {name} setting (the settings are "
                    f"{', '.join(schema)})")
        problem = schema[key](value)
        if problem:
            return f"{key!r} {problem}"
    for key in _required(name):
        if key not in config:
            return f"{key!r} is missing"
    return None


# --- the state ----------------------------------------------------------------------------
def _layer_sizes(name: str, config: dict) -> list[tuple[int, int]]:
    """(fan_in, fan_out) of each fully connected layer of an MLP, Layer or neuron."""
    if name == "MLP":
        return list(itertools.pairwise([config["nin"], *config["nouts"]]))
    if name == "Layer":
        return [(config["nin"], config["nout"])]
    return [(config["nin"], 1)]  # Neuron, Perceptron


def _state_size(name: str, config: dict) -> int:
    """How many numbers the state of the model ``config`` describes holds: a layer with
    ``n`` inputs and ``m`` neurons has ``(n + 1)·m`` parameters; BatchNorm has four per
    feature (gamma, beta, running mean and variance); Dropout none."""
    if name == "Dropout":
        return 0
    if name == "BatchNorm":
        return 4 * config["num_features"]
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in _layer_sizes(name, config))


def _state_names(name: str, config: dict) -> Iterator[str]:
    """The state-dict names of the model ``config`` describes, in ``state_dict()`` order,
    without building it."""
    if name == "Dropout":
        return
    if name == "BatchNorm":
        for part in ("gamma", "beta", "running_mean", "running_var"):
            for i in range(config["num_features"]):
                yield f"{part}.{i}"
        return
    for i, (fan_in, fan_out) in enumerate(_layer_sizes(name, config)):
        prefix = {"MLP": f"layers.{i}.neurons.", "Layer": "neurons."}.get(name)
        for j in range(fan_out):
            neuron = f"{prefix}{j}." if prefix else ""
            for k in range(fan_in):
                yield f"{neuron}w.{k}"
            yield f"{neuron}b"


def _check_state(file: str, name: str, config: dict, state: dict, count: int) -> None:
    """The state must hold exactly the names of the model, each a finite number."""
    missing: list[str] = []
    n_missing = 0
    for key in _state_names(name, config):
        if key not in state:
            n_missing += 1
            if len(missing) < _SHOWN_KEYS:
                missing.append(key)
    if n_missing or len(state) != count - n_missing:
        expected = set(_state_names(name, config))
        unexpected = [key for key in state if key not in expected]
        raise ModelFileError(
            f"{file}: the saved weights do not fit: missing keys "
            f"{_some(missing, n_missing)}, unexpected keys "
            f"{_some(unexpected[:_SHOWN_KEYS], len(unexpected))} (a {name} with this "
            f"config has {count:,} {_numbers(name)}, the file holds {len(state):,})"
        )
    for key, number in state.items():
        if not _is_finite_number(number):
            raise ModelFileError(f"{file}: the saved weights do not fit: {key} must be a "
                                 f"finite number, got {_short(number)}")
        if key.rsplit(".", 2)[-2:-1] == ["running_var"] and number < 0:
            raise ModelFileError(f"{file}: the saved weights do not fit: {key} is a variance "
                                 f"and must be ≥ 0, got {_short(number)}")


# --- helpers ------------------------------------------------------------------------------
def _numbers(name: str) -> str:
    return "parameters and buffers" if KNOWN[name]._buffers else "parameters"


def _is_finite_number(value: Any) -> bool:
    """An int or float (not a bool) that converts to a finite float."""
    if isinstance(value, int) and not isinstance(value, bool):
        return -sys.float_info.max <= value <= sys.float_info.max  # exact, no overflow
    return isinstance(value, float) and math.isfinite(value)


_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = _repr.maxlong = 60
_repr.maxlist = _repr.maxdict = 6


def _short(value: Any) -> str:
    """A repr short enough for an error message, whatever the file holds."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of about {_digits(value)} digits"
    return _repr.repr(value)


def _short_text(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "…"


def _digits(n: int) -> int:
    """Roughly how many decimal digits ``n`` has, without printing it (printing a huge int
    is slow, and Python refuses beyond 4300 digits)."""
    return math.floor(math.log10(abs(n))) + 1 if n else 1  # log10 takes any int


def _amount(n: int) -> str:
    """``n`` with thousands separators, or its order of magnitude when it is huge."""
    return f"{n:,}" if n.bit_length() <= 64 else f"about 10^{_digits(n) - 1}"


def _some(keys: list[str], total: int) -> str:
    """A list of keys for a message, the first few only."""
    shown = "[" + ", ".join(_short(key) for key in keys) + "]"
    return shown + (f" and {total - len(keys):,} more" if total > len(keys) else "")
