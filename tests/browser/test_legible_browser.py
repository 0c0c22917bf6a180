"""Every picture legible where a learner looks at it, in a real browser (Chromium).

A notebook column is 700 px (JupyterLab with its file browser open) to 1,000 px wide; a saved
page opens in a 1,100 px window. In each, every <text> of the SVG must be drawn at >= 11 px:
its font size times the SVG's scale on screen (the text's screen CTM). A text with Unicode
sub/superscripts (w₁,₁⁽²⁾) must draw them at >= 8 px: the font draws "₁" and "²" smaller
than "1" and "2" (about 0.6 of the size), so the measure is the font size times that
ratio, measured in the page on the text's own font (the ink height of "₁" over that of
"1", of "²" over "2"). Zoom, pan, keys and the lit edge kept in view are driven as a user
would: buttons, ctrl+wheel, a mouse drag, key presses, clicks."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import autograd
import nn
from nn.cli import demo, sigmoid_neuron_bce

pytestmark = pytest.mark.slow  # launches Chromium

COLUMNS = (700, 1000)
WINDOW = 1100


# --- the pictures ------------------------------------------------------------------------------
def network_loss():
    """The 2-2-1 sigmoid network's BCE loss of one sample (the issue's example)."""
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    return nn.losses.binary_cross_entropy([model([0.5, -1.0])], [1.0])


def neuron_loss():
    return sigmoid_neuron_bce([0.4, -0.6], [0.5, -1.5], 0.1, 1.0)["loss"]


def wide_diagram():
    return nn.draw_network(nn.MLP(2, [16, 16, 1], seed=0), [0.5, -1.0], target=1.0,
                           loss="mse")


PICTURES = {
    "graph stepper 2-2-1": lambda: autograd.stepper(network_loss()),
    "one-neuron stepper": lambda: autograd.draw(neuron_loss()).stepper(),  # as the demo
    "diagram MLP(2,[16,16,1])": wide_diagram,
    "diagram stepper MLP(2,[16,16,1])": lambda: wide_diagram().stepper(),
    "drawing 2-2-1": lambda: autograd.draw(network_loss()),
}


def in_column(page, tmp_path: Path, html: str, width: int, name: str = "column") -> None:
    """Open a page whose column (a div ``width`` px wide) holds ``html``, as a notebook's
    output area holds a cell's output."""
    path = tmp_path / f"{name}-{width}.html"
    path.write_text(f'<!doctype html><html><head><meta charset="utf-8"></head>'
                    f'<body style="margin: 16px"><div id="column" style="width: {width}px">'
                    f"{html}</div></body></html>", encoding="utf-8")
    page.set_viewport_size({"width": width + 100, "height": 900})
    page.goto(path.as_uri())


MEASURE = """(scripts) => {
    // Every non-empty <text>: its size on screen (font size × the screen CTM's scale) and,
    // when it holds sub/superscripts, theirs (× the font's own script ratio, on digits).
    const canvas = document.createElement('canvas').getContext('2d');
    const ratios = {};
    function ink(ch, family) {
        canvas.font = '200px ' + family;
        const m = canvas.measureText(ch);
        return m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
    }
    function scriptRatio(family) {
        if (!(family in ratios)) {
            ratios[family] = Math.min(ink('₁', family) / ink('1', family),
                                      ink('²', family) / ink('2', family));
        }
        return ratios[family];
    }
    const out = [];
    document.querySelectorAll('svg text').forEach(t => {
        const text = t.textContent;
        if (!text.trim()) return;
        const style = getComputedStyle(t);
        if (style.display === 'none') return;
        const m = t.getScreenCTM();
        const px = parseFloat(style.fontSize) * Math.hypot(m.a, m.b);
        const hasScript = [...text].some(ch => scripts.includes(ch));
        out.push({text, px,
                  script: hasScript ? px * scriptRatio(style.fontFamily) : null});
    });
    return out;
}"""


