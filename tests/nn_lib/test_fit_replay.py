"""Training with the replay engine: the same losses, gradients, steps and weights as scalar."""

import random
import warnings

import numpy as np
import pytest

import autograd
import nn
from nn import losses, optim
from nn.activations import ACTIVATIONS
from nn.replay import ReplayEngine, blockers

TOLERANCE = 1e-12
rng = np.random.default_rng(0)
X = rng.normal(size=(9, 3))


def targets_for(loss, n_out):
    labels = [0, 1, 1, 0, 1, 0, 0, 1, 1]
    return {
        "mse": rng.normal(size=(9, n_out)).tolist() if n_out > 1 else rng.normal(size=9).tolist(),
        "mae": rng.normal(size=9).tolist(),
        "binary_cross_entropy": [0, 1, 1, 0, 1, 0, 0.3, 1, 0.8],
        "bce": labels,
        "bce_with_logits": [0, 1, 1, 0, 1, 0, 0.25, 1, 0],
        "cross_entropy": [0, 1, 2, 1, 0, 2, 2, 1, 0],
        "hinge": [2 * t - 1 for t in labels],
    }[loss]


CASES = [("mse", 1, "linear"), ("mse", 2, "linear"), ("mae", 1, "linear"),
         ("binary_cross_entropy", 1, "sigmoid"), ("bce", 1, "sigmoid"),
         ("bce_with_logits", 1, "linear"), ("cross_entropy", 3, "linear"),
         ("hinge", 1, "linear")]


def replayed_vs_scalar(model, loss, y, reduction="mean"):
    """(replayed L, scalar L, replayed ∇, scalar ∇, size of the gradients)."""
    params = model.parameters()
    record = losses.get(loss)
    T = losses.one_hot(y, 3) if loss == "cross_entropy" else np.asarray(y, float)
    example = T[0].tolist() if T.ndim > 1 else float(T[0])
    replay = autograd.trace(lambda x, t: record.per_sample(model(x), t, reduction),
                            X[0].tolist(), example, params=params)
    replay.verify(X, T, samples=len(X))
    value, grad = replay.value_and_gradient(replay.parameter_vector(), X, T,
                                            reduction=reduction)
    model.zero_grad()
    scalar = losses.get(loss)([model(x) for x in X.tolist()], y, reduction=reduction)
    scalar.backward()
    return value, scalar.data, grad, np.array([p.grad for p in params])


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("loss", "n_out", "output_activation"), CASES)
def test_every_activation_and_loss_gives_the_scalar_loss_and_gradients(
        activation, loss, n_out, output_activation):
    model = nn.MLP(3, [5, 4, n_out], activation=activation,
                   output_activation=output_activation, seed=1)
    value, scalar, grad, scalar_grad = replayed_vs_scalar(model, loss, targets_for(loss, n_out))
    assert abs(value - scalar) <= TOLERANCE * abs(scalar)
    scale = max(np.abs(scalar_grad).max(), 1e-300)  # relative to the largest gradient
    assert np.all(np.abs(grad - scalar_grad) <= TOLERANCE * scale)


@pytest.mark.parametrize("loss", ["mse", "cross_entropy", "hinge"])
def test_sum_reduction(loss):
    n_out = 3 if loss == "cross_entropy" else 1
    model = nn.MLP(3, [4, n_out], activation="tanh", seed=2)
    value, scalar, grad, scalar_grad = replayed_vs_scalar(model, loss, targets_for(loss, n_out),
                                                          reduction="sum")
    assert abs(value - scalar) <= TOLERANCE * abs(scalar)
    assert np.all(np.abs(grad - scalar_grad) <= TOLERANCE * np.abs(scalar_grad).max())


def test_a_clamped_probability_passes_no_gradient_as_in_the_batch_loss():
    p = autograd.Value(0.0)
    loss = losses.get("bce").per_sample(p * 1.0, autograd.Value(1.0))
    assert loss.data == 100.0
    loss.backward()
    assert p.grad == 0.0


