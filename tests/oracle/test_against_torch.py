"""PyTorch 2.13.0 as an oracle: the same numbers from an independent implementation.

torch is a test-only dependency (the ``oracle`` extra that ``make test`` installs), never a
runtime one. Everything runs in float64 so agreement is to ~1e-12.
"""

import math

import pytest
from hypothesis import assume, given, settings

import autograd
import nn
from autograd import Value, testing
from autograd.testing import Expression, expressions_with_inputs

torch = pytest.importorskip("torch")  # installed by `make test`; optional for users
torch.set_default_dtype(torch.float64)


class TorchValue:
    """Just enough of the Value interface to map a form's operands into an op's domain and to
    run the call sites (``1.5 - a``, ``2 ** a.tanh()``) on torch tensors; the ops themselves
    run as their registered PyTorch twins (:func:`autograd.ops.torch_twin`)."""

    def __init__(self, t):
        self.t = t

    def _w(self, other):
        return other.t if isinstance(other, TorchValue) else other

    def __add__(self, o): return TorchValue(self.t + self._w(o))
    def __radd__(self, o): return TorchValue(self._w(o) + self.t)
    def __sub__(self, o): return TorchValue(self.t - self._w(o))
    def __rsub__(self, o): return TorchValue(self._w(o) - self.t)
    def __mul__(self, o): return TorchValue(self.t * self._w(o))
    def __rmul__(self, o): return TorchValue(self._w(o) * self.t)
    def __truediv__(self, o): return TorchValue(self.t / self._w(o))
    def __rtruediv__(self, o): return TorchValue(self._w(o) / self.t)
    def __rpow__(self, o): return TorchValue(torch.tensor(float(o)) ** self.t)
    def tanh(self): return TorchValue(torch.tanh(self.t))
    def sigmoid(self): return TorchValue(torch.sigmoid(self.t))
    @property
    def data(self): return self.t.item()


def run_torch(expr: Expression, xs):
    """Evaluate an Expression with torch: each op form by the op's PyTorch twin, the call
    sites on TorchValues (autograd's n-ary functions swapped for torch sums)."""
    import autograd.reductions as red

    leaves = [torch.tensor(x, requires_grad=True) for x in xs]
    def t(v):
        return v.t if isinstance(v, TorchValue) else v

    def dot(ws, vs):
        return TorchValue(_torch_sum([t(w) * t(v) for w, v in zip(ws, vs)]))

    saved = red.sum, red.dot, red.matvec
    red.sum = lambda vals: TorchValue(_torch_sum([t(v) for v in vals]))
    red.dot = dot
    red.matvec = lambda rows, vs: [dot(row, vs) for row in rows]
    try:
        slots = [TorchValue(leaf) for leaf in leaves]
        for name, args in expr.program:
            form = testing.form(name)
            operands = [slots[i] for i in args]
            if form.op is None:
                slots.append(form.function(*operands))
                continue
            inputs = [t(x) for x in form.op_inputs(operands)]
            twin = autograd.ops.torch_twin(form.op)
            slots.append(TorchValue(twin(*form.op.arguments(inputs))))
        out = red.sum([slots[-1], *slots[:expr.n_inputs]])
    finally:
        red.sum, red.dot, red.matvec = saved
    return out.t, leaves


_torch_sum = autograd.ops._torch_sum


@settings(max_examples=150)
@given(expressions_with_inputs())
def test_random_graphs_match_torch_autograd(case):
    expr, xs = case
    assume(expr.well_conditioned(xs))
    values = [Value(x) for x in xs]
    out = expr(*values)
    out.backward()
    t_out, leaves = run_torch(expr, xs)
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-12, abs=1e-12)
    for v, leaf in zip(values, leaves):
        expected = 0.0 if leaf.grad is None else float(leaf.grad)
        assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_second_derivatives_match_torch():
    def f(x, y):
        return (x * y).tanh() * x.exp() + (x ** 3) / (y * y + 1)

    x0, y0 = 0.7, -0.4
    ours = [[autograd.grad(autograd.grad(f, i), j)(x0, y0) for j in (0, 1)] for i in (0, 1)]
    theirs = torch.autograd.functional.hessian(
        lambda x, y: torch.tanh(x * y) * torch.exp(x) + x**3 / (y * y + 1),
        (torch.tensor(x0), torch.tensor(y0)))
    flat = [ours[i][j] for i in (0, 1) for j in (0, 1)]
    assert flat == pytest.approx([float(theirs[i][j]) for i in (0, 1) for j in (0, 1)],
                                 rel=1e-10)


