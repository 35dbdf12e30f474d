"""Losses in NumPy, each returning ``(loss, dloss/dinput)`` so a backward pass can start there."""

import numpy as np

from cnn_lectures.scratch._checks import as_float_array, check_ndim

__all__ = ["softmax", "softmax_cross_entropy", "mse"]


def softmax(logits):
    """Softmax over the last axis, shifted by the max so ``exp`` never overflows."""
    logits = as_float_array(logits, "logits")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _targets(labels, shape):
    """Integer labels (batch,) -> one-hot (batch, classes); (batch, classes) passes through."""
    labels = np.asarray(labels)
    if labels.shape == shape:
        return as_float_array(labels, "labels")
    if labels.shape == shape[:1] and np.issubdtype(labels.dtype, np.integer):
        if labels.size and (labels.min() < 0 or labels.max() >= shape[1]):
            raise ValueError(
                f"Integer labels must lie in [0, {shape[1]}). Received: labels from {labels.min()} to {labels.max()}"
            )
        return np.eye(shape[1])[labels]
    raise ValueError(
        f"`labels` must be integers of shape {shape[:1]} or one-hot rows of shape {shape}. "
        f"Received: labels.shape={labels.shape}, labels.dtype={labels.dtype}"
    )


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against the labels (lecture 003).

    ``L = -(1/N) sum_n sum_k y[n, k] * log softmax(logits)[n, k]``; its gradient is the
    famous ``dL/dlogits = (softmax(logits) - y) / N``.

    Args:
        logits: unnormalised scores of shape (batch, classes).
        labels: integer class indices of shape (batch,), or one-hot (or any probability)
            rows of shape (batch, classes).

    Returns:
        ``(loss, dlogits)``: a float and an array of the shape of ``logits``.
    """
    logits = check_ndim(as_float_array(logits, "logits"), 2, "logits", "(batch, classes)")
    y = _targets(labels, logits.shape)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = logits.shape[0]
    loss = -np.sum(y * log_probs) / n
    dlogits = (np.exp(log_probs) - y) / n
    return float(loss), dlogits


def mse(predictions, targets):
    """Mean squared error over all entries, as in lecture 003's XOR example.

    ``J = mean((predictions - targets)**2)``; for XOR's four points and one output this is
    ``1/4 * sum_x (f*(x) - f(x))**2``.

    Args:
        predictions: array of any shape.
        targets: array of the same shape.

    Returns:
        ``(loss, dpredictions)`` with ``dpredictions = 2 * (predictions - targets) / size``.
    """
    predictions = as_float_array(predictions, "predictions")
    targets = as_float_array(targets, "targets")
    if predictions.shape != targets.shape:
        raise ValueError(
            "`predictions` and `targets` must have the same shape. Received: "
            f"predictions.shape={predictions.shape}, targets.shape={targets.shape}"
        )
    diff = predictions - targets
    return float(np.mean(diff**2)), 2.0 * diff / diff.size
