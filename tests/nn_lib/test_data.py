"""Datasets, splits, batches, scalers and the IDX reader."""

import gzip
import struct
from collections import Counter

import pytest

from nn import data


def test_logic_gates():
    X, y = data.logic_gate("AND")
    assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y == [0, 0, 0, 1]
    assert data.logic_gate("or")[1] == [0, 1, 1, 1]
    assert data.logic_gate("XOR")[1] == [0, 1, 1, 0]
    assert data.logic_gate("NAND")[1] == [1, 1, 1, 0]
    with pytest.raises(ValueError, match="unknown gate 'NOR'"):
        data.logic_gate("NOR")


@pytest.mark.parametrize("make", [data.make_moons, data.make_circles, data.make_spirals,
                                  data.make_blobs])
def test_generated_sets_are_seeded_and_balanced(make):
    X, y = make(n_samples=101, seed=3)
    assert len(X) == len(y) == 101 and all(len(row) == 2 for row in X)
    assert make(n_samples=101, seed=3) == (X, y)
    assert make(n_samples=101, seed=4) != (X, y)
    counts = Counter(y)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_moons_without_noise_lie_on_the_half_circles():
    X, y = data.make_moons(50, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        centre = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert (a - centre[0]) ** 2 + (b - centre[1]) ** 2 == pytest.approx(1.0)


def test_circles_radii():
    X, y = data.make_circles(40, factor=0.5, seed=0)
    for (a, b), label in zip(X, y):
        assert (a * a + b * b) ** 0.5 == pytest.approx(0.5 if label else 1.0)


def test_blobs_separable_or_not():
    def gap(separable):
        X, y = data.make_blobs(200, centers=2, separable=separable, seed=1)
        means = [[sum(r[j] for r, t in zip(X, y) if t == k) / 100 for j in range(2)]
                 for k in range(2)]
        return sum((means[0][j] - means[1][j]) ** 2 for j in range(2)) ** 0.5
    assert gap(True) > 6 and gap(False) < 2


def test_train_val_test_split_is_stratified_and_disjoint():
    X = [[float(i)] for i in range(200)]
    y = [0] * 150 + [1] * 50
    (xtr, _ytr), (xva, yva), (xte, yte) = data.train_val_test_split(X, y, val_size=0.2,
                                                                   test_size=0.2, seed=0)
    assert (len(xtr), len(xva), len(xte)) == (120, 40, 40)
    assert Counter(yte) == {0: 30, 1: 10} and Counter(yva) == {0: 30, 1: 10}
    ids = [r[0] for r in xtr + xva + xte]
    assert sorted(ids) == [float(i) for i in range(200)]
    with pytest.raises(ValueError, match=r"val_size \+ test_size must be less than 1"):
        data.train_val_test_split(X, y, val_size=0.5, test_size=0.5)


def test_batches_cover_each_sample_once_and_shuffle_by_seed():
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    chunks = list(data.batches(X, y, 4, seed=1))
    assert [len(c[1]) for c in chunks] == [4, 4, 2]
    assert sorted(t for _, ys in chunks for t in ys) == y
    assert [c[1] for c in chunks] == [c[1] for c in data.batches(X, y, 4, seed=1)]
    assert [t for _, ys in data.batches(X, y, 4, shuffle=False) for t in ys] == y
    assert all(row[0] == t for xs, ys in chunks for row, t in zip(xs, ys))


def test_standardizer_fits_on_training_data_only():
    train = [[1.0, 10.0], [3.0, 10.0]]
    scaler = data.Standardizer().fit(train)
    assert scaler.transform(train) == [[-1.0, 0.0], [1.0, 0.0]]  # constant column -> 0
    assert scaler.transform([[5.0, 12.0]]) == [[3.0, 2.0]]
    assert scaler.inverse_transform(scaler.transform([[5.0, 12.0]])) == [[5.0, 12.0]]
    with pytest.raises(ValueError, match="not fitted yet: call fit"):
        data.Standardizer().transform(train)
    with pytest.raises(ValueError, match="fitted on 2 features, got a sample with 3"):
        scaler.transform([[1.0, 2.0, 3.0]])


def test_min_max_scaler():
    scaler = data.MinMaxScaler()
    assert scaler.fit_transform([[0.0], [5.0], [10.0]]) == [[0.0], [0.5], [1.0]]
    assert scaler.transform([[20.0]]) == [[2.0]]


def write_idx(path, dims, values, code=0x08, compress=False):
    fmt = {0x08: "B", 0x0B: ">h", 0x0D: ">f"}[code]
    body = b"".join(struct.pack(fmt if len(fmt) > 1 else ">" + fmt, v) for v in values)
    raw = bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + body
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def test_read_idx_images_labels_gzip_and_types(tmp_path):
    images = write_idx(tmp_path / "img-idx3-ubyte", [2, 2, 3], list(range(12)))
    assert data.read_idx(images) == [[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]]]
    labels = write_idx(tmp_path / "lab.gz", [3], [7, 0, 9], compress=True)
    assert data.read_idx(labels) == [7, 0, 9]
    shorts = write_idx(tmp_path / "s", [2], [-5, 300], code=0x0B)
    assert data.read_idx(shorts) == [-5, 300]
    floats = write_idx(tmp_path / "f", [2], [0.5, -2.0], code=0x0D)
    assert data.read_idx(floats) == [0.5, -2.0]


def test_read_idx_errors(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x08\x01")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(bad)
    truncated = write_idx(tmp_path / "t", [10], list(range(10)))
    truncated.write_bytes(truncated.read_bytes()[:-3])
    with pytest.raises(ValueError, match="truncated, the header promises 10 values"):
        data.read_idx(truncated)
    weird = tmp_path / "w"
    weird.write_bytes(bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]))
    with pytest.raises(ValueError, match="unknown IDX type code 0x07"):
        data.read_idx(weird)


@pytest.mark.slow
def test_load_digits_is_the_bundled_set():
    X, y = data.load_digits()
    assert len(X) == 1797 and len(X[0]) == 64 and set(y) == set(range(10))
    assert max(max(row) for row in X) == 16.0


def test_load_digits_without_scikit_learn_says_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("no sklearn")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r"pip install 'tracegrad\[digits\]'"):
        data.load_digits()
