"""The stepper's frames (without a browser: tests/browser drives the page itself)."""

from __future__ import annotations

import pytest

import autograd
from autograd import Value, backward_steps, stepper
from autograd.drawing import nodes_to_draw
from nn.cli import sigmoid_neuron_bce


def neuron():
    return sigmoid_neuron_bce([0.4, -0.6], [0.5, -1.5], 0.1, 1.0)


def test_frames_are_the_forward_pass_then_backward_steps_records():
    net = neuron()
    loss = net["loss"]
    made = stepper(loss)
    order = nodes_to_draw(loss)
    forward = [f for f in made.frames if f["phase"] == "forward"]
    assert len(forward) == len(order)
    assert forward[-1]["say"].startswith("forward: L = ") and "0.2633" in forward[-1]["say"]
    assert any("x₁ = 0.5 enters (data" in f["say"] for f in forward)  # 1-based
    backward = [f for f in made.frames if f["phase"] == "backward"]
    records = list(backward_steps(neuron()["loss"]))
    assert [f["say"] for f in backward[1:]] == [r.text(4) for r in records]  # 4 digits
    assert "∂L/∂L = 1" in backward[0]["say"]
    assert made.steps == len(order) + 1 + len(records)


def test_the_stepper_leaves_every_gradient_as_it_was():
    net = neuron()
    net["loss"].backward()
    before = {v: v.grad for v in autograd.topological_order(net["loss"])}
    made = stepper(net["loss"])
    assert {v: v.grad for v in before} == before
    seed = next(f for f in made.frames if f["phase"] == "backward")
    w0 = nodes_to_draw(net["loss"]).index(net["w"][0])
    assert seed["set"][f"tg-n{w0}"]["grad"] == "0"  # this pass alone, from zero gradients
    last_w0 = [f for f in made.frames if f"tg-n{w0}" in f.get("set", {})][-1]
    assert last_w0["set"][f"tg-n{w0}"]["grad"] == f"{net['w'][0].grad:.4g}"  # one pass's


def test_html_is_one_self_contained_fragment_and_a_saved_page(tmp_path):
    made = stepper(neuron()["loss"])
    fragment = made._repr_html_()
    assert fragment.startswith('<div class="tg-stepper"') and fragment.endswith("</div>")
    assert 'aria-live="polite"' in fragment and 'data-step="0"' in fragment
    assert "<?xml" not in fragment and "<svg" in fragment and "<script src" not in fragment
    page = made.save(tmp_path / "sub" / "backprop.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and '<meta charset="utf-8">' in page
    with pytest.raises(ValueError, match=r"ending in \.html"):
        made.save(tmp_path / "backprop.svg")


def test_a_label_cannot_break_out_of_the_page():
    x = Value(1.0, label="</script><b>")
    y = x * 2.0
    y.label = "y"
    fragment = stepper(y).html()
    data = fragment.split('class="tg-data">')[1]
    assert "</script><b>" not in data.split("</script>")[0]


def test_bad_arguments():
    with pytest.raises(TypeError, match="root must be a Value"):
        stepper(1.0)
    with pytest.raises(ValueError, match="not in the graph"):
        stepper(Value(1.0) * 2, focus=Value(3.0))


def test_the_network_stepper_frames_follow_the_layer_by_layer_table():
    import nn

    model, x, target = nn.examples.mazur_network()
    made = nn.draw_network(model, x, target=target, loss="mse").stepper()
    phases = [f["phase"] for f in made.frames]
    assert phases == ["start"] + ["forward"] * (1 + 4 + 1) + ["backward"] * 4
    backward = [f["say"] for f in made.frames if f["phase"] == "backward"]
    table = nn.backprop_by_layer(model, x, target, "mse")
    order = ["δ₁⁽²⁾", "δ₂⁽²⁾", "δ₁⁽¹⁾", "δ₂⁽¹⁾"]  # from the output layer back
    for said, delta in zip(backward, order):
        assert f"{delta} = ∂L/∂z" in said and f"{table.row(delta).value:.6g}" in said
    assert "∂L/∂a₁⁽¹⁾ = w₁,₁⁽²⁾·δ₁⁽²⁾ + w₂,₁⁽²⁾·δ₂⁽²⁾" in backward[2]
    with pytest.raises(ValueError, match="no sample"):
        nn.draw_network(model).stepper()
    with pytest.raises(ValueError, match="DOT text"):
        autograd.Drawing("digraph { a }").stepper()
    assert isinstance(autograd.draw(neuron()["loss"]).stepper(), autograd.Stepper)


def test_focus_given_as_an_iterator_is_read_once_for_picture_and_steps():
    # draw and stepper take focus as any iterable of Values; each used to read it twice
    # (the nodes to step through, then the picture), so an iterator focused only the first.
    a, c = Value(2.0, label="a"), Value(5.0, label="c")
    b = a * 3 + c.exp() * c
    b.label = "b"
    by_list = stepper(b, focus=[a])
    by_iterator = stepper(b, focus=iter([a]))
    assert by_iterator.drawing.source == by_list.drawing.source
    assert by_iterator.steps == by_list.steps
    from_draw = autograd.draw(b, focus=iter([a]), show_local_grads=True).stepper()
    assert from_draw.drawing.source == by_list.drawing.source
    assert by_list.steps < stepper(b).steps  # the focus left c's branch out
