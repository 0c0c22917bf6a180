"""nn — neural networks built from autograd Values (the perceptron to the MLP).

The library grows issue by issue; today it holds the command-line demo (``tracegrad demo``).
"""
