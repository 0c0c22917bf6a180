"""JSON save/load: round trips, and every way a file can be wrong."""

import copy
import json
import math
import os
import re
import stat
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn


@pytest.mark.parametrize("model", [
    nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=0),
    nn.MLP(2, [3, 1], fused=False, seed=1),
    nn.Neuron(3, activation="elu", seed=2),
    nn.Layer(2, 3, activation="leaky_relu", seed=3),
    nn.Perceptron(2, lr=0.2, threshold=0.3),
    nn.BatchNorm(3),
    nn.Dropout(0.3),
], ids=lambda m: type(m).__name__)
def test_round_trip(model, tmp_path):
    path = nn.save(model, tmp_path / "m.json")
    loaded = nn.load(path)
    assert type(loaded) is type(model)
    assert loaded.state_dict() == model.state_dict()
    assert loaded.config() == model.config()
    if isinstance(model, nn.MLP):
        assert loaded([0.1, 0.2, 0.3][: model.nin])  # it computes
        x = [0.1, -0.2, 0.3][: model.nin]
        a, b = model(x), loaded(x)
        outs = (a, b) if isinstance(a, list) else ([a], [b])
        assert [v.data for v in outs[0]] == [v.data for v in outs[1]]


def test_file_is_plain_json_with_named_weights(tmp_path):
    path = nn.save(nn.MLP(2, [1], seed=0), tmp_path / "m.json")
    document = json.loads(path.read_text())
    assert document["format"] == "tracegrad-model" and document["class"] == "MLP"
    assert "layers.0.neurons.0.w.1" in document["state"]


def write(tmp_path, document, raw=None):
    path = tmp_path / "m.json"
    path.write_text(raw if raw is not None else json.dumps(document))
    return path


def good(tmp_path):
    return json.loads(nn.save(nn.MLP(2, [2, 1], seed=0), tmp_path / "good.json").read_text())


def test_corrupt_json(tmp_path):
    with pytest.raises(nn.ModelFileError, match="corrupt JSON"):
        nn.load(write(tmp_path, None, raw='{"format": "tracegrad-model", '))


def test_not_a_model_file(tmp_path):
    with pytest.raises(nn.ModelFileError, match="not a tracegrad model file"):
        nn.load(write(tmp_path, {"hello": 1}))


def test_unknown_class_never_executes_anything(tmp_path):
    doc = good(tmp_path)
    doc["class"] = "os.system"
    with pytest.raises(nn.ModelFileError, match="unknown model class 'os.system'"):
        nn.load(write(tmp_path, doc))


def test_tampered_weights(tmp_path):
    doc = good(tmp_path)
    doc["state"]["layers.0.neurons.0.w.0"] = "rm -rf"
    with pytest.raises(nn.ModelFileError, match="weights do not fit.*must be a finite number"):
        nn.load(write(tmp_path, doc))
    doc = good(tmp_path)
    del doc["state"]["layers.1.neurons.0.b"]
    with pytest.raises(nn.ModelFileError, match=r"missing keys \['layers.1.neurons.0.b'\]"):
        nn.load(write(tmp_path, doc))


def test_nan_in_file(tmp_path):
    raw = json.dumps(good(tmp_path)).replace("0.0", "NaN", 1)
    with pytest.raises(nn.ModelFileError, match="NaN"):
        nn.load(write(tmp_path, None, raw=raw))


def test_bad_config(tmp_path):
    doc = good(tmp_path)
    doc["config"]["nouts"] = "many"
    with pytest.raises(nn.ModelFileError, match="config does not build a MLP"):
        nn.load(write(tmp_path, doc))
    doc = good(tmp_path)
    doc["config"]["evil"] = 1
    with pytest.raises(nn.ModelFileError, match="config does not build"):
        nn.load(write(tmp_path, doc))


def test_unsupported_version(tmp_path):
    doc = good(tmp_path)
    doc["version"] = 99
    with pytest.raises(nn.ModelFileError, match="unsupported model file version 99"):
        nn.load(write(tmp_path, doc))


def test_saving_an_unknown_model_or_activation_function(tmp_path):
    class Custom(nn.Module):
        pass

    with pytest.raises(TypeError, match="not one of the models nn can save"):
        nn.save(Custom(), tmp_path / "x.json")
    with pytest.raises(ValueError, match="cannot be saved"):
        nn.save(nn.MLP(2, [1], activation=lambda v: v.relu()), tmp_path / "y.json")


