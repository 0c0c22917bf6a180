"""Optimisers step by step against their published update rules; clipping as PyTorch."""

import inspect
import math

import pytest

from autograd import Value
from nn import optim

GRADS = [0.5, -1.5, 2.0, 0.25, -0.75, 1.0]
START = 1.2


def run(opt_class, **hyper):
    """Apply the optimiser to one parameter fed GRADS (+ whatever weight decay adds)."""
    p = Value(START)
    opt = opt_class([p], **hyper)
    trace = []
    for g in GRADS:
        opt.zero_grad()
        p.grad = g
        opt.step()
        trace.append(p.data)
    return trace


def reference_sgd(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    p, buf, trace = START, None, []
    for t, g in enumerate(GRADS):
        g = g + weight_decay * p
        if momentum:
            buf = g if t == 0 else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        trace.append(p)
    return trace


@pytest.mark.parametrize("hyper", [
    {"lr": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
])
def test_sgd(hyper):
    assert run(optim.SGD, **hyper) == pytest.approx(reference_sgd(**hyper), rel=1e-14)


def test_plain_sgd_first_step_by_hand():
    assert run(optim.SGD, lr=0.1)[0] == pytest.approx(1.2 - 0.1 * 0.5)


def test_adagrad():
    lr, decay, eps = 0.1, 0.01, 1e-10
    p, total, expected = START, 0.0, []
    for t, g in enumerate(GRADS, 1):
        total += g * g
        p -= lr / (1 + (t - 1) * decay) * g / (math.sqrt(total) + eps)
        expected.append(p)
    assert run(optim.Adagrad, lr=lr, lr_decay=decay) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("centered, momentum", [(False, 0.0), (True, 0.0), (False, 0.9),
                                                (True, 0.5)])
def test_rmsprop(centered, momentum):
    lr, alpha, eps = 0.01, 0.99, 1e-8
    p, sq, avg_g, buf, expected = START, 0.0, 0.0, 0.0, []
    for g in GRADS:
        sq = alpha * sq + (1 - alpha) * g * g
        if centered:
            avg_g = alpha * avg_g + (1 - alpha) * g
            denom = math.sqrt(sq - avg_g**2) + eps
        else:
            denom = math.sqrt(sq) + eps
        if momentum:
            buf = momentum * buf + g / denom
            p -= lr * buf
        else:
            p -= lr * g / denom
        expected.append(p)
    got = run(optim.RMSprop, lr=lr, centered=centered, momentum=momentum)
    assert got == pytest.approx(expected, rel=1e-13)


def reference_adam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, amsgrad=False,
                   decoupled=False):
    # Kingma & Ba, Algorithm 1, with PyTorch's placement of ε and weight decay.
    p, m, v, vmax, expected = START, 0.0, 0.0, 0.0, []
    for t, g in enumerate(GRADS, 1):
        if decoupled:
            p *= 1 - lr * wd
        else:
            g += wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        vmax = max(vmax, v)
        v_hat = (vmax if amsgrad else v) / (1 - b2**t)
        p -= lr * m_hat / (math.sqrt(v_hat) + eps)
        expected.append(p)
    return expected


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam(amsgrad, wd):
    got = run(optim.Adam, lr=0.01, weight_decay=wd, amsgrad=amsgrad)
    assert got == pytest.approx(reference_adam(lr=0.01, wd=wd, amsgrad=amsgrad), rel=1e-12)


def test_adamw_decouples_weight_decay():
    got = run(optim.AdamW, lr=0.01, weight_decay=0.1)
    assert got == pytest.approx(reference_adam(lr=0.01, wd=0.1, decoupled=True), rel=1e-12)
    assert got != pytest.approx(reference_adam(lr=0.01, wd=0.1), rel=1e-9)


def test_adam_first_step_moves_by_lr():
    assert run(optim.Adam, lr=0.01)[0] == pytest.approx(START - 0.01, rel=1e-9)


def test_pytorch_defaults():
    p = [Value(1.0)]
    assert optim.SGD(p).lr == 0.01
    assert optim.Adam(p).hyperparameters() == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                               "weight_decay": 0.0, "amsgrad": False}
    assert optim.AdamW(p).weight_decay == 1e-2
    assert (optim.RMSprop(p).alpha, optim.RMSprop(p).lr) == (0.99, 0.01)
    assert optim.Adagrad(p).eps == 1e-10


