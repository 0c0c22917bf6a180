"""Bad inputs to the views (issue 19, items 6 and 7): cycles refused by every walker, bounded
work (explain's path listing, draw_network's size), the views read what the model computes,
and the same argument checks across views. Each case fails with a clear error naming the
argument or the node."""

from __future__ import annotations

import pytest

import autograd
from autograd import GraphCycleError, Value
from autograd.graph import check_acyclic, count_nodes, reading_order, topological_order


# --- cycles ---------------------------------------------------------------------------------
def _cyclic() -> Value:
    """c built from a, then a made a child of c: a → b → c → a — written into the slot, past
    the check of ``Value.parents`` (a graph corrupted some other way)."""
    a = Value(1.0, label="a")
    b = a * 2.0
    c = b + a
    c.label = "c"
    a._parents = (c,)
    a.local_grads = (1.0,)
    return c


def _self_loop() -> Value:
    a = Value(1.0, label="a")
    c = a.tanh()
    c.label = "c"
    c._parents = (c,)
    return c


def test_reassigning_parents_into_a_cycle_is_refused_naming_the_node():
    a = Value(1.0, label="a")
    c = a * 2.0 + a
    c.label = "c"
    with pytest.raises(GraphCycleError, match=r"'a' cannot take these parents"):
        a.parents = (c,)
    with pytest.raises(GraphCycleError, match=r"'c' cannot take these parents"):
        c.parents = (c,)
    assert a.parents == () and len(c.parents) == 2  # nothing changed
    b = Value(3.0, label="b")
    c.parents = (a, b)  # a DAG still: accepted
    assert c.parents == (a, b)
    with pytest.raises(TypeError, match="every parent must be a Value"):
        c.parents = (a, 2.0)


# Walkers that check on their own (backward's loops and topological_order rely on the
# check of Value.parents instead: nothing on the hot path)
WALKERS = {
    "reading_order": reading_order,
    "count_nodes": lambda r: count_nodes(r, 1000),
    "check_acyclic": check_acyclic,
    "draw": lambda r: autograd.draw(r).source,
    "explain": lambda r: autograd.explain(r, r.parents[0]),
    "stepper": lambda r: autograd.stepper(r),
}


@pytest.mark.parametrize("make", [_cyclic, _self_loop], ids=["three-cycle", "self-loop"])
@pytest.mark.parametrize("walker", list(WALKERS), ids=list(WALKERS))
def test_every_walker_refuses_a_cycle_naming_the_node(walker, make):
    root = make()
    with pytest.raises(GraphCycleError, match=r"cycle.*'(a|c)'"):
        WALKERS[walker](root)


def test_the_cycle_check_passes_a_dag_with_shared_nodes():
    x = Value(2.0, label="x")
    y = x * x
    z = (y + x) * y  # x and y read twice: shared, not a cycle
    check_acyclic(z)
    assert topological_order(z)[-1] is z
    assert count_nodes(z, 100) == len(topological_order(z)) == len(reading_order(z))
    z.backward()
    assert x.grad == pytest.approx(4 * 2**3 + 3 * 2**2)  # d/dx (x^2 + x)·x^2 = 4x^3 + 3x^2


# --- explain: bounded work ------------------------------------------------------------------
def _doubling(depth: int) -> tuple[Value, Value]:
    """x → … → y with 2**depth paths (each level reads the one below twice)."""
    x = Value(1.0, label="x")
    y = x
    for _ in range(depth):
        y = y * 1.0 + y * 1.0
    return x, y


def test_explain_refuses_to_list_more_paths_than_fit_naming_the_count():
    x, y = _doubling(40)
    with pytest.raises(ValueError, match=r"1,099,511,627,776 paths.*max_paths"):
        autograd.explain(y, x, max_paths=10**15)


def test_explain_with_many_paths_and_the_default_limit_still_explains():
    x, y = _doubling(40)
    e = autograd.explain(y, x)
    assert e.path_count == 2**40
    assert e.total == pytest.approx(2.0**40)


def test_explain_lists_paths_below_the_factor_limit():
    x, y = _doubling(8)
    e = autograd.explain(y, x, max_paths=10**6)
    assert len(e.paths) == 2**8


