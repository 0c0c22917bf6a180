"""Each lesson figure that states a property, checked on the computation the lesson runs (the
same nn.lesson_figures function with the same arguments): the caption must stay true."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import nn
from nn.lesson_figures import (
    DEAD_NEURON,
    dead_relu_network,
    decade_span,
    hidden_activations,
    weight_gradient_profile,
)

# --- 04 § 5: "neuron 2 is 0 on every sample, neurons 1 and 3 are not" ----------------------


def test_the_dead_neuron_is_zero_on_every_sample_and_the_others_are_not():
    net, X, _, sample = dead_relu_network()
    table = hidden_activations(net, X)
    assert all(a == 0 for a in table[DEAD_NEURON])
    for j, row in enumerate(table):
        if j != DEAD_NEURON:
            assert sum(a > 0 for a in row) >= len(X) // 2
            assert row[sample] > 0  # the diagram's sample tells the dead neuron apart


def test_a_network_where_no_sample_activates_both_others_is_refused():
    with pytest.raises(ValueError, match="seed=3 leaves no sample"):
        dead_relu_network(seed=3)  # the lesson's former network: no such sample


# --- 04 § 6: "sigmoid's gradient shrinks by orders of magnitude towards the input" ----------


def test_sigmoids_gradient_shrinks_by_orders_of_magnitude_towards_the_input():
    sigmoid = weight_gradient_profile("sigmoid")
    assert sigmoid[0] < sigmoid[-1] / 1e4  # layer 1 gets < 1/10,000 of layer 10's gradient
    assert decade_span(weight_gradient_profile("relu")) < 1  # ReLU: within a factor 10


# --- 04 § 7: "He flat within ×3; gain 3 ≈ 1,800× larger at every layer" ------------------


def he_profiles() -> dict[float, list[float]]:
    samples_16 = np.random.default_rng(0).normal(size=(16, 4)).tolist()
    return {gain: weight_gradient_profile(
                "relu", width=16, init=functools.partial(nn.init.he_normal, gain=gain),
                seeds=range(5), samples=samples_16)
            for gain in (math.sqrt(2), 3.0)}


def test_the_he_curve_is_flat_within_a_factor_3_and_gain_3_scales_every_layer_alike():
    profiles = he_profiles()
    he, large = profiles[math.sqrt(2)], profiles[3.0]
    assert max(he) / min(he) < 3
    factor = (3 / math.sqrt(2)) ** 10
    assert 1_700 < factor < 1_900  # "≈ 1,800×"
    assert all(math.isclose(b / a, factor, rel_tol=1e-6) for a, b in zip(he, large))
