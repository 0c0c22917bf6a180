"""Datasets that need no download, splits, batches and feature scaling.

Data is plain Python: ``X`` a list of samples (each a list of floats), ``y`` a list of labels.
Every random choice goes through ``random.Random(seed)``: the same seed, the same data.
"""

from __future__ import annotations

import gzip
import io
import math
import numbers
import random
import struct
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from . import checks

Dataset = tuple[list[list[float]], list]  # (X, y): samples as lists of features, targets
Samples = tuple[list, list]  # (X, y) as given: a sample a list of features, or one number

GATES = {
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "XOR": lambda a, b: a ^ b,
    "NAND": lambda a, b: 1 - (a & b),
}


def logic_gate(name: str) -> Dataset:
    """The truth table of a two-input gate: ``AND``, ``OR``, ``XOR`` or ``NAND``.

    Example::

        >>> logic_gate("XOR")
        ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    if not isinstance(name, str):
        checks.fail("logic_gate", "name", "one of " + ", ".join(map(repr, GATES)), name, "XOR")
    key = name.upper()
    if key not in GATES:
        raise ValueError(f"unknown gate {name!r}; use one of {', '.join(GATES)}")
    X = [[float(a), float(b)] for a in (0, 1) for b in (0, 1)]
    y = [GATES[key](a, b) for a in (0, 1) for b in (0, 1)]
    return X, y


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Two interleaving half circles (scikit-learn's ``make_moons`` formula), labels 0/1:
    ``(cos πt, sin πt)`` and ``(1 − cos πt, ½ − sin πt)`` for t evenly in [0, 1], plus
    Gaussian noise of standard deviation ``noise``.

    Raises:
        InvalidParameterError: ``n_samples`` not an int ≥ 1, ``noise`` not a finite number
            ≥ 0, or a bad ``seed``.
    """
    n_samples, noise, seed = _common("make_moons", n_samples, noise, seed)
    rng = random.Random(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    X = [[math.cos(math.pi * i / max(n_out - 1, 1)), math.sin(math.pi * i / max(n_out - 1, 1))]
         for i in range(n_out)]
    X += [[1 - math.cos(math.pi * i / max(n_in - 1, 1)),
           0.5 - math.sin(math.pi * i / max(n_in - 1, 1))] for i in range(n_in)]
    y = [0] * n_out + [1] * n_in
    return _shuffled_with_noise(X, y, noise, rng)


def make_circles(n_samples: int = 100, noise: float = 0.0, factor: float = 0.8,
                 seed: int | None = None) -> Dataset:
    """A small circle (label 1, radius ``factor``) inside a large one (label 0):
    ``(cos 2πk/n, sin 2πk/n)`` and ``factor·(cos 2πk/n, sin 2πk/n)``, plus Gaussian noise.

    Raises:
        InvalidParameterError: ``n_samples`` not an int ≥ 1, ``noise`` not a finite number
            ≥ 0, ``factor`` outside [0, 1), or a bad ``seed``.
    """
    n_samples, noise, seed = _common("make_circles", n_samples, noise, seed)
    factor = checks.real(factor, "factor", "make_circles", low=0, high=1, high_open=True,
                         example=0.5)
    rng = random.Random(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    X = [[math.cos(2 * math.pi * i / n_out), math.sin(2 * math.pi * i / n_out)]
         for i in range(n_out)]
    X += [[factor * math.cos(2 * math.pi * i / n_in), factor * math.sin(2 * math.pi * i / n_in)]
          for i in range(n_in)]
    return _shuffled_with_noise(X, [0] * n_out + [1] * n_in, noise, rng)


def make_blobs(n_samples: int = 100, centers: int | Sequence[Sequence[float]] = 2,
               cluster_std: float = 1.0, n_features: int = 2, separable: bool = True,
               seed: int | None = None) -> Dataset:
    """Gaussian clusters, one label per cluster.

    Args:
        centers: how many clusters (placed at random, well apart if ``separable``, else
            overlapping), or their coordinates.
        cluster_std: the spread of each cluster.
        n_features: the dimension, with a number of centers (given coordinates set it).
        separable: with a number of centers, put them far enough apart (≥ 8·std) that the
            classes can be separated, or close enough (≈ 1·std) that they overlap.

    Sample i belongs to cluster ``k = i mod K`` and is ``centerₖ + N(0, cluster_std²·I)``.

    Raises:
        InvalidParameterError: a count that is not an int ≥ 1, a ``cluster_std`` that is
            not a finite number ≥ 0, coordinates that are not finite numbers of one length.
    """
    who = "make_blobs"
    n_samples, _, seed = _common(who, n_samples, 0.0, seed)
    cluster_std = checks.real(cluster_std, "cluster_std", who, low=0, example=1.0)
    n_features = checks.integer(n_features, "n_features", who, low=1, example=2)
    separable = checks.flag(separable, "separable", who)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        centers = checks.integer(centers, "centers", who, low=1, example=3)
    else:
        centers = checks.samples(centers, who, "centers")
        if not isinstance(centers[0], list):
            centers = [[c] for c in centers]
    rng = random.Random(seed)
    if isinstance(centers, int):
        spacing = 8 * cluster_std if separable else cluster_std
        angle = rng.uniform(0, 2 * math.pi)
        radius = spacing / (2 * math.sin(math.pi / centers)) if centers > 1 else 0.0
        points = []
        for k in range(centers):
            theta = angle + 2 * math.pi * k / centers
            point = [radius * math.cos(theta), radius * math.sin(theta)]
            points.append(point + [0.0] * (n_features - 2) if n_features >= 2
                          else point[:n_features])
        centers = points
    X, y = [], []
    for i in range(n_samples):
        k = i % len(centers)
        X.append([c + rng.gauss(0.0, cluster_std) for c in centers[k]])
        y.append(k)
    return _shuffled_with_noise(X, y, 0.0, rng)


def make_spirals(n_samples: int = 100, n_classes: int = 2, noise: float = 0.0,
                 turns: float = 1.0, seed: int | None = None) -> Dataset:
    """Interleaved spiral arms, one per class (CS231n's spiral data): class k's i-th point is
    ``r·(sin θ, cos θ)`` with ``r = i/(count−1)`` and ``θ = 2π(turns·r + k/n_classes)``.

    Raises:
        InvalidParameterError: ``n_classes`` not an int ≥ 1, ``n_samples`` not an int ≥
            ``n_classes``, ``noise`` or ``turns`` not finite (noise ≥ 0), or a bad seed.
    """
    who = "make_spirals"
    n_samples, noise, seed = _common(who, n_samples, noise, seed)
    n_classes = checks.integer(n_classes, "n_classes", who, low=1, example=3)
    if n_samples < n_classes:
        checks.fail(who, "n_samples", f"at least n_classes={n_classes} (a point per arm)",
                    n_samples, 100)
    turns = checks.real(turns, "turns", who, example=1.0)
    rng = random.Random(seed)
    X, y = [], []
    per_class = n_samples // n_classes
    for k in range(n_classes):
        count = per_class if k < n_classes - 1 else n_samples - per_class * (n_classes - 1)
        for i in range(count):
            r = i / max(count - 1, 1)
            theta = 2 * math.pi * (turns * r + k / n_classes)
            X.append([r * math.sin(theta), r * math.cos(theta)])
            y.append(k)
    return _shuffled_with_noise(X, y, noise, rng)


def _common(who: str, n_samples: object, noise: object, seed: object) -> tuple:
    """The checked ``(n_samples, noise, seed)`` every generator takes."""
    return (checks.integer(n_samples, "n_samples", who, low=1, example=100),
            checks.real(noise, "noise", who, low=0, example=0.1), checks.seed(seed, who))


def _shuffled_with_noise(X: list, y: list, noise: float, rng: random.Random) -> Dataset:
    order = list(range(len(X)))
    rng.shuffle(order)
    X = [[v + rng.gauss(0.0, noise) if noise else v for v in X[i]] for i in order]
    return X, [y[i] for i in order]


def load_digits() -> Dataset:
    """scikit-learn's bundled 8×8 handwritten digits: 1,797 samples of 64 pixels (0–16).

    Needs scikit-learn (``pip install "tracegrad[digits]"``); no download happens.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the digits with it: "
            "pip install 'tracegrad[digits]' (or pip install scikit-learn)"
        ) from None
    bunch = sklearn_digits()
    return [[float(v) for v in row] for row in bunch.data], [int(t) for t in bunch.target]


IDX_TYPES = {0x08: ("B", 1), 0x09: ("b", 1), 0x0B: (">h", 2), 0x0C: (">i", 4),
             0x0D: (">f", 4), 0x0E: (">d", 8)}
#: The most data bytes :func:`read_idx` accepts from a header by default: MNIST's training
#: images (60000 × 28 × 28 = 47 MB) fit. The nested lists returned take about 8 bytes per
#: value more (a pointer each), so 64 MiB of data is about half a GiB of lists.
MAX_IDX_BYTES = 64 * 2**20
_CHUNK = 2**16  # bytes read (or inflated) at a time


def read_idx(path: str | Path, *, max_bytes: int | None = MAX_IDX_BYTES,
             as_numpy: bool = False) -> list | np.ndarray:
    """Read an IDX file (the MNIST format; ``.gz`` too) into nested lists, or a numpy array.

    Images come back as ``[image][row][column]``, labels as a flat list. With
    ``as_numpy=True`` they come back as one array of that shape (``uint8`` for MNIST: 47 MB
    for the training images instead of about half a GiB of lists), ready for
    ``X.reshape(len(X), -1) / 255`` and ``fit(..., engine="replay")``.

    The header — two zero bytes, a type code, the number of dimensions ``ndim`` and the
    ``ndim`` sizes ``d₁, …, d_n`` (big-endian uint32) — is read and checked first. It
    promises ``d₁·…·d_n`` values of the type's size; a promise above ``max_bytes`` is refused
    before any data is read, and the data is read (or inflated, for ``.gz``) in 64 KiB chunks:
    the promise plus one byte, to detect extra data (gzip inflates at most a few KiB ahead
    of that). So a small ``.gz`` cannot make it inflate gigabytes.

    Args:
        path: the file (gzip-compressed or not: recognised by its first bytes).
        max_bytes: the most data bytes a header may promise; raise it (or pass ``None``) to
            read a larger file you trust.
        as_numpy: return a numpy array (the file's type, native byte order) instead of lists.
    Returns:
        The values as nested lists, one level per dimension, or an array of that shape.
    Raises:
        FileNotFoundError: no such file.
        ValueError: not an IDX file, an unknown type code, a header promising more than
            ``max_bytes``, fewer bytes than the header promises (a truncated download), more
            bytes than it promises, or corrupt gzip data. The message names the file.
    """
    if max_bytes is not None and (type(max_bytes) is not int or max_bytes < 0):
        raise ValueError(f"read_idx: max_bytes must be a non-negative int or None (no "
                         f"limit), got {max_bytes!r}")
    as_numpy = checks.flag(as_numpy, "as_numpy", "read_idx")
    path = Path(path)
    with path.open("rb") as file:
        compressed = file.read(2) == b"\x1f\x8b"
        file.seek(0)
        try:
            if compressed:
                with gzip.GzipFile(fileobj=file, mode="rb") as stream:
                    return _read_idx_stream(stream, path.name, max_bytes, as_numpy)
            return _read_idx_stream(file, path.name, max_bytes, as_numpy)
        except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
            raise ValueError(f"{path.name}: corrupt or truncated gzip data ({exc}); "
                             "download the file again") from None


_NUMPY_TYPES = {"B": "u1", "b": "i1", ">h": ">i2", ">i": ">i4", ">f": ">f4", ">d": ">f8"}


def _read_idx_stream(stream: io.BufferedIOBase, name: str, max_bytes: int | None,
                     as_numpy: bool = False) -> list | np.ndarray:
    """Parse an IDX file from ``stream``, checking the header before reading the data."""
    start = _read_at_most(stream, 4)
    if len(start) < 4 or start[0] != 0 or start[1] != 0:
        raise ValueError(f"{name} is not an IDX file: it must start with two zero bytes "
                         "(MNIST files are e.g. train-images-idx3-ubyte)")
    code, ndim = start[2], start[3]
    if code not in IDX_TYPES:
        raise ValueError(f"{name}: unknown IDX type code 0x{code:02X}")
    sizes = _read_at_most(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise ValueError(f"{name}: truncated header")
    dims = list(struct.unpack(f">{ndim}I", sizes))
    fmt, size = IDX_TYPES[code]
    count = math.prod(dims)
    promised = count * size
    shape = " × ".join(map(str, dims)) or "1"
    if max_bytes is not None and promised > max_bytes:
        raise ValueError(
            f"{name}: the header promises {shape} values of {size} byte(s), {promised:,} "
            f"bytes, more than max_bytes={max_bytes:,}. If the file is genuine, read it with "
            f"read_idx(path, max_bytes={promised})"
        )
    lists = sum(math.prod(dims[:k]) for k in range(1, ndim))
    if not as_numpy and lists > 2 * count + 2**16:
        raise ValueError(f"{name}: the header's shape {shape} makes {lists:,} nested lists "
                         f"for only {count:,} values; that is not image or label data")
    body = _read_at_most(stream, promised)
    if len(body) < promised:
        raise ValueError(f"{name}: truncated, the header promises {count} values of "
                         f"{size} byte(s) but only {len(body)} bytes follow")
    if _read_at_most(stream, 1):
        raise ValueError(f"{name} holds more data than its header promises ({shape} values of "
                         f"{size} byte(s), {promised:,} bytes): a wrong header or two files "
                         "joined together")
    if as_numpy:
        dtype = np.dtype(_NUMPY_TYPES[fmt])
        return np.frombuffer(body, dtype).reshape(dims).astype(dtype.newbyteorder("="))
    if size == 1:
        flat = list(body) if fmt == "B" else list(struct.unpack(f"{count}b", body))
    else:
        flat = list(struct.unpack(f">{count}{fmt[-1]}", body))
    return _reshape(flat, dims)


def _read_at_most(stream: io.BufferedIOBase, n: int) -> bytes:
    """Up to ``n`` bytes (fewer only at the end of the stream), read in bounded chunks so
    memory follows the data actually there, not ``n``."""
    data = bytearray()
    while len(data) < n:
        chunk = stream.read(min(_CHUNK, n - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _reshape(flat: list, dims: list[int]) -> list:
    """``flat`` as nested lists of shape ``dims`` (a dimension may be 0)."""
    if len(dims) < 2:
        return flat
    if 0 in dims[1:]:
        def empty(level: int) -> list:
            return [empty(level + 1) if level + 1 < len(dims) - 1 else []
                    for _ in range(dims[level])]
        return empty(0)
    for d in reversed(dims[1:]):
        flat = [flat[i:i + d] for i in range(0, len(flat), d)]
    return flat


def train_val_test_split(X: Sequence, y: Sequence, *, val_size: float = 0.15,
                         test_size: float = 0.15, stratify: bool = True,
                         seed: int | None = None) -> tuple[Samples, Samples, Samples]:
    """Split into training, validation and test sets, keeping class proportions.

    Args:
        val_size, test_size: fractions of the data (the rest trains).
        stratify: split each class separately, so every split has the same class mix.
    Returns:
        ``(X_train, y_train), (X_val, y_val), (X_test, y_test)`` as lists (numpy inputs
        become Python numbers).
    Raises:
        InvalidParameterError: ``val_size``/``test_size`` not in [0, 1) or summing to 1 or
            more, ``stratify`` not a bool, or a bad seed.
        ValueError: ``X`` and ``y`` differ in length.
    """
    who = "train_val_test_split"
    val_size = checks.real(val_size, "val_size", who, low=0, high=1, high_open=True,
                           example=0.15)
    test_size = checks.real(test_size, "test_size", who, low=0, high=1, high_open=True,
                            example=0.15)
    if val_size + test_size >= 1:
        checks.fail(who, "val_size + test_size", "less than 1 (the rest trains)",
                    val_size + test_size)
    stratify = checks.flag(stratify, "stratify", who)
    seed = checks.seed(seed, who)
    X, y = _rows(X, who), checks.targets(y, who)
    checks.same_length(X, y, who)
    rng = random.Random(seed)
    groups: dict = {}
    for i, label in enumerate(y):
        groups.setdefault(label if stratify else None, []).append(i)
    parts: tuple[list, list, list] = ([], [], [])
    for indices in groups.values():
        rng.shuffle(indices)
        n_test = round(len(indices) * test_size)
        n_val = round(len(indices) * val_size)
        parts[2].extend(indices[:n_test])
        parts[1].extend(indices[n_test:n_test + n_val])
        parts[0].extend(indices[n_test + n_val:])
    result: list[Samples] = []
    for part in parts:
        rng.shuffle(part)
        result.append(([list(X[i]) if isinstance(X[i], list) else X[i] for i in part],
                       [y[i] for i in part]))
    return result[0], result[1], result[2]


def _rows(X: Sequence, who: str) -> list:
    """The samples as lists (a number stays a number), numpy scalars as Python numbers."""
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise ValueError(f"{who}: X must be a list of samples, got {type(X).__name__}")
    return [[checks.plain(v) for v in row] if hasattr(row, "__len__") and
            not isinstance(row, (str, bytes)) else checks.plain(row) for row in X]


def batches(X: Sequence, y: Sequence, batch_size: int, *, shuffle: bool = True,
            seed: int | random.Random | None = None) -> Iterator[Samples]:
    """Yield ``(X_batch, y_batch)`` mini-batches covering the data once (one epoch).

    Args:
        batch_size: samples per batch (the last one may be smaller).
        shuffle: a new random order every call (seeded).
        seed: an int or a ``random.Random`` to draw the order from.
    Raises:
        InvalidParameterError: ``batch_size`` not an int ≥ 1, or a bad shuffle/seed.
        ValueError: ``X`` and ``y`` differ in length.
    """
    who = "batches"
    checks.same_length(X, y, who)
    batch_size = checks.integer(batch_size, "batch_size", who, low=1, example=32)
    shuffle = checks.flag(shuffle, "shuffle", who)
    if not isinstance(seed, random.Random):
        seed = checks.seed(seed, who)
    for chosen in batch_indices(len(X), batch_size, shuffle=shuffle, seed=seed):
        yield [X[i] for i in chosen], [y[i] for i in chosen]


def batch_indices(n: int, batch_size: int, *, shuffle: bool = True,
                  seed: int | random.Random | None = None) -> list[list[int]]:
    """One epoch's batches as lists of sample indices: ``0..n-1`` (shuffled with ``seed``,
    an int or a ``random.Random``), cut every ``batch_size`` (the last one may be smaller).
    :func:`batches` yields the samples of these; ``fit`` and the estimators step on them."""
    order = list(range(n))
    if shuffle:
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        rng.shuffle(order)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]


class _Scaler:
    """Shared fit/transform plumbing: per-feature ``(x − shift) / scale``."""

    shift: list[float] | None = None
    scale: list[float] | None = None

    def fit(self, X: Sequence[Sequence[float]]):
        """Learn the statistics of the *training* data; returns self.

        Raises:
            ValueError: no samples, ragged rows, or NaN/inf (the sample and feature named).
        """
        X = self._matrix(X, "fit")
        columns = list(zip(*X))
        self.shift, self.scale = [], []
        for column in columns:
            shift, scale = self._statistics(column)
            self.shift.append(shift)
            self.scale.append(scale if scale > 0 else 1.0)  # constant feature: leave it
        return self

    def _statistics(self, column: Sequence[float]) -> tuple[float, float]:
        raise NotImplementedError

    def _matrix(self, X, method: str) -> list[list[float]]:
        who = f"{type(self).__name__}.{method}"
        rows = checks.samples(X, who)
        if not isinstance(rows[0], list):
            raise ValueError(f"{who}: X must be a list of samples, each a list of features")
        return rows

    def _check(self, X, method: str
               ) -> tuple[list[list[float]], list[float], list[float]]:
        """The samples, checked against the fitted statistics, and those: (X, shift, scale)."""
        if self.shift is None or self.scale is None:
            raise ValueError(f"{type(self).__name__} is not fitted yet: call fit(X_train) "
                             "first (fit on training data only, then transform the others)")
        X = self._matrix(X, method)
        for row in X:
            if len(row) != len(self.shift):
                raise ValueError(f"{type(self).__name__}: fitted on {len(self.shift)} "
                                 f"features, got a sample with {len(row)}")
        return X, self.shift, self.scale

    def transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """Scale samples with the fitted statistics: ``(x − shift) / scale`` per feature."""
        rows, shift, scale = self._check(X, "transform")
        return [[(v - s) / c for v, s, c in zip(row, shift, scale)] for row in rows]

    def inverse_transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """Undo ``transform``: ``x·scale + shift`` per feature."""
        rows, shift, scale = self._check(X, "inverse_transform")
        return [[v * c + s for v, s, c in zip(row, shift, scale)] for row in rows]

    def fit_transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)


class Standardizer(_Scaler):
    """Zero mean and unit variance per feature (scikit-learn's ``StandardScaler``)."""

    def _statistics(self, column: Sequence[float]) -> tuple[float, float]:
        mean = sum(column) / len(column)
        variance = sum((v - mean) ** 2 for v in column) / len(column)
        return mean, math.sqrt(variance)


class MinMaxScaler(_Scaler):
    """Each feature to [0, 1] using the training minimum and maximum."""

    def _statistics(self, column: Sequence[float]) -> tuple[float, float]:
        low = min(column)
        return low, max(column) - low
