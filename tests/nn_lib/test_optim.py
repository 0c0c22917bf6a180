"""Optimisers step by step against their published update rules; clipping as PyTorch."""

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
    with pytest.raises(ValueError, match="lr must be ≥ 0"):
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
