"""Rosenblatt's perceptron: the rule, convergence on AND/OR, none on XOR."""

import pytest

import autograd
from nn import Perceptron, data


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_linearly_separable_gates_converge(gate):
    X, y = data.logic_gate(gate)
    p = Perceptron(2, seed=1)
    history = p.fit(X, y, epochs=50)
    assert history.converged and history.mistakes[-1] == 0
    assert [p.predict(x) for x in X] == y


def test_xor_never_converges():
    X, y = data.logic_gate("XOR")
    for seed in range(5):
        history = Perceptron(2, seed=seed).fit(X, y, epochs=100)
        assert not history.converged and len(history.mistakes) == 100
        assert min(history.mistakes) >= 1


def test_the_update_rule_exactly():
    p = Perceptron(2, lr=0.1, threshold=0.5)  # zeros: predicts 0 everywhere
    history = p.fit([[1.0, 2.0]], [1], epochs=1)
    assert history.mistakes == [1]
    assert [w.data for w in p.w] == [0.1, 0.2] and p.b.data == 0.1
    assert history.weights == [[0.1, 0.2]] and history.biases == [0.1]


def test_learns_only_from_mistakes():
    p = Perceptron(2)
    p.w[0].data = 1.0  # already right on this sample: 1·1 + 0 > 0.5
    p.fit([[1.0, 0.0]], [1], epochs=1)
    assert [w.data for w in p.w] == [1.0, 0.0] and p.b.data == 0.0


def test_it_fires_strictly_above_the_threshold_as_the_course_writes():
    p = Perceptron(1, threshold=0.5)
    p.w[0].data = 1.0
    assert p.predict([0.51]) == 1 and p.predict([0.5]) == 0 and p.predict([0.49]) == 0


def test_history_per_epoch_and_drawable_graph():
    X, y = data.logic_gate("AND")
    p = Perceptron(2, seed=0)
    history = p.fit(X, y, epochs=30)
    assert len(history.weights) == len(history.mistakes) == len(history.biases)
    assert "step" in autograd.draw(p(X[3])).source


def test_errors():
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        Perceptron(2).fit([[0.0, 1.0]], [2])
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        Perceptron(2).predict([1.0, 2.0, 3.0])
