"""JSON save/load: round trips, and every way a file can be wrong."""

import json

import pytest

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
