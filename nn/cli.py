"""The ``tracegrad`` command line.

``tracegrad demo`` walks through one neuron's backward pass (its step table, why ∂L/∂w₁ has
its value, its graph, a page to step through it in a browser, ending with the update
w ← w − η·∂L/∂w), Matt Mazur's 2-2-2 network (layer by layer, its network diagram and
stepper), then trains an MLP on the two moons and draws its loss curve and decision
boundary. ``tracegrad export-lesson NOTEBOOK OUT.html`` writes a lesson as one HTML page
whose formulas show offline (MathML).
"""


from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import autograd
from autograd import Value

from .notation import input_symbol, subscript

DESCRIPTION = """tracegrad: backpropagation you can watch.

'tracegrad demo' steps through one neuron's backward pass (the step table, why dL/dw1 has its
value, the graph, backprop.html to step through in a browser, ending with the update of the
weights), Matt Mazur's 2-2-2 network (layer by layer, its diagram, network.html), then
trains an MLP on the two moons and draws its loss curve and decision boundary.

'tracegrad export-lesson NOTEBOOK OUT.html' writes a lesson as one HTML page whose formulas
show with no network (MathML)."""


def sigmoid_neuron_bce(w: Sequence[float], x: Sequence[float], b: float, y: float) -> dict:
    """Build one sigmoid neuron with binary cross-entropy on one sample, labelled for display.

    ``ŷ = σ(w·x + b)`` and ``L = −(y·log ŷ + (1−y)·log(1−ŷ))``, with the course's 1-based
    names: weights ``w₁, w₂, …``, inputs ``x₁, x₂, …``, and the loss's two terms ``y·log ŷ``
    and ``(1−y)·log(1−ŷ)``.

    Returns:
        A dict with the Values ``w`` (list), ``x`` (list), ``b``, ``z``, ``y_hat`` and ``loss``.
    """
    ws = [Value(wi, label="w" + subscript(i)) for i, wi in enumerate(w, 1)]
    xs = [autograd.constant(xi, label=input_symbol(i)) for i, xi in enumerate(x, 1)]
    bias = Value(b, label="b")
    z = autograd.dot(ws, xs) + bias
    z.label = "z"
    y_hat = z.sigmoid()
    y_hat.label = "ŷ"
    y_log = y * y_hat.log()
    y_log.label = "y·log ŷ"  # the course's terms, not the numbers (1·log(ŷ)) they hold
    other_log = (1 - y) * (1 - y_hat).log()
    other_log.label = "(1−y)·log(1−ŷ)"
    loss = -(y_log + other_log)
    loss.label = "L"
    return {"w": ws, "x": xs, "b": bias, "z": z, "y_hat": y_hat, "loss": loss}


def demo(out_dir: Path) -> None:
    """Print the step table of one neuron's backward pass, draw it, save a page to step
    through it (ending with the update ``w ← w − η·∂L/∂w``), compare with the course."""
    w, x, b, y, lr = [0.4, -0.6], [0.5, -1.5], 0.1, 1.0, 0.5
    net = sigmoid_neuron_bce(w, x, b, y)
    loss, y_hat = net["loss"], net["y_hat"]
    print("One sigmoid neuron, binary cross-entropy, one sample")
    print(f"  x = {x}, y = {y}, w = {w}, b = {b}")
    print(f"  z = w·x + b = {net['z'].data:.6f}   ŷ = σ(z) = {y_hat.data:.6f}   "
          f"L = {loss.data:.6f}\n")
    print("The backward pass, one chain-rule product per row (x₁, x₂ and the numbers are "
          "data: they get no gradient):")
    print(autograd.steps_table(autograd.backward_steps(loss)))
    print("\nWhy ∂L/∂w₁ has its value — the sum over paths of the local derivatives' products:")
    print(autograd.explain(loss, net["w"][0]))

    out_dir.mkdir(parents=True, exist_ok=True)
    drawing = autograd.draw(loss)
    written = [drawing.save(out_dir / "neuron.svg"), drawing.save(out_dir / "neuron.png"),
               drawing.stepper(lr=lr).save(out_dir / "backprop.html")]
    print(f"\nGraph written to {', '.join(str(p) for p in written)} (open the .html in a "
          "browser to step through the pass: →, ←, space; it ends with the update "
          f"w ← w − η·∂L/∂w of w₁, w₂ and b, η = {lr})")

    error = y_hat.data - y
    print("\nThe course's hand derivation against the engine:")
    print(f"  {'gradient':<8} {'by hand':<18} {'value':>10} {'engine':>10}  match")
    rows = [(f"∂L/∂w{subscript(i)}", f"(ŷ−y)·{input_symbol(i)}", error * xi, wi.grad)
            for i, (xi, wi) in enumerate(zip(x, net["w"]), 1)]
    rows.append(("∂L/∂b", "ŷ−y", error, net["b"].grad))
    for name, formula, hand, engine in rows:
        ok = "yes" if abs(hand - engine) <= 1e-12 * max(1.0, abs(hand)) else "NO"
        print(f"  {name:<8} {formula:<18} {hand:>10.6f} {engine:>10.6f}  {ok}")


