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
    adam_beta_curves,
    dead_relu_network,
    decade_span,
    epochs_with_a_line,
    hidden_activations,
    line_crosses,
    train_moons,
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


@pytest.mark.slow  # trains / builds networks for a second or more
def test_the_he_curve_is_flat_within_a_factor_3_and_gain_3_scales_every_layer_alike():
    profiles = he_profiles()
    he, large = profiles[math.sqrt(2)], profiles[3.0]
    assert max(he) / min(he) < 3
    factor = (3 / math.sqrt(2)) ** 10
    assert 1_700 < factor < 1_900  # "≈ 1,800×"
    assert all(math.isclose(b / a, factor, rel_tol=1e-6) for a, b in zip(he, large))


# --- 05: "raw stays near chance; standardised climbs from ~0.6 to 0.9" --------------------


@pytest.mark.slow  # trains / builds networks for a second or more
def test_standardising_moves_the_accuracy_and_raw_stays_near_chance():
    X, y = nn.data.make_moons(200, noise=0.1, seed=0)  # the lesson's data and split
    (x_train, y_train), (x_val, y_val), _ = nn.data.train_val_test_split(
        X, y, val_size=0.15, test_size=0.15, seed=0)
    raw_train, raw_val = ([[100 * a + 500, b] for a, b in rows] for rows in (x_train, x_val))
    scaler = nn.data.Standardizer().fit(raw_train)
    raw = train_moons(raw_train, y_train, (raw_val, y_val))
    std = train_moons(scaler.transform(raw_train), y_train,
                      (scaler.transform(raw_val), y_val))
    assert all(0.35 <= a <= 0.65 for a in raw.train_accuracy + raw.val_accuracy)
    assert std.train_accuracy[0] < 0.7 and std.train_accuracy[-1] >= 0.88  # a line that rises
    assert min(std.val_accuracy) >= 0.85


# --- 06: "the β curves part; heavy momentum ends highest, β₂ = 0.9 lowest" ----------------


def test_the_adam_beta_curves_differ():
    X2, y2 = nn.data.make_moons(200, noise=0.25, seed=1)  # the lesson's data and split
    (xc_train, yc_train), _, _ = nn.data.train_val_test_split(
        X2, y2, val_size=0.0, test_size=0.25, seed=0)
    curves = adam_beta_curves(xc_train, yc_train, learning_rate_init=0.05, epochs=80)
    assert all(len(curve) == 80 for curve in curves.values())
    names = list(curves)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            gap = max(abs(p - q) for p, q in zip(curves[a], curves[b]))
            assert gap > 0.02, f"{a} and {b} are the same curve (gap {gap:.3f})"
    finals = {name: curve[-1] for name, curve in curves.items()}
    assert max(finals, key=finals.__getitem__).startswith("beta_1=0.99")
    assert min(finals, key=finals.__getitem__).startswith("beta_2=0.9")


# --- 01 § 6: every XOR panel has a line, and none classifies all four points -------------


def test_the_xor_panels_each_show_a_line_that_gets_something_wrong():
    Xx, yx = nn.data.logic_gate("XOR")
    history = nn.Perceptron(2, lr=0.2, threshold=0.5, seed=1).fit(Xx, yx, epochs=60)
    panels = epochs_with_a_line(history.weights, history.biases, 0.5)
    assert len(panels) == 3 and panels[0] < panels[1] < panels[2]
    for k in panels:
        w, b = history.weights[k], history.biases[k]
        assert line_crosses(w, b, 0.5)
        fires = [int(w[0] * x1 + w[1] * x2 + b > 0.5) for x1, x2 in Xx]
        assert fires != list(yx) and history.mistakes[k] > 0


def test_no_line_when_the_weights_are_zero_or_the_line_misses_the_square():
    assert not line_crosses([0.0, 0.0], 0.6, 0.5)
    assert not line_crosses([0.0, -0.2], 0.4, 0.5)  # the line y = −0.5: the square's edge
    assert line_crosses([0.2, 0.2], 0.4, 0.5)
    with pytest.raises(ValueError, match="only 0 epochs have a line"):
        epochs_with_a_line([[0.0, 0.0]] * 4, [0.6] * 4, 0.5)
