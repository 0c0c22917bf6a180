"""Notebooks are committed without outputs (tests/test_lessons.py executes them), and a lesson's
exercises are blank stubs: every answer a lesson passes to ``check`` is ``...`` or a function
whose body is ``...`` — the solutions live in notebooks/solutions/."""

import ast
import json
import re
from pathlib import Path

import pytest

from nn.exercise_bank import EXERCISES

ROOT = Path(__file__).parent.parent / "notebooks"
LESSONS = sorted(ROOT.glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
NOTEBOOKS = LESSONS + SOLUTIONS
CHECK = re.compile(r"""\bcheck\(\s*["']([\w.]+)["']\s*,\s*(\w+)\s*\)""")


def code_of(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
            if c["cell_type"] == "code"]


def checks_in(path: Path) -> list[tuple[str, str]]:
    return [m.groups() for source in code_of(path) for m in CHECK.finditer(source)]


def test_there_are_lessons():
    assert LESSONS and SOLUTIONS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_outputs_are_stripped(path):
    cells = json.loads(path.read_text())["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None


def is_stub(node: ast.stmt) -> bool:
    """``name = ...`` or ``def name(...): [docstring] ...``."""
    if isinstance(node, ast.Assign):
        return isinstance(node.value, ast.Constant) and node.value.value is Ellipsis
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return len(body) == 1 and isinstance(body[0], ast.Expr) \
        and isinstance(body[0].value, ast.Constant) and body[0].value.value is Ellipsis


def definitions(path: Path, name: str) -> list[ast.stmt]:
    found = []
    for source in code_of(path):
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                found.append(node)
            elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in node.targets):
                found.append(node)
    return found


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_a_lessons_answers_are_stubs(path):
    for exercise_id, name in checks_in(path):
        found = definitions(path, name)
        assert found, f"{path.name}: check({exercise_id!r}, {name}) but {name} is never defined"
        assert all(is_stub(node) for node in found), \
            f"{path.name}: {name}, checked by {exercise_id!r}, is not a blank stub (a solution?)"


def test_the_stub_detector_sees_a_solution():
    solution = ast.parse("def f(z):\n    'doc'\n    return z * (1 - z)\n").body[0]
    stub = ast.parse("def f(z):\n    'doc'\n    ...\n").body[0]
    assert not is_stub(solution) and is_stub(stub)
    assert is_stub(ast.parse("x = ...").body[0]) and not is_stub(ast.parse("x = 3").body[0])


def test_every_exercise_is_posed_in_its_lesson_and_solved_in_its_solutions():
    posed = {i for p in LESSONS for i, _ in checks_in(p)}
    solved = {i for p in SOLUTIONS for i, _ in checks_in(p)}
    assert posed == set(EXERCISES) == solved
    for path in LESSONS + SOLUTIONS:
        number = int(path.name[:2])
        assert all(EXERCISES[i].lesson == number for i, _ in checks_in(path)), path.name
