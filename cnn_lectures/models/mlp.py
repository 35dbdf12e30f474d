"""Multilayer perceptrons (lecture 003): a general MLP and the 2-2-1 network that learns XOR."""

import keras
import numpy as np
from keras import layers

from cnn_lectures._validation import check_int
from cnn_lectures.models._common import (
    check_dropout,
    check_input_shape,
    check_num_classes,
    classifier_activation,
)

__all__ = ["mlp", "xor_mlp", "xor_exact_weights"]


def mlp(
    hidden_units=(128,),
    *,
    input_shape=(784,),
    num_classes=10,
    activation="relu",
    dropout=0.0,
    name="mlp",
):
    """A fully connected classifier: flatten -> dense (hidden) ... -> dense (softmax).

    Args:
        hidden_units: widths of the hidden layers, e.g. ``(128,)`` or ``(256, 128)``;
            ``()`` gives a linear (softmax regression) model.
        input_shape: shape of one example, e.g. ``(784,)`` or ``(28, 28, 1)`` (flattened).
        num_classes: output units; softmax, or a sigmoid for ``num_classes=1``.
        activation: activation of the hidden layers (any Keras activation name).
        dropout: dropout rate after each hidden layer (0 for none).
        name: model name.

    Returns:
        Uncompiled ``keras.Model`` mapping (batch, *input_shape) to (batch, num_classes).
        Layers: ``flatten`` (if needed), ``dense1``, ``dense1_dropout``, ..., ``predictions``.
        Parameters: ``sum((n_in + 1) * n_out)`` over consecutive widths, e.g.
        784 -> 128 -> 10 has 100,480 + 1,290 = 101,770.
    """
    if isinstance(input_shape, int):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise ValueError(f"`input_shape` must be a tuple of sizes. Received: input_shape={input_shape!r}")
    input_shape = check_input_shape(input_shape, rank=len(input_shape))
    num_classes = check_num_classes(num_classes)
    units = [check_int(u, "hidden_units", min_value=1) for u in hidden_units]
    dropout = check_dropout(dropout)

    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    for i, width in enumerate(units, start=1):
        x = layers.Dense(width, activation=activation, name=f"dense{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dense{i}_dropout")(x)
    outputs = layers.Dense(num_classes, activation=classifier_activation(num_classes), name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def xor_mlp(*, activation="relu", name="xor_mlp"):
    """The 2-2-1 network of lecture 003 (Goodfellow et al., *Deep Learning*, 6.1).

    ``f(x) = w^T g(W^T x + c) + b`` with ``g = ReLU``: a hidden layer of two units and one
    linear output unit, trained with mean squared error on the four XOR points.

    Returns:
        Uncompiled ``keras.Model`` mapping (batch, 2) to (batch, 1); layers ``hidden``
        (W, c) and ``output`` (w, b); 9 parameters. ``model.set_weights(xor_exact_weights())``
        makes it compute XOR exactly.
    """
    inputs = keras.Input(shape=(2,), name="x")
    h = layers.Dense(2, activation=activation, name="hidden")(inputs)
    outputs = layers.Dense(1, name="output")(h)
    return keras.Model(inputs, outputs, name=name)


def xor_exact_weights():
    """The exact ReLU solution to XOR, in ``xor_mlp().set_weights`` order.

    ``W = [[1, 1], [1, 1]]``, ``c = [0, -1]``, ``w = [1, -2]``, ``b = 0``: the hidden layer
    maps (0,0), (0,1), (1,0), (1,1) to (0,0), (1,0), (1,0), (2,1), where the points are
    linearly separable, and ``w`` gives 0, 1, 1, 0.

    Returns:
        ``[W (2, 2), c (2,), w (2, 1), b (1,)]`` as float32 arrays.
    """
    return [
        np.array([[1.0, 1.0], [1.0, 1.0]], dtype="float32"),
        np.array([0.0, -1.0], dtype="float32"),
        np.array([[1.0], [-2.0]], dtype="float32"),
        np.array([0.0], dtype="float32"),
    ]