def test_state_dict_round_trip_continues_identically():
    a, b = Value(START), Value(START)
    opt_a, opt_b = optim.Adam([a], lr=0.1), optim.Adam([b], lr=0.1)
    for g in GRADS[:3]:
        a.grad = b.grad = g
        opt_a.step()
        opt_b.step()
    fresh = optim.Adam([b], lr=0.1)
    fresh.load_state_dict(opt_a.state_dict())
    for g in GRADS[3:]:
        a.grad = b.grad = g
        opt_a.step()
        fresh.step()
    assert a.data == b.data


def test_optimizer_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(ValueError, match="lr must be a finite number ≥ 0, got -1"):
        optim.SGD([Value(1.0)], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        optim.SGD([Value(1.0)], nesterov=True)
    with pytest.raises(TypeError, match="parameters must be Values, got float"):
        optim.Adam([1.0])


def test_clip_grad_value():
    ps = [Value(0.0), Value(0.0), Value(0.0)]
    for p, g in zip(ps, [5.0, -0.2, -3.0]):
        p.grad = g
    optim.clip_grad_value(ps, 1.0)
    assert [p.grad for p in ps] == [1.0, -0.2, -1.0]


def test_clip_grad_norm_returns_the_norm_and_scales_like_pytorch():
    ps = [Value(0.0), Value(0.0)]
    ps[0].grad, ps[1].grad = 3.0, 4.0
    total = optim.clip_grad_norm(ps, 1.0)
    assert total == 5.0
    assert [p.grad for p in ps] == pytest.approx([3 / (5 + 1e-6), 4 / (5 + 1e-6)])
    ps[0].grad, ps[1].grad = 0.3, 0.4
    assert optim.clip_grad_norm(ps, 1.0) == pytest.approx(0.5)
    assert (ps[0].grad, ps[1].grad) == (0.3, 0.4)  # below the limit: unchanged
    ps[0].grad, ps[1].grad = -7.0, 2.0
    assert optim.clip_grad_norm(ps, 2.0, norm_type=math.inf) == 7.0


def test_hyperparameter_names_come_from_the_constructor():
    for cls in (optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW):
        signature = inspect.signature(cls).parameters
        names = set(cls([Value(1.0)]).hyperparameters())
        assert names == set(signature) - {"params"}, cls.__name__
        assert cls([Value(1.0)]).hyperparameters() == {
            name: p.default for name, p in signature.items() if name != "params"}


@pytest.mark.parametrize("cls, kw", [
    (optim.Adam, {"eps": 0.0}),
    (optim.AdamW, {"eps": 0.0, "amsgrad": True}),
    (optim.RMSprop, {"eps": 0.0}),
    (optim.RMSprop, {"eps": 0.0, "centered": True, "momentum": 0.9}),
    (optim.Adagrad, {"eps": 0.0}),
])
def test_eps_zero_and_a_zero_gradient_is_a_zero_step_not_zero_over_zero(cls, kw):
    p = Value(1.5)
    opt = cls([p], lr=0.1, weight_decay=0.0, **kw)
    for _ in range(3):
        p.grad = 0.0
        opt.step()
    assert p.data == 1.5
    p.grad = 0.5  # then a real gradient moves it
    opt.step()
    assert p.data < 1.5 and math.isfinite(p.data)


def test_eps_zero_with_an_underflowing_square_is_a_clear_error():
    p = Value(1.0, label="w")
    opt = optim.Adam([p], eps=0.0)
    p.grad = 1e-170  # g² underflows to 0, m does not
    with pytest.raises(FloatingPointError, match="'w' divides its gradient.*use eps > 0"):
        opt.step()
    assert p.data == 1.0


def test_centered_rmsprop_never_takes_the_root_of_a_negative_variance():
    # With a constant gradient v − ḡ² = αᵗ(1−αᵗ)g² underflows below rounding: at step 17 it
    # comes out as −4.4e-16 here (PyTorch: sqrt gives NaN; before: "math domain error").
    g, alpha, lr, eps = 1.8143449615037814, 0.1, 1e-12, 1e-8
    p = Value(0.0)
    opt = optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps, centered=True)
    sq = avg = expected = 0.0
    negative_seen = False
    for _ in range(17):
        p.grad = g
        opt.step()
        sq = alpha * sq + (1 - alpha) * g * g
        avg = alpha * avg + (1 - alpha) * g
        negative_seen |= sq - avg * avg < 0
        expected -= lr * g / (math.sqrt(max(sq - avg * avg, 0.0)) + eps)
    assert negative_seen
    assert p.data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("cls", [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam,
                                 optim.AdamW])
