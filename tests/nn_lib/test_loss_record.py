"""One Loss record per loss: names in one table, one formula for the batch and replay forms,
decisions on arrays, targets checked, one calling convention for a loss of your own."""

import math
import random

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from nn import losses
from nn.losses import Loss

rng = random.Random(3)
TOLERANCE = 1e-12


def test_every_name_and_alias_gives_its_record_from_one_table():
    for name, record in losses.LOSSES.items():
        assert isinstance(record, Loss) and losses.get(name) is record
        assert name == record.name or name in record.aliases
    assert losses.get("bce") is losses.get("binary_cross_entropy") is losses.BCE
    assert losses.get(losses.HINGE) is losses.HINGE
    with pytest.raises(ValueError, match="unknown loss 'l2'; use one of mse, mae, "
                                         "binary_cross_entropy, bce, bce_with_logits"):
        losses.get("l2")


def test_a_function_becomes_a_record_with_its_batch_form():
    def quartic(outputs, targets):
        return autograd.sum([(o - t) ** 4 for o, t in zip(outputs, targets)]) / len(outputs)

    record = losses.get(quartic)
    assert record.custom and record.name == "quartic"
    outs = [Value(1.0), Value(3.0)]
    assert record(outs, [0.0, 1.0]).data == quartic(outs, [0.0, 1.0]).data == 8.5
    assert record.per_sample(Value(3.0), 1.0).data == 16.0  # the function on a batch of one
    with pytest.raises(TypeError, match="own reduction and weights"):
        record(outs, [0.0, 1.0], reduction="sum")


# --- one formula: the batch form (targets as numbers) and the replay form (targets as Values,
# encoded) give the same numbers ------------------------------------------------------------
def random_case(name):
    n, k = rng.randint(1, 5), rng.randint(2, 4)
    if name == "cross_entropy":
        return [[rng.gauss(0, 3) for _ in range(k)] for _ in range(n)], \
            [rng.randrange(k) for _ in range(n)], k
    if name in ("binary_cross_entropy", "bce"):
        preds = [rng.choice([rng.random(), 0.0, 1.0, 1e-60]) for _ in range(n)]
        return preds, [rng.choice([0, 1, rng.random()]) for _ in range(n)], 1
    targets = [rng.choice([-1, 1]) for _ in range(n)] if name == "hinge" else \
        [rng.choice([0, 1, rng.random()]) for _ in range(n)]
    return [rng.gauss(0, 4) for _ in range(n)], targets, 1


