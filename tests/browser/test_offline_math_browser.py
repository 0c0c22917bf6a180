"""Math with no network, in Chromium: an exported lesson's formulas and explain's output are
MathML that the browser draws itself, and explain's rendered math fits a 700 px column."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import autograd
import nn
from nn.export import export_lesson, formulas

pytestmark = pytest.mark.slow  # launches Chromium (and a kernel for the lesson)

LESSON = Path(__file__).parent.parent.parent / "notebooks" / "03_backprop_step_by_step.ipynb"

MEASURE = """(root) => {
    const scope = root ? document.querySelector(root) : document.body;
    const maths = [...scope.querySelectorAll('math')];
    const boxes = maths.map(m => m.getBoundingClientRect());
    let smallest = Infinity, where = '';
    for (const m of maths) for (const el of [m, ...m.querySelectorAll('*')]) {
        if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < smallest) { smallest = size; where = el.outerHTML.slice(0, 80); }
    }
    return {count: maths.length, empty: boxes.filter(b => b.width < 1 || b.height < 1).length,
            smallest, where};
}"""

RAW_TEX = """() => {
    const found = [];
    for (const cell of document.querySelectorAll('.jp-MarkdownOutput')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            if (node.parentElement.closest('math, code, pre')) continue;
            if (/\\$|\\\\[A-Za-z]+/.test(node.textContent)) found.push(node.textContent.trim());
        }
    }
    return found;
}"""


def offline_page(browser, width: int):
    """A page in a ``width``-pixel window that may load only file: and data: URLs; the
    others are aborted and listed in ``page.blocked``."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.blocked = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            page.blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    return context, page


def test_an_exported_lesson_shows_its_formulas_and_explain_with_no_network(browser, tmp_path):
    out = export_lesson(LESSON, tmp_path / "lesson.html")  # executed, explain's output in it
    notebook = nbformat.read(LESSON, as_version=4)
    expected = sum(len(formulas(c.source)) for c in notebook.cells if c.cell_type == "markdown")
    context, page = offline_page(browser, 700)
    try:
        page.goto(out.as_uri())
        lesson = page.evaluate(MEASURE, None)
        assert page.blocked == []  # the page asks nothing of the network
        assert lesson["count"] >= expected > 50 and lesson["empty"] == 0
        assert page.evaluate(RAW_TEX) == []  # no $…$ or \command left as text
        assert lesson["smallest"] >= 8, lesson  # sub- and superscripts included
        explained = page.evaluate(MEASURE, ".tg-explain")
        assert explained["count"] > 10 and explained["empty"] == 0
        assert explained["smallest"] >= 11, explained
        assert page.evaluate("""() => [...document.querySelectorAll('.tg-explain')].every(
            d => d.scrollWidth <= d.clientWidth)""")
    finally:
        context.close()


def explanations():
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    loss = nn.losses.binary_cross_entropy([model([0.5, -1.0])], [1.0])
    yield autograd.explain(loss, model.layers[0].neurons[0].w[0])  # one sample: the chain
    big = nn.MLP(2, [16, 16, 1], seed=0)
    loss = (big([0.5, -1.0]) - 1.0) ** 2
    yield autograd.explain(loss, big.layers[0].neurons[3].w[1])  # 16 paths, parted
    X, Y = [[0.5, -1.0], [1.0, 2.0], [-0.3, 0.8], [2.0, -0.5]], [1.0, 0.0, 1.0, 0.0]
    J = nn.losses.binary_cross_entropy([model(x) for x in X], Y)
    yield autograd.explain(J, model.layers[0].neurons[1].w[1])  # a mean: per sample


@pytest.mark.parametrize("column", [700, 1000])
def test_explains_rendered_math_fits_the_column_and_is_legible(browser, tmp_path, column):
    body = "".join(f'<div class="cell">{e._repr_html_()}</div>' for e in explanations())
    path = tmp_path / "explain.html"
    path.write_text(f"<!doctype html><meta charset='utf-8'><body style='margin:0'>"
                    f"<div id='column' style='width:{column}px'>{body}</div></body>",
                    encoding="utf-8")
    context, page = offline_page(browser, column + 40)
    try:
        page.goto(path.as_uri())
        measured = page.evaluate(MEASURE, "#column")
        assert page.blocked == [] and measured["empty"] == 0
        assert measured["smallest"] >= 11, measured  # scripts too: 16 px × 0.71
        overflow = page.evaluate("""() => {
            const right = document.querySelector('#column').getBoundingClientRect().right;
            const wide = [...document.querySelectorAll('.tg-explain math')]
                .filter(m => m.getBoundingClientRect().right > right + 0.5);
            const scrolls = [...document.querySelectorAll('.tg-explain')]
                .filter(d => d.scrollWidth > d.clientWidth);
            return wide.length + scrolls.length;
        }""")
        assert overflow == 0  # nothing clipped, nothing to scroll: lines broke between factors
    finally:
        context.close()
