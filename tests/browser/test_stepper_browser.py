"""The backprop stepper in a real browser: every step announces backward_steps' record and
shows the gradients as they stand after it; keyboard, slider, play and row clicks."""

from __future__ import annotations

import io
import json

import pytest

import autograd
import nn
from autograd import backward_steps, stepper
from autograd.backward import start_of_pass
from autograd.graph import topological_order
from nn.cli import sigmoid_neuron_bce

pytestmark = pytest.mark.slow  # launches Chromium


def neuron_loss():
    return sigmoid_neuron_bce([0.4, -0.6], [0.5, -1.5], 0.1, 1.0)["loss"]


def open_page(page, tmp_path, made):
    path = made.save(tmp_path / "backprop.html")
    page.goto(path.as_uri())
    root = page.locator(".tg-stepper")
    root.focus()
    return root


def displayed(page) -> dict[str, dict[str, str]]:
    """Each node's texts as the page shows them: {key: {"data": …, "grad": …}}."""
    return page.evaluate("""() => {
        const out = {};
        document.querySelectorAll('.tg-picture g.node').forEach(g => {
            const key = [...g.classList].find(c => /^tg-n\\d+$/.test(c));
            if (!key) return;
            const fields = {};
            g.querySelectorAll('text').forEach(t => {
                const [word, ...rest] = t.textContent.split(' ');
                if (word === 'data' || word === 'grad') fields[word] = rest.join(' ');
            });
            if (Object.keys(fields).length) out[key] = fields;
        });
        return out;
    }""")


def expected_after(root, made, k):
    """What frame k must show, computed in Python from backward_steps' records."""
    order = autograd.drawing.nodes_to_draw(root)
    key = {v: f"tg-n{i}" for i, v in enumerate(order)}
    forward = len(order)
    saved = [(v, v.grad) for v in topological_order(root)]
    grads = start_of_pass(root)
    records = list(backward_steps(root))
    for v, g in saved:
        v.grad = g
    shown = {}
    for i, v in enumerate(order):
        if v.op is autograd.ops.CONST:
            continue
        revealed = i < k
        fields = {"data": f"{v.data + 0.0:.4g}" if revealed else "?"}
        fields["grad"] = f"{grads[v] + 0.0:.4g}" if k > forward else "·"
        shown[key[v]] = fields
    done = records[:max(0, k - forward - 1)]
    for r in done:
        shown[key[r.parent]]["grad"] = f"{r.parent_grad + 0.0:.4g}"
    return shown, (done[-1].text(4) if done else None)


def test_pressing_next_k_times_announces_the_kth_product_and_shows_its_gradients(page,
                                                                                 tmp_path):
    loss = neuron_loss()
    made = stepper(loss)
    root = open_page(page, tmp_path, made)
    order_size = len(autograd.drawing.nodes_to_draw(loss))
    assert made.steps == order_size + 1 + len(list(backward_steps(neuron_loss())))
    pressed = 0
    for k in (0, 3, order_size, order_size + 1, order_size + 2, order_size + 7, made.steps):
        while pressed < k:
            page.keyboard.press("ArrowRight")
            pressed += 1
        assert root.get_attribute("data-step") == str(k)
        shown, announced = expected_after(loss, made, k)
        assert displayed(page) == shown, f"frame {k}"
        status = page.locator(".tg-status").inner_text()
        assert status == made.frames[k]["say"]
        if announced is not None:
            assert status == announced and "+=" in status
    assert page.errors == []


def test_keyboard_slider_play_and_row_clicks(page, tmp_path):
    made = stepper(neuron_loss())
    root = open_page(page, tmp_path, made)
    step = lambda: int(root.get_attribute("data-step"))  # noqa: E731
    page.keyboard.press("End")
    assert step() == made.steps
    page.keyboard.press("ArrowLeft")
    assert step() == made.steps - 1
    page.keyboard.press("Home")
    assert step() == 0
    page.keyboard.press("ArrowLeft")  # stays at the first step
    assert step() == 0
    page.locator(".tg-slider").fill("12")
    assert step() == 12 and page.locator(".tg-counter").inner_text() == f"step 12 / {made.steps}"
    page.locator('.tg-steps tr[data-step="20"]').click()
    assert step() == 20 and page.locator(".tg-status").inner_text() == made.frames[20]["say"]
    page.select_option(".tg-speed", label="4×")
    root.focus()
    page.keyboard.press(" ")  # play
    assert root.get_attribute("data-playing") == "true"
    page.wait_for_function("el => Number(el.dataset.step) >= 23", arg=root.element_handle())
    page.keyboard.press(" ")  # pause
    assert root.get_attribute("data-playing") == "false"
    paused_at = step()
    page.wait_for_timeout(400)
    assert step() == paused_at
    page.locator('[data-act="play"]').click()
    page.wait_for_function(f"el => el.dataset.step === '{made.steps}'",
                           arg=root.element_handle(), timeout=20_000)
    assert root.get_attribute("data-playing") == "false"  # stops at the end
    for act, expected in (("first", 0), ("next", 1), ("last", made.steps),
                          ("prev", made.steps - 1)):
        page.locator(f'[data-act="{act}"]').click()
        assert step() == expected
    assert page.errors == []


