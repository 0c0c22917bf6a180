"""How an explanation is shown: one layout, written out as text, LaTeX or HTML with MathML.

:mod:`autograd.explain` computes ∂root/∂wrt taken apart; this module lays it out as a list of
blocks — a :class:`Line` (prose and math that wraps between pieces) or a :class:`Table` (one
factor per row, its value beside it) — and renders that layout three ways:

- :func:`text`: lines of at most :data:`WIDTH` characters, broken between words and between
  factors, never inside a name (``print(explanation)``);
- :func:`latex`: an ``aligned`` environment, one line or factor per row (``_repr_latex_``);
- :func:`html`: HTML with MathML, which browsers draw without any script or network; lines
  wrap between factors in a column of any width (``_repr_html_``).
"""

from __future__ import annotations

import math
import unicodedata
from html import escape
from typing import NamedTuple

from . import mathml

WIDTH = 80  # the text form's widest line, in monospace characters
_NBSP = "\u00a0"  # inside a math piece's text: a space the text form never breaks at


class D(NamedTuple):
    """∂top/∂bottom, the names as the text form prints them."""

    top: str
    bottom: str


class Num(NamedTuple):
    """A number, shown with 6 significant digits; ``paren``: a negative one in parentheses
    (after an operator: ``2 × (-1)``)."""

    x: float
    paren: bool = False


class Nm(NamedTuple):
    """A node's name (or a placeholder such as ``c``)."""

    s: str


class Code(NamedTuple):
    """Code to type, such as ``.samples[i].explain()``."""

    s: str


class Op(NamedTuple):
    """An operator between math pieces: ``=``, ``×``, ``·``, ``+``; ``Σc`` is Σ over c."""

    s: str


Piece = str | D | Num | Nm | Op | Code  # a str is prose
MathPiece = D | Num | Nm | Op  # the pieces set as math (not prose, not code)


class Line(NamedTuple):
    """Prose and math that wrap between words and pieces; ``indent`` in characters."""

    pieces: tuple[Piece, ...]
    indent: int = 0
    hanging: int = 4  # how much further a continuation line is indented


class Row(NamedTuple):
    """One row of a table: ``lead`` (``""``, ``×``, ``=``), an expression, its value."""

    lead: str
    pieces: tuple[MathPiece, ...]
    value: float | None = None


class Table(NamedTuple):
    """Rows whose values line up (a chain: one factor per row)."""

    rows: tuple[Row, ...]
    indent: int = 0


Block = Line | Table


# --- shared helpers -------------------------------------------------------------------------
def fmt(x: float) -> str:
    """A number as the text form prints it: 6 significant digits, −0 as 0."""
    return f"{x + 0.0:.6g}"


def needs_parentheses(name: str) -> bool:
    """Whether a name has an operator outside parentheses, so a ∂ must wrap it: ``∂(w·x)``,
    but ``∂log(1 − ŷ)``."""
    depth = 0
    for ch in name:
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in " ·/":
            return True
    return False


def wrapped(name: str) -> str:
    """A name after a ∂, parenthesised when it needs it."""
    return f"({name})" if needs_parentheses(name) else name


