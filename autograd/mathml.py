"""MathML for names and numbers, so rendered math needs no script and no network.

Chromium (≥ 109), Firefox and Safari draw MathML Core natively: a page holding these elements
shows fractions, subscripts and superscripts offline, in JupyterLab, VS Code and an exported
HTML file alike. Names arrive as the text the rest of the library prints (``w₁,₁⁽¹⁾``, ``ŷ``,
``log(a₁⁽²⁾)``): their Unicode sub- and superscripts become real ``msub``/``msup`` scripts.
"""

from __future__ import annotations

import math
import re
import unicodedata
from html import escape

_SUB = "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢᵣᵤᵥⱼ"
_SUB_PLAIN = "0123456789+−=()aeoxhklmnpstiruvj"
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀ"
_SUP_PLAIN = "0123456789+−=()inT"
_FROM_SUB = str.maketrans(_SUB, _SUB_PLAIN)
_FROM_SUP = str.maketrans(_SUP, _SUP_PLAIN)

_TOKEN = re.compile(
    rf"(?P<sub>[{_SUB}]+(?:,[{_SUB}]+)*)"
    rf"|(?P<sup>[{_SUP}]+)"
    r"|(?P<number>\d+(?:\.\d+)?(?:e[+-]?\d+)?)"
    rf"|(?P<word>(?:(?![{_SUB}{_SUP}])[^\W\d_][\u0300-\u036f]*)+)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)


def _script(text: str) -> str:
    """The plain text of a script (``1,1``, ``(1)``, ``T``) as MathML."""
    return _mrow(_tokens(text))


def _mrow(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"<mrow>{''.join(parts)}</mrow>"


_ACCENTS = "\u0302\u0303\u0304\u0307\u0308"  # ^ ~ ¯ ˙ ¨ over a letter
_OPERATORS = {"Σ": "∑", "Π": "∏", "-": "−"}


def _word(token: str) -> str:
    """A run of letters: one identifier; a single letter with an accent (ŷ) stays italic,
    the accent drawn over it."""
    decomposed = unicodedata.normalize("NFD", token)
    if len(decomposed) == 2 and decomposed[1] in _ACCENTS:  # italic as a plain letter is
        return f'<mi style="font-style:italic">{escape(token)}</mi>'  # (no math-italic ŷ)
    if token in _OPERATORS:
        return f"<mo>{_OPERATORS[token]}</mo>"
    return f"<mi>{escape(token)}</mi>"


def _tokens(text: str) -> list[str]:
    """MathML elements for ``text``, one per token; scripts attach to the token before."""
    parts: list[str] = []
    bases: list[str | None] = []  # per part: the kind of script already attached, if any
    gap = False  # a space before this token, between two words or numbers
    for m in _TOKEN.finditer(text):
        kind, token = m.lastgroup, m.group()
        if kind in ("sub", "sup"):
            plain = token.translate(_FROM_SUB if kind == "sub" else _FROM_SUP)
            script = _script(plain)
            if not parts:
                parts.append(f"<mtext>{escape(token)}</mtext>")
                bases.append(None)
                continue
            base, attached = parts[-1], bases[-1]
            if kind == "sup" and attached == "sub":  # x₁⁽¹⁾: one msubsup
                inner = base[len("<msub>"):-len("</msub>")]
                parts[-1] = f"<msubsup>{inner}{script}</msubsup>"
                bases[-1] = "subsup"
            elif attached is None:
                tag = "msub" if kind == "sub" else "msup"
                parts[-1] = f"<{tag}>{base}{script}</{tag}>"
                bases[-1] = kind
            else:  # a third script: keep it readable as text
                parts.append(f"<mtext>{escape(token)}</mtext>")
                bases.append(None)
            continue
        if kind == "space":
            gap = bool(parts) and not parts[-1].startswith("<mo")
            continue
        if gap and kind in ("number", "word"):
            parts.append('<mspace width="0.3em"></mspace>')
            bases.append("space")
        gap = False
        if kind == "number":
            parts.append(f"<mn>{escape(token)}</mn>")
        elif kind == "word":
            parts.append(_word(token))
        else:
            parts.append(f"<mo>{escape(_OPERATORS.get(token, token))}</mo>")
        bases.append(None)
    return parts


def name(text: str) -> str:
    """A node's name as MathML: ``w₁,₁⁽¹⁾`` → ``<msubsup><mi>w</mi>…</msubsup>``.

    Letters become identifiers (a run of letters, ``log``, is one, drawn upright), digits
    numbers, anything else an operator; Unicode subscripts and superscripts become scripts
    of the token before them (``⁽¹⁾`` the layer, ``₁,₂`` the indices, ``²`` a power).

    Example::

        >>> name("a₂⁽¹⁾")
        '<msubsup><mi>a</mi><mn>2</mn><mrow><mo>(</mo><mn>1</mn><mo>)</mo></mrow></msubsup>'
        >>> name("ŷ")
        '<mi style="font-style:italic">ŷ</mi>'
    """
    parts = _tokens(text)
    return _mrow(parts) if parts else "<mrow></mrow>"


def number(x: float) -> str:
    """A number with 6 significant digits; ``1.5e-07`` as 1.5 × 10⁻⁷, NaN and ±∞ by name.

    Example::

        >>> number(-0.25), number(1.5e-07)
        ('<mrow><mo>−</mo><mn>0.25</mn></mrow>', '<mrow><mn>1.5</mn><mo>×</mo><msup><mn>10</mn><mrow><mo>−</mo><mn>7</mn></mrow></msup></mrow>')
    """  # noqa: E501
    if math.isnan(x):
        return "<mi>NaN</mi>"
    sign = "<mo>−</mo>" if x < 0 else ""
    x = abs(x)
    if math.isinf(x):
        body = "<mi>∞</mi>"
    else:
        text = f"{x + 0.0:.6g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            power = int(exponent)
            exp = (f"<mrow><mo>−</mo><mn>{-power}</mn></mrow>" if power < 0
                   else f"<mn>{power}</mn>")
            body = f"<mn>{mantissa}</mn><mo>×</mo><msup><mn>10</mn>{exp}</msup>"
            return f"<mrow>{sign}{body}</mrow>"
        body = f"<mn>{text}</mn>"
    return f"<mrow>{sign}{body}</mrow>" if sign else body


def partial(top: str, bottom: str) -> str:
    """∂top/∂bottom as a fraction; ``top`` and ``bottom`` are MathML (from :func:`name`)."""
    return (f"<mfrac><mrow><mo>∂</mo>{top}</mrow>"
            f"<mrow><mo>∂</mo>{bottom}</mrow></mfrac>")


def operator(symbol: str) -> str:
    """An operator (``=``, ``×``, ``+``) as MathML."""
    return f"<mo>{escape(symbol)}</mo>"


def block(fragment: str) -> str:
    """One ``<math>`` element, in display style (fractions at full size), set inline so
    that a line of them wraps between elements, never inside one."""
    return f'<math displaystyle="true">{fragment}</math>'