# --- the optimizers on arrays ---------------------------------------------------------------
OPTIMIZERS = [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.1),
    lambda ps: optim.AdamW(ps, lr=0.01),
]


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_step_arrays_is_step(make):
    values = [autograd.Value(x) for x in rng.normal(size=6)]
    scalar = make(values)
    arrays = make([autograd.Value(v.data) for v in values])
    theta = np.array([v.data for v in values])
    state = arrays.array_state()
    for _ in range(4):
        grads = rng.normal(size=6)
        grads[0] = 0.0  # a zero gradient: 0/0 counts as a zero step in both
        for v, g in zip(values, grads):
            v.grad = float(g)
        scalar.step()
        theta = arrays.step_arrays(theta, grads, state)
        assert np.all(np.abs(theta - [v.data for v in values]) <= TOLERANCE * np.abs(theta))
    arrays.load_array_state(state)
    for ours, theirs in zip(arrays.state, scalar.state):
        assert ours.keys() == theirs.keys()
        assert all(abs(ours[k] - theirs[k]) <= TOLERANCE * abs(theirs[k]) for k in ours)


def test_step_arrays_refuses_a_non_finite_gradient_naming_the_parameter():
    values = [autograd.Value(1.0, label="w")]
    with pytest.raises(FloatingPointError, match="gradient of 'w' is nan"):
        optim.SGD(values).step_arrays(np.ones(1), np.array([np.nan]),  {})


# --- fit and the estimators ------------------------------------------------------------------
def fit_both(make_model, loss, y, **kwargs):
    result = {}
    for engine in ("scalar", "replay"):
        model = make_model()
        opt = kwargs.pop("optimizer", None)
        history = nn.fit(model, X.tolist(), y, loss=loss, epochs=3, batch_size=4, seed=3,
                         progress=False, engine=engine,
                         optimizer=opt(model.parameters()) if opt else None, **kwargs)
        kwargs["optimizer"] = opt
        result[engine] = (np.array([p.data for p in model.parameters()]),
                          np.array([p.grad for p in model.parameters()]), history)
    return result["scalar"], result["replay"]


@pytest.mark.parametrize(("loss", "n_out", "output_activation"), CASES)
def test_fit_with_replay_gives_the_scalar_weights(loss, n_out, output_activation):
    scalar, replay = fit_both(lambda: nn.MLP(3, [6, n_out], activation="tanh",
                                             output_activation=output_activation, seed=4),
                              loss, targets_for(loss, n_out),
                              validation=(X[:4].tolist(), targets_for(loss, n_out)[:4]))
    assert np.allclose(replay[0], scalar[0], rtol=0, atol=1e-10)
    assert np.allclose(replay[1], scalar[1], rtol=0, atol=1e-10)
    h_s, h_r = scalar[2], replay[2]
    assert np.allclose(h_r.train_loss, h_s.train_loss, rtol=1e-12)
    assert np.allclose(h_r.val_loss, h_s.val_loss, rtol=1e-12)
    assert h_r.train_accuracy == h_s.train_accuracy
    assert h_r.val_accuracy == h_s.val_accuracy


def test_fit_with_an_optimizer_a_penalty_and_early_stopping():
    y = targets_for("mse", 1)
    scalar, replay = fit_both(
        lambda: nn.MLP(3, [5, 1], seed=5), "mse", y,
        optimizer=lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9),
        penalty=lambda m: 1e-3 * nn.l2_penalty(m.parameters()))
    assert np.allclose(replay[0], scalar[0], rtol=0, atol=1e-10)


def test_fit_with_a_custom_loss():
    def loss(outputs, targets):
        return autograd.sum([(o - t) ** 4 for o, t in zip(outputs, targets)]) / len(outputs)

    scalar, replay = fit_both(lambda: nn.MLP(3, [4, 1], seed=6), loss, targets_for("mae", 1))
    assert np.allclose(replay[0], scalar[0], rtol=0, atol=1e-10)