@pytest.mark.parametrize("name", ["mse", "mae", "binary_cross_entropy", "bce_with_logits",
                                  "cross_entropy", "hinge"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_the_batch_loss_is_the_replay_form_summed_or_averaged(name, reduction):
    """The batch form takes shortcuts the numbers allow (a class's score by index, a term
    times an exact 0 left out, the softmax's shift as a number); the replay form records
    the full formula with the targets as Values. Values and gradients must agree."""
    record = losses.get(name)
    for _ in range(20):
        preds, targets, k = random_case(name)
        batch_in = [[Value(v) for v in p] if isinstance(p, list) else Value(p) for p in preds]
        batch = record(batch_in, targets, reduction=reduction)
        batch.backward()
        encoded = record.encode(targets, k)
        replay_in = [[Value(v) for v in p] if isinstance(p, list) else Value(p) for p in preds]
        terms = [record.per_sample(p, [Value(v) for v in t] if np.ndim(t) else Value(float(t)),
                                   reduction)
                 for p, t in zip(replay_in, encoded.tolist())]
        total = autograd.sum(terms)
        replayed = total / len(terms) if reduction == "mean" else total
        replayed.backward()
        assert math.isclose(batch.data, replayed.data, rel_tol=TOLERANCE, abs_tol=1e-300)
        flat = [(a, b) for p, q in zip(batch_in, replay_in)
                for a, b in zip(p if isinstance(p, list) else [p],
                                q if isinstance(q, list) else [q])]
        scale = max(abs(a.grad) for a, _ in flat) or 1.0
        assert all(abs(a.grad - b.grad) <= TOLERANCE * scale for a, b in flat)


def test_a_record_from_a_formula_is_a_mean_with_exact_gradients():
    quartic = Loss("quartic", lambda out, y: (out - y) ** 4)
    assert quartic([Value(1.0), Value(3.0)], [0.0, 1.0]).data == (1 + 16) / 2
    assert quartic([Value(1.0), Value(3.0)], [0.0, 1.0], reduction="sum").data == 17.0
    assert autograd.gradcheck(lambda a, b: quartic([a, b], [0.5, -1.0]), [0.3, -0.8])


def test_multi_output_binary_cross_entropy_averages_every_output():
    """Several outputs per sample (multi-label): each output is a binary decision, and the
    mean runs over all of them, as PyTorch's BCEWithLogitsLoss on an (N, k) tensor."""
    z, y = [[0.3, -1.2], [2.0, 0.1]], [[1, 0], [0, 1]]
    by_hand = sum(math.log1p(math.exp(a)) - t * a for row, ts in zip(z, y)
                  for a, t in zip(row, ts)) / 4
    ours = losses.binary_cross_entropy([[Value(a) for a in row] for row in z], y,
                                       from_logits=True)
    assert math.isclose(ours.data, by_hand, rel_tol=TOLERANCE)


# --- decisions on arrays ------------------------------------------------------------------------
def test_decisions_on_arrays_are_the_courses_rules():
    outputs = np.array([0.2, 0.5, 0.7, 0.0, -0.1, 0.49999999])
    assert losses.BCE.labels(outputs).tolist() == [int(o >= 0.5) for o in outputs]
    assert losses.BCE_WITH_LOGITS.labels(outputs).tolist() == [int(o >= 0) for o in outputs]
    assert losses.HINGE.labels(outputs).tolist() == [1 if o > 0 else -1 for o in outputs]
    scores = np.array([[1.0, 3.0, 3.0], [0.5, -1.0, 0.2], [2.0, 2.0, 2.0]])
    assert losses.CROSS_ENTROPY.labels(scores).tolist() == [1, 0, 0]  # first on ties
    assert losses.MSE.labels(outputs) is None  # regression: nothing to decide
    with pytest.raises(ValueError, match="one score per class"):
        losses.CROSS_ENTROPY.labels(outputs)


# --- targets, for replay --------------------------------------------------------------------------
def test_targets_are_encoded_and_checked_by_their_loss():
    assert losses.CROSS_ENTROPY.encode([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert losses.BCE.encode(np.array([0, 1, 0.25]), 1).tolist() == [0.0, 1.0, 0.25]
    cases = [(losses.HINGE, [1, 0], r"fit: hinge: targets must be -1 or \+1, got 0"),
             (losses.BCE, [0.5, 2], r"target 1 must be a finite number in \[0, 1\], got 2"),
             (losses.CROSS_ENTROPY, [0, 3], r"target 3 is not a class index in 0\.\.2"),
             (losses.CROSS_ENTROPY, [True, 0], r"target True is not a class index"),
             (losses.get(lambda o, t: o[0]), ["cat", "dog"], r"needs numeric targets")]
    for record, targets, message in cases:
        with pytest.raises(ValueError, match=message):
            record.encode(targets, 3)


# --- one calling convention for a loss of your own --------------------------------------------
X = [[0.1, 0.5], [0.9, -0.3], [-0.4, 0.2], [0.3, 0.8]]
Y = [0.2, -0.1, 0.4, 0.0]


def test_a_one_sample_function_is_refused_with_the_convention():
    def one_sample(prediction, target):
        return (prediction - target) ** 2

    for engine in ("scalar", "replay"):
        with pytest.raises(TypeError, match=r"must take a batch, loss\(outputs, targets\)"):
            nn.fit(nn.MLP(2, [3, 1], seed=0), X, Y, loss=one_sample, engine=engine,
                   progress=False)
    with pytest.raises(TypeError, match=r"must take lists, loss\(outputs, targets\)"):
        nn.draw_network(nn.MLP(2, [3, 1], seed=0), X[0], target=Y[0], loss=one_sample)


def test_replay_refuses_a_loss_that_sums_where_the_scalar_engine_trains_with_it():
    def summed(outputs, targets):
        return autograd.sum([(o - t) ** 2 for o, t in zip(outputs, targets)])

    with pytest.raises(ValueError, match="needs a loss that averages over its samples"):
        nn.fit(nn.MLP(2, [3, 1], seed=0), X, Y, loss=summed, engine="replay", progress=False)
    history = nn.fit(nn.MLP(2, [3, 1], seed=0), X, Y, loss=summed, epochs=3, progress=False)
    assert history.epochs == 3


def test_a_record_trains_alike_on_both_engines():
    quartic = Loss("quartic", lambda out, y: (out - y) ** 4)
    weights = {}
    for engine in ("scalar", "replay"):
        model = nn.MLP(2, [3, 1], seed=1)
        nn.fit(model, X, Y, loss=quartic, epochs=4, batch_size=2, seed=0, engine=engine,
               optimizer=nn.optim.SGD(model.parameters(), lr=0.1), progress=False)
        weights[engine] = np.array([p.data for p in model.parameters()])
    assert np.allclose(weights["replay"], weights["scalar"], rtol=0, atol=1e-10)


def test_evaluate_accepts_a_loss_name():
    model = nn.MLP(2, [3, 1], seed=2)
    assert nn.evaluate(model, X, Y, "mse")[0] == nn.evaluate(model, X, Y, losses.mse)[0]
    with pytest.raises(ValueError, match="evaluate: unknown loss 'msee'"):
        nn.evaluate(model, X, Y, "msee")
