"""A lesson as one HTML page that needs no network: its formulas as MathML.

``nbconvert``'s HTML export leaves ``$…$`` for MathJax, which it loads from a CDN: opened
offline, the page shows raw TeX. :func:`export_lesson` converts every formula of the
Markdown cells (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``, ``\\begin{…}…\\end{…}``) and every
LaTeX-only output to MathML, which Chromium (≥ 109), Firefox and Safari draw natively, and
drops the page's scripts from CDNs (MathJax, RequireJS, Mermaid). Outputs that already carry
HTML — ``autograd.explain``'s MathML, drawings, steppers — are kept as they are.

Needs ``nbconvert`` and ``latex2mathml`` (``pip install -e ".[export]"``), and a Jupyter
kernel to run the lesson first (``execute=True``).

Command line: ``tracegrad export-lesson notebooks/03_backprop_step_by_step.ipynb out.html``.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["MathConversionError", "export_lesson", "formulas", "tex_to_mathml"]

_UNCONVERTED = re.compile(r">\\[A-Za-z]+<")  # a command the converter did not know, as text
_CONTROL_SPACE = re.compile(r"(?<!\\)\\(?=[\n\t])")  # "\" then a line break: TeX's "\ "
_MTEXT = re.compile(r"(<mtext[^>]*>)(.*?)(</mtext>)", re.DOTALL)
_TEXT_ESCAPE = re.compile(r"\\([_%&$#{}])")  # TeX's escapes inside \text{…}
# aligned-like environments: one MathML table row per line, columns at the &
_ROWS_ENVIRONMENTS = ("aligned", "align", "align*", "gathered", "gather", "gather*",
                      "split", "eqnarray", "eqnarray*", "cases")

_STYLE = """<style>
/* tracegrad export: formulas are MathML, drawn by the browser (no script, no network) */
math { font-size: 1.08em; }
.tg-math-block { display: block; overflow-x: auto; overflow-y: hidden; margin: 0.6em 0; }
.tg-math-block > math { display: block math; }
</style>"""

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}""" + _STYLE + """{%- endblock html_head_css -%}
"""


class MathConversionError(ValueError):
    """A formula that could not be converted to MathML (named, with where it was)."""


def tex_to_mathml(tex: str, *, display: bool = False) -> str:
    """One TeX formula as a ``<math>`` element (``display=True``: a block formula).

    .. math:: \\texttt{x\\_i\\^{}2} \\mapsto \\langle\\text{msubsup}\\rangle

    Raises:
        MathConversionError: the converter failed, or left a command it does not know
            (``\\foo``) as text.

    Example::

        >>> tex_to_mathml(r"\\hat y_i")[:60]
        '<math xmlns="http://www.w3.org/1998/Math/MathML" display="in'
    """
    from latex2mathml.converter import convert

    source = _CONTROL_SPACE.sub(r"\\ ", tex.strip())
    rows = _environment_rows(source)
    try:
        if rows is not None:
            result = _table(rows, display)
        else:
            result = convert(source, display="block" if display else "inline")
    except Exception as exc:  # the converter raises assorted errors on bad TeX
        raise MathConversionError(f"cannot convert the formula {tex!r} to MathML: {exc}. "
                                  "Fix its TeX (or simplify it).") from exc
    result = _MTEXT.sub(lambda m: m.group(1) + _TEXT_ESCAPE.sub(r"\1", m.group(2))
                        + m.group(3), result)  # \text{power\_t} shows power_t
    unknown = _UNCONVERTED.search(result)
    if unknown:
        raise MathConversionError(
            f"the formula {tex!r} uses {unknown.group()[1:-1]}, which the MathML converter "
            "does not know: it would show as raw TeX. Write it with commands it knows "
            "(e.g. \\mathrm{...} or \\operatorname{...})."
        )
    return result


def _environment_rows(source: str) -> list[list[str]] | None:
    """The cells of an ``aligned``-like environment (rows at ``\\\\``, columns at ``&``),
    which the converter does not lay out; ``None`` for any other formula."""
    match = re.fullmatch(r"\\begin\{([a-z]+\*?)\}(.*)\\end\{\1\}", source, re.DOTALL)
    if match is None or match.group(1) not in _ROWS_ENVIRONMENTS:
        return None
    body = match.group(2)
    if match.group(1) == "cases":
        return [["\\{"]] + [[row] for row in re.split(r"\\\\", body) if row.strip()]
    return [re.split(r"(?<!\\)&", row) for row in re.split(r"\\\\", body) if row.strip()]


def _table(rows: list[list[str]], display: bool) -> str:
    """Rows of formulas as one ``<math>`` holding an ``mtable``, columns alternately right-
    and left-aligned as LaTeX's ``aligned``."""
    from latex2mathml.converter import convert

    def inner(tex: str) -> str:
        converted = convert(tex.strip() or "{}", display="inline")
        return converted[converted.index(">") + 1:converted.rindex("</math>")]

    body = "".join(
        "<mtr>" + "".join(
            f'<mtd columnalign="{"right" if k % 2 == 0 else "left"}">{inner(cell)}</mtd>'
            for k, cell in enumerate(row)) + "</mtr>"
        for row in rows)
    mode = "block" if display else "inline"
    return (f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{mode}">'
            f'<mtable displaystyle="true">{body}</mtable></math>')


