"""Bad input across nn: each case raises the documented exception type, and the message names
the argument (and the value). numpy inputs are accepted wherever Python's are, with the same
results."""

import math
import random
import warnings

import numpy as np
import pytest

import nn
from autograd import Value
from nn import activations, data, init, losses, optim, schedulers

NAN, INF = math.nan, math.inf
X2 = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
Y2 = [1, 1, 0, 0]


def model():
    return nn.MLP(2, [1], seed=0)


def fit(**kw):
    kw.setdefault("progress", False)
    kw.setdefault("epochs", 1)
    X, y = kw.pop("X", X2), kw.pop("y", Y2)
    return nn.fit(model(), X, y, **kw)


def params():
    return [Value(1.0, label="w")]


def sgd():
    return optim.SGD(params(), lr=0.1)


def clf(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nn.ConvergenceWarning)
        return nn.MLPClassifier(hidden_layer_sizes=(2,), max_iter=1, **kw).fit(X2, Y2)


def reg(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nn.ConvergenceWarning)
        return nn.MLPRegressor(hidden_layer_sizes=(2,), max_iter=1, **kw).fit(X2, [0.5, 1, 2, 3])


def with_grad(g, label="layers.0.neurons.0.w.1"):
    p = Value(1.0, label=label)
    p.grad = g
    return [p]


