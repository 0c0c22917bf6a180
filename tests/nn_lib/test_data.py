"""Datasets, splits, batches, scalers and the IDX reader."""

import gzip
import struct
import tracemalloc
import zlib
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


def test_read_idx_as_numpy_gives_the_same_values_as_arrays(tmp_path):
    images = write_idx(tmp_path / "img.gz", [2, 2, 3], list(range(12)), compress=True)
    array = data.read_idx(images, as_numpy=True)
    assert array.shape == (2, 2, 3) and array.dtype == "uint8"
    assert array.tolist() == data.read_idx(images)
    shorts = data.read_idx(write_idx(tmp_path / "s", [2], [-5, 300], code=0x0B), as_numpy=True)
    assert shorts.tolist() == [-5, 300] and shorts.dtype.isnative
    floats = data.read_idx(write_idx(tmp_path / "f", [2], [0.5, -2.0], code=0x0D),
                           as_numpy=True)
    assert floats.tolist() == [0.5, -2.0]
    with pytest.raises(ValueError, match="as_numpy"):
        data.read_idx(images, as_numpy="yes")


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


def idx_header(dims, code=0x08):
    return bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)


def zeros_gz(path, header, n_zeros):
    """A gzip file of ``header`` then ``n_zeros`` zero bytes, compressed in a stream so the
    test never holds the inflated data either."""
    with gzip.open(path, "wb") as out:
        out.write(header)
        block = bytes(2**20)
        for start in range(0, n_zeros, len(block)):
            out.write(block[: min(len(block), n_zeros - start)])
    return path


def peak_memory(fn):
    tracemalloc.start()
    try:
        try:
            fn()
        except ValueError as exc:
            error = exc
        else:
            error = None
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_read_idx_refuses_a_header_promising_too_much_before_inflating(tmp_path):
    bomb = zeros_gz(tmp_path / "bomb.gz", idx_header([2**16, 2**16]), 8 * 2**20)
    error, peak = peak_memory(lambda: data.read_idx(bomb))
    assert isinstance(error, ValueError)
    assert "bomb.gz: the header promises 65536 × 65536 values of 1 byte(s), 4,294,967,296 " \
           "bytes, more than max_bytes=67,108,864" in str(error)
    assert "read_idx(path, max_bytes=4294967296)" in str(error)
    assert peak < 2 * 2**20


def test_read_idx_limit_is_a_keyword(tmp_path):
    path = write_idx(tmp_path / "lab.gz", [3], [7, 0, 9], compress=True)
    with pytest.raises(ValueError, match="lab.gz: the header promises 3 values of 1 byte"):
        data.read_idx(path, max_bytes=2)
    assert data.read_idx(path, max_bytes=3) == [7, 0, 9]
    assert data.read_idx(path, max_bytes=None) == [7, 0, 9]
    with pytest.raises(ValueError, match="read_idx: max_bytes must be a non-negative int or "
                                         "None"):
        data.read_idx(path, max_bytes=-1)


def test_read_idx_inflates_no_more_than_the_header_promises(tmp_path):
    # 1000 promised bytes, 64 MB behind them: the rest must not be inflated
    bomb = zeros_gz(tmp_path / "small-promise.gz", idx_header([10, 10, 10]), 64 * 2**20)
    error, peak = peak_memory(lambda: data.read_idx(bomb))
    assert isinstance(error, ValueError)
    assert "small-promise.gz holds more data than its header promises (10 × 10 × 10 values " \
           "of 1 byte(s), 1,000 bytes)" in str(error)
    assert peak < 2 * 2**20


def test_read_idx_trailing_bytes(tmp_path):
    path = tmp_path / "extra-idx1-ubyte"
    path.write_bytes(idx_header([3]) + bytes([1, 2, 3, 4]))
    with pytest.raises(ValueError, match="extra-idx1-ubyte holds more data than its header "
                                         "promises"):
        data.read_idx(path)
    gz = tmp_path / "extra.gz"
    gz.write_bytes(gzip.compress(idx_header([3]) + bytes([1, 2, 3, 4])))
    with pytest.raises(ValueError, match="extra.gz holds more data than its header promises"):
        data.read_idx(gz)


def test_read_idx_truncated(tmp_path):
    gz = tmp_path / "short.gz"
    gz.write_bytes(gzip.compress(idx_header([2, 2, 3], code=0x0B) + bytes(10)))
    with pytest.raises(ValueError, match=r"short.gz: truncated, the header promises 12 values "
                                         r"of 2 byte\(s\) but only 10 bytes follow"):
        data.read_idx(gz)
    header = tmp_path / "header"
    header.write_bytes(bytes([0, 0, 0x08, 3, 0, 0]))
    with pytest.raises(ValueError, match="header: truncated header"):
        data.read_idx(header)


@pytest.mark.parametrize("damage, problem", [
    (lambda raw: raw[: len(raw) // 2], "Compressed file ended before the end-of-stream"),
    (lambda raw: raw[:2] + b"\x07" + raw[3:], "Unknown compression method"),
    (lambda raw: raw[:10] + bytes(len(raw) - 10), "invalid|incorrect|Error"),
    (lambda raw: raw[:-8] + b"\0\0\0\0" + raw[-4:], "CRC check failed"),
    (lambda raw: raw + b"garbage!", "Not a gzipped file"),
])
def test_read_idx_corrupt_gzip_is_a_value_error_naming_the_file(tmp_path, damage, problem):
    raw = gzip.compress(idx_header([50]) + bytes(range(50)))
    path = tmp_path / "broken.gz"
    path.write_bytes(damage(raw))
    with pytest.raises(ValueError, match=f"broken.gz: corrupt or truncated gzip data "
                                         f"\\(.*({problem})") as info:
        data.read_idx(path)
    assert info.value.__suppress_context__  # no traceback from deep inside gzip
    assert isinstance(info.value.__context__, (gzip.BadGzipFile, zlib.error, EOFError))


def test_read_idx_missing_file():
    with pytest.raises(FileNotFoundError):
        data.read_idx("/nonexistent/train-images-idx3-ubyte.gz")


def test_read_idx_shapes_with_a_zero_and_refuses_empty_list_bombs(tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(idx_header([2, 0, 3]))
    assert data.read_idx(empty) == [[], []]
    columns = tmp_path / "columns"
    columns.write_bytes(idx_header([2, 3, 0]))
    assert data.read_idx(columns) == [[[], [], []], [[], [], []]]
    bomb = tmp_path / "lists"
    bomb.write_bytes(idx_header([2**31, 0]))
    with pytest.raises(ValueError, match="lists: the header's shape 2147483648 × 0 makes "
                                         "2,147,483,648 nested lists for only 0 values"):
        data.read_idx(bomb)


def test_read_idx_reads_mnist_sized_files_in_chunks(tmp_path):
    images = [i % 256 for i in range(100 * 28 * 28)]
    path = write_idx(tmp_path / "img.gz", [100, 28, 28], images, compress=True)
    result = data.read_idx(path)
    assert len(result) == 100 and len(result[0]) == 28 and len(result[0][0]) == 28
    assert [v for image in result for row in image for v in row] == images




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