def mazur(out_dir: Path) -> None:
    """Matt Mazur's 2-2-2 network: the published numbers beside the engine's, backprop layer
    by layer, and the network diagram."""
    import nn

    model, x, target = nn.examples.mazur_network()
    table = nn.backprop_by_layer(model, x, target, "mse")
    print("\nMatt Mazur's step-by-step example: a 2-2-2 sigmoid network, "
          f"x = {x}, target = {target}")
    w5 = model.layers[1].neurons[0].w[0]  # Mazur's w5 is w₁,₁⁽²⁾ in the course's notation
    grad_w5 = table.row("∂L/∂w₁,₁⁽²⁾").value
    published = [("E_total", 0.298371109, table.loss, 9),
                 ("∂E/∂w5", 0.082167041, grad_w5, 9),
                 ("∂E/∂w1", 0.000438568, table.row("∂L/∂w₁,₁⁽¹⁾").value, 9),
                 ("w5 − 0.5·∂E/∂w5", 0.35891648, w5.data - 0.5 * grad_w5, 8)]
    for name, his, ours, digits in published:
        ok = "yes" if round(ours, digits) == his else "NO"
        print(f"  {name:<16} published {his:.{digits}f}   engine {ours:.9f}  match {ok}")
    print("\nBackprop layer by layer, as the course writes it:")
    print(table)
    diagram = nn.draw_network(model, x, target=target, loss="mse")
    written = [diagram.save(out_dir / "network.svg"), diagram.save(out_dir / "network.png"),
               diagram.stepper(lr=0.5).save(out_dir / "network.html")]
    print(f"\nNetwork diagram written to {', '.join(str(p) for p in written)} (network.html "
          "steps forward neuron by neuron, back δ by δ, and ends with the update "
          "w ← w − η·∂L/∂w of every weight and bias, η = 0.5 as Mazur's)")


def train_moons(out_dir: Path, progress: bool = True) -> float:
    """Train an MLP on the two moons, save its loss curve and decision boundary, return the
    test accuracy."""
    import nn
    from nn.plots import plot_decision_boundary, plot_history

    X, y = nn.data.make_moons(200, noise=0.1, seed=0)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = nn.data.train_val_test_split(
        X, y, val_size=0.15, test_size=0.15, seed=0)
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    print(f"\nTraining {model} on {len(x_train)} moons points "
          f"({len(x_val)} for validation, {len(x_test)} for the test), replaying one "
          "sample's graph over each batch (engine='replay')")
    history = nn.fit(model, x_train, y_train, loss="bce_with_logits",
                     optimizer=nn.optim.Adam(model.parameters(), lr=0.02), epochs=40,
                     batch_size=32, validation=(x_val, y_val), seed=0, progress=progress,
                     engine="replay")  # one sample's graph, replayed over each batch

    def decide(out):
        return int(out.data >= 0)

    predicted = nn.predict(model, x_test, decide)
    accuracy = nn.accuracy(y_test, predicted)
    curve = out_dir / "loss_curve.png"
    boundary = out_dir / "decision_boundary.png"
    plot_history(history, curve)
    plot_decision_boundary(model, X, y, decide, boundary,
                           title=f"MLP on moons: test accuracy {accuracy:.0%}")
    print(f"final training loss {history.train_loss[-1]:.4f}, validation loss "
          f"{history.val_loss[-1]:.4f}")
    print(f"test accuracy {accuracy:.1%}; confusion matrix (rows: true 0/1) "
          f"{nn.confusion_matrix(y_test, predicted, labels=[0, 1])}")
    print(f"Pictures written to {curve} and {boundary}")
    return accuracy