def script_characters() -> str:
    """Every Unicode sub/superscript character the pictures may hold."""
    return "".join(chr(c) for c in range(0x00A0, 0x2C80)
                   if unicodedata.decomposition(chr(c)).startswith(("<sub>", "<super>")))


def text_sizes(page) -> list[dict]:
    sizes = page.evaluate(MEASURE, script_characters())
    assert sizes, "no <text> measured"
    return sizes


def assert_legible(sizes: list[dict], where: str) -> tuple[float, float | None]:
    smallest = min(sizes, key=lambda s: s["px"])
    assert smallest["px"] >= 11, f"{where}: {smallest['text']!r} at {smallest['px']:.2f} px"
    scripted = [s for s in sizes if s["script"] is not None]
    if scripted:
        worst = min(scripted, key=lambda s: s["script"])
        assert worst["script"] >= 8, \
            f"{where}: the scripts of {worst['text']!r} at {worst['script']:.2f} px"
    return smallest["px"], min((s["script"] for s in scripted), default=None)


def html_text_sizes(page) -> list[tuple[str, float]]:
    """The font size of every element of the stepper's controls, status and step list that
    shows text of its own."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.tg-stepper *:not(svg):not(svg *):not(style):not(script), .tg-zoom *')]
        .filter(el => el.offsetParent !== null
                && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(el => [el.className || el.tagName, parseFloat(getComputedStyle(el).fontSize)])""")


def scale(page, nth: int = 0) -> float:
    return float(page.locator(".tg-view").nth(nth).get_attribute("data-scale"))


# --- legibility --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PICTURES))
def test_every_text_is_legible_in_a_700_and_a_1000_px_column(page, tmp_path, name):
    picture = PICTURES[name]()
    for width in COLUMNS:
        in_column(page, tmp_path, picture._repr_html_(), width)
        page.wait_for_function("() => document.querySelector('.tg-view').dataset.scale")
        assert_legible(text_sizes(page), f"{name} in {width} px")
        view = page.locator(".tg-view").bounding_box()
        assert view["width"] <= width + 0.5  # the picture pans inside the column, never wider
        if "stepper" in name:
            small = [(what, px) for what, px in html_text_sizes(page) if px < 11]
            assert not small, small
    assert page.errors == []


@pytest.mark.parametrize("name", [n for n in PICTURES if "stepper" in n])
def test_a_saved_page_is_legible_in_a_1100_px_window(page, tmp_path, name):
    path = PICTURES[name]().save(tmp_path / "saved.html")
    page.set_viewport_size({"width": WINDOW, "height": 800})
    page.goto(path.as_uri())
    assert_legible(text_sizes(page), f"{name} saved")
    assert not [(what, px) for what, px in html_text_sizes(page) if px < 11]
    assert page.errors == []


def test_the_demo_pages_are_legible_and_step_with_the_keyboard_at_once(page, tmp_path):
    demo(tmp_path)  # what 'tracegrad demo' writes: backprop.html (one neuron)
    page.set_viewport_size({"width": WINDOW, "height": 800})
    page.goto((tmp_path / "backprop.html").as_uri())
    assert_legible(text_sizes(page), "tracegrad demo's backprop.html")
    root = page.locator(".tg-stepper")
    assert root.get_attribute("data-step") == "0"
    page.keyboard.press("ArrowRight")  # no click first
    assert root.get_attribute("data-step") == "1"
    assert page.errors == []


def test_without_javascript_the_picture_keeps_its_natural_size_and_scrolls(browser,
                                                                           tmp_path):
    # An untrusted notebook strips scripts: the SVG stays at its natural, legible size in a
    # box that scrolls.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for picture in (PICTURES["graph stepper 2-2-1"](), PICTURES["drawing 2-2-1"]()):
            in_column(page, tmp_path, picture._repr_html_(), 700, name="nojs")
            assert_legible(text_sizes(page), "without JavaScript")
            scroller = page.evaluate("""() => {const s = document.querySelector('.tg-scroll');
                return [getComputedStyle(s).overflowX, s.scrollWidth, s.clientWidth]}""")
            assert scroller[0] == "auto" and scroller[1] > scroller[2] > 0, scroller
            assert page.locator(".tg-zoom").is_hidden()  # buttons that cannot work: hidden
    finally:
        context.close()


