"""The layering rule of DESIGN §2: nn uses only autograd's public API; autograd never nn."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import autograd

ROOT = Path(__file__).parent.parent


def imports_and_attributes(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield "from", node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield "import", alias.name, []
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "autograd":
            yield "attr", node.attr, []


def test_nn_uses_only_autograds_public_names():
    public = set(autograd.__all__)
    for path in (ROOT / "nn").glob("*.py"):
        for kind, name, names in imports_and_attributes(path):
            if kind == "from" and name.startswith("autograd"):
                assert name == "autograd", f"{path.name} imports {name}"
                assert set(names) <= public, f"{path.name} imports {names}"
            if kind == "import" and name.startswith("autograd."):
                raise AssertionError(f"{path.name} imports {name}")
            if kind == "attr":
                assert name in public, f"{path.name} uses autograd.{name}"


def test_autograd_never_imports_nn():
    for path in (ROOT / "autograd").glob("*.py"):
        for kind, name, _ in imports_and_attributes(path):
            if kind in ("from", "import"):
                assert not (name == "nn" or name.startswith("nn.")), f"{path.name} imports nn"


def test_the_engine_names_nodes_without_knowing_networks():
    """Naming in the course's notation is nn's (a namer it registers): the engine alone, in
    a fresh interpreter, reads a network's dotted parameter name as a label like any other
    and parses no network name anywhere in its source."""
    code = ("import sys, autograd\n"
            "from autograd import Value, naming\n"
            "assert 'nn' not in sys.modules and naming.namers() == ()\n"
            "w = Value(0.5, label='layers.0.neurons.1.w.0')\n"
            "print(naming.name(w), naming.name(w * 2.0), autograd.short_label(w.label))\n"
            "import nn\n"
            "print(naming.name(w), naming.name(w * 2.0), autograd.short_label(w.label))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr
    engine, with_nn = done.stdout.splitlines()
    assert engine.split() == ["layers.0.neurons.1.w.0", "layers.0.neurons.1.w.0·2",
                              "layers.0.neurons.1.w.0"]
    assert with_nn.split() == ["w₂,₁⁽¹⁾", "w₂,₁⁽¹⁾·x₁", "w₂,₁⁽¹⁾"]
    for path in (ROOT / "autograd").glob("*.py"):
        code_only = "\n".join(line.split("#")[0] for line in path.read_text().splitlines()
                              if not line.strip().startswith(("``", ">>>")))
        assert "neurons\\." not in code_only and "layers\\." not in code_only, path.name