# (id, call, exception type, regex the message must match: the argument's name, the value)
CASES = [
    # --- fit ---------------------------------------------------------------------------------
    ("fit-epochs-float", lambda: fit(epochs=2.5), ValueError,
     r"epochs must be an int ≥ 1, got 2\.5"),
    ("fit-epochs-bool", lambda: fit(epochs=True), ValueError, r"epochs .* got True"),
    ("fit-epochs-zero", lambda: fit(epochs=0), ValueError, r"epochs must be an int ≥ 1, got 0"),
    ("fit-epochs-str", lambda: fit(epochs="10"), TypeError, r"epochs .* got '10'"),
    ("fit-batch-zero", lambda: fit(batch_size=0), ValueError,
     r"batch_size must be an int ≥ 1, got 0"),
    ("fit-batch-negative", lambda: fit(batch_size=-4), ValueError, r"batch_size .* got -4"),
    ("fit-batch-float", lambda: fit(batch_size=2.0), ValueError, r"batch_size .* got 2\.0"),
    ("fit-seed-float", lambda: fit(seed=0.5), ValueError, r"seed .* got 0\.5"),
    ("fit-seed-str", lambda: fit(seed="abc"), ValueError, r"seed .* got 'abc'"),
    ("fit-progress", lambda: fit(progress="yes"), ValueError, r"progress must be True or False"),
    ("fit-X-nan", lambda: fit(X=[[0.0, 1.0], [NAN, 0.0], [1, 1], [0, 0]]), ValueError,
     r"X\[1\]\[0\] \(sample 1, feature 0\) is nan"),
    ("fit-X-inf", lambda: fit(X=[[0.0, 1.0], [1.0, -INF], [1, 1], [0, 0]]), ValueError,
     r"X\[1\]\[1\] \(sample 1, feature 1\) is -inf"),
    ("fit-X-string", lambda: fit(X=[[0.0, "a"], [1, 0], [1, 1], [0, 0]]), ValueError,
     r"X\[0\]\[1\] .* is 'a', not a number"),
    ("fit-X-ragged", lambda: fit(X=[[0.0, 1.0], [1.0], [1, 1], [0, 0]]), ValueError,
     r"X is ragged"),
    ("fit-X-empty", lambda: fit(X=[], y=[]), ValueError, r"X has no samples"),
    ("fit-X-not-a-list", lambda: fit(X=3.0), ValueError, r"X must be a list of samples"),
    ("fit-y-nan", lambda: fit(y=[1.0, NAN, 0.0, 0.0], loss="mse"), ValueError,
     r"y\[1\] \(sample 1\) is nan"),
    ("fit-y-inf-output", lambda: nn.fit(nn.MLP(2, [2]), X2, [[0, 1], [1, INF], [0, 0], [1, 1]],
                                        progress=False), ValueError,
     r"y\[1\]\[1\] \(sample 1, output 1\) is inf"),
    ("fit-lengths", lambda: fit(y=[1, 0]), ValueError, r"X has 4 samples but y has 2"),
    ("fit-validation-not-pair", lambda: fit(validation=X2), ValueError,
     r"validation must be a pair"),
    ("fit-validation-nan", lambda: fit(validation=([[NAN, 0.0]], [1])), ValueError,
     r"validation X\[0\]\[0\] .* is nan"),
    ("fit-validation-features", lambda: fit(validation=([[0.0, 1.0, 2.0]], [1])), ValueError,
     r"validation X has 3 features per sample but X has 2"),
    ("fit-validation-lengths", lambda: fit(validation=([[0.0, 1.0]], [1, 0])), ValueError,
     r"validation X has 1 samples but validation y has 2"),
    ("fit-optimizer", lambda: fit(optimizer="adam"), TypeError, r"optimizer must be an nn.optim"),
    ("fit-scheduler", lambda: fit(scheduler=0.5), TypeError, r"scheduler must be"),
    ("fit-early-stopping", lambda: fit(early_stopping=5), TypeError,
     r"early_stopping must be an nn.EarlyStopping"),
    ("fit-penalty", lambda: fit(penalty=0.01), TypeError, r"penalty must be a function"),
    ("fit-loss-name", lambda: fit(loss="mse2"), ValueError, r"unknown loss 'mse2'"),
    ("fit-model", lambda: nn.fit("model", X2, Y2), TypeError, r"model must be an nn Module"),
    ("fit-diverges", lambda: fit(loss="mse", y=[1e300] * 4), FloatingPointError,
     r"epoch 1 of 1, batch 1: .*Lower the learning rate"),
    ("predict-X-nan", lambda: nn.predict(model(), [[NAN, 1.0]]), ValueError,
     r"predict: X\[0\]\[0\] \(sample 0, feature 0\) is nan"),
    ("evaluate-y-inf", lambda: nn.evaluate(model(), X2, [0, 1, INF, 0], losses.mse), ValueError,
     r"evaluate: y\[2\] \(sample 2\) is inf"),
    ("evaluate-loss-name", lambda: nn.evaluate(model(), X2, Y2, loss="mse2"), ValueError,
     r"unknown loss 'mse2'; use one of mse, "),
    ("softmax-str", lambda: activations.softmax(["a"]), TypeError,
     r"softmax: xs\[0\] is str 'a', not a Value or a number"),
    ("softmax-one-value", lambda: activations.softmax(Value(1.0)), TypeError,
     r"softmax: xs must be a list of Values or numbers"),
    # --- metrics -------------------------------------------------------------------------------
    ("accuracy-lengths", lambda: nn.accuracy([0, 1], [0]), ValueError,
     r"2 labels in y_true but 1 predictions in y_pred"),
    ("accuracy-empty", lambda: nn.accuracy([], []), ValueError, r"y_true has no samples"),
    ("accuracy-not-a-list", lambda: nn.accuracy(3, [3]), TypeError, r"y_true must be a list"),
    ("confusion-lengths", lambda: nn.confusion_matrix([0, 1], [0]), ValueError,
     r"2 labels in y_true but 1 predictions"),
    ("confusion-missing-label", lambda: nn.confusion_matrix([0, 2], [0, 1], labels=[0, 1]),
     ValueError, r"label 2 occurs but is not in labels=\[0, 1\]"),
    # --- MLPClassifier / MLPRegressor ----------------------------------------------------------
    ("clf-hidden-zero", lambda: nn.MLPClassifier(hidden_layer_sizes=(0,)).fit(X2, Y2), ValueError,
     r"hidden_layer_sizes\[0\] must be an int ≥ 1, got 0"),
    ("clf-hidden-float", lambda: nn.MLPClassifier(hidden_layer_sizes=(2.5,)).fit(X2, Y2),
     ValueError, r"hidden_layer_sizes\[0\] .* got 2\.5"),
    ("clf-hidden-str", lambda: nn.MLPClassifier(hidden_layer_sizes="10").fit(X2, Y2),
     ValueError, r"hidden_layer_sizes must be an int ≥ 1 or a sequence"),
    ("clf-lr-zero", lambda: clf(learning_rate_init=0.0), ValueError,
     r"learning_rate_init must be a finite number > 0, got 0\.0"),
    ("clf-lr-nan", lambda: clf(learning_rate_init=NAN), ValueError,
     r"learning_rate_init .* got nan"),
    ("clf-alpha", lambda: clf(alpha=-1.0), ValueError, r"alpha must be a finite number ≥ 0"),
    ("clf-batch-zero", lambda: clf(batch_size=0), ValueError, r"batch_size must be an int ≥ 1"),
    ("clf-batch-str", lambda: clf(batch_size="all"), ValueError, r"batch_size .* got 'all'"),
    ("clf-max-iter", lambda: nn.MLPClassifier(max_iter=0).fit(X2, Y2), ValueError,
     r"max_iter must be an int ≥ 1, got 0"),
    ("clf-max-iter-float", lambda: nn.MLPClassifier(max_iter=10.5).fit(X2, Y2), ValueError,
     r"max_iter .* got 10\.5"),
    ("clf-tol", lambda: clf(tol=-0.1), ValueError, r"tol must be a finite number ≥ 0"),
    ("clf-momentum", lambda: clf(momentum=1.5), ValueError,
     r"momentum must be a finite number in \[0, 1\], got 1\.5"),
    ("clf-beta1", lambda: clf(beta_1=1.0), ValueError,
     r"beta_1 must be a finite number in \[0, 1\), got 1\.0"),
    ("clf-beta2", lambda: clf(beta_2=-0.1), ValueError, r"beta_2 .* got -0\.1"),
    ("clf-epsilon", lambda: clf(epsilon=0.0), ValueError, r"epsilon must be a finite number > 0"),
    ("clf-validation-fraction", lambda: clf(validation_fraction=1.0), ValueError,
     r"validation_fraction must be a finite number in \[0, 1\)"),
    ("clf-validation-fraction-zero", lambda: clf(validation_fraction=0.0, early_stopping=True),
     ValueError, r"validation_fraction must be > 0 with early_stopping=True"),
    ("clf-n-iter-no-change", lambda: clf(n_iter_no_change=0), ValueError,
     r"n_iter_no_change must be an int ≥ 1"),
    ("clf-power-t", lambda: clf(power_t=-1.0), ValueError, r"power_t must be a finite number ≥ 0"),
    ("clf-activation", lambda: clf(activation="sigmoid"), ValueError,
     r"activation must be one of 'identity', 'logistic', 'tanh', 'relu', got 'sigmoid'"),
    ("clf-solver", lambda: clf(solver="rmsprop"), ValueError, r"solver must be one of"),
    ("clf-learning-rate", lambda: clf(learning_rate="cyclic"), ValueError,
     r"learning_rate must be one of 'constant', 'invscaling', 'adaptive'"),
    ("clf-shuffle", lambda: clf(shuffle="no"), ValueError, r"shuffle must be True or False"),
    ("clf-early-stopping", lambda: clf(early_stopping=1), ValueError,
     r"early_stopping must be True or False, got 1"),
    ("clf-warm-start", lambda: clf(warm_start=None), ValueError, r"warm_start must be True or"),
    ("clf-nesterov", lambda: clf(nesterovs_momentum=0), ValueError, r"nesterovs_momentum must"),
    ("clf-random-state", lambda: clf(random_state=1.5), ValueError,
     r"random_state must be an int, got 1\.5"),
    ("clf-verbose", lambda: clf(verbose=-1), ValueError, r"verbose must be an int ≥ 0"),
    ("clf-X-nan", lambda: nn.MLPClassifier().fit([[0.0, NAN], [1.0, 0.0]], [0, 1]), ValueError,
     r"MLPClassifier.fit: X\[0\]\[1\] \(sample 0, feature 1\) is nan"),
    ("clf-y-nan", lambda: nn.MLPClassifier().fit([[0.0], [1.0]], [0.0, NAN]), ValueError,
     r"y\[1\] \(sample 1\) is nan"),
    ("clf-X-flat", lambda: nn.MLPClassifier().fit([0.0, 1.0], [0, 1]), ValueError,
     r"X must be a list of samples, each a list of features"),
    ("clf-predict-nan", lambda: clf().predict([[INF, 0.0]]), ValueError,
     r"MLPClassifier.predict: X\[0\]\[0\] .* is inf"),
    ("clf-mixed-labels", lambda: nn.MLPClassifier().fit(X2[:3], [0, "a", 1]), TypeError,
     r"MLPClassifier.fit: y mixes label types \(int, str: e\.g\. 0, 'a'\).*same type"),
    ("clf-single-class", lambda: nn.MLPClassifier().fit([[0.0], [1.0]], [1, 1]), ValueError,
     r"y has a single class"),
    ("clf-lengths", lambda: nn.MLPClassifier().fit([[0.0], [1.0]], [0, 1, 1]), ValueError,
     r"X has 2 samples but y has 3"),
    ("clf-too-few-for-validation", lambda: nn.MLPClassifier(
        early_stopping=True, validation_fraction=0.9).fit([[0.0], [1.0]], [0, 1]), ValueError,
     r"validation_fraction=0\.9 leaves no training sample"),
    ("reg-y-inf", lambda: nn.MLPRegressor().fit([[0.0], [1.0]], [0.0, INF]), ValueError,
     r"MLPRegressor.fit: y\[1\] \(sample 1\) is inf"),
    ("reg-y-label", lambda: nn.MLPRegressor().fit([[0.0], [1.0]], [0.0, "a"]), ValueError,
     r"y\[1\] is 'a', not a number"),
    ("reg-y-ragged", lambda: nn.MLPRegressor().fit([[0.0], [1.0]], [[0.0], [1.0, 2.0]]),
     ValueError, r"y is ragged"),
    ("reg-alpha-inf", lambda: reg(alpha=INF), ValueError, r"alpha .* got inf"),
    ("reg-diverges", lambda: nn.MLPRegressor(hidden_layer_sizes=(2,), learning_rate_init=1e300,
                                             solver="sgd", max_iter=3, random_state=0)
     .fit(X2, [1e300, -1e300, 1e300, -1e300]), FloatingPointError,
     r"MLPRegressor.fit: training diverged at iteration \d.*Lower learning_rate_init"),
    # --- losses -----------------------------------------------------------------------------------
    ("ce-target-float", lambda: losses.cross_entropy([[Value(1.0), Value(0.0)]], [0.0]),
     ValueError, r"target 0\.0 is not a class index in 0\.\.1"),
    ("ce-target-range", lambda: losses.cross_entropy([[Value(1.0), Value(0.0)]], [2]),
     ValueError, r"target 2 is not a class index in 0\.\.1"),
    ("ce-target-bool", lambda: losses.cross_entropy([[Value(1.0), Value(0.0)]], [True]),
     ValueError, r"target True is not a class index"),
    ("ce-logit-nan", lambda: losses.cross_entropy([[Value(NAN), Value(0.0)]], [0]),
     FloatingPointError, r"prediction 0 is nan"),
    ("bce-target-range", lambda: losses.binary_cross_entropy([Value(0.5)], [2]), ValueError,
     r"target 0 must be a finite number in \[0, 1\], got 2"),
    ("bce-target-str", lambda: losses.binary_cross_entropy([Value(0.5)], ["1"]), ValueError,
     r"target 0 .* got '1'"),
    ("bce-target-nan", lambda: losses.binary_cross_entropy([Value(0.5)], [NAN]), ValueError,
     r"target 0 is nan"),
    ("bce-pred-range", lambda: losses.binary_cross_entropy([Value(1.5)], [1]), ValueError,
     r"predictions must be probabilities in \[0, 1\], got 1\.5"),
    ("mse-target-nan", lambda: losses.mse([Value(1.0)], [NAN]), ValueError, r"target 0 is nan"),
    ("mse-pred-inf", lambda: losses.mse([Value(1.0), INF], [0.0, 1.0]), FloatingPointError,
     r"mse: prediction 1 is inf"),
    ("mse-lengths", lambda: losses.mse([Value(1.0)], [0.0, 1.0]), ValueError,
     r"1 predictions but 2 targets"),
    ("mse-empty", lambda: losses.mse([], []), ValueError, r"the batch is empty"),
    ("mse-reduction", lambda: losses.mse([Value(1.0)], [0.0], reduction="avg"), ValueError,
     r"reduction must be 'mean' or 'sum', got 'avg'"),
    ("mse-weight-negative", lambda: losses.mse([Value(1.0)], [0.0], weights=[-1.0]),
     ValueError, r"weights\[0\] must be a finite number ≥ 0, got -1\.0"),
    ("mse-weight-nan", lambda: losses.mse([Value(1.0)], [0.0], weights=[NAN]), ValueError,
     r"weights\[0\] .* got nan"),
    ("ce-class-weight-nan", lambda: losses.cross_entropy([[Value(1.0), Value(0.0)]], [0],
                                                         weights={0: NAN, 1: 1.0}),
     ValueError, r"weights\[0\] .* got nan"),
    ("mae-preds-str", lambda: losses.mae("abc", [1.0]), TypeError, r"predictions must be a list"),
    ("hinge-target", lambda: losses.hinge([Value(1.0)], [0]), ValueError,
     r"hinge: targets must be -1 or \+1, got 0"),
    # --- optimizers -------------------------------------------------------------------------------
    ("sgd-lr-negative", lambda: optim.SGD(params(), lr=-0.1), ValueError,
     r"SGD: lr must be a finite number ≥ 0, got -0\.1"),
    ("sgd-lr-nan", lambda: optim.SGD(params(), lr=NAN), ValueError, r"lr .* got nan"),
    ("sgd-lr-str", lambda: optim.SGD(params(), lr="0.1"), TypeError, r"lr .* got '0\.1'"),
    ("sgd-momentum", lambda: optim.SGD(params(), momentum=1.5), ValueError,
     r"momentum must be a finite number in \[0, 1\], got 1\.5"),
    ("sgd-dampening", lambda: optim.SGD(params(), dampening=-1), ValueError, r"dampening .* -1"),
    ("sgd-nesterov-flag", lambda: optim.SGD(params(), nesterov="yes"), ValueError,
     r"nesterov must be True or False"),
    ("sgd-nesterov-momentum", lambda: optim.SGD(params(), nesterov=True), ValueError,
     r"Nesterov momentum needs momentum > 0.*momentum=0\.0"),
    ("sgd-weight-decay", lambda: optim.SGD(params(), weight_decay=-1e-4), ValueError,
     r"weight_decay must be a finite number ≥ 0"),
    ("sgd-empty", lambda: optim.SGD([]), ValueError, r"empty parameter list"),
    ("sgd-module", lambda: optim.SGD(nn.Neuron(2)), TypeError,
     r"params must be an iterable of Values, got Neuron; pass model\.parameters\(\)"),
    ("sgd-floats", lambda: optim.SGD([1.0]), TypeError, r"parameters must be Values, got float"),
    ("adam-betas-range", lambda: optim.Adam(params(), betas=(0.9, 1.0)), ValueError,
     r"betas\[1\] must be a finite number in \[0, 1\), got 1\.0"),
    ("adam-betas-shape", lambda: optim.Adam(params(), betas=0.9), ValueError,
     r"betas must be a pair \(beta1, beta2\)"),
    ("adam-betas-nan", lambda: optim.Adam(params(), betas=(NAN, 0.9)), ValueError,
     r"betas\[0\] .* got nan"),
    ("adam-eps", lambda: optim.Adam(params(), eps=-1e-8), ValueError, r"eps must be a finite"),
    ("adam-amsgrad", lambda: optim.Adam(params(), amsgrad=1), ValueError, r"amsgrad must be True"),
    ("adamw-lr-inf", lambda: optim.AdamW(params(), lr=INF), ValueError, r"AdamW: lr .* got inf"),
    ("rmsprop-alpha", lambda: optim.RMSprop(params(), alpha=1.5), ValueError,
     r"alpha must be a finite number in \[0, 1\], got 1\.5"),
    ("rmsprop-momentum", lambda: optim.RMSprop(params(), momentum=-0.5), ValueError,
     r"RMSprop: momentum .* got -0\.5"),
    ("rmsprop-centered", lambda: optim.RMSprop(params(), centered="no"), ValueError,
     r"centered must be True or False"),
    ("adagrad-lr-decay", lambda: optim.Adagrad(params(), lr_decay=-0.1), ValueError,
     r"lr_decay must be a finite number ≥ 0"),
    ("adagrad-initial", lambda: optim.Adagrad(params(), initial_accumulator_value=-1),
     ValueError, r"initial_accumulator_value .* got -1"),
    ("adagrad-eps", lambda: optim.Adagrad(params(), eps=INF), ValueError, r"eps .* got inf"),
    ("step-grad-nan", lambda: optim.Adam(with_grad(NAN)).step(), FloatingPointError,
     r"Adam.step: the gradient of 'layers.0.neurons.0.w.1' is nan"),
    ("step-grad-inf", lambda: optim.SGD(with_grad(INF)).step(), FloatingPointError,
     r"SGD.step: the gradient of 'layers.0.neurons.0.w.1' is inf"),
    ("step-grad-unlabelled", lambda: optim.RMSprop(with_grad(-INF, "")).step(),
     FloatingPointError, r"gradient of parameter 0 \(unlabelled\) is -inf"),
    ("clip-value-negative", lambda: optim.clip_grad_value(with_grad(1.0), -1.0), ValueError,
     r"clip_value must be a finite number ≥ 0, got -1\.0"),
    ("clip-value-nan", lambda: optim.clip_grad_value(with_grad(1.0), NAN), ValueError,
     r"clip_value .* got nan"),
    ("clip-value-grad-nan", lambda: optim.clip_grad_value(with_grad(NAN), 1.0),
     FloatingPointError, r"clip_grad_value: the gradient of 'layers.0.neurons.0.w.1' is nan"),
    ("clip-norm-max-norm", lambda: optim.clip_grad_norm(with_grad(1.0), -1.0), ValueError,
     r"max_norm must be a finite number ≥ 0, got -1\.0"),
    ("clip-norm-type-zero", lambda: optim.clip_grad_norm(with_grad(1.0), 1.0, norm_type=0),
     ValueError, r"norm_type must be a finite number > 0, got 0"),
    ("clip-norm-type-str", lambda: optim.clip_grad_norm(with_grad(1.0), 1.0, norm_type="l2"),
     TypeError, r"norm_type .* got 'l2'"),
    ("clip-norm-grad-inf", lambda: optim.clip_grad_norm(with_grad(INF), 1.0),
     FloatingPointError, r"clip_grad_norm: the gradient of .* is inf"),
    ("clip-norm-floats", lambda: optim.clip_grad_norm([1.0], 1.0), TypeError,
     r"parameters must be Values, got float"),
    # --- schedulers -------------------------------------------------------------------------------
    ("steplr-step-size", lambda: schedulers.StepLR(sgd(), step_size=0), ValueError,
     r"StepLR: step_size must be an int ≥ 1, got 0"),
    ("steplr-step-size-float", lambda: schedulers.StepLR(sgd(), step_size=2.5), ValueError,
     r"step_size .* got 2\.5"),
    ("steplr-gamma", lambda: schedulers.StepLR(sgd(), step_size=2, gamma=0), ValueError,
     r"gamma must be a finite number > 0, got 0"),
    ("exponential-gamma", lambda: schedulers.ExponentialLR(sgd(), gamma=NAN), ValueError,
     r"ExponentialLR: gamma .* got nan"),
    ("linear-start", lambda: schedulers.LinearLR(sgd(), start_factor=0), ValueError,
     r"start_factor must be a finite number in \(0, 1\], got 0"),
    ("linear-end", lambda: schedulers.LinearLR(sgd(), end_factor=1.5), ValueError,
     r"end_factor .* got 1\.5"),
    ("linear-total-iters", lambda: schedulers.LinearLR(sgd(), total_iters=0), ValueError,
     r"total_iters must be an int ≥ 1, got 0"),
    ("invscaling-power-t", lambda: schedulers.InverseScalingLR(sgd(), power_t=-0.5), ValueError,
     r"power_t must be a finite number ≥ 0, got -0\.5"),
    ("plateau-factor", lambda: schedulers.ReduceLROnPlateau(sgd(), factor=1.0), ValueError,
     r"factor must be a finite number in \(0, 1\), got 1\.0"),
    ("plateau-patience", lambda: schedulers.ReduceLROnPlateau(sgd(), patience=-1), ValueError,
     r"patience must be an int ≥ 0, got -1"),
    ("plateau-patience-float", lambda: schedulers.ReduceLROnPlateau(sgd(), patience=2.5),
     ValueError, r"patience .* got 2\.5"),
    ("plateau-threshold", lambda: schedulers.ReduceLROnPlateau(sgd(), threshold=-1), ValueError,
     r"threshold must be"),
    ("plateau-cooldown", lambda: schedulers.ReduceLROnPlateau(sgd(), cooldown=-2), ValueError,
     r"cooldown must be an int ≥ 0"),
    ("plateau-min-lr", lambda: schedulers.ReduceLROnPlateau(sgd(), min_lr=-1.0), ValueError,
     r"min_lr must be"),
    ("plateau-mode", lambda: schedulers.ReduceLROnPlateau(sgd(), mode="best"), ValueError,
     r"mode must be one of 'min', 'max', got 'best'"),
    ("plateau-threshold-mode", lambda: schedulers.ReduceLROnPlateau(sgd(), threshold_mode="x"),
     ValueError, r"threshold_mode must be one of 'rel', 'abs'"),
    ("plateau-optimizer", lambda: schedulers.ReduceLROnPlateau(object()), TypeError,
     r"expected an nn.optim optimiser"),
    ("plateau-metric-nan", lambda: schedulers.ReduceLROnPlateau(sgd()).step(NAN), ValueError,
     r"metric must be a finite number, got nan"),
    # --- regularization, layers ------------------------------------------------------------------
    ("dropout-p", lambda: nn.Dropout(p=1.5), ValueError,
     r"Dropout: p must be a finite number in \[0, 1\], got 1\.5"),
    ("dropout-p-nan", lambda: nn.Dropout(p=NAN), ValueError, r"Dropout: p .* got nan"),
    ("dropout-seed", lambda: nn.Dropout(seed=1.5), ValueError, r"Dropout: seed .* got 1\.5"),
    ("batchnorm-features", lambda: nn.BatchNorm(0), ValueError,
     r"num_features must be an int ≥ 1, got 0"),
    ("batchnorm-eps", lambda: nn.BatchNorm(2, eps=0.0), ValueError,
     r"eps must be a finite number > 0, got 0\.0"),
    ("batchnorm-momentum", lambda: nn.BatchNorm(2, momentum=2), ValueError,
     r"momentum must be a finite number in \[0, 1\], got 2"),
    ("early-patience", lambda: nn.EarlyStopping(patience=-1), ValueError,
     r"EarlyStopping: patience must be an int ≥ 0, got -1"),
    ("early-patience-float", lambda: nn.EarlyStopping(patience=2.5), ValueError,
     r"patience .* got 2\.5"),
    ("early-min-delta", lambda: nn.EarlyStopping(min_delta=-0.1), ValueError,
     r"min_delta must be a finite number ≥ 0, got -0\.1"),
    ("early-restore", lambda: nn.EarlyStopping(restore_best_weights="yes"), ValueError,
     r"restore_best_weights must be True or False"),
    ("early-metric-nan", lambda: nn.EarlyStopping().step(NAN), ValueError,
     r"metric must be a finite number, got nan"),
    ("prune-amount", lambda: nn.magnitude_prune(params(), 1.5), ValueError,
     r"magnitude_prune: amount must be a finite number in \[0, 1\], got 1\.5"),
    ("prune-amount-nan", lambda: nn.magnitude_prune(params(), NAN), ValueError,
     r"amount .* got nan"),
    ("prune-params", lambda: nn.magnitude_prune([1.0], 0.5), TypeError,
     r"parameters must be Values, got float"),
    ("neuron-nin", lambda: nn.Neuron(0), ValueError, r"Neuron: nin must be an int ≥ 1, got 0"),
    ("neuron-nin-float", lambda: nn.Neuron(2.0), ValueError, r"nin .* got 2\.0"),
    ("neuron-fused", lambda: nn.Neuron(2, fused="yes"), ValueError, r"fused must be True or"),
    ("neuron-seed", lambda: nn.Neuron(2, seed="s"), ValueError, r"Neuron: seed .* got 's'"),
    ("neuron-rng", lambda: nn.Neuron(2, rng=42), TypeError, r"rng must be a random.Random"),
    ("layer-nout", lambda: nn.Layer(2, 0), ValueError, r"Layer: nout must be an int ≥ 1, got 0"),
    ("layer-nin", lambda: nn.Layer(-1, 2), ValueError, r"Layer: nin .* got -1"),
    ("mlp-nouts-int", lambda: nn.MLP(2, 1), ValueError, r"nouts must be a non-empty list"),
    ("mlp-nouts-empty", lambda: nn.MLP(2, []), ValueError, r"nouts must be a non-empty list"),
    ("mlp-nouts-zero", lambda: nn.MLP(2, [4, 0]), ValueError,
     r"nouts\[1\] must be an int ≥ 1, got 0"),
    ("mlp-nouts-float", lambda: nn.MLP(2, [4.5, 1]), ValueError, r"nouts\[0\] .* got 4\.5"),
    ("mlp-dropout", lambda: nn.MLP(2, [4, 1], dropout=1.0), ValueError,
     r"MLP: dropout must be a finite number in \[0, 1\), got 1\.0"),
    ("mlp-dropout-negative", lambda: nn.MLP(2, [4, 1], dropout=-0.1), ValueError,
     r"dropout .* got -0\.1"),
    ("mlp-activation", lambda: nn.MLP(2, [1], activation="relux"), ValueError,
     r"unknown activation 'relux'"),
    ("mlp-input-nan", lambda: model()([0.0, NAN]), ValueError, r"MLP: input 1 is nan"),
    ("mlp-input-length", lambda: model()([0.0]), ValueError,
     r"MLP expects 2 inputs per sample but got 1"),
    ("mlp-input-str", lambda: model()("ab"), TypeError, r"expects one sample.*got str"),
    # --- initializers --------------------------------------------------------------------------
    ("init-fan-in", lambda: init.he_uniform(0, 1, 3, random.Random(0)), ValueError,
     r"he_uniform: fan_in must be an int ≥ 1, got 0"),
    ("init-fan-out", lambda: init.xavier_normal(3, 0, 3, random.Random(0)), ValueError,
     r"xavier_normal: fan_out must be an int ≥ 1, got 0"),
    ("init-size", lambda: init.normal(3, 3, -1, random.Random(0)), ValueError,
     r"size must be an int ≥ 0, got -1"),
    ("init-gain", lambda: init.xavier_uniform(3, 3, 3, random.Random(0), gain=-1.0), ValueError,
     r"gain must be a finite number ≥ 0, got -1\.0"),
    ("init-gain-nan", lambda: init.he_normal(3, 3, 3, random.Random(0), gain=NAN), ValueError,
     r"gain .* got nan"),
    ("init-std", lambda: init.normal(3, 3, 3, random.Random(0), std=-1.0), ValueError,
     r"std must be a finite number ≥ 0"),
    ("init-uniform-bounds", lambda: init.uniform(3, 3, 3, random.Random(0), a=1.0, b=0.0),
     ValueError, r"uniform: a must be ≤ b=0\.0, got 1\.0"),
    ("init-constant-inf", lambda: init.constant(3, 3, 3, random.Random(0), value=INF),
     ValueError, r"value .* got inf"),
    ("init-rng", lambda: init.zeros(3, 3, 3, 0), TypeError, r"rng must be a random.Random"),
    ("init-name", lambda: init.get("heh"), ValueError, r"unknown initializer 'heh'"),
    ("gain-param", lambda: init.calculate_gain("leaky_relu", NAN), ValueError,
     r"param must be a finite number, got nan"),
    # --- Perceptron ----------------------------------------------------------------------------
    ("perceptron-nin", lambda: nn.Perceptron(0), ValueError,
     r"Perceptron: nin must be an int ≥ 1"),
    ("perceptron-lr", lambda: nn.Perceptron(2, lr=0.0), ValueError,
     r"Perceptron: lr must be a finite number > 0, got 0\.0"),
    ("perceptron-threshold", lambda: nn.Perceptron(2, threshold=NAN), ValueError,
     r"threshold .* got nan"),
    ("perceptron-epochs", lambda: nn.Perceptron(2).fit(X2, Y2, epochs=0), ValueError,
     r"Perceptron.fit: epochs must be an int ≥ 1, got 0"),
    ("perceptron-epochs-float", lambda: nn.Perceptron(2).fit(X2, Y2, epochs=1.5), ValueError,
     r"epochs .* got 1\.5"),
    ("perceptron-labels", lambda: nn.Perceptron(2).fit(X2, [0, 1, 2, 0]), ValueError,
     r"labels must be 0 or 1, got y\[2\] = 2"),
    ("perceptron-X-nan", lambda: nn.Perceptron(2).fit([[NAN, 0.0]], [1]), ValueError,
     r"X\[0\]\[0\] \(sample 0, feature 0\) is nan"),
    ("perceptron-predict-inf", lambda: nn.Perceptron(2).predict([INF, 0.0]), ValueError,
     r"is inf"),
    # --- data -----------------------------------------------------------------------------------
    ("moons-n", lambda: data.make_moons(0), ValueError,
     r"make_moons: n_samples must be an int ≥ 1, got 0"),
    ("moons-n-float", lambda: data.make_moons(10.5), ValueError, r"n_samples .* got 10\.5"),
    ("moons-noise", lambda: data.make_moons(10, noise=-0.1), ValueError,
     r"noise must be a finite number ≥ 0, got -0\.1"),
    ("moons-noise-nan", lambda: data.make_moons(10, noise=NAN), ValueError, r"noise .* nan"),
    ("moons-seed", lambda: data.make_moons(10, seed=0.5), ValueError, r"seed .* got 0\.5"),
    ("circles-factor", lambda: data.make_circles(10, factor=1.0), ValueError,
     r"factor must be a finite number in \[0, 1\), got 1\.0"),
    ("circles-n", lambda: data.make_circles(-5), ValueError, r"make_circles: n_samples .* -5"),
    ("blobs-centers", lambda: data.make_blobs(10, centers=0), ValueError,
     r"centers must be an int ≥ 1, got 0"),
    ("blobs-centers-nan", lambda: data.make_blobs(10, centers=[[0.0, NAN]]), ValueError,
     r"centers\[0\]\[1\] .* is nan"),
    ("blobs-std", lambda: data.make_blobs(10, cluster_std=-1.0), ValueError,
     r"cluster_std must be a finite number ≥ 0"),
    ("blobs-features", lambda: data.make_blobs(10, n_features=0), ValueError,
     r"n_features must be an int ≥ 1, got 0"),
    ("blobs-separable", lambda: data.make_blobs(10, separable="yes"), ValueError,
     r"separable must be True or False"),
    ("spirals-classes", lambda: data.make_spirals(10, n_classes=0), ValueError,
     r"n_classes must be an int ≥ 1, got 0"),
    ("spirals-too-few", lambda: data.make_spirals(2, n_classes=3), ValueError,
     r"n_samples must be at least n_classes=3"),
    ("spirals-turns", lambda: data.make_spirals(10, turns=INF), ValueError, r"turns .* got inf"),
    ("gate-name", lambda: data.logic_gate("XNOR"), ValueError, r"unknown gate 'XNOR'"),
    ("gate-type", lambda: data.logic_gate(1), ValueError, r"logic_gate: name must be one of"),
    ("split-val-size", lambda: data.train_val_test_split(X2, Y2, val_size=-0.1), ValueError,
     r"val_size must be a finite number in \[0, 1\), got -0\.1"),
    ("split-test-size", lambda: data.train_val_test_split(X2, Y2, test_size=1.0), ValueError,
     r"test_size .* got 1\.0"),
    ("split-sum", lambda: data.train_val_test_split(X2, Y2, val_size=0.5, test_size=0.5),
     ValueError, r"val_size \+ test_size must be less than 1"),
    ("split-stratify", lambda: data.train_val_test_split(X2, Y2, stratify=1), ValueError,
     r"stratify must be True or False"),
    ("split-lengths", lambda: data.train_val_test_split(X2, [0, 1]), ValueError,
     r"X has 4 samples but y has 2"),
    ("batches-size", lambda: list(data.batches(X2, Y2, 0)), ValueError,
     r"batches: batch_size must be an int ≥ 1, got 0"),
    ("batches-size-float", lambda: list(data.batches(X2, Y2, 1.5)), ValueError,
     r"batch_size .* got 1\.5"),
    ("batches-shuffle", lambda: list(data.batches(X2, Y2, 2, shuffle="no")), ValueError,
     r"shuffle must be True or False"),
    ("batches-seed", lambda: list(data.batches(X2, Y2, 2, seed="x")), ValueError,
     r"seed .* got 'x'"),
    ("batches-lengths", lambda: list(data.batches(X2, [1], 2)), ValueError,
     r"X has 4 samples but y has 1"),
    ("scaler-fit-nan", lambda: data.Standardizer().fit([[1.0, NAN], [2.0, 3.0]]), ValueError,
     r"Standardizer.fit: X\[0\]\[1\] \(sample 0, feature 1\) is nan"),
    ("scaler-transform-inf", lambda: data.MinMaxScaler().fit(X2).transform([[INF, 0.0]]),
     ValueError, r"MinMaxScaler.transform: X\[0\]\[0\] .* is inf"),
    ("scaler-empty", lambda: data.Standardizer().fit([]), ValueError, r"X has no samples"),
    ("scaler-unfitted", lambda: data.Standardizer().transform(X2), ValueError,
     r"Standardizer is not fitted yet"),
    # --- Module ---------------------------------------------------------------------------------
    ("state-nan", lambda: model().load_state_dict({**model().state_dict(),
                                                    "layers.0.neurons.0.b": NAN}),
     ValueError, r"layers.0.neurons.0.b must be a finite number, got nan"),
    ("optimizer-state-betas", lambda: optim.Adam(params()).load_state_dict(
        {"hyperparameters": {"lr": 0.1, "betas": (0.9, 2.0), "eps": 1e-8, "weight_decay": 0.0,
                             "amsgrad": False}, "steps": 0, "state": [{}]}),
     ValueError, r"betas\[1\] .* got 2\.0"),
]