def test_the_model_stays_a_scalar_model_after_replay_training():
    model = nn.MLP(3, [4, 1], seed=7)
    nn.fit(model, X.tolist(), targets_for("mse", 1), epochs=2, progress=False, engine="replay")
    out = model(X[0].tolist())  # one sample's graph, to draw and step through
    out.backward()
    assert len(list(autograd.backward_steps(out))) > 0


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
def test_estimators_train_alike_on_both_engines(estimator):
    weights = {}
    y_real = rng.normal(size=(9, 2)).tolist()
    for engine in ("scalar", "replay"):
        if estimator == "classifier":
            est = nn.MLPClassifier(hidden_layer_sizes=(5,), max_iter=4, alpha=0.01,
                                   random_state=0, engine=engine)
            y = [0, 1, 2, 1, 0, 2, 2, 1, 0]
        else:
            est = nn.MLPRegressor(hidden_layer_sizes=(5,), max_iter=4, solver="sgd",
                                  random_state=0, engine=engine)
            y = y_real
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X.tolist(), y)
        weights[engine] = np.array([p.data for p in est.model_.parameters()])
    assert np.allclose(weights["replay"], weights["scalar"], rtol=0, atol=1e-10)


# --- what cannot be replayed -------------------------------------------------------------------
def test_dropout_and_batchnorm_are_refused_by_name():
    model = nn.MLP(3, [4, 1], dropout=0.5, seed=0)
    assert blockers(model) == ["dropouts.0 (Dropout p=0.5: a new random mask per sample)"]
    with pytest.raises(ValueError, match=r"engine='replay' .* dropouts\.0 \(Dropout"):
        nn.fit(model, X.tolist(), targets_for("mse", 1), progress=False, engine="replay")
    model.eval()
    assert blockers(model) == []

    class Normalised(nn.Module):
        def __init__(self):
            self.norm = nn.BatchNorm(3)
            self.mlp = nn.MLP(3, [1], seed=0)

        def forward(self, x):
            return self.mlp(x)

    with pytest.raises(ValueError, match=r"norm \(BatchNorm"):
        ReplayEngine(Normalised(), "mse", optim.SGD(Normalised().parameters()),
                       X.tolist(), targets_for("mse", 1))


def test_a_loss_that_branches_on_the_data_is_caught():
    def branching(outputs, targets):
        o, t = outputs[0], targets[0]
        return (o - t) ** 2 if o.data > t.data else abs(o - t)

    model = nn.MLP(3, [4, 1], seed=random.Random(0).randrange(100))
    with pytest.raises(autograd.DataDependentGraphError):
        nn.fit(model, X.tolist(), [-5.0, 5.0, -5.0, 5.0, 5, 5, 5, 5, 5], loss=branching,
               progress=False, engine="replay")


def test_engine_names_are_checked():
    with pytest.raises(ValueError, match="engine must be 'scalar' or 'replay', got 'fast'"):
        nn.fit(nn.MLP(3, [1]), X.tolist(), targets_for("mse", 1), engine="fast")
    with pytest.raises(ValueError, match="engine"):
        nn.MLPClassifier(engine="fast").fit(X.tolist(), [0, 1] * 4 + [0])


# --- one loop over two engines: what fit records and when the model is current ----------------
def test_train_accuracy_and_loss_are_those_of_the_outputs_each_step_saw():
    """Full batch: the epoch's one step sees the model the epoch started with."""
    y = [0, 1, 1, 0, 1, 0, 0, 1, 1]
    for engine in ("scalar", "replay"):
        model = nn.MLP(3, [5, 1], activation="tanh", seed=8)
        decide = [int(out >= 0) for out in nn.predict(model, X.tolist())]
        loss = nn.evaluate(model, X.tolist(), y, "bce_with_logits")[0]
        history = nn.fit(model, X.tolist(), y, loss="bce_with_logits", epochs=1,
                         progress=False, engine=engine)
        assert history.train_accuracy == [nn.accuracy(y, decide)]
        assert history.train_loss[0] == pytest.approx(loss, rel=1e-12)


