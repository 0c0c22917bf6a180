"""The optional ipywidgets slider that replays a backward pass."""

import re

import pytest

import autograd
from autograd import Value
from autograd.widgets import grads_after, start_of_pass, step_slider


def graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    out = c.tanh()
    out.label = "out"
    return a, b, out


def test_grads_after_k_steps_replay_the_pass():
    a, b, out = graph()
    start = start_of_pass(out)
    steps = list(autograd.backward_steps(out))
    assert grads_after(start, steps, 0)[a] == 0.0 and grads_after(start, steps, 0)[out] == 1.0
    assert grads_after(start, steps, 1)[a] == 0.0  # step 1 is out -> c
    after_all = grads_after(start, steps, len(steps))
    assert after_all[a] == a.grad and after_all[b] == b.grad


def test_slider_moves_through_the_steps():
    _, _, out = graph()
    box = step_slider(out, show_local_grads=True)
    slider, text, picture = box.children
    assert slider.max == 3 and "before the pass" in text.value
    assert ">grad 0<" in picture.value  # nothing has flowed yet
    slider.value = 2
    steps = list(autograd.backward_steps(graph()[2]))
    assert str(steps[1]).split("=")[0] in text.value
    assert "#e03131" in picture.value  # the step's edge in red
    assert picture.value.lstrip().startswith("<?xml")


def test_draw_can_show_given_gradients():
    a, _, out = graph()
    src = autograd.draw(out, grads={a: 42.0}).source
    assert re.search(r'label="a \| data [^|"]* \| grad 42"', src), src


def test_missing_ipywidgets_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_widgets(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_widgets)
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        step_slider(graph()[2])
