"""Penalties, Dropout and BatchNorm (train vs eval), early stopping, pruning."""

import math
import statistics

import pytest

import autograd
import nn
from autograd import Value


def test_penalties_and_their_gradients():
    ps = [Value(1.5), Value(-2.0)]
    assert nn.l1_penalty(ps).data == 3.5 and nn.l2_penalty(ps).data == 6.25
    assert autograd.gradcheck(lambda a, b: nn.l2_penalty([a, b]) + nn.l1_penalty([a, b]),
                              [1.5, -2.0])


def test_dropout_train_and_eval():
    drop = nn.Dropout(0.5, seed=0)
    xs = [Value(1.0) for _ in range(2000)]
    out = drop(xs)
    kept = [o.data for o in out if o.data != 0]
    assert all(k == 2.0 for k in kept)  # survivors scaled by 1/(1-p)
    assert 0.45 < len(kept) / 2000 < 0.55
    assert statistics.fmean(o.data for o in out) == pytest.approx(1.0, abs=0.1)
    drop.eval()
    assert drop(xs) == xs
    assert all(o.data == 0 for o in nn.Dropout(1.0)(xs[:5]))
    with pytest.raises(ValueError, match=r"Dropout: p must be a finite number in \[0, 1\], got"):
        nn.Dropout(1.5)


def test_batchnorm_normalizes_in_training_and_uses_running_stats_in_eval():
    bn = nn.BatchNorm(2, momentum=0.1)
    batch = [[Value(1.0), Value(10.0)], [Value(3.0), Value(20.0)], [Value(5.0), Value(30.0)]]
    out = bn(batch)
    col0 = [row[0].data for row in out]
    assert statistics.fmean(col0) == pytest.approx(0.0, abs=1e-12)
    assert statistics.pvariance(col0) == pytest.approx(1.0, rel=1e-4)
    assert bn.running_mean == pytest.approx([0.1 * 3.0, 0.1 * 20.0])
    assert bn.running_var == pytest.approx([0.9 + 0.1 * 4.0, 0.9 + 0.1 * 100.0])  # unbiased
    bn.eval()
    evaluated = bn([[Value(3.0), Value(20.0)]])
    expected = (3.0 - bn.running_mean[0]) / math.sqrt(bn.running_var[0] + bn.eps)
    assert evaluated[0][0].data == pytest.approx(expected)
    assert bn.running_mean == pytest.approx([0.3, 2.0])  # eval leaves the statistics alone


def test_batchnorm_gradients_and_state():
    def f(a, b, c):
        bn = nn.BatchNorm(1)
        out = bn([[a], [b], [c]])
        return out[0][0] * 2 + out[1][0] * out[2][0]

    assert autograd.gradcheck(f, [0.5, -1.0, 2.0])
    bn = nn.BatchNorm(2)
    assert "running_var.1" in bn.state_dict() and "gamma.0" in bn.state_dict()
    with pytest.raises(ValueError, match="more than one sample per batch"):
        bn([[Value(1.0), Value(2.0)]])


def test_early_stopping_patience_and_min_delta():
    stop = nn.EarlyStopping(patience=2, min_delta=0.1)
    assert [stop.step(v) for v in [1.0, 0.95, 0.5, 0.45, 0.44]] == [False, False, False, False,
                                                                    True]
    assert stop.best == 0.5 and stop.best_epoch == 2
    with pytest.raises(ValueError, match="mode must be one of 'min', 'max', got 'best'"):
        nn.EarlyStopping(mode="best")


def test_magnitude_pruning_zeroes_the_smallest_weights():
    model = nn.MLP(4, [5, 1], seed=0)
    weights = [p for p in model.parameters() if ".w." in p.label]
    before = {p.label: abs(p.data) for p in weights}
    pruned = nn.magnitude_prune(weights, 0.5)
    assert len(pruned) == round(len(weights) * 0.5) == 12
    assert all(p.data == 0.0 for p in pruned)
    pruned_labels = {p.label for p in pruned}
    survivors = [p for p in weights if p.label not in pruned_labels]
    # every pruned weight was at most as large as every surviving one, which kept its value
    assert max(before[p.label] for p in pruned) <= min(before[p.label] for p in survivors)
    assert all(abs(p.data) == before[p.label] for p in survivors)
    smallest = sorted(before, key=before.get)[:12]
    assert pruned_labels == set(smallest)
    with pytest.raises(ValueError, match=r"amount must be a finite number in \[0, 1\], got 2"):
        nn.magnitude_prune(weights, 2)