# --- views read what runs -----------------------------------------------------------------
import math  # noqa: E402

import nn  # noqa: E402
from nn import checks  # noqa: E402

X, TARGET = [0.5, -1.5], [0.3]


def _retargeted() -> nn.MLP:
    """An MLP whose hidden layer was switched from relu to tanh after it was built."""
    model = nn.MLP(2, [3, 1], seed=1)
    for neuron in model.layers[0].neurons:
        neuron.activation = "tanh"
    return model


def test_assigning_an_activation_changes_what_the_neuron_computes():
    neuron = nn.Neuron(2, seed=0)
    neuron.b.data = -10.0  # relu gives 0 here, tanh a negative number
    neuron.activation = "tanh"
    z = sum(w.data * x for w, x in zip(neuron.w, X)) + neuron.b.data
    assert neuron(X).data == pytest.approx(math.tanh(z))
    assert neuron(X).data < 0


def test_an_unknown_activation_is_refused_on_assignment_and_nothing_changes():
    neuron = nn.Neuron(2, seed=0)
    with pytest.raises(ValueError, match=r"unknown activation 'tahn'"):
        neuron.activation = "tahn"
    assert neuron.activation == "relu"


def test_the_layer_and_mlp_read_their_activation_from_the_neurons():
    model = _retargeted()
    assert model.layers[0].activation == "tanh"
    assert model.activation == "tanh"
    assert model.config()["activation"] == "tanh"
    model.output_activation = "sigmoid"
    assert 0 < model(X).data < 1


def test_to_torch_builds_what_the_model_computes():
    torch = pytest.importorskip("torch")
    model = _retargeted()
    net = nn.to_torch(model)
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear"]
    out = net(torch.tensor(X, dtype=torch.float64)).item()
    assert out == pytest.approx(model(X).data, rel=1e-12)


def test_draw_network_labels_the_activation_that_runs():
    model = _retargeted()
    source = nn.draw_network(model, X).source
    assert "tanh(" in source
    assert "relu(" not in source


def test_backprop_by_layer_identities_hold_after_the_change():
    model = _retargeted()
    table = nn.backprop_by_layer(model, X, TARGET, "mse")  # strict: raises if f′ were stale
    assert table.ok


def test_serialization_round_trip_keeps_the_activation_that_runs(tmp_path):
    model = _retargeted()
    path = nn.save(model, tmp_path / "m.json")
    loaded = nn.load(path)
    assert loaded.activation == "tanh"
    assert loaded(X).data == model(X).data


def test_a_layer_with_mixed_activations_is_refused_by_views_that_need_one(tmp_path):
    torch = pytest.importorskip("torch")
    model = nn.MLP(2, [3, 1], seed=1)
    model.layers[0].neurons[1].activation = "tanh"
    with pytest.raises(ValueError, match=r"neuron 1: 'tanh'"):
        nn.to_torch(model)
    with pytest.raises(ValueError, match=r"different activations"):
        nn.save(model, tmp_path / "m.json")
    assert torch is not None
    # a per-neuron view shows each neuron's own
    source = nn.draw_network(model, X).source
    assert "tanh(" in source and "relu(" in source


# --- the same argument checks across views --------------------------------------------------
BAD_DIGITS = [0, -1, 18, 2.5, True, "4", None]


@pytest.mark.parametrize("digits", BAD_DIGITS, ids=repr)
@pytest.mark.parametrize("view", ["draw_network", "backprop_by_layer"])
def test_every_view_refuses_the_same_digits(view, digits):
    model = nn.MLP(2, [2, 1], seed=0)
    call = {"draw_network": lambda: nn.draw_network(model, X, digits=digits),
            "backprop_by_layer": lambda: nn.backprop_by_layer(model, X, TARGET, "mse",
                                                              digits=digits)}[view]
    with pytest.raises(checks.InvalidParameterError,
                       match=rf"{view}: digits must be an int in \[1, 17\], got"):
        call()