# --- bounded loading -------------------------------------------------------------------------
def test_the_116_byte_bomb_is_refused_before_anything_is_built(tmp_path):
    raw = ('{"format": "tracegrad-model", "version": 1, "class": "MLP", '
           '"config": {"nin": 20000, "nouts": [20000]}, "state": {}}')
    path = write(tmp_path, None, raw=raw)
    tracemalloc.start()
    try:
        with pytest.raises(nn.ModelFileError) as info:
            nn.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert "m.json" in message and "400,020,000 parameters" in message
    assert "max_parameters=1,000,000" in message and "max_parameters=400020000" in message
    assert peak < 1_000_000


def test_the_budget_is_a_keyword(tmp_path):
    model = nn.MLP(4, [5, 3], seed=0)  # (4+1)·5 + (5+1)·3 = 43 parameters
    path = nn.save(model, tmp_path / "m.json")
    with pytest.raises(nn.ModelFileError, match=r"43 parameters, more than the budget "
                                                r"max_parameters=42\b"):
        nn.load(path, max_parameters=42)
    assert nn.load(path, max_parameters=43).state_dict() == model.state_dict()
    assert nn.load(path, max_parameters=None).state_dict() == model.state_dict()
    bn = nn.save(nn.BatchNorm(5), tmp_path / "bn.json")
    with pytest.raises(nn.ModelFileError, match="20 parameters and buffers"):
        nn.load(bn, max_parameters=19)


def test_the_file_size_cap_is_a_keyword(tmp_path):
    path = nn.save(nn.MLP(2, [2, 1], seed=0), tmp_path / "m.json")
    size = path.stat().st_size
    with pytest.raises(nn.ModelFileError, match=rf"m.json is larger than max_bytes={size - 1:,}"):
        nn.load(path, max_bytes=size - 1)
    assert isinstance(nn.load(path, max_bytes=size), nn.MLP)
    assert isinstance(nn.load(path, max_bytes=None), nn.MLP)


@pytest.mark.parametrize("keyword, value", [("max_parameters", -1), ("max_parameters", 1.5),
                                            ("max_bytes", True), ("max_bytes", "big")])
def test_bad_limits_are_named(tmp_path, keyword, value):
    path = nn.save(nn.Neuron(2), tmp_path / "m.json")
    with pytest.raises(ValueError, match=f"load: {keyword} must be a non-negative int or None"):
        nn.load(path, **{keyword: value})


def test_state_must_have_exactly_the_entries_the_config_implies(tmp_path):
    doc = good(tmp_path)
    doc["config"]["nouts"] = [200, 1]  # 801 parameters, the file holds 9
    with pytest.raises(nn.ModelFileError, match=r"m.json: the saved weights do not fit: "
                                                r"missing keys \[.*\] and 782 more.*has 801 "
                                                r"parameters, the file holds 9"):
        nn.load(write(tmp_path, doc))
    doc = good(tmp_path)
    doc["state"]["layers.0.neurons.0.w.7"] = 1.0
    with pytest.raises(nn.ModelFileError,
                       match=r"unexpected keys \['layers.0.neurons.0.w.7'\]"):
        nn.load(write(tmp_path, doc))
    doc = good(tmp_path)  # as many entries, one of them renamed
    doc["state"]["w.0"] = doc["state"].pop("layers.0.neurons.0.w.0")
    with pytest.raises(nn.ModelFileError, match=r"missing keys \['layers.0.neurons.0.w.0'\], "
                                                r"unexpected keys \['w.0'\]"):
        nn.load(write(tmp_path, doc))


@pytest.mark.parametrize("model", [
    nn.MLP(3, [4, 2], dropout=0.2, seed=0), nn.Layer(2, 3), nn.Neuron(3), nn.Perceptron(2),
    nn.BatchNorm(3), nn.Dropout(0.3),
], ids=lambda m: type(m).__name__)
def test_names_and_counts_from_the_config_match_the_built_model(model):
    from nn.serialization import SCHEMAS, _state_names, _state_size

    name, config = type(model).__name__, model.config()
    assert set(config) == set(SCHEMAS[name])  # every field save writes is checked on load
    assert list(_state_names(name, config)) == list(model.state_dict())
    assert _state_size(name, config) == len(model.state_dict())