class _Parser(argparse.ArgumentParser):
    """argparse with every usage error on one line, ``tracegrad: error: …``, exit status 2."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see '{self.prog} --help')")


def _fail(message: str, status: int = 2) -> NoReturn:
    """Report ``message`` on stderr in argparse's style, without a traceback, and exit."""
    print(f"tracegrad: error: {message}", file=sys.stderr)
    raise SystemExit(status)


def output_folder_problem(out: Path) -> str | None:
    """Why ``out`` cannot hold the demo's pictures, or ``None`` when it can.

    ``out`` may exist (a folder) or not (it is created, with its parents): it must not be a
    file, nor lie under one, and a file must be creatable in it. Checking this before the demo
    starts turns a bad ``--out`` into one line instead of a traceback half-way through.
    """
    try:
        if out.exists() and not out.is_dir():
            return (f"--out {out} is a file, not a folder; give a folder for the pictures "
                    "(it is created if missing)")
        existing = out
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.exists() and not existing.is_dir():
            return (f"--out {out} is under {existing}, which is a file, not a folder; give "
                    "a folder for the pictures")
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        return (f"--out {out}: cannot write there ({exc.strerror or exc}); choose a folder "
                "you can write to")
    except ValueError as exc:  # e.g. an embedded null byte
        return f"--out {str(out)!r} is not a usable path ({exc})"
    return None


def export_lesson_command(notebook: Path, out: Path, *, execute: bool, timeout: int) -> int:
    """``tracegrad export-lesson``: :func:`nn.export.export_lesson`, its errors on one line.

    Returns:
        0 once the page is written (its path printed).
    """
    from nn.export import MathConversionError, export_lesson

    problem = output_folder_problem(out.parent) if str(out.parent) not in ("", ".") else None
    if problem:
        _fail(problem.replace("--out", "out's folder"))
    try:
        written = export_lesson(notebook, out, execute=execute, timeout=timeout)
    except ModuleNotFoundError as exc:
        _fail(f"export-lesson needs the package {exc.name}; install it with "
              "pip install -e \".[export]\"")
    except (FileNotFoundError, ValueError) as exc:  # MathConversionError is a ValueError
        _fail(str(exc), status=1 if isinstance(exc, MathConversionError) else 2)
    except OSError as exc:
        _fail(f"could not write {out}: {exc.strerror or exc}", status=1)
    print(f"Wrote {written} (formulas in MathML: it shows offline, no MathJax)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tracegrad`` command.

    Returns:
        0 on success. Usage errors (an unknown command or option, a bad ``--out``) print one
        line ``tracegrad: error: …`` on stderr and exit with status 2, as argparse does;
        a file that cannot be written during the demo exits with status 1.
    """
    parser = _Parser(prog="tracegrad", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    demo_cmd = commands.add_parser(
        "demo", help="step through backprop (a neuron, Mazur's 2-2-2 network), then train an "
                     "MLP on moons")
    demo_cmd.add_argument("--out", type=Path, default=Path("demo-output"),
                          help="folder for the pictures (default: demo-output)")
    demo_cmd.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    export_cmd = commands.add_parser(
        "export-lesson", help="write a lesson notebook as an HTML page whose formulas show "
                              "offline (MathML, no MathJax)")
    export_cmd.add_argument("notebook", type=Path, help="the lesson, e.g. "
                                                        "notebooks/03_backprop_step_by_step.ipynb")
    export_cmd.add_argument("out", type=Path, help="the .html file to write")
    export_cmd.add_argument("--no-execute", action="store_true",
                            help="export the notebook as saved, without running it first")
    export_cmd.add_argument("--timeout", type=int, default=600,
                            help="seconds a cell may run (default: 600)")
    args = parser.parse_args(argv)
    if args.command == "export-lesson":
        return export_lesson_command(args.notebook, args.out, execute=not args.no_execute,
                                     timeout=args.timeout)
    if args.command == "demo":
        problem = output_folder_problem(args.out)
        if problem:
            _fail(problem)
        try:
            demo(args.out)
            mazur(args.out)
            train_moons(args.out, progress=not args.no_progress)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            _fail(f"could not write{where}: {exc.strerror or exc}", status=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
