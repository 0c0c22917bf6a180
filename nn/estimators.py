"""``MLPClassifier`` and ``MLPRegressor`` with scikit-learn's parameter names and defaults.

So the course's scikit-learn slide runs verbatim — on a network you can draw and step
through. The training follows scikit-learn's MLP: mini-batches of ``min(200, n)`` samples,
loss = log-loss (or half squared error) + ``alpha/2 · Σw² / batch size`` over the weights,
the ``"sgd"`` schedules ``"constant"``, ``"invscaling"`` and ``"adaptive"``, stopping when
the loss (or, with ``early_stopping``, the validation accuracy / R²) has not improved by
``tol`` for ``n_iter_no_change`` epochs. Weights and biases start in scikit-learn's Glorot
range (the random numbers differ). There is no ``"lbfgs"`` solver.
"""

from __future__ import annotations

import inspect
import math
import numbers
import random
import warnings
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from . import checks, losses
from . import init as initializers
from .data import batch_indices
from .engines import Engine, make_engine
from .layers import MLP
from .optim import SGD, Adam, Optimizer
from .regularization import l2_penalty
from .replay import ENGINES
from .training import predict

ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


# scikit-learn's squared_loss: the mean over samples of ½·Σₖ (ŷₖ − yₖ)² over the outputs.
SQUARED_ERROR = losses.Loss(
    "squared_error", lambda out, y: losses.MSE.per_sample(out, y, reduction="sum") * 0.5)


class ConvergenceWarning(UserWarning):
    """``max_iter`` was reached before the optimisation converged (as scikit-learn's)."""


