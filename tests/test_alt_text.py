"""nn.alt_text: a figure's alt text, given or read from the figure (no kernel needed; the
notebook side — every exported image has alt text — is tests/test_lessons.py)."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from nn.alt_text import describe, describe_figures, set_alt


def two_panels() -> Figure:
    fig = Figure()
    left, right = fig.subplots(1, 2)
    left.plot([1, 2], label="training")
    left.plot([2, 1], label="validation")
    left.set(title="Loss", xlabel="epoch", ylabel="loss")
    left.legend()
    right.plot([0, 1])
    fig.suptitle("Training")
    return fig


def test_describe_reads_titles_axes_and_curves():
    assert describe(two_panels()) == (
        'Figure "Training" with 2 panels. Panel 1 "Loss": loss (y) against epoch (x); '
        "curves: training, validation. Panel 2; 1 line.")


def test_the_given_text_wins():
    fig = set_alt(two_panels(), "  The training loss falls, the validation loss rises.  ")
    assert describe(fig) == "The training loss falls, the validation loss rises."


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_text_is_refused(text):
    with pytest.raises(ValueError, match="set_alt: text=.* is empty"):
        set_alt(Figure(), text)


def test_outside_ipython_describe_figures_does_nothing():
    assert describe_figures() is None