@pytest.mark.parametrize("cls, field, value, problem", [
    ("MLP", "nin", True, "'nin' must be a positive int, got True"),
    ("MLP", "nin", 2.0, "'nin' must be a positive int, got 2.0"),
    ("MLP", "nin", 0, "'nin' must be a positive int, got 0"),
    ("MLP", "nin", "2", "'nin' must be a positive int, got '2'"),
    ("MLP", "nouts", [], "'nouts' must be a non-empty list of layer widths, got []"),
    ("MLP", "nouts", 3, "'nouts' must be a non-empty list"),
    ("MLP", "nouts", [2, False], "'nouts' item 1 must be a positive int, got False"),
    ("MLP", "activation", "gelu", "'activation' must be an activation name"),
    ("MLP", "output_activation", ["relu"], "'output_activation' must be an activation name"),
    ("MLP", "fused", 1, "'fused' must be true or false, got 1"),
    ("MLP", "dropout", 1.5, r"'dropout' must be a probability in [0, 1], got 1.5"),
    ("MLP", "dropout", None, "'dropout' must be a probability"),
    ("MLP", "seed", 3, "'seed' is not a MLP setting"),
    ("Layer", "nout", -1, "'nout' must be a positive int, got -1"),
    ("Neuron", "fused", "yes", "'fused' must be true or false, got 'yes'"),
    ("Perceptron", "lr", 10**400, "'lr' must be a finite number, got an integer of about 401 "
                                  "digits"),
    ("Perceptron", "threshold", False, "'threshold' must be a finite number, got False"),
    ("Perceptron", "init", "os.system", "'init' must be an initializer name"),
    ("Dropout", "p", -0.1, "'p' must be a probability"),
    ("BatchNorm", "num_features", {"a": 1}, "'num_features' must be a positive int"),
    ("BatchNorm", "eps", -1e-5, "'eps' must be a finite number ≥ 0"),
    ("BatchNorm", "momentum", "0.1", "'momentum' must be a probability"),
])
def test_every_config_field_is_checked_before_building(tmp_path, cls, field, value, problem):
    model = {"MLP": nn.MLP(2, [2, 1]), "Layer": nn.Layer(2, 2), "Neuron": nn.Neuron(2),
             "Perceptron": nn.Perceptron(2), "Dropout": nn.Dropout(0.5),
             "BatchNorm": nn.BatchNorm(2)}[cls]
    doc = json.loads(nn.save(model, tmp_path / "good.json").read_text())
    doc["config"][field] = value
    with pytest.raises(nn.ModelFileError,
                       match=re.escape(f"m.json: the saved config does not build a {cls}: "
                                       f"config field {problem}")):
        nn.load(write(tmp_path, doc))


def test_missing_required_field_and_defaults_for_the_others(tmp_path):
    doc = good(tmp_path)
    del doc["config"]["nin"]
    with pytest.raises(nn.ModelFileError, match="config field 'nin' is missing"):
        nn.load(write(tmp_path, doc))
    doc = good(tmp_path)
    del doc["config"]["dropout"]  # files written before MLP(dropout=...) existed
    assert nn.load(write(tmp_path, doc)).dropout == 0.0


@pytest.mark.parametrize("raw, problem", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"format": "tracegrad-model", "version": ' + "9" * 5000 + "}", "corrupt JSON"),
    ('{"format": "tracegrad-model", "version": 1e999}', "1e999, too large for a float"),
    ('{"format": "tracegrad-model", "version": -Infinity}', "holds -Infinity"),
    ("\udcff", "corrupt JSON"),
])
def test_hostile_json_is_a_model_file_error(tmp_path, raw, problem):
    path = tmp_path / "m.json"
    path.write_bytes(raw.encode("utf-8", "surrogateescape"))
    with pytest.raises(nn.ModelFileError, match=f"m.json is not a valid model file: .*{problem}"):
        nn.load(path)


@pytest.mark.parametrize("number, shown", [
    (10**400, "an integer of about 401 digits"), (True, "True"), (None, "None"),
    ([1.0], r"\[1.0\]"),
])
def test_weights_are_checked_before_building(tmp_path, number, shown):
    doc = good(tmp_path)
    doc["state"]["layers.1.neurons.0.b"] = number
    with pytest.raises(nn.ModelFileError,
                       match=f"weights do not fit: layers.1.neurons.0.b must be a finite "
                             f"number, got {shown}"):
        nn.load(write(tmp_path, doc))


