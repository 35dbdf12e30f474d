"""Numerical gradient checks: the trusted reference for every backward pass (CS231n style)."""

import numpy as np

from cnn_lectures.scratch._checks import as_float_array

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f, x, *, eps=1e-5, dout=None):
    """Central-difference estimate of the gradient of a scalar function ``f`` at ``x``.

    ``grad[i] = (f(x + eps*e_i) - f(x - eps*e_i)) / (2 * eps)``, one entry at a time
    (``2 * x.size`` calls of ``f``, so keep ``x`` small). The error is O(eps**2); use
    float64, where ``eps=1e-5`` typically agrees with an analytic gradient to ~1e-9.

    ``f`` is called with a perturbed float64 *copy* of ``x`` and must compute from that
    argument (``lambda w: conv2d_forward(x, w, b)[0]``, not a closure over ``w``); the
    caller's ``x`` is never modified.

    Args:
        f: callable taking an array shaped like ``x``. It returns a scalar, or, when
            ``dout`` is given, an array that is reduced to ``sum(f(x) * dout)`` -- the
            scalar whose gradient a layer's backward pass computes from ``dout``.
        x: point at which to differentiate, any shape.
        eps: step size.
        dout: optional upstream gradient with the shape of ``f``'s output.

    Returns:
        float64 array of the shape of ``x``.
    """
    if not callable(f):
        raise TypeError(f"`f` must be callable. Received: f={f!r}")
    if not eps > 0:
        raise ValueError(f"`eps` must be > 0. Received: eps={eps!r}")
    point = np.array(as_float_array(x, "x"), dtype=np.float64)  # a copy we may perturb

    def scalar(value):
        out = f(value)
        if dout is not None:
            return float(np.sum(np.asarray(out) * dout))
        if np.ndim(out) != 0:
            raise ValueError(
                "`f` must return a scalar, or pass `dout` to reduce its output. "
                f"Received: an output of shape {np.shape(out)}"
            )
        return float(out)

    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + eps
        plus = scalar(point)
        point[index] = original - eps
        minus = scalar(point)
        point[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """Relative error ``||a - b|| / (||a|| + ||b||)`` (Euclidean norms over all entries).

    0 means identical; ~1e-15 is float64 round-off; above ~1e-6 something is wrong for
    an analytic gradient. The norm form is used rather than an entrywise maximum because
    entries whose true value is ~0 (a ReLU that is off, a pooled-away pixel) would make
    an entrywise ratio meaningless. Two all-zero arrays have error 0.

    Args:
        a, b: arrays of the same shape.

    Returns:
        float in [0, 1].
    """
    a = as_float_array(a, "a").astype(np.float64)
    b = as_float_array(b, "b").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"Shapes differ. Received: a.shape={a.shape}, b.shape={b.shape}")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / denominator)