def test_the_page_is_not_blank_and_lights_the_step(page, tmp_path):
    from PIL import Image, ImageStat

    made = stepper(neuron_loss())
    open_page(page, tmp_path, made)
    page.keyboard.press("End")
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("L")
    assert ImageStat.Stat(shot).stddev[0] > 20  # a picture, not an empty page
    lit = page.locator(".tg-picture g.tg-lit")
    assert lit.count() == 3  # the edge and its two ends
    colour = page.evaluate("() => getComputedStyle(document.querySelector("
                           "'.tg-picture g.edge.tg-lit path')).stroke")
    assert colour == "rgb(224, 49, 49)"


def test_a_focused_stepper_steps_between_drawn_nodes_only(page, tmp_path):
    model = nn.MLP(2, [4, 4, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    w = model.layers[0].neurons[1].w[0]
    made = stepper(loss, focus=w)
    drawn = set(autograd.drawing.nodes_to_draw(loss, focus=w))
    products = [r for r in backward_steps(loss) if r.node in drawn and r.parent in drawn]
    assert made.steps == len(drawn) + 1 + len(products)
    root = open_page(page, tmp_path, made)
    page.keyboard.press("End")
    assert page.locator(".tg-status").inner_text() == products[-1].text(4)
    assert root.get_attribute("data-step") == str(made.steps)
    assert page.errors == []


def test_the_notebook_html_export_steps_too(page, tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "from nn.cli import sigmoid_neuron_bce\nimport autograd\n"
        "autograd.stepper(sigmoid_neuron_bce([0.4, -0.6], [0.5, -1.5], 0.1, 1.0)['loss'])")]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    html, _ = HTMLExporter().from_notebook_node(notebook)
    exported = tmp_path / "lesson.html"
    exported.write_text(html, encoding="utf-8")
    page.goto(exported.as_uri())
    root = page.locator(".tg-stepper")
    root.focus()
    made = stepper(neuron_loss())  # the same graph built here: the same frames
    records = list(backward_steps(neuron_loss()))
    pressed = 0
    for k in (4, made.steps - len(records) + 3, made.steps):
        while pressed < k:
            page.keyboard.press("ArrowRight")
            pressed += 1
        assert root.get_attribute("data-step") == str(k)
        assert page.locator(".tg-status").inner_text() == made.frames[k]["say"]
    assert page.locator(".tg-status").inner_text() == records[-1].text(4)  # as the stepper says it
    assert displayed(page) == expected_after(neuron_loss(), made, made.steps)[0]
    assert [e for e in page.errors if "tg-" in e or "tracegrad" in e] == []


def test_a_saved_page_is_self_contained_and_small(tmp_path):
    x = autograd.Value(0.3, label="x")
    y = x
    while len(topological_order(y)) < 50:
        y = (y * 1.1 + 0.2).tanh()
    path = stepper(y).save(tmp_path / "fifty.html")
    text = path.read_text(encoding="utf-8")
    assert len(topological_order(y)) >= 50
    assert path.stat().st_size < 300_000, path.stat().st_size
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://" not in text
    assert "<script src" not in text and "<link" not in text
    data = json.loads(text.split('class="tg-data">')[1].split("</script>")[0])
    assert len(data["frames"]) == stepper(y).steps + 1


def test_the_network_stepper_goes_forward_by_neuron_and_backward_by_delta(page, tmp_path):
    model, x, target = nn.examples.mazur_network()
    made = nn.draw_network(model, x, target=target, loss="mse").stepper()
    table = nn.backprop_by_layer(model, x, target, "mse")
    root = open_page(page, tmp_path, made)

    def visible_gradients(key):
        return page.evaluate(f"""() => [...document.querySelectorAll(
            '.tg-picture g.{key} text[fill="#862e9c"]')]
            .filter(t => getComputedStyle(t).visibility !== 'hidden').length""")

    def faded(key):
        return page.evaluate(f"() => document.querySelector('.tg-picture g.{key}')"
                             ".classList.contains('tg-pending')")

    assert faded("tg-n0_0") and visible_gradients("tg-n1_0") == 0
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    assert not faded("tg-n0_0") and faded("tg-n1_0")  # a₁⁽¹⁾ computed, the output not yet
    assert "a₁⁽¹⁾ = sigmoid(z₁⁽¹⁾) = 0.59327" in page.locator(".tg-status").inner_text()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the loss
    assert "L = mse(ŷ, y) = 0.298371" in page.locator(".tg-status").inner_text()
    assert visible_gradients("tg-n1_0") == 0
    page.keyboard.press("ArrowRight")  # δ₁⁽²⁾
    status = page.locator(".tg-status").inner_text()
    delta = table.row("δ₁⁽²⁾")
    assert f"δ₁⁽²⁾ = ∂L/∂z₁⁽²⁾ = {delta.formula.split(' = ')[-1]}" in status
    assert f"= {delta.value:.6g}" in status and "∂L/∂w₁,₁⁽²⁾ = 0.082167" in status
    assert visible_gradients("tg-n1_0") == 6 and visible_gradients("tg-n0_0") == 0
    assert visible_gradients("tg-n0_0-n1_0") == 1  # ∂L/∂w on the edge into it
    page.keyboard.press("End")
    assert root.get_attribute("data-step") == str(made.steps)
    assert visible_gradients("tg-n0_0") == 6
    assert page.errors == []
