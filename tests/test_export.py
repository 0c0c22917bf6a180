"""nn.export: lessons as HTML pages whose formulas are MathML (they show with no network)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from nn.cli import main
from nn.export import MathConversionError, export_lesson, formulas, tex_to_mathml

LESSONS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_formula_of_every_lesson_converts_to_mathml(path):
    notebook = nbformat.read(path, as_version=4)
    found = [f for cell in notebook.cells if cell.cell_type == "markdown"
             for f in formulas(cell.source)]
    assert found, f"{path.name} has no formula: did the parser find the $…$?"
    for tex, display in found:
        converted = tex_to_mathml(tex, display=display)  # raises on an error or unknown command
        assert converted.startswith("<math") and converted.endswith("</math>")
        assert "\\" not in re.sub(r"<[^>]*>", "", converted)  # no TeX command left as text


def test_a_formula_the_converter_does_not_know_is_an_error_naming_it():
    with pytest.raises(MathConversionError, match=r"\\foo"):
        tex_to_mathml(r"\foo{x} + 1")
    assert "<mfrac>" in tex_to_mathml(r"\frac{\partial L}{\partial w}")


def test_an_aligned_formula_becomes_a_table_of_rows():
    converted = tex_to_mathml(r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}",
                              display=True)
    assert converted.count("<mtr>") == 2 and converted.count("<mtd") == 4
    assert "&amp;" not in converted and ">&<" not in converted


def lesson_like(tmp_path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("The cost $J = \\frac1N\\sum_i L_i$ and\n\n"
                                      "$$\\frac{\\partial J}{\\partial w} = "
                                      "\\mathrm{mean}((\\hat y - y)\\,x)$$"),
        nbformat.v4.new_code_cell("from IPython.display import Math\nMath(r'\\sigma(z)')"),
    ]
    notebook.cells[1].outputs = [nbformat.v4.new_output(
        "execute_result", {"text/latex": "$\\displaystyle \\sigma(z)$",
                           "text/plain": "<IPython.core.display.Math object>"},
        execution_count=1)]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(notebook, path)
    return path


def test_an_exported_page_has_mathml_and_loads_nothing_from_the_network(tmp_path):
    out = export_lesson(lesson_like(tmp_path), tmp_path / "out" / "lesson.html",
                        execute=False)
    page = out.read_text(encoding="utf-8")
    assert page.count("<math") == 3  # inline, display, and the LaTeX output
    assert "mathjax" not in page.lower()
    assert not re.search(r"<script[^>]+src=\"?https?:", page)
    assert not re.search(r"<link[^>]+href=\"?https?:", page)
    assert "$J" not in page and "$$" not in page


def test_the_command_line_exports_and_names_bad_arguments(tmp_path, capsys):
    source = lesson_like(tmp_path)
    assert main(["export-lesson", str(source), str(tmp_path / "page.html"),
                 "--no-execute"]) == 0
    assert (tmp_path / "page.html").stat().st_size > 1000
    assert "page.html" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        main(["export-lesson", str(source), str(tmp_path / "page.txt"), "--no-execute"])
    assert stop.value.code == 2 and ".html" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["export-lesson", str(tmp_path / "missing.ipynb"), str(tmp_path / "p.html")])
    assert stop.value.code == 2 and "missing.ipynb" in capsys.readouterr().err
