"""Drawing: DOT text, SVG and PNG with and without a system `dot`."""

import os
import re
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd
from autograd import GraphTooLargeError, Value, draw
from autograd.drawing import COLORS, find_renderer

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def neuron():
    ws = [Value(2.0, label="w0"), Value(-3.0, label="w1")]
    b = Value(-3.0, label="b")
    z = autograd.dot(ws, [autograd.constant(-1.0, "x0"), autograd.constant(-2.0, "x1")]) + b
    z.label = "z"
    out = z.sigmoid()
    out.label = "out"
    return out


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """A PATH with no `dot` on it (only this Python's folder)."""
    monkeypatch.delenv("TRACEGRAD_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer().endswith("graphviz-pure")


@pytest.fixture
def system_dot(monkeypatch, tmp_path):
    """A `dot` on PATH (a shim that logs its use, then runs the pure renderer)."""
    monkeypatch.delenv("TRACEGRAD_DOT", raising=False)
    pure = Path(sys.executable).parent / "graphviz-pure"
    log = tmp_path / "dot-was-used"
    shim = tmp_path / "bin" / "dot"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\ntouch "{log}"\nexec "{pure}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def assert_valid_svg(text):
    root = ET.fromstring(text)
    assert root.tag.endswith("svg")
    return root


def test_svg_and_png_without_a_system_dot(no_system_dot, tmp_path):
    out = neuron()
    out.backward()
    picture = draw(out)
    svg = assert_valid_svg(picture.svg())
    assert "out" in ET.tostring(svg, encoding="unicode")
    png = picture.save(tmp_path / "n.png")
    assert png.read_bytes().startswith(PNG_MAGIC)
    assert_valid_svg(picture.save(tmp_path / "n.svg").read_text())
    assert picture.save(tmp_path / "n.dot").read_text() == picture.source


def test_system_dot_is_preferred_when_on_path(system_dot, tmp_path):
    picture = draw(neuron())
    assert find_renderer().endswith(os.sep + "dot")
    assert_valid_svg(picture.svg())
    assert picture.save(tmp_path / "n.png").read_bytes().startswith(PNG_MAGIC)
    assert system_dot.exists()


def test_jupyter_display_is_svg(no_system_dot):
    assert_valid_svg(draw(neuron())._repr_svg_())


def test_source_has_labels_ops_data_grads_and_role_colours():
    out = neuron()
    out.backward()
    src = draw(out).source
    for text in ("w0", "x1 = -2", "dot", "sigmoid", "data 2", f"grad {out.grad:.4g}"):
        assert text in src
    for role in ("parameter", "input", "intermediate", "output"):
        assert COLORS[role] in src


def test_hiding_data_and_grad():
    src = draw(neuron(), show_data=False, show_grad=False).source
    labels = re.sub(r'tooltip="[^"]*"', "", src)  # hover text keeps every number
    assert "data " not in labels and "grad " not in labels and "data -3.0" in src


def test_output_is_deterministic():
    assert draw(neuron()).source == draw(neuron()).source


def test_highlight_a_step_marks_that_edge():
    out = neuron()
    steps = list(autograd.backward_steps(out))
    step = next(s for s in steps if s.parent.label == "w1")
    src = draw(out, highlight=step).source
    red = [line for line in src.splitlines() if "#e03131" in line and "->" in line]
    assert len(red) == 1 and "×" in red[0]


def test_highlight_a_node():
    out = neuron()
    src = draw(out, highlight=out).source
    assert any("out" in line and "#e03131" in line for line in src.splitlines())


def test_too_many_nodes_is_a_clear_error_and_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(50_000):
        y = y + 1.0
    with pytest.raises(GraphTooLargeError,
                       match=r"more than max_nodes=250.*focus=w.*nn\.draw_network"):
        draw(y)


def test_labels_with_record_characters_are_escaped(no_system_dot):
    v = Value(1.0, label='a|b{c}<d>"e"')
    out = v * 2
    assert_valid_svg(draw(out).svg())


def test_bad_arguments():
    with pytest.raises(TypeError, match="expected a Value"):
        draw(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw(Value(1.0), rankdir="XY")
    with pytest.raises(ValueError, match=r"cannot tell the format.*\.svg"):
        draw(Value(1.0)).save("graph.jpeg")


def test_missing_renderer_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACEGRAD_DOT", str(tmp_path / "no-such-dot"))
    with pytest.raises(autograd.RendererNotFoundError, match="could not run the renderer"):
        draw(Value(1.0)).svg()


def test_local_gradients_on_edges_before_backward():
    a = Value(3.0, label="a")
    b = Value(-2.0, label="b")
    out = a * b + a * a
    src = draw(out, show_local_grads=True, show_grad=False).source
    edge_labels = [line for line in src.splitlines() if "->" in line and "label=" in line]
    texts = sorted(re.search(r'label=("[^"]*"|\S+)', line).group(1).strip('"')
                   for line in edge_labels)
    assert texts == ["-2", "1", "1", "3", "3 + 3"]  # ∂(ab)/∂a, ∂(ab)/∂b, the +, ∂(a·a)/∂a twice
    assert "label=" not in "".join(line for line in draw(out).source.splitlines() if "->" in line)


def mlp_sample_loss():
    import nn
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.label = "L"
    loss.backward()
    return model, loss


def test_one_weight_of_a_16_16_network_is_a_readable_focused_drawing(no_system_dot):
    model, loss = mlp_sample_loss()
    assert autograd.graph.count_nodes(loss, 1000) > 400
    with pytest.raises(GraphTooLargeError):
        draw(loss)
    w = model.layers[0].neurons[3].w[1]
    picture = draw(loss, focus=w)
    src = picture.source
    boxes = [line for line in src.splitlines() if "shape=record" in line]
    # w, its dot, +b, relu; 16 × (dot, +b, relu) in layer 2; the output dot, +b, −1, **2
    assert len(boxes) == 4 + 16 * 3 + 4
    assert "+ 31 inputs" in src and "w₄,₂⁽¹⁾" in src
    assert 'tooltip="w₄,₂⁽¹⁾ = layers.0.neurons.3.w.1;' in src  # the full name on hover
    assert f"grad {w.grad:.4g}" in src
    assert_valid_svg(picture.svg())
    width, height = picture.size
    assert width <= 1500 and height <= 2000, picture.size


def test_focus_on_several_nodes_and_bad_focus():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    out = (a * b) + (b * c).tanh() + c.exp()
    src = draw(out, focus=[a, c]).source
    assert "a\n" not in src and "tanh" in src and "exp" in src
    with pytest.raises(ValueError, match="not in the graph"):
        draw(out, focus=Value(0.0, label="elsewhere"))
    with pytest.raises(TypeError, match="focus"):
        draw(out, focus=3.0)


def test_constants_are_grey_data_with_no_gradient_and_short_names():
    out = neuron()
    out.backward()
    src = draw(out).source
    x_line = next(line for line in src.splitlines() if "x0 = -1" in line)
    assert COLORS["input"] in x_line and "grad" not in x_line.split("tooltip")[0]
    assert "gets no gradient" in x_line
    dashed = [line for line in src.splitlines() if "->" in line and "dashed" in line]
    assert len(dashed) == 2  # x0 and x1 into the dot node: no gradient flows back


def test_jupyter_shows_inline_svg_in_a_viewport_at_its_natural_size(no_system_dot):
    picture = draw(neuron())
    natural = picture.size
    html = picture._repr_html_()
    assert html.startswith('<div class="tracegrad-drawing"') and "<?xml" not in html
    svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
    assert_valid_svg(svg)
    # natural size in px (the script scales it; without scripts it scrolls at this size)
    width, height = map(float, re.search(r'<svg [^>]*width="([\d.]+)px" height="([\d.]+)px"',
                                         svg).groups())
    assert (round(width), round(height)) == natural
    view = re.search(r'<div class="tg-view" data-width="([\d.]+)" [^>]*data-floor="([\d.]+)"',
                     html)
    assert round(float(view.group(1))) == natural[0] and 0 < float(view.group(2)) <= 1
    assert "overflow: auto" in html and "tracegradViewport.setup" in html
    assert "viewBox" in svg and "<title>" in svg  # hover text works inline
    assert "<script src" not in html and "https://" not in html  # self-contained
    as_image = picture._repr_svg_()  # JupyterLab shows image/svg+xml as an <img>
    assert re.search(r'<svg width="[\d.]+pt" height="[\d.]+pt"', as_image)  # natural size


def test_auto_orientation_is_left_to_right_unless_too_deep():
    x = Value(0.5, label="x")
    y = x
    for _ in range(20):
        y = y.tanh()
    assert "rankdir=TB" in draw(y).source
    assert "rankdir=LR" in draw(neuron()).source
    assert "rankdir=LR" in draw(y, rankdir="LR").source


def test_a_stub_shows_its_gradient_as_a_number_after_create_graph():
    # After backward(create_graph=True) every .grad is a Value; the drawn nodes showed its
    # number, the stubs (inputs off the focused paths) its repr "Value(data=…)".
    a, c = Value(2.0, label="a"), Value(5.0, label="c")
    b = a * c * c
    b.backward(create_graph=True)
    source = draw(b, focus=[a]).source
    stubs = [line for line in source.splitlines() if "_in0 [" in line]
    assert stubs and all("grad 20.0" in line for line in stubs)
    assert "Value(" not in source
