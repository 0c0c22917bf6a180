"""Worked examples from the course, as ready-made models: the numbers a lesson checks by hand.

``mazur_network()`` is the 2-2-2 network of Matt Mazur's "A Step by Step Backpropagation
Example" (the course's reference for backprop with numbers).
"""

from __future__ import annotations

from .layers import MLP

# Mazur's weights, in his numbering: w1, w2 into h1 (from i1, i2); w3, w4 into h2;
# w5, w6 into o1 (from h1, h2); w7, w8 into o2. Biases b1 (hidden), b2 (output).
MAZUR_WEIGHTS = (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)
MAZUR_BIASES = (0.35, 0.60)
MAZUR_INPUT = (0.05, 0.10)
MAZUR_TARGET = (0.01, 0.99)


def mazur_network() -> tuple[MLP, list[float], list[float]]:
    """Matt Mazur's 2-2-2 network, its input and its target: ``(model, x, target)``.

    Two inputs ``i₁ = 0.05, i₂ = 0.10``; a hidden layer of two sigmoid neurons and an output
    layer of two sigmoid neurons; targets ``0.01, 0.99``. Weights ``w₁…w₈ = 0.15, 0.20, 0.25,
    0.30, 0.40, 0.45, 0.50, 0.55`` (``w₁, w₂`` into h₁; ``w₃, w₄`` into h₂; ``w₅, w₆`` into
    o₁; ``w₇, w₈`` into o₂), biases 0.35 (hidden) and 0.60 (output). In the course's notation
    Mazur's ``w₅`` is ``w₁,₁⁽²⁾`` (``layers.1.neurons.0.w.0``).

    His error ``E_total = Σ ½(targetₖ − outₖ)²`` is ``nn.losses.mse`` over the two outputs
    (the mean of two squares is half their sum)::

        E_total = 0.298371109,   ∂E/∂w₅ = 0.082167041,   ∂E/∂w₁ = 0.000438568

    Returns:
        A fresh model (its own parameters: changing it changes no other), ``x`` and
        ``target`` as lists of floats.

    Example::

        >>> from nn import losses
        >>> model, x, target = mazur_network()
        >>> round(losses.mse(model(x), target).data, 9)
        0.298371109
    """
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    weights = iter(MAZUR_WEIGHTS)
    for layer, bias in zip(model.layers, MAZUR_BIASES):
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data = next(weights)
            neuron.b.data = bias
    return model, list(MAZUR_INPUT), list(MAZUR_TARGET)
