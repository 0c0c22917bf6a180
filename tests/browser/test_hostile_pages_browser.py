"""Pages escape everything that comes from user text: labels, a loss's name and an Op's name
that look like markup are shown as text, never parsed — in a saved stepper page, in a notebook
output holding two steppers, in a drawing's SVG and in the network diagram.

Each payload tries the known ways out of an embedded ``<script type="application/json">`` block
and out of an attribute: ``</script>``, ``<!--<script>`` (which makes the HTML tokenizer ignore
the next ``</script>``, so everything after it on the page is swallowed), an attribute break and
an ``onerror`` handler. A payload that ran sets ``window.__pwned``."""

from __future__ import annotations

import pytest

import nn
from autograd import Op, Value, apply, draw, stepper

pytestmark = pytest.mark.slow  # launches Chromium

PAYLOADS = (
    "<!--<script>",
    "</script><script>window.__pwned = 1</script>",
    '"><img src=x onerror="window.__pwned = 2">',
    "<svg onload=\"window.__pwned = 3\"></svg>",
    "a & b </ <b>bold</b>",
)


def hostile_graph(payload: str) -> Value:
    """A small graph whose labels, and one custom Op's name, are the payload."""
    op = Op(payload, lambda out, x: (2.0 * x,), forward=lambda x: x * x)
    w = Value(0.5, label=payload)
    x = Value(-1.5, label="x" + payload)
    loss = apply(op, w * x + 1.0)
    loss.label = "L" + payload
    return loss


def assert_safe(page) -> None:
    assert page.evaluate("() => window.__pwned") is None, "a payload ran"
    assert not page.errors, page.errors


def step_forward(page, root, times: int = 3) -> list[str]:
    root.focus()
    seen = []
    for _ in range(times):
        page.keyboard.press("ArrowRight")
        seen.append(root.get_attribute("data-step"))
    return seen


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_saved_stepper_page_shows_hostile_labels_as_text(page, tmp_path, payload):
    made = stepper(hostile_graph(payload))
    page.goto(made.save(tmp_path / "hostile.html").as_uri())
    root = page.locator(".tg-stepper")
    assert root.count() == 1
    assert step_forward(page, root) == ["1", "2", "3"]
    page.keyboard.press("End")
    listed = page.locator(".tg-steps").inner_text()
    assert payload in listed or payload.strip() in listed, "the step list must show the label"
    assert_safe(page)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_two_steppers_in_one_output_both_work(page, tmp_path, payload):
    """A notebook cell whose output holds two steppers: the hostile first one must not swallow
    the second (the ``<!--<script>`` case hid it, and Chromium reported a page error)."""
    first = stepper(hostile_graph(payload))
    second = stepper(hostile_graph("plain"))
    body = first._repr_html_() + "\n<p id='between'>between</p>\n" + second._repr_html_()
    path = tmp_path / "two.html"
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}"
                    "<p id='after'>after</p></body></html>", encoding="utf-8")
    page.goto(path.as_uri())
    roots = page.locator(".tg-stepper")
    assert roots.count() == 2
    assert page.locator("#between").is_visible() and page.locator("#after").is_visible()
    for k in range(2):
        assert step_forward(page, roots.nth(k), 2) == ["1", "2"]
    assert_safe(page)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_drawing_shows_hostile_labels_as_text(page, tmp_path, payload):
    drawing = draw(hostile_graph(payload))
    path = tmp_path / "drawing.html"
    path.write_text(f"<!doctype html><meta charset='utf-8'><body>{drawing._repr_html_()}"
                    "<p id='after'>after</p></body>", encoding="utf-8")
    page.goto(path.as_uri())
    assert page.locator("#after").is_visible()
    texts = page.evaluate("() => [...document.querySelectorAll('svg text')]"
                          ".map(t => t.textContent).join('\\n')")
    assert payload.strip()[:6] in texts
    assert_safe(page)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_network_stepper_with_a_hostile_loss_name(page, tmp_path, payload):
    model = nn.MLP(2, [2, 1], activation="sigmoid", seed=0)
    loss = nn.losses.Loss(payload, lambda out, y: (out - y) ** 2)
    made = nn.draw_network(model, [0.5, -1.0], target=1.0, loss=loss).stepper()
    page.goto(made.save(tmp_path / "network.html").as_uri())
    root = page.locator(".tg-stepper")
    assert step_forward(page, root, 2) == ["1", "2"]
    page.keyboard.press("End")
    assert_safe(page)


def test_embedded_json_never_holds_a_raw_angle_bracket():
    """The data block is JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e``,
    ``\\u0026``: no sequence in it can open or close markup, whatever the labels say."""
    html = stepper(hostile_graph(PAYLOADS[0] + PAYLOADS[1])).html()
    start = html.index('<script type="application/json" class="tg-data">') + 49
    block = html[start:html.index("</script>", start)]
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003c!--\\u003cscript\\u003e" in block
