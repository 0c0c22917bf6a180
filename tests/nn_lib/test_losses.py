"""Losses: values against their formulas, gradients against finite differences, edge cases."""

import math

import pytest

import autograd
from autograd import Value
from nn import losses


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_mse_and_mae_values():
    preds = [Value(1.0), Value(3.0), Value(-1.0)]
    assert losses.mse(preds, [0.0, 1.0, 1.0]).data == pytest.approx((1 + 4 + 4) / 3)
    assert losses.mse(preds, [0.0, 1.0, 1.0], reduction="sum").data == 9.0
    assert losses.mae(preds, [0.0, 1.0, 1.0]).data == pytest.approx(5 / 3)


def test_mse_multi_output_averages_over_every_element():
    preds = [[Value(1.0), Value(2.0)], [Value(0.0), Value(0.0)]]
    assert losses.mse(preds, [[0.0, 0.0], [1.0, 1.0]]).data == pytest.approx((1 + 4 + 1 + 1) / 4)


@pytest.mark.parametrize("loss, targets", [
    (losses.mse, [0.5, -1.0]),
    (losses.mae, [0.5, -1.0]),
    (lambda p, t: losses.binary_cross_entropy([q.sigmoid() for q in p], t), [1.0, 0.0]),
    (lambda p, t: losses.binary_cross_entropy(p, t, from_logits=True), [1.0, 0.0]),
    (lambda p, t: losses.binary_cross_entropy(p, t, from_logits=True, weights={0: 3.0, 1: 0.5}),
     [1.0, 0.0]),
    (losses.hinge, [1, -1]),
    (lambda p, t: losses.mse(p, t, weights=[2.0, 0.5]), [0.5, -1.0]),
])
def test_losses_pass_gradcheck(loss, targets):
    assert autograd.gradcheck(lambda a, b: loss([a, b], targets), [0.3, -0.8])


def test_cross_entropy_passes_gradcheck_with_and_without_class_weights():
    def ce(a, b, c, d):
        return losses.cross_entropy([[a, b], [c, d]], [0, 1], weights={0: 2.0, 1: 1.0})

    assert autograd.gradcheck(ce, [0.3, -0.8, 1.5, 0.2])
    assert autograd.gradcheck(lambda a, b, c: losses.cross_entropy([a, b, c], [2]),
                              [0.3, -0.8, 1.5])


def test_bce_value_and_the_courses_gradient():
    z = Value(0.4)
    p = z.sigmoid()
    loss = losses.binary_cross_entropy([p], [1.0])
    assert loss.data == pytest.approx(-math.log(sigmoid(0.4)))
    loss.backward()
    assert z.grad == pytest.approx(sigmoid(0.4) - 1.0)  # ∂L/∂z = ŷ − y


def test_bce_from_logits_equals_bce_of_sigmoid_and_is_stable():
    for z, y in [(0.7, 1.0), (-1.2, 0.0), (0.0, 1.0), (3.0, 0.3)]:
        a = losses.binary_cross_entropy([Value(z).sigmoid()], [y]).data
        b = losses.binary_cross_entropy([Value(z)], [y], from_logits=True).data
        assert a == pytest.approx(b, rel=1e-12)
    for z in (1000.0, -1000.0):
        v = Value(z)
        out = losses.binary_cross_entropy([v], [1.0], from_logits=True)
        out.backward()
        assert math.isfinite(out.data) and math.isfinite(v.grad)
    assert losses.binary_cross_entropy([Value(-1000.0)], [1.0], from_logits=True).data == 1000.0


def test_bce_logits_gradient_at_zero_is_sigmoid_minus_target():
    z = Value(0.0)
    losses.binary_cross_entropy([z], [1.0], from_logits=True).backward()
    assert z.grad == -0.5


def test_bce_with_probabilities_exactly_zero_or_one_has_no_nan():
    for p, y, expected in [(0.0, 1.0, 100.0), (1.0, 0.0, 100.0), (1.0, 1.0, 0.0),
                           (0.0, 0.0, 0.0)]:
        v = Value(p)
        out = losses.binary_cross_entropy([v], [y])
        out.backward()
        assert out.data == pytest.approx(expected) and math.isfinite(v.grad)


def test_cross_entropy_value_and_stability():
    logits = [Value(2.0), Value(1.0), Value(0.1)]
    expected = -math.log(math.exp(2.0) / sum(math.exp(v) for v in (2.0, 1.0, 0.1)))
    assert losses.cross_entropy([logits], [0]).data == pytest.approx(expected)
    big = [Value(1000.0), Value(-1000.0)]
    assert losses.cross_entropy([big], [1]).data == pytest.approx(2000.0)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    logits = [Value(2.0), Value(1.0), Value(0.1)]
    losses.cross_entropy([logits], [1]).backward()
    exps = [math.exp(v) for v in (2.0, 1.0, 0.1)]
    softmax = [e / sum(exps) for e in exps]
    assert [v.grad for v in logits] == pytest.approx([softmax[0], softmax[1] - 1, softmax[2]])


def test_class_weighted_mean_divides_by_the_weight_sum():
    logits = [[Value(1.0), Value(0.0)], [Value(0.0), Value(1.0)]]
    per_sample = [losses.cross_entropy([row], [t]).data for row, t in zip(logits, [0, 0])]
    weighted = losses.cross_entropy(logits, [0, 0], weights={0: 3.0, 1: 1.0}).data
    assert weighted == pytest.approx(sum(per_sample) / 2)  # both class 0: weights cancel
    mixed = losses.cross_entropy(logits, [0, 1], weights={0: 3.0, 1: 1.0}).data
    l0 = losses.cross_entropy([logits[0]], [0]).data
    l1 = losses.cross_entropy([logits[1]], [1]).data
    assert mixed == pytest.approx((3 * l0 + 1 * l1) / 4)


def test_hinge_is_micrograds_max_margin():
    scores = [Value(0.5), Value(-2.0), Value(3.0)]
    assert losses.hinge(scores, [1, 1, -1]).data == pytest.approx((0.5 + 3.0 + 4.0) / 3)


def test_loss_errors_name_the_problem():
    with pytest.raises(ValueError, match="shape mismatch, 2 predictions but 1 targets"):
        losses.mse([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*from_logits=True"):
        losses.binary_cross_entropy([Value(2.0)], [1.0])
    with pytest.raises(ValueError, match="targets must be -1 or \\+1.*2\\*y - 1"):
        losses.hinge([Value(1.0)], [0])
    with pytest.raises(ValueError, match="not a class index in 0..1"):
        losses.cross_entropy([[Value(1.0), Value(2.0)]], [2])
    with pytest.raises(ValueError, match="one list of class scores per sample"):
        losses.cross_entropy([Value(1.0), Value(2.0)], [0, 1])
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum'"):
        losses.mse([Value(1.0)], [1.0], reduction="avg")
    with pytest.raises(ValueError, match="no entry for class 1"):
        losses.binary_cross_entropy([Value(0.5)], [1], weights={0: 1.0})
    with pytest.raises(ValueError, match="the batch is empty"):
        losses.mse([], [])
    with pytest.raises(ValueError, match="unknown loss 'l2'"):
        losses.get("l2")
