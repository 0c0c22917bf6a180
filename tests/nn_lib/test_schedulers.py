"""Learning-rate schedules against their closed forms."""

import pytest

from autograd import Value
from nn import optim, schedulers


def lrs(make, epochs=7, lr=0.1):
    opt = optim.SGD([Value(1.0)], lr=lr)
    sched = make(opt)
    seen = [sched.get_last_lr()[0]]
    for _ in range(epochs):
        sched.step()
        seen.append(sched.get_last_lr()[0])
    return seen


def test_step_lr():
    got = lrs(lambda o: schedulers.StepLR(o, step_size=3, gamma=0.5))
    assert got == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025] * 2)


def test_exponential_lr():
    assert lrs(lambda o: schedulers.ExponentialLR(o, gamma=0.9)) == pytest.approx(
        [0.1 * 0.9**e for e in range(8)])


def test_linear_lr_warm_up():
    got = lrs(lambda o: schedulers.LinearLR(o, start_factor=0.25, total_iters=3))
    assert got == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.1, 0.1])


def test_inverse_scaling_like_scikit_learn():
    got = lrs(lambda o: schedulers.InverseScalingLR(o, power_t=0.5))
    assert got == pytest.approx([0.1 / (t ** 0.5) for t in range(1, 9)])


def test_reduce_on_plateau():
    opt = optim.SGD([Value(1.0)], lr=1.0)
    sched = schedulers.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    seen = []
    for metric in [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8]:
        sched.step(metric)
        seen.append(opt.lr)
    # improvement at 1.0, 0.9; 3 bad epochs (> patience 2) -> halve; then 0.8 improves...
    assert seen == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]


def test_reduce_on_plateau_respects_min_lr_and_mode_max():
    opt = optim.SGD([Value(1.0)], lr=1.0)
    sched = schedulers.ReduceLROnPlateau(opt, mode="max", factor=0.1, patience=0, min_lr=0.05)
    for acc in [0.5, 0.4, 0.4, 0.4]:
        sched.step(acc)
    assert opt.lr == 0.05


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="expected an nn.optim optimiser"):
        schedulers.StepLR(object(), step_size=1)
