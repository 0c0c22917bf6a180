"""A picture in a notebook column: never shrunk below legible, panned and zoomed when wider.

Graphviz writes an SVG in points (1 pt = 4/3 CSS px). Scaled by ``s`` (1 = natural size), a
text of font size ``f`` (in the SVG's units, under its graph's transform ``g``) is drawn at

    f · g · (4/3) · s  CSS px,

so the smallest scale that keeps every text legible is the largest ``need / (f · g · 4/3)``
over the texts: ``need`` is 11 px, and 8 px for the sub- and superscripts of a text that has
some (``w₁,₁⁽²⁾``): Unicode draws those at about 0.6 of the font size (0.59 in Liberation
Sans and DejaVu Sans, measured in Chromium), so such a text needs 8 / 0.58 ≈ 13.8 px.

:func:`framed` wraps the SVG in a viewport (``assets/viewport.js``): shown at natural size,
or scaled down only as far as that floor allows; wider than the column it pans (scrollbars,
mouse drag) and zooms (−, +, fit, 1:1, ctrl+wheel). Zooming out stops at the floor; "fit" is
an explicit request to see the whole and may go below it. Without JavaScript (an untrusted
notebook) the SVG stays at natural size in a box that scrolls.
"""

from __future__ import annotations

import math
import re
import unicodedata
from html import escape
from importlib import resources

LEGIBLE_PX = 11.0  # the smallest text on screen, in CSS px
SCRIPT_PX = 8.0  # the smallest sub- or superscript on screen
SCRIPT_GLYPH = 0.58  # a Unicode sub/superscript's size relative to its font (0.59 measured)
PX_PER_PT = 96 / 72
MAX_HEIGHT = "min(70vh, 640px)"  # a tall picture pans vertically instead of growing the page

_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
_VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
_GRAPH_SCALE = re.compile(r'<g id="graph0" class="graph" transform="scale\(([\d.]+)')
_TEXT = re.compile(r'<text\b[^>]*?font-size="([\d.]+)"[^>]*>(.*?)</text>', re.S)


def has_script(text: str) -> bool:
    """Whether ``text`` holds a Unicode sub- or superscript character (``₁``, ``⁽²⁾``, ``ᵀ``).

    >>> has_script("w₁,₁⁽²⁾"), has_script("data 0.5")
    (True, False)
    """
    return any(unicodedata.decomposition(ch).startswith(("<sub>", "<super>")) for ch in text)


def natural_size(svg: str) -> tuple[float, float] | None:
    """The SVG's natural size in CSS px, from Graphviz's ``width="…pt" height="…pt"``, or
    ``None`` when it has no such size."""
    match = _SVG_SIZE.search(svg)
    if match is None:
        return None
    return float(match.group(1)) * PX_PER_PT, float(match.group(2)) * PX_PER_PT


def legible_scale(svg: str) -> float:
    """The smallest scale (1 = natural size) at which every text of ``svg`` is drawn at
    ≥ 11 px and every sub/superscript at ≥ 8 px::

        floor = max over texts of  need / (font size · graph scale · px per unit)

    with ``need`` = 11 px, or 8 / 0.58 px for a text with sub/superscripts. A Graphviz SVG
    at 1 unit = 1 pt whose texts are all 9 pt (12 px) has floor 11 / 12.

    >>> svg = ('<svg width="100pt" height="50pt" viewBox="0.00 0.00 100.00 50.00">'
    ...        '<g id="graph0" class="graph" transform="scale(1 1) rotate(0)">'
    ...        '<text font-size="9.00">0.25</text></g></svg>')
    >>> round(legible_scale(svg), 4)
    0.9167

    Returns 0 when the SVG has no text (any scale is legible) or no size.
    """
    size = natural_size(svg)
    box = _VIEWBOX.search(svg)
    if size is None or box is None or float(box.group(1)) <= 0:
        return 0.0
    px_per_unit = size[0] / float(box.group(1))
    graph = _GRAPH_SCALE.search(svg)
    px_per_unit *= float(graph.group(1)) if graph else 1.0
    floor = 0.0
    for font, text in _TEXT.findall(svg):
        px = float(font) * px_per_unit
        if px <= 0 or not text.strip():
            continue
        need = SCRIPT_PX / SCRIPT_GLYPH if has_script(text) else LEGIBLE_PX
        floor = max(floor, need / px)
    return floor


def framed(svg: str, *, controls: str = "auto", centered: bool = False, note: str = "") -> str:
    """``svg`` (Graphviz's, prolog dropped) inside a viewport: its natural size in px, the
    legible floor (:func:`legible_scale`) for ``assets/viewport.js``, a scroll box at most
    ``min(70vh, 640px)`` tall, and zoom buttons shown by the script — when the picture
    overflows (``controls="auto"``) or always (``"always"``), after ``note`` (HTML).

    The styles the box needs without JavaScript are inline (a notebook may strip
    ``<style>``): it scrolls, the SVG keeps its natural size."""
    if controls not in ("auto", "always"):
        raise ValueError(f"framed: controls must be 'auto' or 'always', got {controls!r}")
    svg = svg[svg.index("<svg"):] if "<svg" in svg else svg
    size = natural_size(svg)
    if size is None:  # not Graphviz's: show it as it is
        return f'<div class="tg-view"><div class="tg-scroll" style="overflow: auto">{svg}' \
               "</div></div>"
    width, height = size
    # rounded up, with 0.1 % to spare for the browser's layout rounding: never below
    floor = math.ceil(legible_scale(svg) * 1.001 * 10_000) / 10_000
    svg = _SVG_SIZE.sub(f'<svg width="{width:.2f}px" height="{height:.2f}px"', svg, count=1)
    buttons = "".join(
        f'<button type="button" data-zoom="{act}" aria-label="{label}" title="{label}">'
        f"{icon}</button>"
        for act, label, icon in (("out", "Zoom out (stops at the smallest legible size)", "−"),
                                 ("in", "Zoom in (or ctrl + wheel)", "+"),
                                 ("fit", "Fit the whole picture (text may get small)", "fit"),
                                 ("one", "Natural size (1:1)", "1:1")))
    # inline, to win over a notebook's "svg { max-width: 100%; height: auto }"
    style = f"display: block; max-width: none; width: {width:.2f}px; height: {height:.2f}px"
    style += "; margin: 0 auto" if centered else ""
    svg = svg.replace("<svg ", f'<svg style="{style}" ', 1)
    return (f'<div class="tg-view" data-width="{width:.3f}" data-height="{height:.3f}" '
            f'data-floor="{floor:.4f}" data-controls="{controls}">'
            f'<div class="tg-zoom" role="toolbar" aria-label="Zoom" hidden>'
            f'{note}<span class="tg-zoom-tip">drag to pan · ctrl + wheel to zoom</span>{buttons}'
            f'<span class="tg-zoom-level" aria-live="polite">100%</span></div>'
            f'<div class="tg-scroll" style="overflow: auto; max-height: {escape(MAX_HEIGHT)}">'
            f"{svg}</div></div>")


def asset(name: str) -> str:
    """The text of ``autograd/assets/<name>`` (a script or a style sheet inlined in pages)."""
    return resources.files("autograd").joinpath("assets").joinpath(name).read_text(encoding="utf-8")
