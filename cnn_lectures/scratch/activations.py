"""Activation functions of lecture 001 and their derivatives, in NumPy.

Each elementwise activation ``f`` comes with ``f_grad(x)``, the derivative ``f'(x)``
evaluated at the *input*; a backward pass multiplies it in: ``dx = dout * f_grad(x)``.
Maxout is not elementwise, so it has ``maxout_backward(dout, z)`` instead.

At a kink (x = 0 for ReLU and leaky ReLU) the derivative used is the right-hand one for
x > 0 and the left-hand one otherwise, as TensorFlow does.
"""

import numpy as np

from cnn_lectures._validation import check_int
from cnn_lectures.scratch._checks import as_float_array

__all__ = [
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "maxout",
    "maxout_backward",
]


def relu(x):
    """``max(0, x)``, elementwise."""
    x = as_float_array(x, "x")
    return np.maximum(x, 0)


def relu_grad(x):
    """Derivative of ReLU: 1 where ``x > 0``, else 0."""
    x = as_float_array(x, "x")
    return (x > 0).astype(x.dtype)


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed as ``(1 + tanh(x/2)) / 2`` so it never overflows."""
    x = as_float_array(x, "x")
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def sigmoid_grad(x):
    """Derivative of the sigmoid: ``s(x) * (1 - s(x))``, at most 0.25 (why deep sigmoid nets stall)."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """Hyperbolic tangent, elementwise."""
    return np.tanh(as_float_array(x, "x"))


def tanh_grad(x):
    """Derivative of tanh: ``1 - tanh(x)**2``."""
    t = tanh(x)
    return 1.0 - t * t


def leaky_relu(x, *, alpha=0.1):
    """Leaky ReLU ``max(alpha * x, x)``; lecture 001 uses ``alpha = 0.1``."""
    x = as_float_array(x, "x")
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x, *, alpha=0.1):
    """Derivative of leaky ReLU: 1 where ``x > 0``, else ``alpha``."""
    x = as_float_array(x, "x")
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


def elu(x, *, alpha=1.0):
    """ELU: ``x`` for ``x >= 0``, ``alpha * (exp(x) - 1)`` for ``x < 0`` (Clevert et al., 2016)."""
    x = as_float_array(x, "x")
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, *, alpha=1.0):
    """Derivative of ELU: 1 where ``x > 0``, else ``alpha * exp(x)``."""
    x = as_float_array(x, "x")
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


def _maxout_groups(z, pieces):
    z = as_float_array(z, "z")
    pieces = check_int(pieces, "pieces", min_value=1)
    if z.ndim == 0 or z.shape[-1] % pieces:
        raise ValueError(
            f"The last axis of `z` must be a multiple of `pieces`. Received: z.shape={z.shape}, pieces={pieces}"
        )
    return z.reshape(*z.shape[:-1], z.shape[-1] // pieces, pieces)


def maxout(z, *, pieces=2):
    """Maxout (Goodfellow et al., 2013): the max over groups of ``pieces`` consecutive features.

    Lecture 001 writes a maxout unit as ``max(w1.x + b1, w2.x + b2)``: that is a dense layer
    with ``units * pieces`` outputs (``z``) followed by this function with ``pieces=2``.
    Features ``j*pieces ... j*pieces + pieces - 1`` of ``z`` feed unit ``j``.

    Args:
        z: array of shape (..., units * pieces).
        pieces: how many linear pieces each unit takes the max of.

    Returns:
        array of shape (..., units).
    """
    return _maxout_groups(z, pieces).max(axis=-1)


def maxout_backward(dout, z, *, pieces=2):
    """Gradient of ``maxout(z, pieces=pieces)``: ``dout`` goes to each group's arg-max only.

    Args:
        dout: upstream gradient, shape (..., units).
        z: the forward input, shape (..., units * pieces).
        pieces: as in the forward call.

    Returns:
        dz of the shape of ``z``. On ties the first maximal piece gets the gradient.
    """
    groups = _maxout_groups(z, pieces)
    dout = as_float_array(dout, "dout")
    if dout.shape != groups.shape[:-1]:
        raise ValueError(
            f"`dout` must have shape {groups.shape[:-1]} (maxout's output). Received: dout.shape={dout.shape}"
        )
    winner = groups.argmax(axis=-1)[..., None] == np.arange(pieces)
    return (winner * dout[..., None]).reshape(np.shape(z))