def formulas(markdown: str) -> list[tuple[str, bool]]:
    """Every formula of a Markdown text, as nbconvert's Markdown parser finds them:
    ``[(tex, display), …]``."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    found: list[tuple[str, bool]] = []

    class Collect(IPythonRenderer):
        def block_math(self, body: str) -> str:
            found.append((body, True))
            return ""

        def inline_math(self, body: str) -> str:
            found.append((body, False))
            return ""

        def latex_environment(self, name: str, body: str) -> str:
            found.append((f"\\begin{{{name}}}{body}\\end{{{name}}}", True))
            return ""

    MarkdownWithMath(renderer=Collect(escape=False)).render(markdown)
    return found


def _exporter():
    """nbconvert's HTML exporter (the ``lab`` look), with MathML for formulas and no
    script from the network."""
    from jinja2 import DictLoader, pass_context
    from nbconvert.exporters import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class MathMLRenderer(IPythonRenderer):
        def block_math(self, body: str) -> str:
            return f'<div class="tg-math-block">{tex_to_mathml(body, display=True)}</div>'

        def inline_math(self, body: str) -> str:
            return tex_to_mathml(body)

        def latex_environment(self, name: str, body: str) -> str:
            return self.block_math(f"\\begin{{{name}}}{body}\\end{{{name}}}")

    class OfflineHTMLExporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):
            cell = context.get("cell", {})
            path = context.get("resources", {}).get("metadata", {}).get("path", "")
            renderer = MathMLRenderer(
                escape=False, attachments=cell.get("attachments", {}),
                embed_images=self.embed_images, path=path,
                anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
            try:
                return MarkdownWithMath(renderer=renderer).render(source)
            except MathConversionError as exc:
                first = source.strip().splitlines()[0][:60] if source.strip() else ""
                raise MathConversionError(f"{exc} (in the Markdown cell that starts "
                                          f"{first!r})") from exc

    return OfflineHTMLExporter(template_name="lab", template_file="tracegrad_offline.html.j2",
                               extra_loaders=[DictLoader(
                                   {"tracegrad_offline.html.j2": _TEMPLATE})])


def _latex_outputs_to_mathml(notebook) -> None:
    """An output with LaTeX and no HTML (``IPython.display.Math``, a ``_repr_latex_``) gets
    an HTML form with MathML, which the page shows instead of the raw TeX."""
    pattern = re.compile(r"^\s*(\$\$|\$)(.*)\1\s*$", re.DOTALL)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/latex" not in data or "text/html" in data:
                continue
            tex = data["text/latex"]
            tex = "".join(tex) if isinstance(tex, list) else tex
            match = pattern.match(tex)
            if match is None:
                continue  # LaTeX text, not a formula: left as it is
            display = match.group(1) == "$$"
            converted = tex_to_mathml(match.group(2), display=display)
            data["text/html"] = (f'<div class="tg-math-block">{converted}</div>' if display
                                 else converted)


def export_lesson(notebook: str | Path, out: str | Path, *, execute: bool = True,
                  timeout: int = 600) -> Path:
    """Write a lesson notebook as one self-contained HTML page whose formulas show offline.

    The page is nbconvert's (JupyterLab's look, images embedded); each formula of a Markdown
    cell becomes MathML (inline for ``$…$``, a block for ``$$…$$`` and environments, an
    ``aligned`` one a table of rows), as does every LaTeX-only output; no script is loaded
    from the network.

    Args:
        notebook: the ``.ipynb`` file.
        out: the ``.html`` file to write (its folder is created).
        execute: run the notebook first (in its own folder, with the ``python3`` kernel),
            so the page shows its outputs; ``False`` exports it as saved.
        timeout: seconds a cell may run.
    Returns:
        The path written.
    Raises:
        FileNotFoundError: ``notebook`` does not exist.
        ValueError: ``notebook`` is not a ``.ipynb`` file, or ``out`` not a ``.html`` one.
        MathConversionError: a formula cannot be converted (named, with its cell).
    """
    import nbformat

    source, target = Path(notebook), Path(out)
    if source.suffix != ".ipynb":
        raise ValueError(f"export_lesson: notebook must be a .ipynb file, got {str(source)!r}")
    if target.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"export_lesson: out must be a .html file, got {str(target)!r}; "
                         "e.g. out='lesson.html'")
    if not source.is_file():
        raise FileNotFoundError(f"export_lesson: no notebook at {str(source)!r}")
    nb = nbformat.read(source, as_version=4)
    if execute:
        from nbclient import NotebookClient

        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(source.parent.resolve())}}).execute()
    _latex_outputs_to_mathml(nb)
    page, _ = _exporter().from_notebook_node(
        nb, resources={"metadata": {"name": source.stem, "path": str(source.parent)}})
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