@pytest.mark.parametrize("field, value", [("version", True), ("version", 1.0),
                                          ("class", ["MLP"]), ("class", {"x": 1})])
def test_header_fields_of_the_wrong_type(tmp_path, field, value):
    doc = good(tmp_path)
    doc[field] = value
    with pytest.raises(nn.ModelFileError, match="unsupported model file version|unknown model "
                                                "class"):
        nn.load(write(tmp_path, doc))


def test_non_dict_config_and_state(tmp_path):
    for field, value in [("config", [1, 2]), ("state", "weights")]:
        doc = good(tmp_path)
        doc[field] = value
        with pytest.raises(nn.ModelFileError, match="'config' and 'state' must be JSON objects"):
            nn.load(write(tmp_path, doc))


def test_missing_file_stays_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nowhere.json")


# --- only ModelFileError, whatever the file holds --------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner,
                                                                max_size=5),
    max_leaves=20,
)
GOOD = {type(m).__name__: {"format": "tracegrad-model", "version": 1,
                           "class": type(m).__name__, "config": m.config(),
                           "state": m.state_dict()}
        for m in (nn.MLP(2, [2, 1], seed=0), nn.Layer(2, 2), nn.Neuron(2), nn.Perceptron(2),
                  nn.Dropout(0.2), nn.BatchNorm(2))}


@st.composite
def mutated_documents(draw):
    doc = copy.deepcopy(draw(st.sampled_from(sorted(GOOD.items())))[1])
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["top", "config", "state"]))
        target = doc if where == "top" else doc.get(where)
        if not isinstance(target, dict):
            continue
        key = draw(st.sampled_from(sorted(target)) | st.text(max_size=10)) if target else \
            draw(st.text(max_size=10))
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(json_values | st.integers(-10**6, 10**6)
                               | st.sampled_from([10**400, -10**400, True, 0]))
    return doc


def load_bytes(raw: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.json"
        path.write_bytes(raw)
        try:
            return nn.load(path)
        except nn.ModelFileError as exc:
            assert "fuzz.json" in str(exc)
            return None


@given(mutated_documents())
def test_mutated_documents_load_or_raise_model_file_error(doc):
    model = load_bytes(json.dumps(doc).encode())
    assert model is None or isinstance(model, nn.Module)


@given(json_values)
def test_arbitrary_json_raises_model_file_error(doc):
    assert load_bytes(json.dumps(doc).encode()) is None


@given(st.binary(max_size=200) | mutated_documents().map(
    lambda d: json.dumps(d).encode()).flatmap(
    lambda raw: st.integers(0, len(raw)).map(lambda cut: raw[:cut] + raw[cut + 1:])))
def test_arbitrary_and_damaged_bytes_raise_model_file_error(raw):
    model = load_bytes(raw)
    assert model is None or isinstance(model, nn.Module)


# --- save --------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_save_names_the_non_finite_parameter_and_writes_nothing(tmp_path, bad):
    model = nn.MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].w[0].data = bad
    path = tmp_path / "m.json"
    with pytest.raises(ValueError, match=rf"save: layers.0.neurons.1.w.0 is {bad!r}, which a "
                                         r"model file cannot hold.*nothing was written"):
        nn.save(model, path)
    assert list(tmp_path.iterdir()) == []


def test_save_names_a_non_finite_buffer(tmp_path):
    bn = nn.BatchNorm(2)
    bn.running_var[1] = math.inf
    with pytest.raises(ValueError, match="save: running_var.1 is inf"):
        nn.save(bn, tmp_path / "bn.json")


def test_save_refuses_a_config_load_would_refuse(tmp_path):
    model = nn.Perceptron(2, lr=0.1)
    model.lr = math.nan  # the constructor refuses it; an attribute set later must not be saved
    with pytest.raises(ValueError, match="save: this Perceptron cannot be saved: its config "
                                         "field 'lr' must be a finite number, got nan"):
        nn.save(model, tmp_path / "p.json")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = nn.save(nn.MLP(2, [1], seed=0), tmp_path / "m.json")
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        nn.save(nn.MLP(2, [1], seed=1), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]  # no temporary left


def test_save_overwrites_and_keeps_the_usual_permissions(tmp_path):
    path = nn.save(nn.MLP(2, [1], seed=0), tmp_path / "m.json")
    other = nn.MLP(2, [1], seed=1)
    nn.save(other, path)
    assert nn.load(path).state_dict() == other.state_dict()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