@pytest.mark.parametrize("call, error, message", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_there_are_well_over_a_hundred_cases_with_unique_names():
    assert len(CASES) > 150
    assert len({c[0] for c in CASES}) == len(CASES)


def test_parameter_errors_are_both_value_and_type_errors():
    with pytest.raises(nn.InvalidParameterError) as err:
        nn.fit(model(), X2, Y2, epochs=2.5, progress=False)
    assert isinstance(err.value, ValueError) and isinstance(err.value, TypeError)


# --- numpy inputs: accepted, with the same results as lists --------------------------------------

def test_numpy_integer_labels_in_cross_entropy():
    logits = [[Value(2.0), Value(0.5), Value(-1.0)], [Value(0.0), Value(1.0), Value(0.3)]]
    ours = losses.cross_entropy(logits, np.array([0, 2])).data
    assert ours == losses.cross_entropy(logits, [0, 2]).data
    assert losses.cross_entropy(logits, [np.int64(0), np.int32(2)]).data == ours
    assert losses.cross_entropy(logits[0], np.int64(0)).data == \
        losses.cross_entropy(logits[0], 0).data


@pytest.mark.parametrize("name", ["mse", "mae", "bce_with_logits", "hinge"])
def test_numpy_targets_and_predictions_in_the_other_losses(name):
    fn = losses.get(name)
    preds = [Value(0.3), Value(-1.2), Value(2.0)]
    targets = [1, -1, 1] if name == "hinge" else [1.0, 0.0, 1.0]
    assert fn(preds, np.array(targets)).data == fn(preds, targets).data
    assert fn(np.array([0.3, -1.2, 2.0]), targets).data == fn(preds, targets).data


def _fit_history(X, y, **kw):
    model = nn.MLP(2, [4, 3], seed=0)
    history = nn.fit(model, X, y, loss="cross_entropy", epochs=3, batch_size=np.int64(4),
                     seed=np.int64(1), progress=False, **kw)
    return history, model.state_dict()


def test_fit_with_numpy_arrays_gives_the_same_training_as_lists():
    X, y = data.make_blobs(24, centers=3, seed=0)
    lists = _fit_history(X, y, validation=(X[:6], y[:6]))
    arrays = _fit_history(np.array(X), np.array(y),
                          validation=(np.array(X[:6]), np.array(y[:6])))
    assert arrays[0] == lists[0] and arrays[1] == lists[1]
    scalars = _fit_history([[np.float64(v) for v in row] for row in X], [np.int64(t) for t in y],
                           validation=(X[:6], y[:6]))
    assert scalars[0] == lists[0]
    assert nn.fit(nn.MLP(2, [1], seed=0), X, y, epochs=np.int64(2), progress=False).epochs == 2


def test_numpy_everywhere_in_the_estimators():
    X, y = data.make_blobs(30, centers=3, seed=1)
    kw = {"hidden_layer_sizes": (np.int64(4),), "max_iter": np.int64(3), "batch_size": 8,
          "learning_rate_init": np.float64(0.01), "alpha": np.float32(1e-4), "random_state": 0}
    with pytest.warns(nn.ConvergenceWarning):
        ours = nn.MLPClassifier(**kw).fit(np.array(X), np.array(y))
    with pytest.warns(nn.ConvergenceWarning):
        plain = nn.MLPClassifier(**{**kw, "hidden_layer_sizes": (4,), "max_iter": 3,
                                    "learning_rate_init": 0.01,
                                    "alpha": float(np.float32(1e-4))}).fit(X, y)
    assert ours.loss_curve_ == plain.loss_curve_
    assert ours.predict(np.array(X)) == plain.predict(X)
    assert ours.classes_ == [0, 1, 2] and all(type(c) is int for c in ours.classes_)
    assert ours.score(np.array(X), np.array(y)) == plain.score(X, y)
    targets = np.array([row[0] - row[1] for row in X])
    with pytest.warns(nn.ConvergenceWarning):
        reg = nn.MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
        r1 = reg.fit(np.array(X), targets).predict(np.array(X))
    with pytest.warns(nn.ConvergenceWarning):
        r2 = nn.MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(
            X, [float(t) for t in targets]).predict(X)
    assert r1 == r2


def test_numpy_in_metrics_models_and_predict():
    y_true, y_pred = np.array([0, 1, 2, 1]), np.array([0, 2, 2, 1])
    assert nn.accuracy(y_true, y_pred) == nn.accuracy([0, 1, 2, 1], [0, 2, 2, 1]) == 0.75
    assert nn.confusion_matrix(y_true, y_pred) == nn.confusion_matrix([0, 1, 2, 1],
                                                                      [0, 2, 2, 1])
    net = nn.MLP(np.int64(2), [np.int64(3), 1], seed=np.int64(0))
    assert net.config()["nouts"] == [3, 1] and type(net.nin) is int  # JSON-ready
    assert net(np.array([0.5, -1.0])).data == net([0.5, -1.0]).data
    assert nn.predict(net, np.array(X2)) == nn.predict(net, X2)
    perceptron = nn.Perceptron(np.int64(2), lr=np.float64(0.1), seed=0)
    history = perceptron.fit(np.array(X2), np.array([0, 0, 1, 0]), epochs=np.int64(30))
    assert history.converged and perceptron.predict(np.array([1.0, 1.0])) == 1


def test_numpy_in_the_data_helpers_and_hyperparameters():
    X, y = np.array(data.make_moons(40, seed=0)[0]), np.array(data.make_moons(40, seed=0)[1])
    parts = data.train_val_test_split(X, y, val_size=np.float64(0.25), seed=np.int64(0))
    same = data.train_val_test_split(X.tolist(), y.tolist(), val_size=0.25, seed=0)
    assert parts == same and type(parts[0][1][0]) is int and type(parts[0][0][0][0]) is float
    assert [b for b in data.batches(X.tolist(), y.tolist(), np.int64(16), seed=0)] == \
        [b for b in data.batches(X.tolist(), y.tolist(), 16, seed=0)]
    assert data.Standardizer().fit_transform(X) == data.Standardizer().fit_transform(X.tolist())
    assert data.make_moons(np.int64(10), noise=np.float64(0.1), seed=np.int64(3)) == \
        data.make_moons(10, noise=0.1, seed=3)
    opt = optim.Adam(params(), lr=np.float64(0.1), betas=np.array([0.9, 0.99]))
    assert opt.betas == (0.9, 0.99) and type(opt.lr) is float
    sched = schedulers.StepLR(opt, step_size=np.int64(2), gamma=np.float32(0.5))
    assert sched.step_size == 2
    assert len(nn.magnitude_prune([Value(1.0), Value(0.1)], np.float64(0.5))) == 1
    assert nn.Dropout(np.float64(0.5)).p == 0.5


# --- found by a newcomer's review ------------------------------------------------------------
def test_fit_refuses_an_optimizer_over_another_models_parameters():
    model, other = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=1)
    X, y = nn.data.logic_gate("AND")
    with pytest.raises(ValueError, match="optimizer updates none of this MLP's parameters"):
        nn.fit(model, X, y, optimizer=nn.optim.Adam(other.parameters()), epochs=1,
               progress=False)


