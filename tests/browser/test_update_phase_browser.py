"""In a real browser: the network stepper shows a number only from the step that computes it,
and both steppers' update phase writes each parameter's new value on the picture."""

from __future__ import annotations

import pytest

import autograd
import nn

pytestmark = pytest.mark.slow  # launches Chromium


def open_page(page, tmp_path, made):
    page.goto(made.save(tmp_path / "page.html").as_uri())
    root = page.locator(".tg-stepper")
    root.focus()
    return root


def shown_texts(page, key):
    """The visible texts of one drawn element."""
    return page.evaluate(f"""() => [...document.querySelectorAll('.tg-picture g.{key} text')]
        .filter(t => getComputedStyle(t).visibility !== 'hidden')
        .map(t => t.textContent.trim())""")


def test_network_values_appear_when_computed_and_the_update_rewrites_the_weights(page,
                                                                                 tmp_path):
    model, x, target = nn.examples.mazur_network()
    made = nn.draw_network(model, x, target=target, loss="mse").stepper(lr=0.5)
    root = open_page(page, tmp_path, made)
    assert "0.5933" not in shown_texts(page, "tg-n0_0")  # a₁⁽¹⁾ not computed yet
    assert "a₁⁽¹⁾" in shown_texts(page, "tg-n0_0") and "b = 0.35" in shown_texts(page, "tg-n0_0")
    assert "0.05" not in shown_texts(page, "tg-x0")  # the sample has not entered
    assert "0.2984" not in shown_texts(page, "tg-loss")
    page.keyboard.press("ArrowRight")  # the sample enters
    assert "0.05" in shown_texts(page, "tg-x0") and "0.3775" not in shown_texts(page, "tg-n0_0")
    page.keyboard.press("ArrowRight")  # neuron 1 of layer 1
    assert {"0.3775", "0.5933"} <= set(shown_texts(page, "tg-n0_0"))
    assert "0.5969" not in shown_texts(page, "tg-n0_1")  # neuron 2: not yet
    assert "0.2984" not in shown_texts(page, "tg-loss")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert "0.2984" in shown_texts(page, "tg-loss")  # the loss's step
    assert "w₁,₁⁽¹⁾ = 0.15" in shown_texts(page, "tg-x0-n0_0")
    page.keyboard.press("End")  # every parameter updated
    assert root.get_attribute("data-step") == str(made.steps)
    grad = nn.backprop_by_layer(model, x, target, "mse").row("∂L/∂w₁,₁⁽¹⁾").value
    assert f"w₁,₁⁽¹⁾ = {0.15 - 0.5 * grad:.4g}" in shown_texts(page, "tg-x0-n0_0")
    b_grad = nn.backprop_by_layer(model, x, target, "mse").row("∂L/∂b₁⁽¹⁾").value
    assert f"b = {0.35 - 0.5 * b_grad:.4g}" in shown_texts(page, "tg-n0_0")  # its bias too
    assert model.parameters()[0].data == 0.15  # the model itself is unchanged
    assert page.errors == []


def test_the_graph_steppers_update_phase_writes_new_values(page, tmp_path):
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    loss = nn.losses.binary_cross_entropy([model([0.5, -1.0])], [1.0])
    made = autograd.stepper(loss, lr=0.1)
    order = autograd.drawing.nodes_to_draw(loss)
    w = model.parameters()[0]
    key = f"tg-n{order.index(w)}"
    root = open_page(page, tmp_path, made)
    page.keyboard.press("End")
    assert root.get_attribute("data-step") == str(made.steps)
    loss.backward()
    assert f"data {w.data - 0.1 * w.grad:.4g}" in shown_texts(page, key)
    assert page.locator(".tg-status").inner_text() == made.frames[-1]["say"]
    assert made.frames[-1]["phase"] == "update"
    assert page.errors == []


def test_the_graph_steppers_local_derivatives_appear_with_their_node(page, tmp_path):
    """An edge's local derivative is computed with its node: hidden before that node's
    forward step, shown from it on."""
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    loss = nn.losses.binary_cross_entropy([model([0.5, -1.0])], [1.0])
    made = autograd.stepper(loss)
    order = autograd.drawing.nodes_to_draw(loss)
    a11 = next(v for v in order if v.op is autograd.ops.SIGMOID)  # a₁⁽¹⁾, from z₁⁽¹⁾
    z11 = a11.parents[0]
    edge = f"tg-n{order.index(z11)}-n{order.index(a11)}"
    local = f"{a11.local_grads[0]:.4g}"
    step = next(k for k, f in enumerate(made.frames) if f"tg-n{order.index(a11)}" in
                f.get("reveal", ()))
    open_page(page, tmp_path, made)
    assert local not in shown_texts(page, edge)
    for _ in range(step - 1):
        page.keyboard.press("ArrowRight")
    assert local not in shown_texts(page, edge)  # the step before a₁⁽¹⁾ is computed
    page.keyboard.press("ArrowRight")
    assert local in shown_texts(page, edge)
    page.keyboard.press("Home")
    assert local not in shown_texts(page, edge)
    assert page.errors == []