GRADS = [0.5, -1.5, 2.0, 0.25, -0.75, 1.0, 3.0, -0.1]


def run_both(ours_cls, torch_cls, ours_kw, torch_kw):
    p = Value(1.2)
    opt = ours_cls([p], **ours_kw)
    tp = torch.nn.Parameter(torch.tensor(1.2))
    topt = torch_cls([tp], **torch_kw)
    for g in GRADS:
        p.grad = g
        opt.step()
        tp.grad = torch.tensor(g)
        topt.step()
        assert p.data == pytest.approx(tp.item(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name, kw", [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
])
def test_optimisers_match_torch_step_by_step(name, kw):
    run_both(getattr(nn.optim, name), getattr(torch.optim, name), kw, kw)


@pytest.mark.parametrize("name, kw", [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4}),
    ("LinearLR", {}),
])
def test_schedules_match_torch(name, kw):
    ours_opt = nn.optim.SGD([Value(1.0)], lr=0.1)
    ours = getattr(nn.schedulers, name)(ours_opt, **kw)
    tp = torch.nn.Parameter(torch.tensor(1.0))
    theirs_opt = torch.optim.SGD([tp], lr=0.1)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kw)
    for _ in range(10):
        assert ours.get_last_lr()[0] == pytest.approx(theirs.get_last_lr()[0], rel=1e-12)
        theirs_opt.step()
        ours.step()
        theirs.step()


def test_reduce_on_plateau_matches_torch():
    ours_opt = nn.optim.SGD([Value(1.0)], lr=1.0)
    ours = nn.schedulers.ReduceLROnPlateau(ours_opt, factor=0.5, patience=2, cooldown=1,
                                           min_lr=0.01)
    tp = torch.nn.Parameter(torch.tensor(1.0))
    theirs_opt = torch.optim.SGD([tp], lr=1.0)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, factor=0.5, patience=2,
                                                        cooldown=1, min_lr=0.01)
    for metric in [1.0, 0.9, 0.9, 0.95, 0.9, 0.91, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]:
        ours.step(metric)
        theirs.step(metric)
        assert ours_opt.lr == pytest.approx(theirs_opt.param_groups[0]["lr"])


def test_losses_match_torch_in_value_and_gradient():
    F = torch.nn.functional
    logits = [[0.2, -1.0, 0.5], [1.5, 0.3, -0.2], [-0.4, 0.1, 0.9]]
    targets = [2, 0, 1]
    weights = [0.5, 2.0, 1.0]
    values = [[Value(v) for v in row] for row in logits]
    ours = nn.losses.cross_entropy(values, targets, weights=dict(enumerate(weights)))
    ours.backward()
    t_logits = torch.tensor(logits, requires_grad=True)
    theirs = F.cross_entropy(t_logits, torch.tensor(targets), weight=torch.tensor(weights))
    theirs.backward()
    assert ours.data == pytest.approx(theirs.item(), rel=1e-12)
    assert [v.grad for row in values for v in row] == pytest.approx(
        t_logits.grad.flatten().tolist(), rel=1e-10)

    zs, ys = [0.3, -2.0, 4.0], [1.0, 0.0, 0.3]
    for from_logits in (True, False):
        vals = [Value(z) for z in zs]
        preds = vals if from_logits else [v.sigmoid() for v in vals]
        loss = nn.losses.binary_cross_entropy(preds, ys, from_logits=from_logits)
        loss.backward()
        tz = torch.tensor(zs, requires_grad=True)
        t_loss = (F.binary_cross_entropy_with_logits(tz, torch.tensor(ys)) if from_logits
                  else F.binary_cross_entropy(torch.sigmoid(tz), torch.tensor(ys)))
        t_loss.backward()
        assert loss.data == pytest.approx(t_loss.item(), rel=1e-12)
        assert [v.grad for v in vals] == pytest.approx(tz.grad.tolist(), rel=1e-10)

    preds, ts = [0.5, -1.0, 2.0], [0.0, -0.5, 3.5]
    for ours_fn, torch_fn in [(nn.losses.mse, F.mse_loss), (nn.losses.mae, F.l1_loss)]:
        vals = [Value(p) for p in preds]
        loss = ours_fn(vals, ts)
        loss.backward()
        tp = torch.tensor(preds, requires_grad=True)
        t_loss = torch_fn(tp, torch.tensor(ts))
        t_loss.backward()
        assert loss.data == pytest.approx(t_loss.item())
        assert [v.grad for v in vals] == pytest.approx(tp.grad.tolist())


