"""Fully connected layer in NumPy: forward next to backward (lecture 003's vectorised MLP pass)."""

from cnn_lectures.scratch._checks import as_float_array, check_ndim

__all__ = ["dense_forward", "dense_backward"]


def dense_forward(x, w, b):
    """Affine layer ``out = x @ w + b``, Keras' ``Dense`` without its activation.

    Args:
        x: inputs of shape (batch, in_features). Images must be flattened first
            (``x.reshape(len(x), -1)``).
        w: weights of shape (in_features, units) -- Keras' ``Dense.kernel`` layout.
        b: biases of shape (units,).

    Returns:
        ``(out, cache)``: out of shape (batch, units); cache for :func:`dense_backward`.
    """
    x = check_ndim(as_float_array(x, "x"), 2, "x", "(batch, in_features)")
    w = check_ndim(as_float_array(w, "w"), 2, "w", "(in_features, units)")
    b = check_ndim(as_float_array(b, "b"), 1, "b", "(units,)")
    if x.shape[1] != w.shape[0] or b.shape[0] != w.shape[1]:
        raise ValueError(
            "Shapes do not chain: x is (batch, in_features), w is (in_features, units), "
            f"b is (units,). Received: x.shape={x.shape}, w.shape={w.shape}, b.shape={b.shape}"
        )
    return x @ w + b, (x, w)


def dense_backward(dout, cache):
    """Gradients of :func:`dense_forward`.

    With ``out = x @ w + b``: ``dx = dout @ w.T``, ``dw = x.T @ dout``, ``db = sum(dout)``
    over the batch.

    Args:
        dout: upstream gradient dL/dout, shape (batch, units).
        cache: the cache returned by :func:`dense_forward`.

    Returns:
        ``(dx, dw, db)`` with the shapes of ``x``, ``w`` and ``b``.
    """
    x, w = cache
    dout = as_float_array(dout, "dout")
    if dout.shape != (x.shape[0], w.shape[1]):
        raise ValueError(
            f"`dout` must have the forward output's shape {(x.shape[0], w.shape[1])}. Received: dout.shape={dout.shape}"
        )
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
