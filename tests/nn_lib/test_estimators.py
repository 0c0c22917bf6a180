"""MLPClassifier / MLPRegressor: scikit-learn's interface, defaults and behaviour."""

import inspect
import warnings

import pytest

import nn
from nn import MLPClassifier, MLPRegressor, data


def test_defaults_match_scikit_learn():
    sklearn_mlp = pytest.importorskip("sklearn.neural_network")  # dev extra, always present
    ours = MLPClassifier().get_params()
    assert ours.pop("engine") == "replay"  # ours only: which engine trains (nn.replay)
    theirs = sklearn_mlp.MLPClassifier().get_params()
    for name, value in ours.items():
        assert theirs[name] == value, name
    # There is no lbfgs solver here, so its only parameter (max_fun) is absent.
    assert set(theirs) - set(ours) == {"max_fun"} and set(ours) <= set(theirs)


@pytest.mark.slow
def test_digits_reach_90_percent_test_accuracy():
    X, y = data.load_digits()
    X = [[v / 16 for v in row] for row in X]
    (xtr, ytr), _, (xte, yte) = data.train_val_test_split(X, y, val_size=0.0, test_size=0.25,
                                                          seed=0)
    clf = MLPClassifier(hidden_layer_sizes=(24,), max_iter=4, batch_size=32,
                        learning_rate_init=0.01, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nn.ConvergenceWarning)
        clf.fit(xtr, ytr)
    assert clf.score(xte, yte) >= 0.90
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 4
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert len(clf.coefs_) == 2 and len(clf.coefs_[0]) == 64 and len(clf.coefs_[0][0]) == 24
    assert [len(b) for b in clf.intercepts_] == [24, 10]
    assert clf.classes_ == list(range(10)) and clf.n_layers_ == 3
    probs = clf.predict_proba(xte[:3])
    assert all(abs(sum(p) - 1) < 1e-12 for p in probs)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::nn.ConvergenceWarning")
def test_binary_labels_of_any_type_and_proba_columns():
    X, y = data.make_moons(80, noise=0.05, seed=0)
    labels = ["no" if t == 0 else "yes" for t in y]
    clf = MLPClassifier(hidden_layer_sizes=(16,), activation="tanh", learning_rate_init=0.02,
                        batch_size=16, max_iter=300, random_state=1).fit(X, labels)
    assert clf.classes_ == ["no", "yes"] and clf.out_activation_ == "logistic"
    assert clf.score(X, labels) >= 0.95
    p = clf.predict_proba(X[:1])[0]
    assert clf.predict(X[:1])[0] == ("yes" if p[1] > 0.5 else "no")


@pytest.mark.slow
def test_sgd_solver_with_schedules_and_early_stopping():
    X, y = data.make_blobs(120, centers=3, seed=0)
    for schedule in ("constant", "invscaling", "adaptive"):
        clf = MLPClassifier(hidden_layer_sizes=(8,), solver="sgd", learning_rate=schedule,
                            learning_rate_init=0.1, max_iter=30, random_state=0,
                            early_stopping=True, n_iter_no_change=5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", nn.ConvergenceWarning)
            clf.fit(X, y)
        assert clf.score(X, y) >= 0.9, schedule
        assert len(clf.validation_scores_) == clf.n_iter_


def test_stops_when_the_loss_stops_improving():
    X, y = data.logic_gate("AND")
    clf = MLPClassifier(hidden_layer_sizes=(4,), learning_rate_init=0.1, max_iter=500,
                        tol=1e-2, n_iter_no_change=3, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500


def test_convergence_warning_when_max_iter_is_reached():
    X, y = data.logic_gate("XOR")
    with pytest.warns(nn.ConvergenceWarning, match="max_iter=2 reached"):
        MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)


def test_regressor_fits_a_line_and_scores_r2():
    X = [[x / 10] for x in range(-10, 11)]
    y = [3 * row[0] - 1 for row in X]
    reg = MLPRegressor(hidden_layer_sizes=(8,), activation="identity", batch_size=4,
                       learning_rate_init=0.01, tol=1e-6, max_iter=300, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.9999
    assert reg.predict([[0.5], [0.0]]) == pytest.approx([0.5, -1.0], abs=1e-3)


def test_params_protocol_and_errors():
    clf = MLPClassifier(hidden_layer_sizes=(5,))
    assert clf.set_params(alpha=0.01) is clf and clf.get_params()["alpha"] == 0.01
    assert repr(clf) == "MLPClassifier(hidden_layer_sizes=(5,), alpha=0.01)"
    with pytest.raises(ValueError, match="invalid parameter 'alfa'"):
        clf.set_params(alfa=1)
    with pytest.raises(ValueError, match="lbfgs is not available here"):
        MLPClassifier(solver="lbfgs").fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="not fitted yet"):
        MLPClassifier().predict([[0.0]])
    with pytest.raises(ValueError, match="single class"):
        MLPClassifier().fit([[0.0], [1.0]], [1, 1])
    fitted = MLPClassifier(hidden_layer_sizes=(2,), max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted.fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="X has 2 features, but MLPClassifier was fitted "
                                         "with 1"):
        fitted.predict([[0.0, 1.0]])


def test_signature_uses_scikit_learns_names():
    names = list(inspect.signature(MLPClassifier).parameters)
    assert names[:3] == ["hidden_layer_sizes", "activation", "solver"]


@pytest.mark.parametrize("kw", [
    {"n_iter_no_change": 3},
    {"n_iter_no_change": 2, "solver": "sgd", "learning_rate": "adaptive"},
])
def test_stopping_epoch_matches_scikit_learn(kw):
    # A learning rate of 1e-12 leaves the loss flat, so only the stopping rule decides.
    import numpy as np
    from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

    X, y = data.logic_gate("AND")
    common = {"hidden_layer_sizes": (3,), "learning_rate_init": 1e-12, "max_iter": 100,
              "random_state": 0, **kw}
    theirs = SklearnMLPClassifier(**common).fit(np.array(X), y)
    ours = MLPClassifier(**common).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_


@pytest.mark.filterwarnings("ignore::nn.ConvergenceWarning")
@pytest.mark.parametrize("first, then", [(True, False), (False, True)])
def test_warm_start_may_switch_early_stopping(first, then):
    # A fit with early stopping keeps no best loss (best_loss_ None) and one without keeps no
    # validation scores (validation_scores_ None): a warm start that switches early stopping
    # on or off continues from there (it raised TypeError / AttributeError before).
    X, y = data.make_moons(40, noise=0.1, seed=0)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, early_stopping=first,
                        random_state=0).fit(X, y)
    weights = [list(c) for c in clf.coefs_[0]]
    clf.set_params(warm_start=True, early_stopping=then).fit(X, y)
    assert clf.coefs_[0] != weights  # trained on from the first fit's weights
    assert len(clf.loss_curve_) == 6
    if then:
        assert len(clf.validation_scores_) == 3
    else:
        assert clf.best_loss_ == min(clf.loss_curve_[3:])