def test_bce_at_exact_zero_and_one_matches_torchs_clamp():
    ours = nn.losses.binary_cross_entropy([Value(0.0), Value(1.0)], [1.0, 1.0]).data
    theirs = torch.nn.functional.binary_cross_entropy(torch.tensor([0.0, 1.0]),
                                                      torch.tensor([1.0, 1.0]))
    assert ours == pytest.approx(theirs.item())


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu"])
def test_activations_match_torch(name):
    for x in (-2.5, -0.3, 0.4, 3.0):
        v = Value(x)
        out = nn.activations.get(name)(v)
        out.backward()
        t = torch.tensor(x, requires_grad=True)
        t_out = getattr(torch.nn.functional, name)(t)
        t_out.backward()
        assert out.data == pytest.approx(t_out.item(), rel=1e-12)
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-12)


def test_softmax_matches_torch():
    xs = [0.3, -1.2, 2.0, 0.0]
    vals = [Value(x) for x in xs]
    probs = nn.activations.softmax(vals)
    (probs[0] * 2 + probs[2]).backward()
    t = torch.tensor(xs, requires_grad=True)
    tp = torch.softmax(t, 0)
    (tp[0] * 2 + tp[2]).backward()
    assert [p.data for p in probs] == pytest.approx(tp.tolist(), rel=1e-12)
    assert [v.grad for v in vals] == pytest.approx(t.grad.tolist(), rel=1e-10)


@pytest.mark.parametrize("name, param", [("linear", None), ("sigmoid", None), ("tanh", None),
                                         ("relu", None), ("leaky_relu", None),
                                         ("leaky_relu", 0.2), ("selu", None)])
def test_gains_match_torch(name, param):
    assert nn.init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param))


def test_clip_grad_norm_matches_torch():
    grads = [3.0, -4.0, 12.0]
    ours = [Value(0.0) for _ in grads]
    for p, g in zip(ours, grads):
        p.grad = g
    theirs = [torch.nn.Parameter(torch.tensor(0.0)) for _ in grads]
    for p, g in zip(theirs, grads):
        p.grad = torch.tensor(g)
    for norm_type in (2.0, 1.0, math.inf):
        ours_norm = nn.optim.clip_grad_norm(ours, 5.0, norm_type)
        theirs_norm = torch.nn.utils.clip_grad_norm_(theirs, 5.0, norm_type)
        assert ours_norm == pytest.approx(float(theirs_norm))
        assert [p.grad for p in ours] == pytest.approx([float(p.grad) for p in theirs])


def test_gradcheck_agrees_with_torch_gradcheck_defaults():
    import inspect

    defaults = inspect.signature(torch.autograd.gradcheck).parameters
    ours = inspect.signature(autograd.gradcheck).parameters
    for name in ("eps", "atol", "rtol"):
        assert ours[name].default == defaults[name].default