def test_an_exported_notebook_is_legible_in_a_narrow_window(page, tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import autograd, nn\n"
        "model = nn.MLP(2, [2, 1], activation='sigmoid', output_activation='sigmoid', seed=0)\n"
        "loss = nn.losses.binary_cross_entropy([model([0.5, -1.0])], [1.0])\n"
        "autograd.stepper(loss)"), nbformat.v4.new_code_cell("autograd.draw(loss)")]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    html, _ = HTMLExporter().from_notebook_node(notebook)
    exported = tmp_path / "lesson.html"
    exported.write_text(html, encoding="utf-8")
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(exported.as_uri())
    assert page.locator(".tg-view").count() == 2
    widths = page.evaluate("() => [...document.querySelectorAll('.tg-view')]"
                           ".map(v => v.getBoundingClientRect().width)")
    assert all(600 < w <= 800 for w in widths), widths
    assert_legible(text_sizes(page), "nbconvert export at 800 px")
    assert [e for e in page.errors if "tg-" in e or "tracegrad" in e] == []


def test_a_small_drawing_is_shown_at_its_natural_size_without_controls(page, tmp_path):
    a = autograd.Value(2.0, label="a")
    b = (a * 3.0).tanh()
    b.label = "b"
    drawing = autograd.draw(b)
    in_column(page, tmp_path, drawing._repr_html_(), 700)
    svg = page.locator(".tg-view svg").bounding_box()
    assert abs(svg["width"] - drawing.size[0]) < 1  # not stretched, not shrunk
    assert scale(page) == 1.0
    assert page.locator(".tg-zoom").is_hidden()


# --- zoom and pan ------------------------------------------------------------------------------
def smallest_px(page) -> float:
    return min(s["px"] for s in text_sizes(page))


def test_zoom_buttons_change_the_scale_and_zooming_out_stops_at_legible(page, tmp_path):
    made = PICTURES["graph stepper 2-2-1"]()
    in_column(page, tmp_path, made._repr_html_(), 700)
    view = page.locator(".tg-view")
    floor = float(view.get_attribute("data-floor"))
    start = scale(page)
    assert start == pytest.approx(floor, abs=1e-3)  # too wide for 700 px: at the floor
    px = smallest_px(page)
    page.click("[data-zoom=in]")
    assert scale(page) == pytest.approx(start * 1.25, rel=1e-3)
    assert smallest_px(page) == pytest.approx(px * 1.25, rel=1e-3)
    page.click("[data-zoom=one]")
    assert scale(page) == 1.0
    assert page.locator(".tg-view svg").bounding_box()["width"] == \
        pytest.approx(float(view.get_attribute("data-width")), abs=1)
    for _ in range(4):
        page.click("[data-zoom=out]")
    assert scale(page) == pytest.approx(floor, abs=1e-3)  # never below legible
    assert smallest_px(page) >= 11
    page.click("[data-zoom=fit]")  # an explicit request to see the whole picture
    assert scale(page) < floor
    svg = page.locator(".tg-view svg").bounding_box()
    scroller = page.evaluate("() => {const s = document.querySelector('.tg-scroll');"
                             " return [s.clientWidth, s.clientHeight]}")
    assert svg["width"] <= scroller[0] + 1 and svg["height"] <= scroller[1] + 1
    assert page.locator(".tg-zoom-level").inner_text() == f"{round(scale(page) * 100)}%"
    assert page.errors == []


