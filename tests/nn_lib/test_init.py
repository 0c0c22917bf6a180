"""Initialisers: bounds, spreads, gains and seeding."""

import math
import random
import statistics

import pytest

from nn import init


@pytest.mark.parametrize("name, bound", [
    ("xavier_uniform", math.sqrt(6 / (30 + 20))),
    ("he_uniform", math.sqrt(6 / 30)),
])
def test_uniform_bounds(name, bound):
    ws = init.get(name)(30, 20, 5000, random.Random(0))
    assert max(map(abs, ws)) <= bound
    assert max(map(abs, ws)) > 0.99 * bound
    assert statistics.pstdev(ws) == pytest.approx(bound / math.sqrt(3), rel=0.05)


@pytest.mark.parametrize("name, std", [
    ("xavier_normal", math.sqrt(2 / (30 + 20))),
    ("he_normal", math.sqrt(2 / 30)),
    ("normal", 1.0),
])
def test_normal_spreads(name, std):
    ws = init.get(name)(30, 20, 20000, random.Random(1))
    assert statistics.pstdev(ws) == pytest.approx(std, rel=0.03)
    assert abs(statistics.fmean(ws)) < 0.05 * std


def test_seeding_and_simple_initializers():
    assert init.he_uniform(3, 2, 4, random.Random(5)) == init.he_uniform(3, 2, 4, random.Random(5))
    assert init.zeros(3, 2, 3, random.Random()) == [0.0, 0.0, 0.0]
    assert init.constant(3, 2, 2, random.Random(), value=0.5) == [0.5, 0.5]
    ws = init.uniform(1, 1, 1000, random.Random(2))
    assert 0 <= min(ws) and max(ws) <= 1


def test_pytorch_gains():
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_xavier_gain_scales_the_bound():
    ws = init.xavier_uniform(10, 10, 2000, random.Random(3), gain=2.0)
    assert max(map(abs, ws)) <= 2 * math.sqrt(6 / 20)