def test_training_an_mlp_matches_torch_step_for_step():
    X, y = nn.data.make_moons(16, noise=0.1, seed=0)
    model = nn.MLP(2, [5, 3], activation="tanh", seed=0)
    layers = []
    for layer in model.layers:
        linear = torch.nn.Linear(layer.nin, layer.nout)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons]))
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons]))
        layers.append(linear)
    torch_model = torch.nn.Sequential(layers[0], torch.nn.Tanh(), layers[1])
    ours_opt = nn.optim.Adam(model.parameters(), lr=0.05, weight_decay=0.01)
    theirs_opt = torch.optim.Adam(torch_model.parameters(), lr=0.05, weight_decay=0.01)
    targets = [t + (i % 2) for i, t in enumerate(y)]  # three classes
    for _ in range(5):
        ours_opt.zero_grad()
        nn.losses.cross_entropy([model(x) for x in X], targets).backward()
        ours_opt.step()
        theirs_opt.zero_grad()
        torch.nn.functional.cross_entropy(torch_model(torch.tensor(X)),
                                          torch.tensor(targets)).backward()
        theirs_opt.step()
    for layer, linear in zip(model.layers, layers):
        ours_w = [w.data for n in layer.neurons for w in n.w]
        assert ours_w == pytest.approx(linear.weight.flatten().tolist(), rel=1e-9, abs=1e-12)
        assert [n.b.data for n in layer.neurons] == pytest.approx(linear.bias.tolist(),
                                                                  rel=1e-9, abs=1e-12)


# --- verdicts and edge cases found by running other projects' checks ------------------------------
def _torch_derivative(fn):
    """x ↦ d fn/dx at x, as a differentiable torch function (torch.func.grad's role)."""
    def derivative(x):
        (g,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
        return g
    return derivative


def _torch_verdict(fn, x: float, eps: float = 1e-6) -> bool:
    t = torch.tensor([x], requires_grad=True)
    return torch.autograd.gradcheck(fn, (t,), eps=eps, raise_exception=False)


def _our_verdict(fn, x: float, eps: float = 1e-6) -> bool:
    try:
        return autograd.gradcheck(fn, [x], eps=eps)
    except autograd.GradcheckError:
        return False


@pytest.mark.parametrize("name, ours, theirs, x", [
    ("(x³)' at 2", lambda v: v ** 3, lambda t: t ** 3, 2.0),
    ("tanh' at 0.3", Value.tanh, torch.tanh, 0.3),
    ("relu' at 0", Value.relu, torch.relu, 0.0),  # a jump from 0 to 1: both fail
    ("relu' at 0.5", Value.relu, torch.relu, 0.5),
    ("abs' at 0", abs, torch.abs, 0.0),  # sign jumps from -1 to 1: both fail
    ("sigmoid' at -1", Value.sigmoid, torch.sigmoid, -1.0),
])
def test_gradcheck_of_a_derivative_gives_torchs_verdict(name, ours, theirs, x):
    verdict = _torch_verdict(_torch_derivative(theirs), x)
    assert _our_verdict(autograd.grad(ours), x) is verdict, name


def test_gradcheck_of_a_derivative_inside_no_grad_gives_the_same_verdicts():
    with autograd.no_grad():
        assert _our_verdict(autograd.grad(lambda v: v ** 3), 2.0)
        assert not _our_verdict(autograd.grad(Value.relu), 0.0)


@pytest.mark.parametrize("base, exponent", [(-2.0, 3.0), (-2.0, 2.0), (-1.5, -3.0),
                                            (-3.0, 0.0), (-0.5, 5.0)])
def test_negative_base_with_an_integral_value_exponent_matches_torch(base, exponent):
    a = torch.tensor(base, requires_grad=True)
    b = torch.tensor(exponent, requires_grad=True)
    out = a ** b
    out.backward()
    y = Value(base) ** Value(exponent)
    assert y.data == pytest.approx(out.item(), rel=1e-15)
    assert autograd.grad(lambda p, q: p ** q)(base, exponent) == pytest.approx(
        a.grad.item(), rel=1e-13)
    # torch's exponent gradient is NaN (ln of a negative base); ours refuses to give it
    assert math.isnan(b.grad.item())
    with pytest.raises(ValueError, match="exponent"):
        y.backward()
