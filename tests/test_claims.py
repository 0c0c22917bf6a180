"""Each "Does it hold?" sentence in the lessons, asserted on the same computation
(``nn.claims``), so the sentence stays true when the code changes."""

from __future__ import annotations

import numpy as np

from nn import claims


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
    # lesson 04: plain first/last ≈ 1e-6; residual within a factor of about 5
    plain = claims.gradient_per_layer(depth=10, width=8, residual=False)
    residual = claims.gradient_per_layer(depth=10, width=8, residual=True)
    assert plain[0] / plain[-1] < 1e-5
    assert max(residual) / min(residual) < 10
    assert np.all(np.isfinite(residual))