@pytest.mark.parametrize("loss, pattern", [
    (lambda outputs, targets: 0.5, "the loss must return one autograd.Value"),
])
def test_fit_names_a_loss_that_returns_no_value(loss, pattern):
    X, y = nn.data.logic_gate("AND")
    with pytest.raises(TypeError, match=pattern):
        nn.fit(nn.MLP(2, [1], seed=0), X, y, loss=loss, epochs=1, progress=False)


def test_fit_names_a_penalty_that_returns_no_value():
    X, y = nn.data.logic_gate("AND")
    with pytest.raises(TypeError, match=r"penalty\(model\) must return a Value"):
        nn.fit(nn.MLP(2, [1], seed=0), X, y, penalty=lambda m: None, epochs=1,
               progress=False)


def test_load_refuses_a_negative_running_variance(tmp_path):
    import json

    path = nn.save(nn.BatchNorm(2), tmp_path / "bn.json")
    document = json.loads(path.read_text())
    document["state"]["running_var.0"] = -1.0
    path.write_text(json.dumps(document))
    with pytest.raises(nn.ModelFileError, match=r"running_var.0 is a variance and must be ≥ 0"):
        nn.load(path)


def test_evaluate_takes_a_loss_name_as_fit_does():
    net = model()
    by_name = nn.evaluate(net, X2, Y2, loss="bce_with_logits")
    by_function = nn.evaluate(net, X2, Y2, losses.get("bce_with_logits"),
                              decision=lambda out: int(out.data >= 0.0))
    assert by_name == by_function  # the loss, and the accuracy from the name's decision
    assert nn.evaluate(net, X2, Y2, loss="mse") == (nn.evaluate(net, X2, Y2, losses.mse)[0], None)