def test_a_decision_of_ones_own_gets_values_on_both_engines():
    y = [0, 1, 1, 0, 1, 0, 0, 1, 1]
    accuracies = {}
    for engine in ("scalar", "replay"):
        history = nn.fit(nn.MLP(3, [5, 1], seed=9), X.tolist(), y, loss="bce_with_logits",
                         decision=lambda out: int(out.data >= 0), epochs=3, batch_size=4,
                         seed=0, validation=(X[:5].tolist(), y[:5]), progress=False,
                         engine=engine)
        accuracies[engine] = (history.train_accuracy, history.val_accuracy)
    assert accuracies["replay"] == accuracies["scalar"]


def test_replay_restores_the_best_weights_of_early_stopping():
    y = targets_for("bce_with_logits", 1)
    runs = {}
    for engine in ("scalar", "replay"):
        model = nn.MLP(3, [6, 1], seed=10)
        history = nn.fit(model, X.tolist(), y, loss="bce_with_logits", epochs=60,
                         optimizer=optim.SGD(model.parameters(), lr=3.0),
                         validation=(X.tolist(), y), early_stopping=nn.EarlyStopping(2),
                         progress=False, engine=engine)
        assert history.stopped_early
        best = min(history.val_loss)
        assert history.val_loss[history.best_epoch] == best
        assert nn.evaluate(model, X.tolist(), y, "bce_with_logits")[0] == \
            pytest.approx(best, rel=1e-12)
        runs[engine] = np.array([p.data for p in model.parameters()])
    assert np.allclose(runs["replay"], runs["scalar"], rtol=0, atol=1e-10)


class StopAt:
    """A scheduler that interrupts training after `epochs` epochs (as a Ctrl-C would)."""

    def __init__(self, epochs):
        self.epochs, self.count = epochs, 0

    def step(self):
        self.count += 1
        if self.count == self.epochs:
            raise KeyboardInterrupt


def test_an_interrupted_replay_leaves_the_model_and_optimizer_current():
    y = targets_for("mse", 1)
    results = {}
    for engine in ("scalar", "replay"):
        model = nn.MLP(3, [5, 1], seed=11)
        opt = optim.Adam(model.parameters(), lr=0.05)
        with pytest.raises(KeyboardInterrupt):
            nn.fit(model, X.tolist(), y, epochs=10, batch_size=4, seed=1, optimizer=opt,
                   scheduler=StopAt(3), progress=False, engine=engine)
        results[engine] = (np.array([p.data for p in model.parameters()]), opt)
    (w_scalar, opt_scalar), (w_replay, opt_replay) = results["scalar"], results["replay"]
    assert np.allclose(w_replay, w_scalar, rtol=0, atol=1e-10)
    assert opt_replay.steps == opt_scalar.steps == 9  # 3 epochs of 3 batches
    for ours, theirs in zip(opt_replay.state, opt_scalar.state):
        assert ours.keys() == theirs.keys()
        assert all(abs(ours[k] - theirs[k]) <= 1e-10 for k in ours)


def test_replay_takes_numpy_arrays_as_it_takes_lists():
    y = [0, 1, 2, 1, 0, 2, 2, 1, 0]
    weights = []
    for data, labels in ((X, np.array(y)), (X.tolist(), y)):
        model = nn.MLP(3, [4, 3], seed=12)
        nn.fit(model, data, labels, loss="cross_entropy", epochs=2, batch_size=4, seed=0,
               progress=False, engine="replay")
        weights.append([p.data for p in model.parameters()])
    assert weights[0] == weights[1]
    bad = X.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match=r"X\[4\]\[1\] \(sample 4, feature 1\) is nan"):
        nn.fit(nn.MLP(3, [1]), bad, y, progress=False, engine="replay")


def test_a_branch_on_the_target_is_caught_where_the_class_changes():
    """The trace is checked on the sample whose target differs most from the example's,
    not only on its neighbours (here of the same class)."""
    def by_class(outputs, targets):
        o, t = outputs[0], targets[0]
        return (o - t) ** 2 if t.data > 0.5 else abs(o - t)

    with pytest.raises(autograd.DataDependentGraphError):
        nn.fit(nn.MLP(3, [4, 1], seed=0), X.tolist(), [0, 0, 0, 0, 0, 0, 0, 0, 1],
               loss=by_class, progress=False, engine="replay")