def test_ctrl_wheel_zooms_and_a_drag_pans(page, tmp_path):
    in_column(page, tmp_path, PICTURES["graph stepper 2-2-1"]()._repr_html_(), 700)
    start = scale(page)
    box = page.locator(".tg-scroll").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 100)
    page.mouse.wheel(0, -200)  # a plain wheel does not zoom
    assert scale(page) == start
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_function(f"() => Number(document.querySelector('.tg-view').dataset.scale)"
                           f" > {start}")
    zoomed = scale(page)
    page.keyboard.down("Control")
    page.mouse.wheel(0, 3000)  # far out: stops at the floor
    page.keyboard.up("Control")
    page.wait_for_function(f"() => Number(document.querySelector('.tg-view').dataset.scale)"
                           f" < {zoomed}")
    assert scale(page) == pytest.approx(start, abs=1e-3)

    def scrolled():
        return page.evaluate("() => {const s = document.querySelector('.tg-scroll');"
                             " return [s.scrollLeft, s.scrollTop]}")

    assert scrolled() == [0, 0]
    for _ in range(3):  # wide enough to pan 250 px whatever direction the graph is laid out in
        page.click("[data-zoom=in]")
    width = page.evaluate("() => {const s = document.querySelector('.tg-scroll');"
                          " return s.scrollWidth - s.clientWidth}")
    assert width > 300
    page.evaluate("() => {document.querySelector('.tg-scroll').scrollLeft = 0}")
    page.mouse.move(box["x"] + 500, box["y"] + 150)
    page.mouse.down()
    page.mouse.move(box["x"] + 250, box["y"] + 150, steps=6)
    page.mouse.up()
    left, _ = scrolled()
    assert left == pytest.approx(250, abs=2)  # the picture followed the mouse
    assert page.errors == []


def test_the_tall_diagram_pans_vertically_in_a_bounded_box(page, tmp_path):
    in_column(page, tmp_path, PICTURES["diagram MLP(2,[16,16,1])"]()._repr_html_(), 1000)
    scroller = page.locator(".tg-scroll")
    box = scroller.bounding_box()
    assert box["height"] <= 640 + 1  # not an endless output cell
    natural_height = float(page.locator(".tg-view").get_attribute("data-height"))
    assert natural_height > 1000
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 100, steps=5)
    page.mouse.up()
    assert page.evaluate("() => document.querySelector('.tg-scroll').scrollTop") == \
        pytest.approx(200, abs=2)


# --- stepping keeps the lit elements in view ---------------------------------------------------
def visible(page, selector: str) -> bool:
    """Whether the element's box intersects the scroll box's visible area."""
    return page.evaluate("""(selector) => {
        const el = document.querySelector(selector);
        const s = document.querySelector('.tg-scroll');
        const r = el.getBoundingClientRect(), b = s.getBoundingClientRect();
        const left = b.left + s.clientLeft, top = b.top + s.clientTop;
        return r.right > left && r.left < left + s.clientWidth
            && r.bottom > top && r.top < top + s.clientHeight;
    }""", selector)


def lit_selector(made, k: int) -> str:
    return f".tg-picture g.{made.frames[k]['lit'][0]}"


@pytest.mark.parametrize("name", ["graph stepper 2-2-1", "diagram stepper MLP(2,[16,16,1])"])
def test_stepping_scrolls_the_lit_element_into_view(page, tmp_path, name):
    made = PICTURES[name]()
    page.emulate_media(reduced_motion="reduce")  # scroll at once, to check every frame
    in_column(page, tmp_path, made._repr_html_(), 700)
    off_screen = [k for k, f in enumerate(made.frames)
                  if f.get("lit") and not visible(page, lit_selector(made, k))]
    assert off_screen, "every lit element is in view from the start: nothing to test"
    page.locator(".tg-picture").click(position={"x": 5, "y": 5})
    root = page.locator(".tg-stepper")
    for k in range(1, made.steps + 1):
        page.keyboard.press("ArrowRight")
        assert root.get_attribute("data-step") == str(k)
        if made.frames[k].get("lit"):
            assert visible(page, lit_selector(made, k)), f"frame {k}: its lit element is off"
    assert page.errors == []


