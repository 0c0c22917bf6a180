"""ARCHITECTURE.md is the code's map: every module is in its tables, each row's ``imports``
column is what the module imports, and the files and tests it names exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from test_layering import import_graph

ROOT = Path(__file__).parent.parent
MAP = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(autograd|nn)/(\w+)\.py` \| (.+?) \| (.+?) \|$", re.M)


def rows() -> dict[str, tuple[str, set[str]]]:
    """module → (its job, the modules its row says it imports), as full module names."""
    table = {}
    for package, stem, job, imports in ROW.findall(MAP):
        module = package if stem == "__init__" else f"{package}.{stem}"
        assert module not in table, f"{module} has two rows"
        named = set() if imports.strip() == "—" else {
            name if name == package or (package == "nn" and name.split(".")[0] == "autograd")
            else f"{package}.{name}" for name in re.findall(r"`([\w.]+)`", imports)}
        table[module] = (job, named)
    return table


def test_every_module_has_one_row():
    listed = set(rows())
    modules = set(import_graph())
    assert not modules - listed, f"modules missing from ARCHITECTURE.md: {sorted(modules - listed)}"
    assert not listed - modules, f"rows for modules that do not exist: {sorted(listed - modules)}"


def test_each_row_says_what_its_module_imports():
    graph = import_graph()
    for module, (_, named) in rows().items():
        package = module.split(".")[0]
        actual = set(graph[module])
        short = sorted(t.removeprefix(package + ".") for t in actual)
        assert named == actual, (f"ARCHITECTURE.md's row for {module} should list imports "
                                 f"{', '.join(short) or '—'}")


def test_each_job_is_the_modules_docstring_summary():
    """The one-line job is the module's own first docstring paragraph (so it cannot drift)."""
    for module, (job, _) in rows().items():
        package, _, stem = module.partition(".")
        source = (ROOT / package / f"{stem or '__init__'}.py").read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        summary = " ".join(doc.split("\n\n")[0].split()).replace("|", "\\|")
        assert job == summary, f"{module}: the row's job differs from its docstring"


def test_the_files_and_tests_it_names_exist():
    named = set(re.findall(r"`((?:autograd|nn|tests|benchmarks|notebooks)/[\w/.]+\.\w+)`", MAP))
    assert len(named) >= 8
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"ARCHITECTURE.md names files that do not exist: {missing}"


def test_every_module_says_where_its_tests_are():
    section = MAP[MAP.index("## Where the tests are"):]
    section = section[:section.index("\n## ")]
    table = dict(re.findall(r"^\| `((?:autograd|nn)/\w+\.py)` \| (.+) \|$", section, re.M))
    modules = {f"{m.replace('.', '/')}.py" if "." in m else f"{m}/__init__.py"
               for m in import_graph()}
    assert set(table) == modules, sorted(set(table) ^ modules)
    for module, files in table.items():
        for path in re.findall(r"`(tests/[\w/]+\.py)`", files):
            assert (ROOT / path).exists(), f"{module}: {path} does not exist"
