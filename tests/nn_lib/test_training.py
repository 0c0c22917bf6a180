"""Training: XOR and moons are learned; fit's history, schedules and early stopping."""

import math

import pytest

import nn
from nn import data, optim, schedulers


def test_mlp_learns_xor():
    X, y = data.logic_gate("XOR")
    model = nn.MLP(2, [8, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, y, loss="bce_with_logits", epochs=300,
                     optimizer=optim.Adam(model.parameters(), lr=0.05), progress=False)
    assert history.train_accuracy[-1] == 1.0
    assert history.train_loss[-1] < 0.05


@pytest.mark.slow
def test_mlp_learns_moons_to_95_percent():
    X, y = data.make_moons(100, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    history = nn.fit(model, X, y, loss="bce_with_logits", epochs=80,
                     optimizer=optim.Adam(model.parameters(), lr=0.02), progress=False)
    predicted = nn.predict(model, X, lambda out: int(out.data >= 0))
    assert nn.accuracy(y, predicted) >= 0.95
    assert history.train_accuracy[-1] >= 0.95
    assert history.train_loss[-1] < history.train_loss[0] / 3


def test_multiclass_with_cross_entropy_and_validation():
    X, y = data.make_blobs(150, centers=3, seed=2)
    (xtr, ytr), (xva, yva), _ = data.train_val_test_split(X, y, val_size=0.2, test_size=0.0,
                                                          seed=0)
    model = nn.MLP(2, [8, 3], seed=1)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = nn.fit(model, xtr, ytr, loss="cross_entropy", optimizer=opt, epochs=15,
                     batch_size=16, validation=(xva, yva), seed=0,
                     scheduler=schedulers.StepLR(opt, step_size=5, gamma=0.5), progress=False)
    assert history.epochs == 15 and len(history.val_loss) == 15
    assert history.val_accuracy[-1] >= 0.95
    assert history.lr[:6] == pytest.approx([0.1] * 5 + [0.05])  # the rate each epoch used


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = data.make_moons(60, noise=0.3, seed=0)
    model = nn.MLP(2, [8, 1], seed=0)
    stopper = nn.EarlyStopping(patience=3)
    history = nn.fit(model, X, y, loss="bce_with_logits", epochs=200,
                     optimizer=optim.SGD(model.parameters(), lr=3.0), validation=(X, y),
                     early_stopping=stopper, progress=False)
    assert history.stopped_early and history.epochs < 200
    best = min(history.val_loss)
    assert history.val_loss[history.best_epoch] == best
    assert nn.evaluate(model, X, y, nn.losses.get("bce_with_logits"))[0] == pytest.approx(best)


def test_progress_bar_and_penalty(capsys):
    X, y = data.logic_gate("OR")
    model = nn.MLP(2, [2, 1], seed=0)
    history = nn.fit(model, X, y, loss="mse", epochs=3, progress=True,
                     penalty=lambda m: 1e-3 * nn.l2_penalty(m.parameters()))
    assert "training" in capsys.readouterr().err
    assert history.train_accuracy == []  # regression loss: no accuracy


def test_fit_errors():
    model = nn.MLP(2, [1])
    with pytest.raises(ValueError, match="X has 2 samples but y has 1 targets"):
        nn.fit(model, [[0.0, 1.0], [1.0, 0.0]], [1], progress=False)
    with pytest.raises(FloatingPointError, match="epoch 1 of 100, batch 1: mae: prediction 0 "
                                                 "is inf.*Lower the learning rate"):
        nn.fit(nn.MLP(1, [1], seed=0), [[1.7e308]], [0.0], loss="mae", progress=False)
    with pytest.raises(FloatingPointError, match="epoch 1 of 3, batch 1: the loss became nan"):
        nn.fit(nn.MLP(1, [1], seed=0), [[1.0]], [0.0], epochs=3, progress=False,
               loss=lambda outputs, targets: outputs[0] * 0 + float("nan"))
    with pytest.raises(FloatingPointError, match="epoch 1 of 100, batch 1: .*overflow") as err:
        nn.fit(nn.MLP(1, [1], seed=0), [[1e200]], [0.0], loss="mse", progress=False)
    assert isinstance(err.value.__cause__, OverflowError)  # the engine's own error, kept


def test_a_diverging_fit_names_the_epoch_and_batch_and_keeps_the_last_good_weights():
    X = [[1.0], [2.0], [3.0], [4.0]]
    y = [2.0, 4.0, 6.0, 8.0]
    model = nn.MLP(1, [1], seed=0)
    opt = optim.SGD(model.parameters(), lr=1e150)
    message = r"epoch \d+ of 5, batch [12]: .*[^.]\. Lower the learning rate \(now 1e\+150\)"
    with pytest.raises(FloatingPointError, match=message):
        nn.fit(model, X, y, optimizer=opt, epochs=5, batch_size=2, seed=0, progress=False)
    assert all(math.isfinite(p.data) for p in model.parameters())


def test_accuracy_and_confusion_matrix():
    assert nn.accuracy([0, 1, 1], [0, 1, 0]) == pytest.approx(2 / 3)
    assert nn.confusion_matrix([0, 1, 1, 2], [0, 1, 0, 2]) == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    assert nn.confusion_matrix([1], [1], labels=[0, 1]) == [[0, 0], [0, 1]]