def test_a_click_on_a_step_far_away_scrolls_smoothly_to_its_edge(page, tmp_path):
    made = PICTURES["graph stepper 2-2-1"]()
    in_column(page, tmp_path, made._repr_html_(), 700)
    far = next(k for k, f in enumerate(made.frames)
               if f["phase"] == "backward" and len(f.get("lit", ())) == 3  # an edge
               and not visible(page, lit_selector(made, k)))
    page.locator(f'.tg-steps tr[data-step="{far}"]').click()
    page.wait_for_function("""(selector) => {
        const el = document.querySelector(selector);
        const s = document.querySelector('.tg-scroll');
        const r = el.getBoundingClientRect(), b = s.getBoundingClientRect();
        return r.right > b.left && r.left < b.left + s.clientWidth;
    }""", arg=lit_selector(made, far), timeout=3000)
    assert "edge" in page.locator(lit_selector(made, far)).get_attribute("class")


# --- keyboard ----------------------------------------------------------------------------------
def test_a_saved_page_takes_the_keys_without_a_click(page, tmp_path):
    made = PICTURES["graph stepper 2-2-1"]()
    path = made.save(tmp_path / "backprop.html")
    page.set_viewport_size({"width": WINDOW, "height": 800})
    page.goto(path.as_uri())
    root = page.locator(".tg-stepper")
    assert page.evaluate("() => document.activeElement.classList.contains('tg-stepper')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert root.get_attribute("data-step") == "2"
    assert page.locator(".tg-hint").is_hidden()  # it has the keys: no hint
    page.evaluate("() => document.activeElement.blur()")  # focus lost (a click on the page)
    page.keyboard.press("ArrowLeft")  # keys with nothing focused still go to it
    assert root.get_attribute("data-step") == "1"
    assert page.errors == []


def test_inline_a_hint_shows_until_the_stepper_has_the_focus(page, tmp_path):
    made = PICTURES["one-neuron stepper"]()
    in_column(page, tmp_path, made._repr_html_(), 700)
    root = page.locator(".tg-stepper")
    hint = page.locator(".tg-hint")
    assert hint.is_visible() and "click" in hint.inner_text() and "→" in hint.inner_text()
    assert page.evaluate("() => document.activeElement === document.body")
    page.keyboard.press("ArrowRight")  # inline, keys go nowhere until the stepper has focus
    assert root.get_attribute("data-step") == "0"
    page.locator(".tg-picture svg").click(position={"x": 20, "y": 20})
    assert hint.is_hidden()
    page.keyboard.press("ArrowRight")
    assert root.get_attribute("data-step") == "1"
    page.mouse.click(5, 5)  # outside: the stepper loses the focus, the hint is back
    assert hint.is_visible()
    assert page.errors == []


def test_two_steppers_on_one_page_each_take_their_own_keys(page, tmp_path):
    first, second = PICTURES["one-neuron stepper"](), PICTURES["graph stepper 2-2-1"]()
    in_column(page, tmp_path, first._repr_html_() + second._repr_html_(), 700, name="two")
    roots = page.locator(".tg-stepper")
    assert roots.count() == 2
    step = lambda i: roots.nth(i).get_attribute("data-step")  # noqa: E731
    roots.nth(0).locator(".tg-picture svg").click(position={"x": 20, "y": 20})
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert (step(0), step(1)) == ("2", "0")
    assert roots.nth(0).locator(".tg-hint").is_hidden()
    assert roots.nth(1).locator(".tg-hint").is_visible()
    roots.nth(1).locator(".tg-picture svg").click(position={"x": 20, "y": 20})
    page.keyboard.press("End")
    assert (step(0), step(1)) == ("2", str(second.steps))
    before = scale(page, 0), scale(page, 1)
    roots.nth(1).locator('[data-zoom="in"]').click()  # zoom one: the other keeps its scale
    assert scale(page, 0) == before[0]
    assert scale(page, 1) == pytest.approx(before[1] * 1.25, rel=1e-3)
    assert page.errors == []