class _BaseMLP:
    """Shared fitting machinery; subclasses define the output layer and the loss."""

    _hp: SimpleNamespace  # the checked hyper-parameters of the current fit (_validate)

    def __init__(self, hidden_layer_sizes: int | Sequence[int] = (100,), activation: str = "relu",
                 *, solver: str = "adam", alpha: float = 0.0001, batch_size: int | str = "auto",
                 learning_rate: str = "constant", learning_rate_init: float = 0.001,
                 power_t: float = 0.5, max_iter: int = 200, shuffle: bool = True,
                 random_state: int | None = None, tol: float = 1e-4, verbose: bool = False,
                 warm_start: bool = False, momentum: float = 0.9,
                 nesterovs_momentum: bool = True, early_stopping: bool = False,
                 validation_fraction: float = 0.1, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, n_iter_no_change: int = 10,
                 engine: str = "replay") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.engine = engine

    # --- scikit-learn's estimator protocol ----------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(_BaseMLP.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters and their current values."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any):
        """Set constructor parameters; returns self. Unknown names raise ``ValueError``."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; "
                                 f"valid parameters: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = inspect.signature(_BaseMLP.__init__).parameters
        changed = [f"{k}={v!r}" for k, v in self.get_params().items()
                   if v != defaults[k].default]
        return f"{type(self).__name__}({', '.join(changed)})"

    # --- checks ---------------------------------------------------------------------------------
    def _validate(self) -> SimpleNamespace:
        """Check every hyper-parameter, as scikit-learn does at fit time.

        Returns:
            The hyper-parameters as plain Python values (numpy scalars converted), which
            the training reads, so ``alpha=np.float32(1e-4)`` trains as ``1e-4`` would.
        Raises:
            InvalidParameterError: a ``ValueError`` (and ``TypeError``) naming the parameter,
                its value and the range it must be in.
        """
        who = type(self).__name__
        sizes: object = self.hidden_layer_sizes  # anything set_params was given
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = [sizes]
        if not checks.is_sequence(sizes):
            checks.fail(who, "hidden_layer_sizes", "an int ≥ 1 or a sequence of them", sizes,
                        (100,))
        if self.solver == "lbfgs":
            raise checks.InvalidParameterError(
                f"{who}: solver must be 'sgd' or 'adam', got 'lbfgs' (lbfgs is not available "
                "here: use 'adam' or 'sgd')")
        early_stopping = checks.flag(self.early_stopping, "early_stopping", who)
        validation_fraction = checks.real(self.validation_fraction, "validation_fraction", who,
                                          low=0, high=1, high_open=True, example=0.1)
        if early_stopping and validation_fraction == 0:
            raise checks.InvalidParameterError(
                f"{who}: validation_fraction must be > 0 with early_stopping=True, got 0; for "
                "example validation_fraction=0.1")
        if isinstance(self.verbose, bool):
            verbose = self.verbose
        else:
            verbose = checks.integer(self.verbose, "verbose", who, low=0)
        return SimpleNamespace(
            hidden_layer_sizes=[checks.integer(size, f"hidden_layer_sizes[{i}]", who, low=1,
                                               example=100) for i, size in enumerate(sizes)],
            activation=checks.option(self.activation, "activation", who, tuple(ACTIVATIONS)),
            solver=checks.option(self.solver, "solver", who, ("sgd", "adam")),
            alpha=checks.real(self.alpha, "alpha", who, low=0, example=0.0001),
            batch_size=self.batch_size if self.batch_size == "auto" else
            checks.integer(self.batch_size, "batch_size", who, low=1, example=32),
            learning_rate=checks.option(self.learning_rate, "learning_rate", who,
                                        ("constant", "invscaling", "adaptive")),
            learning_rate_init=checks.real(self.learning_rate_init, "learning_rate_init", who,
                                           low=0, low_open=True, example=0.001),
            power_t=checks.real(self.power_t, "power_t", who, low=0, example=0.5),
            max_iter=checks.integer(self.max_iter, "max_iter", who, low=1, example=200),
            shuffle=checks.flag(self.shuffle, "shuffle", who),
            random_state=checks.seed(self.random_state, who, "random_state"),
            tol=checks.real(self.tol, "tol", who, low=0, example=1e-4),
            verbose=verbose,
            warm_start=checks.flag(self.warm_start, "warm_start", who),
            momentum=checks.real(self.momentum, "momentum", who, low=0, high=1, example=0.9),
            nesterovs_momentum=checks.flag(self.nesterovs_momentum, "nesterovs_momentum", who),
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=checks.real(self.beta_1, "beta_1", who, low=0, high=1, high_open=True,
                               example=0.9),
            beta_2=checks.real(self.beta_2, "beta_2", who, low=0, high=1, high_open=True,
                               example=0.999),
            epsilon=checks.real(self.epsilon, "epsilon", who, low=0, low_open=True,
                                example=1e-8),
            n_iter_no_change=checks.integer(self.n_iter_no_change, "n_iter_no_change", who,
                                            low=1, example=10),
            engine=checks.option(self.engine, "engine", who, ENGINES),
        )

    def _check_X(self, X: Sequence, fitting: bool = False) -> list[list[float]]:
        who = f"{type(self).__name__}.{'fit' if fitting else 'predict'}"
        if not fitting and not hasattr(self, "model_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet: call fit(X, y) "
                             "first")
        rows = checks.samples(X, who)
        if not isinstance(rows[0], list):
            raise ValueError(f"{who}: X must be a list of samples, each a list of features "
                             "(for one feature: [[x] for x in values])")
        width = len(rows[0])
        if fitting:
            self.n_features_in_ = width
        elif width != self.n_features_in_:
            raise ValueError(f"X has {width} features, but {type(self).__name__} was fitted "
                             f"with {self.n_features_in_}")
        return rows

    # --- training ---------------------------------------------------------------------------------
    def _build(self, n_outputs: int) -> None:
        hp = self._hp
        hidden = hp.hidden_layer_sizes
        activation = ACTIVATIONS[hp.activation]
        gain = math.sqrt(2 / 6) if hp.activation == "logistic" else 1.0  # sklearn's factor 2
        init = initializers.xavier_uniform
        self.model_ = MLP(self.n_features_in_, [*hidden, n_outputs], activation=activation,
                          output_activation="linear",
                          init=lambda fi, fo, size, rng: init(fi, fo, size, rng, gain=gain),
                          seed=hp.random_state)
        # scikit-learn draws the biases from the same Glorot range as the weights.
        rng = random.Random(hp.random_state)
        for layer in self.model_.layers:
            bound = gain * math.sqrt(6.0 / (layer.nin + layer.nout))
            for neuron in layer.neurons:
                neuron.b.data = rng.uniform(-bound, bound)
        self._weights = [p for name, p in self.model_.named_parameters() if ".w." in name]
        if hp.solver == "adam":
            self._optimizer: Optimizer = Adam(self.model_.parameters(),
                                              lr=hp.learning_rate_init,
                                              betas=(hp.beta_1, hp.beta_2),
                                              eps=hp.epsilon)
        else:
            self._optimizer = SGD(self.model_.parameters(), lr=hp.learning_rate_init,
                                  momentum=hp.momentum,
                                  nesterov=hp.nesterovs_momentum and hp.momentum > 0)
        self.t_ = 0
        self.loss_curve_: list[float] = []
        self.validation_scores_: list[float] | None = [] if hp.early_stopping else None
        self.best_loss_: float | None = math.inf
        self.best_validation_score_: float | None = None

    def _fit(self, X: Sequence, targets: list, n_outputs: int):
        hp = self._hp
        rows = self._check_X(X, fitting=True)
        checks.same_length(rows, targets, f"{type(self).__name__}.fit")
        if not (hp.warm_start and hasattr(self, "model_")):
            self._build(n_outputs)
        rng = random.Random(hp.random_state)
        validation = None
        if hp.early_stopping:
            order = list(range(len(rows)))
            rng.shuffle(order)
            n_val = max(1, round(len(rows) * hp.validation_fraction))
            val_idx, train_idx = order[:n_val], order[n_val:]
            validation = ([rows[i] for i in val_idx], [targets[i] for i in val_idx])
            rows, targets = [rows[i] for i in train_idx], [targets[i] for i in train_idx]
            if not rows:
                raise ValueError(f"{type(self).__name__}.fit: validation_fraction="
                                 f"{hp.validation_fraction} leaves no training sample out of "
                                 f"{len(val_idx)}; give more samples or a smaller fraction")
        n = len(rows)
        batch_size = min(200, n) if hp.batch_size == "auto" else \
            min(hp.batch_size, n)
        self.n_iter_ = 0
        who = f"{type(self).__name__}.fit"
        trainer = make_engine(hp.engine, self.model_, self._loss_record(), self._optimizer,
                              rows, targets, who=who,
                              penalty=(lambda model: l2_penalty(self._weights) * (0.5 * hp.alpha))
                              if hp.alpha else None)
        try:
            best_state = self._epochs(trainer, n, batch_size, rng, validation)
        finally:
            trainer.sync()
        if best_state is not None:
            self.model_.load_state_dict(best_state)
            self.best_loss_ = None
        return self

    def _epochs(self, trainer: Engine, n: int, batch_size: int, rng: random.Random,
                validation: tuple[list, list] | None) -> dict | None:
        """scikit-learn's loop: epochs of mini-batch steps until the loss (or the validation
        score) stops improving by ``tol`` for ``n_iter_no_change`` epochs. Returns the best
        validation epoch's weights (``None`` without validation)."""
        hp = self._hp
        no_improvement = 0
        best_state = None
        for epoch in range(hp.max_iter):
            total = 0.0
            for index in batch_indices(n, batch_size, shuffle=hp.shuffle, seed=rng):
                try:
                    total += trainer.step(index, penalty_scale=1 / len(index)) * len(index)
                except ArithmeticError as exc:
                    raise FloatingPointError(
                        f"{type(self).__name__}.fit: training diverged at iteration "
                        f"{epoch + 1}: {str(exc).rstrip('.')}. Lower learning_rate_init (now "
                        f"{hp.learning_rate_init!r}) or scale the features "
                        "(nn.data.Standardizer)"
                    ) from exc
            self.n_iter_ = epoch + 1
            self.t_ += n
            self.loss_ = total / n
            self.loss_curve_.append(self.loss_)
            if hp.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
            if hp.solver == "sgd" and hp.learning_rate == "invscaling":
                self._optimizer.lr = hp.learning_rate_init / (self.t_ + 1) ** hp.power_t
            if validation is not None:
                trainer.sync(optimizer=False)  # score reads the model's weights
                score = self.score(*validation)
                if self.validation_scores_ is None:  # warm start after a fit without it
                    self.validation_scores_ = []
                self.validation_scores_.append(score)
                if self.best_validation_score_ is None or \
                        score > self.best_validation_score_ + hp.tol:
                    no_improvement = 0
                else:
                    no_improvement += 1
                if self.best_validation_score_ is None or score > self.best_validation_score_:
                    self.best_validation_score_ = score
                    best_state = self.model_.state_dict()
            else:
                # None: warm start after a fit with early stopping, which kept no best loss
                best = math.inf if self.best_loss_ is None else self.best_loss_
                no_improvement = 0 if self.loss_ < best - hp.tol else no_improvement + 1
                self.best_loss_ = min(best, self.loss_)
            if no_improvement > hp.n_iter_no_change:  # scikit-learn: strictly more
                if hp.solver == "sgd" and hp.learning_rate == "adaptive" and \
                        self._optimizer.lr > 1e-6:
                    self._optimizer.lr /= 5
                    no_improvement = 0
                    continue
                break
        else:
            warnings.warn(f"{type(self).__name__}: max_iter={hp.max_iter} reached and the "
                          "optimisation has not converged yet; raise max_iter or "
                          "learning_rate_init", ConvergenceWarning, stacklevel=4)
        return best_state

    def _loss_record(self) -> losses.Loss:
        """The loss the subclass trains with."""
        raise NotImplementedError

    def score(self, X: Sequence, y: Sequence) -> float:
        """The subclass's score of the model on ``(X, y)`` (accuracy, R²)."""
        raise NotImplementedError

    def _outputs(self, X: Sequence) -> list:
        rows = self._check_X(X)  # first: it explains an unfitted estimator
        outs = predict(self.model_, rows)
        return [out if isinstance(out, list) else [out] for out in outs]

    # --- fitted attributes, scikit-learn's layout ------------------------------------------------
    @property
    def coefs_(self) -> list[list[list[float]]]:
        """Weight matrices, one per layer, ``coefs_[i][input][neuron]``."""
        return [[[n.w[j].data for n in layer.neurons] for j in range(layer.nin)]
                for layer in self.model_.layers]

    @property
    def intercepts_(self) -> list[list[float]]:
        """Bias vectors, one per layer."""
        return [[n.b.data for n in layer.neurons] for layer in self.model_.layers]

    @property
    def n_layers_(self) -> int:
        """Layers counting the input layer (scikit-learn's convention)."""
        return len(self.model_.layers) + 1


