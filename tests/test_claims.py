"""Each "Does it hold?" sentence in the lessons, asserted on the same computation
(``nn.claims``), so the sentence stays true when the code changes. The tests that train
networks for seconds are marked slow."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Value
from nn import claims


@pytest.mark.slow  # trains networks: 2-6 s
def test_relu_learns_faster_than_sigmoid_on_every_seed():
    # lesson 04: "on every seed ... still about three to six times higher after 60"
    curves = claims.relu_vs_sigmoid(seeds=(0, 1, 2), epochs=60)
    for relu, sigmoid in zip(curves["relu"], curves["sigmoid"]):
        assert relu[9] < 0.5 * sigmoid[9]
        assert sigmoid[0] - sigmoid[9] < 0.1          # sigmoid almost flat for 10 epochs
        assert 3 <= sigmoid[-1] / relu[-1] <= 7


def test_sigmoid_is_not_centred_and_its_updates_share_one_sign():
    # lesson 04: sigmoid averages 0.5, every update one-signed; tanh averages 0, none is
    sigmoid, tanh, relu = (claims.centring(a) for a in ("sigmoid", "tanh", "relu"))
    assert abs(sigmoid["mean_activation"] - 0.5) < 0.05 and sigmoid["same_sign"] == 1.0
    assert abs(tanh["mean_activation"]) < 0.05 and tanh["same_sign"] == 0.0
    assert relu["mean_activation"] > 0.1 and relu["same_sign"] == 1.0


def test_skip_connections_keep_the_gradient_through_depth():
    # lesson 04: plain first/last ≈ 1e-6; residual within a factor of about 7
    plain = claims.gradient_per_layer(depth=10, width=8, residual=False)
    residual = claims.gradient_per_layer(depth=10, width=8, residual=True)
    assert plain[0] / plain[-1] < 1e-5
    assert max(residual) / min(residual) < 10
    assert np.all(np.isfinite(residual))


@pytest.mark.slow  # trains networks: 2-6 s
def test_sgd_generalises_a_little_better_than_adam_here():
    # lesson 06: on all three seeds SGD ends about 1 to 2 points above Adam; both fit the data
    gen = claims.sgd_vs_adam(seeds=(0, 1, 2), epochs=120)
    gaps = [s - a for s, a in zip(gen["sgd"], gen["adam"])]
    assert all(0.005 <= g <= 0.025 for g in gaps), gaps
    assert max(gen["sgd_train"] + gen["adam_train"]) < 0.01


def test_learning_rates_on_the_double_well():
    # lesson 06: 0.05 settles in the local minimum, 0.5 bounces in it, 2 reaches the
    # global one, 21 diverges
    small, medium, large, huge = (claims.descend(lr) for lr in (0.05, 0.5, 2.0, 21.0))
    assert abs(small[-1] - small[-2]) < 1e-9 and 1.9 < small[-1] < 2.0
    assert abs(claims.double_well(Value(small[-1])).data - 0.19) < 0.01
    assert 1.3 < min(medium[-10:]) and max(medium[-10:]) < 2.3
    assert max(abs(a - b) for a, b in zip(medium[-10:], medium[-9:])) > 0.1
    assert abs(large[-1] + 2) < 1e-6
    assert huge[-1] == float("inf")


def test_a_diverged_model_must_be_recreated():
    # lesson 06: weights ~1e120; same model overflows at η = 0.05; a new one trains
    div = claims.recreate_after_divergence(seed=0, big_lr=3.0, good_lr=0.05)
    assert "diverged" in div["diverged_at"] and div["max_weight"] > 1e100
    assert isinstance(div["continued"], str) and "epoch 1 of" in div["continued"]
    assert div["recreated"][-1] < 0.3 * div["recreated"][0]


@pytest.mark.slow
def test_batch_norm_helps_but_does_not_reduce_overfitting_here():
    # lesson 07: BN's held-out accuracy higher on both seeds; without BN train and held-out
    # within two points; BN does not shrink the train-held-out gap
    r = claims.batch_norm_overfitting(seeds=(0, 1), width=8, epochs=100, lr=0.3)
    assert all(bn > plain for bn, plain in zip(r["bn_test"], r["plain_test"]))
    assert all(abs(a - b) <= 0.02 for a, b in zip(r["plain_train"], r["plain_test"]))
    plain_gap = np.mean(np.subtract(r["plain_train"], r["plain_test"]))
    bn_gap = np.mean(np.subtract(r["bn_train"], r["bn_test"]))
    assert bn_gap >= plain_gap


def test_batches_shrink_an_outliers_step_but_not_its_pull():
    # lesson 07: largest jump 0.21 → 0.035 (about six times less); both end at b ≈ 1.4
    single, batch = claims.outlier_steps(batch_size=1), claims.outlier_steps(batch_size=10)
    assert 4 < single["jump"][0] / batch["jump"][0] < 8
    for r in (single, batch):
        assert 1.3 < r["b"][-1] < 1.5 and abs(r["w"][-1] - 0.5) < 0.1


@pytest.mark.slow  # trains networks: 2-6 s
def test_pruning_lightens_but_does_not_speed_up():
    # lesson 07: 50 % pruned keeps the accuracy, 80-90 % drops it; a pass takes the same time
    r = claims.pruning_effect(fractions=(0.0, 0.5, 0.8, 0.9))
    assert r["nonzero"][1] <= 0.51 * r["nonzero"][0]
    assert r["accuracy"][1] == r["accuracy"][0]
    assert r["accuracy"][2] < r["accuracy"][0] - 0.05
    assert r["accuracy"][3] < r["accuracy"][2] - 0.05
    assert min(r["seconds"][1:]) > 0.7 * r["seconds"][0]