def width(text: str) -> int:
    """Monospace columns ``text`` takes: combining marks (the hat of ŷ) take none."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


_OPS_TEXT = {"Σc": "Σ_c", "Σi": "Σᵢ"}
_OPS_TEX = {"×": "\\times", "·": "\\cdot", "Σc": "\\sum_c", "Σi": "\\sum_i", "−": "-"}


def _piece_text(p: MathPiece) -> str:
    if isinstance(p, D):
        return f"∂{wrapped(p.top)}/∂{wrapped(p.bottom)}"
    if isinstance(p, Num):
        shown = fmt(p.x)
        return f"({shown})" if p.paren and shown.startswith("-") else shown
    if isinstance(p, Op):
        return _OPS_TEXT.get(p.s, p.s)
    return p.s


def _flow(pieces: tuple[Piece, ...], render_math, render_prose, render_code=None) -> str:
    """Pieces joined: prose as written (it carries its own spaces), a space between two math
    pieces."""
    out = []
    previous_math = False
    for p in pieces:
        if isinstance(p, Code):
            out.append((render_code or render_prose)(p.s))
            previous_math = False
        elif isinstance(p, str):
            out.append(render_prose(p))
            previous_math = False
        else:
            if previous_math:
                out.append(" ")
            out.append(render_math(p))
            previous_math = True
    return "".join(out)


# --- text -----------------------------------------------------------------------------------
def _line_text(pieces: tuple[Piece, ...]) -> str:
    """One line as text; spaces inside a math piece are non-breaking."""
    return _flow(pieces, lambda p: _piece_text(p).replace(" ", _NBSP), lambda s: s)


def wrap(text: str, indent: int, limit: int = WIDTH, hanging: int = 4) -> list[str]:
    """``text`` in lines of at most ``limit`` columns, broken at spaces only (a word or a
    math piece, which holds non-breaking spaces, is never split); continuation lines are
    indented ``hanging`` more. A piece longer than a line stands alone on its line."""
    lines: list[str] = []
    current = " " * indent
    fresh = True
    for word in text.split(" "):
        if word == "" and not fresh:
            current += " "
            continue
        candidate = current + ("" if fresh else " ") + word
        if not fresh and width(candidate) > limit:
            lines.append(current.rstrip())
            current = " " * (indent + hanging) + word
        else:
            current = candidate
        fresh = False
    lines.append(current.rstrip())
    return [line.replace(_NBSP, " ") for line in lines]


def text(blocks: list[Block]) -> str:
    """The layout as text lines of at most :data:`WIDTH` columns (a name longer than a line
    is the only exception: names are never split)."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Line):
            out += wrap(_line_text(block.pieces), block.indent, hanging=block.hanging)
        else:
            out += _table_text(block)
    return "\n".join(out)


def _table_text(table: Table) -> list[str]:
    pad = " " * table.indent
    exprs = [_line_text(r.pieces) for r in table.rows]
    valued = [width(e) for e, r in zip(exprs, table.rows) if r.value is not None]
    column = max(valued, default=0)
    lines = []
    for expr, row in zip(exprs, table.rows):
        lead = f"{row.lead or ' '} "
        if row.value is None:
            lines += wrap(f"{lead}{expr}", table.indent)
            continue
        value = fmt(row.value)
        aligned = f"{pad}{lead}{expr}{' ' * (column - width(expr))} = {value}"
        if width(aligned) <= WIDTH:
            lines.append(aligned.replace(_NBSP, " "))
            continue
        single = f"{pad}{lead}{expr} = {value}"
        if width(single) <= WIDTH:
            lines.append(single.replace(_NBSP, " "))
        else:  # the value on the next line, under the expression
            lines += wrap(f"{lead}{expr}", table.indent)
            lines.append(f"{pad}    = {value}")
    return lines


# --- LaTeX ----------------------------------------------------------------------------------
def _tex_text(s: str) -> str:
    for a, b in (("\\", "\\textbackslash "), ("{", "\\{"), ("}", "\\}"), ("$", "\\$"),
                 ("&", "\\&"), ("%", "\\%"), ("#", "\\#"), ("_", "\\_")):
        s = s.replace(a, b)
    return s


def _tex_name(s: str) -> str:
    return f"\\text{{{_tex_text(s)}}}"


def _tex_number(x: float) -> str:
    if not math.isfinite(x):
        return "\\text{NaN}" if math.isnan(x) else ("-" if x < 0 else "") + "\\infty"
    shown = fmt(x)
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        return f"{mantissa}\\times 10^{{{int(exponent)}}}"
    return shown


def _piece_tex(p: MathPiece) -> str:
    if isinstance(p, D):
        top, bottom = _tex_name(wrapped(p.top)), _tex_name(wrapped(p.bottom))
        return f"\\frac{{\\partial {top}}}{{\\partial {bottom}}}"
    if isinstance(p, Num):
        shown = _tex_number(p.x)
        return f"({shown})" if p.paren and p.x < 0 else shown
    if isinstance(p, Op):
        return _OPS_TEX.get(p.s, _tex_text(p.s))
    return _tex_name(p.s)