def _sorted_classes(labels: list) -> list:
    """The distinct labels in order (their order fixes ``classes_`` and the output columns).

    Raises:
        TypeError: labels of types that cannot be ordered together (``[0, "a", 1]``); the
            message names the types found.
    """
    distinct = set(labels)
    try:
        return sorted(distinct)
    except TypeError:
        kinds = sorted({type(c).__name__ for c in distinct})
        examples = ", ".join(repr(next(c for c in distinct if type(c).__name__ == k))
                             for k in kinds)
        raise TypeError(
            f"MLPClassifier.fit: y mixes label types ({', '.join(kinds)}: e.g. {examples}), "
            "which cannot be put in one order for classes_. Give every label the same type: "
            "all numbers, or all strings, e.g. y = [str(label) for label in y]."
        ) from None


class MLPClassifier(_BaseMLP):
    """A multi-layer perceptron classifier, scikit-learn compatible.

    Example (the course's slide)::

        >>> from nn import MLPClassifier
        >>> from nn.data import logic_gate
        >>> X, y = logic_gate("XOR")
        >>> clf = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", solver="adam",
        ...                     learning_rate_init=0.05, max_iter=300, random_state=0)
        >>> clf.fit(X, y).predict(X)
        [0, 1, 1, 0]
    """

    def fit(self, X: Sequence, y: Sequence):
        """Train on samples ``X`` and labels ``y`` (any hashable, sortable labels; numpy
        arrays and scalars too).

        Raises:
            InvalidParameterError: a bad hyper-parameter (named).
            ValueError: NaN/inf in ``X`` or ``y`` (the sample named), a single class, or
                lengths that differ.
            FloatingPointError: training diverged (a non-finite loss, gradient or weight);
                the message names the iteration and suggests a smaller learning_rate_init.
        """
        self._hp = self._validate()
        labels = checks.targets(y, "MLPClassifier.fit")
        if any(isinstance(t, list) for t in labels):
            raise ValueError("MLPClassifier.fit: y must hold one label per sample, not lists "
                             "(multi-label classification is not supported)")
        self.classes_ = _sorted_classes(labels)
        if len(self.classes_) < 2:
            raise ValueError(f"y has a single class {self.classes_}; a classifier needs two "
                             "or more")
        index = {c: i for i, c in enumerate(self.classes_)}
        self.n_outputs_ = 1 if len(self.classes_) == 2 else len(self.classes_)
        self.out_activation_ = "logistic" if self.n_outputs_ == 1 else "softmax"
        return self._fit(X, [index[c] for c in labels], self.n_outputs_)

    def _loss_record(self) -> losses.Loss:
        """Log-loss: BCE of the logit for two classes, else softmax cross-entropy."""
        return losses.BCE_WITH_LOGITS if self.n_outputs_ == 1 else losses.CROSS_ENTROPY

    def predict_proba(self, X: Sequence) -> list[list[float]]:
        """Class probabilities per sample, columns in the order of ``classes_``."""
        result = []
        for out in self._outputs(X):
            if self.n_outputs_ == 1:
                p = losses.stable_sigmoid(out[0])
                result.append([1 - p, p])
            else:
                top = max(out)
                exps = [math.exp(v - top) for v in out]
                total = sum(exps)
                result.append([e / total for e in exps])
        return result

    def predict(self, X: Sequence) -> list:
        """The most probable class per sample."""
        return [self.classes_[max(range(len(p)), key=p.__getitem__)]
                for p in self.predict_proba(X)]

    def score(self, X: Sequence, y: Sequence) -> float:
        """Mean accuracy on ``(X, y)``."""
        predicted = self.predict(X)
        labels = checks.targets(y, "MLPClassifier.score")
        checks.same_length(predicted, labels, "MLPClassifier.score")
        return sum(p == t for p, t in zip(predicted, labels)) / len(predicted)


