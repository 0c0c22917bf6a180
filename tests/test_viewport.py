"""The viewport's arithmetic, without a browser: the legible floor of a picture, the markup
that frames it, and the DOT font sizes that make every drawing legible at 1:1."""

from __future__ import annotations

import re

import pytest

import autograd
import nn
from autograd.viewport import (
    LEGIBLE_PX,
    PX_PER_PT,
    SCRIPT_GLYPH,
    SCRIPT_PX,
    framed,
    has_script,
    legible_scale,
    natural_size,
)


def svg_with(*texts: tuple[float, str], graph_scale: float = 1.0, width_pt: float = 200,
             viewbox_width: float = 200) -> str:
    body = "".join(f'<text x="0" y="0" font-family="Helvetica,sans-Serif" '
                   f'font-size="{size:.2f}">{text}</text>' for size, text in texts)
    return (f'<svg width="{width_pt}pt" height="100pt" viewBox="0.00 0.00 {viewbox_width:.2f} '
            f'100.00" xmlns="http://www.w3.org/2000/svg">\n<g id="graph0" class="graph" '
            f'transform="scale({graph_scale} {graph_scale}) rotate(0) translate(4 96)">'
            f"{body}</g></svg>")


def test_the_floor_is_the_largest_need_over_every_text():
    # 12 pt = 16 px: may shrink to 11/16; 9 pt = 12 px: to 11/12, the binding one
    assert legible_scale(svg_with((12, "data 0.5"), (9, "0.25"))) == pytest.approx(11 / 12)
    # a text with sub/superscripts needs 8 px for them: 8 / 0.58 px of font
    need = SCRIPT_PX / SCRIPT_GLYPH
    assert legible_scale(svg_with((11, "w₁,₁⁽²⁾"))) == pytest.approx(need / (11 * PX_PER_PT))
    assert need > LEGIBLE_PX


def test_the_floor_follows_the_graph_transform_and_the_viewbox():
    plain = legible_scale(svg_with((10, "x")))
    assert legible_scale(svg_with((10, "x"), graph_scale=0.5)) == pytest.approx(2 * plain)
    # the same viewBox drawn twice as wide: its text is twice as large at natural size
    assert legible_scale(svg_with((10, "x"), width_pt=400)) == pytest.approx(plain / 2)


def test_a_picture_without_text_or_size_has_no_floor():
    assert legible_scale(svg_with()) == 0
    assert legible_scale(svg_with((10, "  "))) == 0
    assert legible_scale('<svg viewBox="0 0 10 10"><text font-size="4">a</text></svg>') == 0
    assert natural_size("<svg></svg>") is None


def test_scripts_are_recognised_by_their_unicode_decomposition():
    assert all(has_script(t) for t in ("x₁", "a⁽¹⁾", "wᵀx", "aⱼ", "x²"))
    assert not any(has_script(t) for t in ("ŷ", "∂L/∂w", "δ = 0.5", "σ(z)", "x1"))


def test_framed_keeps_the_natural_size_and_scrolls_without_scripts():
    svg = '<?xml version="1.0"?>\n' + svg_with((9, "0.25"), width_pt=600, viewbox_width=600)
    html = framed(svg)
    assert "<?xml" not in html
    assert 'data-width="800.000" data-height="133.333"' in html  # pt × 4/3
    assert re.search(r'data-floor="0\.91\d\d"', html)  # 11/12, rounded up
    floor = float(re.search(r'data-floor="([\d.]+)"', html).group(1))
    assert floor >= 11 / 12
    assert 'width="800.00px"' in html and "max-width: none; width: 800.00px" in html
    assert '<div class="tg-scroll" style="overflow: auto; max-height: min(70vh, 640px)"' in html
    assert 'data-controls="auto"' in html and '<div class="tg-zoom" role="toolbar"' in html
    assert html.count("data-zoom=") == 4 and " hidden>" in html  # shown by the script
    always = framed(svg, controls="always", centered=True, note="<b>hint</b>")
    assert 'data-controls="always"' in always and "margin: 0 auto" in always
    assert "<b>hint</b>" in always
    with pytest.raises(ValueError, match="controls must be 'auto' or 'always', got 'never'"):
        framed(svg, controls="never")


def network_loss(model=None):
    model = model or nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                            seed=0)
    return nn.losses.binary_cross_entropy([model([0.5, -1.0])], [1.0])


def focused_drawing():
    model = nn.MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    return autograd.draw(network_loss(model), focus=model.layers[0].neurons[1].w[0])


@pytest.mark.parametrize("make", [
    lambda: autograd.draw(network_loss(), show_local_grads=True),
    focused_drawing,  # with grey stubs for the inputs off the paths
    lambda: nn.draw_network(nn.MLP(2, [2, 2]), [0.5, -1.0], target=[1.0, 0.0], loss="mse"),
    lambda: nn.draw_network(nn.MLP(2, [16, 16, 1], seed=0), [0.5, -1.0], target=1.0,
                            loss="mse"),
], ids=["graph", "focused graph", "diagram 2-2", "diagram 16-16-1"])
def test_every_drawing_is_legible_at_its_natural_size(make):
    svg = make().svg()
    assert 0 < legible_scale(svg) <= 1


def test_the_stepper_frames_its_picture_and_a_saved_page_takes_the_keys(tmp_path):
    made = autograd.stepper(network_loss())
    fragment = made.html()
    assert 'data-controls="always"' in fragment and 'class="tg-hint" hidden' in fragment
    root = re.search(r'<div class="tg-stepper"[^>]*>', fragment).group(0)
    assert "data-page" not in root and 'data-lm-suppress-shortcuts="true"' in root
    assert "window.tracegradViewport" in fragment
    page = made.save(tmp_path / "backprop.html").read_text(encoding="utf-8")
    assert 'data-page="1"' in re.search(r'<div class="tg-stepper"[^>]*>', page).group(0)