@pytest.mark.parametrize("digits", [1, 17])
def test_every_view_accepts_the_same_digits(digits):
    model = nn.MLP(2, [2, 1], seed=0)
    nn.draw_network(model, X, digits=digits)
    nn.backprop_by_layer(model, X, TARGET, "mse", digits=digits)


@pytest.mark.parametrize("name", ["batch", "strict"])
def test_backprop_by_layer_flags_must_be_bools(name):
    model = nn.MLP(2, [2, 1], seed=0)
    with pytest.raises(checks.InvalidParameterError, match=rf"{name} must be True or False"):
        nn.backprop_by_layer(model, X, TARGET, "mse", **{name: "yes"})


# --- to_torch -------------------------------------------------------------------------------
def test_to_torch_refuses_a_batchnorm_layer_by_index():
    pytest.importorskip("torch")
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers.insert(1, nn.BatchNorm(3))
    with pytest.raises(TypeError, match=r"layer 1 of the model is a BatchNorm.*BatchNorm1d"):
        nn.to_torch(model)


@pytest.mark.parametrize("dtype", ["float32", 3, None.__class__, "torch.int64"], ids=repr)
def test_to_torch_refuses_a_dtype_that_is_not_a_float_torch_dtype(dtype):
    torch = pytest.importorskip("torch")
    if dtype == "torch.int64":
        dtype = torch.int64
    with pytest.raises(TypeError, match=r"to_torch: dtype must be a floating-point torch "
                                        r"dtype.*got"):
        nn.to_torch(nn.MLP(2, [1], seed=0), dtype=dtype)


# --- draw_network: bounded work ---------------------------------------------------------------
def test_draw_network_refuses_a_network_too_large_to_lay_out_naming_limit_and_alternative():
    model = nn.MLP(784, [128, 10], seed=0)
    with pytest.raises(autograd.GraphTooLargeError,
                       match=r"784 → 128 → 10\) has 101,632 weights.*max_edges=10,000.*"
                             r"model\.layers\[-1\]"):
        nn.draw_network(model, [0.0] * 784)


def test_draw_network_draws_a_large_network_when_asked_to():
    model = nn.MLP(40, [30, 2], seed=0)  # 1,260 weights
    with pytest.raises(autograd.GraphTooLargeError, match=r"1,260 weights"):
        nn.draw_network(model, max_edges=1000)
    assert "digraph" in nn.draw_network(model, max_edges=1260).source


@pytest.mark.parametrize("max_edges", [0, -5, 2.0, "many"], ids=repr)
def test_draw_network_checks_max_edges(max_edges):
    with pytest.raises(checks.InvalidParameterError, match=r"draw_network: max_edges must be"):
        nn.draw_network(nn.MLP(2, [1], seed=0), max_edges=max_edges)


def test_a_renderer_timeout_is_a_clear_error_never_a_raw_timeout_expired():
    import subprocess

    drawing = nn.draw_network(nn.MLP(64, [64, 10], seed=0))
    drawing.timeout = 1e-3
    try:
        drawing.svg()
    except autograd.RendererNotFoundError:
        pytest.skip("no renderer installed")  # the timeout cannot happen without one
    except autograd.RenderTimeoutError as error:
        assert not isinstance(error, subprocess.TimeoutExpired)
        assert "within 0.001 s" in str(error) and "focus" in str(error)
    else:
        pytest.fail("a 1 ms limit should stop the renderer")


@pytest.mark.parametrize("digits", BAD_DIGITS, ids=repr)
def test_a_step_records_text_refuses_the_same_digits_as_the_views(digits):
    x = Value(2.0, label="x")
    step = next(iter(autograd.backward_steps(x * x)))
    with pytest.raises(ValueError, match=r"digits must be an int in \[1, 17\]"):
        step.text(digits)
    assert step.text(17)


def test_the_network_pass_records_the_activation_that_runs():
    from nn.network_pass import run_pass

    model = _retargeted()
    recorded = run_pass(model, [X], [TARGET], "mse", "test", batch=False)
    for rec in recorded.samples[0].layers[0]:  # the retargeted hidden layer
        assert rec.a.op == "tanh" or str(rec.a.op) == "tanh"
        assert rec.fprime == pytest.approx(1 - math.tanh(rec.z.data) ** 2)