class MLPRegressor(_BaseMLP):
    """A multi-layer perceptron regressor (identity output, half squared error)."""

    def fit(self, X: Sequence, y: Sequence):
        """Train on samples ``X`` and real targets ``y`` (numbers, or lists for several;
        numpy arrays too).

        Raises:
            InvalidParameterError: a bad hyper-parameter (named).
            ValueError: NaN/inf in ``X`` or ``y`` (the sample named), targets that are not
                numbers, ragged outputs, or lengths that differ.
            FloatingPointError: training diverged (a non-finite loss, gradient or weight);
                the message names the iteration and suggests a smaller learning_rate_init.
        """
        self._hp = self._validate()
        targets = []
        for i, t in enumerate(checks.targets(y, "MLPRegressor.fit")):
            if not isinstance(t, list):
                if isinstance(t, bool) or not isinstance(t, numbers.Real):
                    raise ValueError(f"MLPRegressor.fit: y[{i}] is {t!r}, not a number; a "
                                     "regressor learns real targets")
                t = [float(t)]
            targets.append(t)
        if not targets:
            raise ValueError("MLPRegressor.fit: y has no samples")
        if any(len(t) != len(targets[0]) for t in targets):
            raise ValueError("MLPRegressor.fit: y is ragged: every sample needs the same "
                             "number of outputs")
        self.n_outputs_ = len(targets[0])
        self.out_activation_ = "identity"
        return self._fit(X, targets, self.n_outputs_)

    def _loss_record(self) -> losses.Loss:
        return SQUARED_ERROR

    def predict(self, X: Sequence) -> list:
        """Predictions: a float per sample (a list per sample for several outputs)."""
        outs = self._outputs(X)
        return [out[0] for out in outs] if self.n_outputs_ == 1 else outs

    def score(self, X: Sequence, y: Sequence) -> float:
        """The coefficient of determination R² (1 is perfect, 0 predicts the mean)."""
        predicted = self.predict(X)
        targets = checks.targets(y, "MLPRegressor.score")
        checks.same_length(predicted, targets, "MLPRegressor.score")
        flat_p = [v for p in predicted for v in (p if isinstance(p, list) else [p])]
        flat_y = [float(v) for t in targets for v in (t if isinstance(t, list) else [t])]
        mean = sum(flat_y) / len(flat_y)
        residual = sum((a - b) ** 2 for a, b in zip(flat_y, flat_p))
        total = sum((a - mean) ** 2 for a in flat_y)
        return 1 - residual / total if total else 0.0