def test_a_non_finite_gradient_is_named_and_changes_nothing(cls, bad):
    a, b = Value(1.0, label="layers.0.neurons.0.w.0"), Value(2.0, label="layers.0.neurons.0.b")
    opt = cls([a, b])
    a.grad, b.grad = 0.5, bad
    with pytest.raises(FloatingPointError, match="gradient of 'layers.0.neurons.0.b' is"):
        opt.step()
    assert (a.data, b.data, opt.steps) == (1.0, 2.0, 0)


def test_an_update_that_overflows_is_named_and_changes_nothing():
    a, b = Value(1.0, label="first"), Value(1.7e308, label="huge")
    opt = optim.SGD([a, b], lr=1.0)
    a.grad, b.grad = 1.0, -1.7e308
    with pytest.raises(FloatingPointError, match="updating 'huge'.*overflowed.*lower the lea"):
        opt.step()
    assert (a.data, b.data) == (1.0, 1.7e308)
    unlabelled = Value(1.0)
    opt = optim.Adam([unlabelled])
    unlabelled.grad = 1e200  # g² overflows the second moment
    with pytest.raises(FloatingPointError, match="parameter 0 \\(unlabelled\\)"):
        opt.step()


def test_load_state_dict_checks_the_hyperparameters():
    opt = optim.Adam([Value(1.0)])
    state = opt.state_dict()
    state["hyperparameters"]["betas"] = [0.9, 1.5]
    with pytest.raises(ValueError, match=r"betas\[1\] must be a finite number in \[0, 1\)"):
        opt.load_state_dict(state)
    state["hyperparameters"] = {"lr": 0.1, "momentum": 0.9}
    with pytest.raises(ValueError, match="do not fit Adam"):
        opt.load_state_dict(state)
    good = optim.Adam([Value(1.0)], lr=0.5, betas=(0.8, 0.9)).state_dict()
    good["hyperparameters"]["betas"] = list(good["hyperparameters"]["betas"])  # as JSON gives
    opt.load_state_dict(good)
    assert (opt.lr, opt.betas) == (0.5, (0.8, 0.9))


def test_clip_grad_norm_of_huge_gradients_does_not_overflow():
    ps = [Value(0.0), Value(0.0)]
    ps[0].grad, ps[1].grad = 3e200, 4e200
    assert optim.clip_grad_norm(ps, 1.0) == pytest.approx(5e200)
    assert [p.grad for p in ps] == pytest.approx([0.6, 0.8])
    ps[0].grad, ps[1].grad = 0.0, 0.0
    assert optim.clip_grad_norm(ps, 1.0, norm_type=1.0) == 0.0