def _tex_rows(pieces: tuple[Piece, ...], indent: int, limit: int = 64) -> list[str]:
    """A line as LaTeX rows, broken (by the text form's widths) between words and pieces;
    the words of a row's prose in one ``\\text``."""
    items: list[tuple[bool, str, int]] = []  # (is prose, text or TeX, width)
    for p in pieces:
        if isinstance(p, Code):
            items.append((False, f"\\texttt{{{_tex_text(p.s)}}}", width(p.s) + 1))
        elif isinstance(p, str):
            words = p.split(" ")
            items += [(True, word + (" " if k < len(words) - 1 else ""), width(word) + 1)
                      for k, word in enumerate(words) if word or k < len(words) - 1]
        else:
            items.append((False, _piece_tex(p), width(_piece_text(p)) + 1))
    rows: list[list[str]] = [[]]
    prose = ""
    used = 0

    def flush() -> None:
        nonlocal prose
        if prose:
            rows[-1].append(f"\\text{{{_tex_text(prose)}}}")
            prose = ""

    for is_prose, tex, size in items:
        if used and used + size > limit:
            flush()
            rows.append([])
            used = 4
        if is_prose:
            prose += tex
        else:
            flush()
            rows[-1].append(tex)
        used += size
    flush()
    quad = "\\quad " * (indent // 2)
    more = "\\qquad "
    return [f"&{quad}{more if k else ''}{' '.join(r)}" for k, r in enumerate(rows) if r]


def latex(blocks: list[Block]) -> str:
    """The layout as one ``aligned`` environment, a row per line (long lines broken) and per
    factor, so it fits a narrow column."""
    rows: list[str] = []
    for block in blocks:
        if isinstance(block, Line):
            rows += _tex_rows(block.pieces, block.indent)
            continue
        quad = "\\quad " * (block.indent // 2 + 1)
        for row in block.rows:
            lead = {"×": "\\times\\ ", "=": "=\\ "}.get(row.lead, "")
            expr = " ".join(_piece_tex(p) for p in row.pieces)
            value = "" if row.value is None else f" = {_tex_number(row.value)}"
            rows.append(f"&{quad}{lead}{expr}{value}")
    return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"


# --- HTML with MathML -----------------------------------------------------------------------
_MATH_OPS = {"Σc": "<munder><mo>∑</mo><mi>c</mi></munder>",
             "Σi": "<munder><mo>∑</mo><mi>i</mi></munder>"}


def _piece_mathml(p: MathPiece) -> str:
    if isinstance(p, D):
        return mathml.partial(mathml.name(wrapped(p.top)), mathml.name(wrapped(p.bottom)))
    if isinstance(p, Num):
        shown = mathml.number(p.x)
        return f"<mrow><mo>(</mo>{shown}<mo>)</mo></mrow>" if p.paren and p.x < 0 else shown
    if isinstance(p, Op):
        return _MATH_OPS.get(p.s) or mathml.operator(p.s)
    return mathml.name(p.s)


def _line_html(pieces: tuple[Piece, ...]) -> str:
    return _flow(pieces, lambda p: mathml.block(_piece_mathml(p)), escape,
                 lambda code: f"<code>{escape(code)}</code>")


STYLE = (".tg-explain{font-size:15px;line-height:1.5;max-width:100%;overflow-x:auto;"
         "font-family:system-ui,-apple-system,'Segoe UI',sans-serif}"
         ".tg-explain math{font-size:16px}"
         ".tg-explain .tg-line{margin:0.15em 0;overflow-wrap:normal}"
         ".tg-explain table{border-collapse:collapse;margin:0.1em 0}"
         ".tg-explain td{padding:0.05em 0.35em;vertical-align:middle;text-align:left}"
         ".tg-explain td.tg-lead{text-align:right;padding-left:0}")


def html(blocks: list[Block]) -> str:
    """The layout as HTML with MathML: prose and math wrap between pieces (each factor is
    one ``<math>`` element, never split), factors of a chain in a table, one per row."""
    out = [f'<div class="tg-explain"><style>{STYLE}</style>']
    for block in blocks:
        if isinstance(block, Line):  # continuation lines indented by `hanging`, as in text
            pad = (f"padding-left:{(block.indent + block.hanging) * 0.5:g}em;"
                   f"text-indent:-{block.hanging * 0.5:g}em")
            out.append(f'<div class="tg-line" style="{pad}">{_line_html(block.pieces)}</div>')
            continue
        out.append(f'<table style="margin-left:{block.indent * 0.5:g}em">')
        for row in block.rows:
            lead = mathml.block(mathml.operator(row.lead)) if row.lead else ""
            value = ("" if row.value is None else
                     mathml.block(mathml.operator("=") + mathml.number(row.value)))
            out.append(f'<tr><td class="tg-lead">{lead}</td><td>{_line_html(row.pieces)}</td>'
                       f"<td>{value}</td></tr>")
        out.append("</table>")
    out.append("</div>")
    return "".join(out)
