"""The layering rule of DESIGN §2: nn uses only autograd's public API; autograd never nn."""

import ast
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
