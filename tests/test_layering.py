"""The layering rule of ARCHITECTURE.md ("Layout"): nn uses only autograd's public API;
autograd never imports nn; no import cycle in autograd/ or nn/."""

import ast
import functools
import os
import subprocess
import sys
from itertools import pairwise
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


# --- no import cycle in autograd/ or nn/ ---------------------------------------------------
# Edges that still close a cycle, each with why it is left. Remove an entry when its cycle is
# broken (test_the_known_cycles_are_still_there fails until then, so the list stays true).
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    package = path.parent.name
    return package if path.stem == "__init__" else f"{package}.{path.stem}"


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of import nodes under ``if TYPE_CHECKING:`` (read by type checkers, never run)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            skipped |= {id(n) for n in ast.walk(node)}
    return skipped


@functools.cache
def import_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """Each module of autograd/ and nn/ (a package's ``__init__`` as the package) → the
    modules of these packages it imports, at module level or inside a function, with the
    line; ``from . import x`` counts as importing the module ``x`` when there is one, else
    the package. (Cached: do not change the result.)"""
    paths = {_module_name(p): p for pkg in ("autograd", "nn")
             for p in sorted((root / pkg).glob("*.py"))}
    graph: dict[str, dict[str, int]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text())
        skipped = _type_checking_only(tree)
        package = name if path.stem == "__init__" else name.rpartition(".")[0]
        edges: dict[str, int] = {}
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.ImportFrom):
                base = package if node.level else ""
                for _ in range(max(node.level - 1, 0)):
                    base = base.rpartition(".")[0]
                module = ".".join(part for part in (base, node.module or "") if part)
                for alias in node.names:
                    target = f"{module}.{alias.name}"
                    target = target if target in paths else module
                    if target in paths and target != name:
                        edges.setdefault(target, node.lineno)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in paths and alias.name != name:
                        edges.setdefault(alias.name, node.lineno)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, dict[str, int]], ignored=frozenset()) -> list[str] | None:
    """One import cycle (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if (module, target) in ignored:
                continue
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            found = visit(module)
            if found:
                return found
    return None


def test_the_import_graph_of_autograd_and_nn_has_no_cycle():
    graph = import_graph()
    cycle = find_cycle(graph, KNOWN_CYCLE_EDGES)
    if cycle:
        where = [f"{a} imports {b} (line {graph[a][b]})" for a, b in pairwise(cycle)]
        raise AssertionError("import cycle: " + "; ".join(where))


def test_the_known_cycles_are_still_there():
    graph = import_graph()
    for module, target in KNOWN_CYCLE_EDGES:
        assert target in graph[module], f"{module} no longer imports {target}: drop the entry"
        assert find_cycle(graph, KNOWN_CYCLE_EDGES - {(module, target)}), \
            f"{module} → {target} closes no cycle any more: drop it from KNOWN_CYCLE_EDGES"


def test_the_check_finds_a_function_level_cycle_and_skips_type_checking(tmp_path):
    """The check can fail: a module importing another inside a function, which imports it
    back (as drawing.py and stepper.py did), is a cycle; an import under TYPE_CHECKING is
    not (it never runs)."""
    package = tmp_path / "autograd"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "drawing.py").write_text("def draw():\n    from .stepper import stepper\n")
    (package / "stepper.py").write_text("from .drawing import draw\n")
    (package / "value.py").write_text("from typing import TYPE_CHECKING\n"
                                      "if TYPE_CHECKING:\n    from .backward import run\n")
    (package / "backward.py").write_text("from .value import Value\n")
    graph = import_graph(tmp_path)
    assert graph["autograd.drawing"] == {"autograd.stepper": 2}
    assert graph["autograd.value"] == {}
    assert find_cycle(graph) == ["autograd.drawing", "autograd.stepper", "autograd.drawing"]
    assert find_cycle(graph, {("autograd.drawing", "autograd.stepper")}) is None
