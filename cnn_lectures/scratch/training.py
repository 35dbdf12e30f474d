"""A tiny MLP and a tiny CNN trained with the NumPy layers alone.

Forward, backward, then ``w <- w - learning_rate * dL/dw``: nothing else. Parameters live
in a plain dict of arrays (``{"conv_w": ..., "conv_b": ..., ...}``) so a notebook can print
and plot them; gradients come back in a dict with the same keys. With images ``x`` of
shape (n, 8, 8, 1) and integer ``labels`` of shape (n,)::

    params = init_tiny_cnn(input_shape=(8, 8, 1), num_classes=2, seed=0)
    loss, grads = tiny_cnn_loss(params, x, labels)          # forward + backward
    params = sgd_step(params, grads, learning_rate=0.1)     # one step of gradient descent
    params, losses = sgd_train(tiny_cnn_loss, params, x, labels, epochs=5)
"""

import numpy as np

from cnn_lectures._validation import check_int
from cnn_lectures.scratch._checks import as_float_array, check_ndim
from cnn_lectures.scratch.activations import relu, relu_grad
from cnn_lectures.scratch.conv import conv2d_backward, conv2d_forward
from cnn_lectures.scratch.dense import dense_backward, dense_forward
from cnn_lectures.scratch.losses import mse, softmax_cross_entropy
from cnn_lectures.scratch.pooling import max_pool_backward, max_pool_forward

__all__ = [
    "init_mlp",
    "mlp_predict",
    "mlp_loss",
    "init_tiny_cnn",
    "tiny_cnn_predict",
    "tiny_cnn_loss",
    "sgd_step",
    "sgd_train",
]

_LOSSES = {"cross_entropy": softmax_cross_entropy, "mse": mse}


def _he_normal(rng, shape, fan_in):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def init_mlp(layer_sizes, *, seed=0):
    """Random MLP parameters: He-normal weights, zero biases, float64.

    Args:
        layer_sizes: widths from input to output, e.g. ``(784, 32, 10)`` or XOR's ``(2, 2, 1)``.
        seed: seed of the NumPy generator.

    Returns:
        dict ``{"dense1_w": (784, 32), "dense1_b": (32,), "dense2_w": (32, 10), ...}``.
    """
    sizes = [check_int(size, "layer_sizes", min_value=1) for size in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(
            "`layer_sizes` must list at least two positive integers (input and output width). "
            f"Received: layer_sizes={layer_sizes!r}."
        )
    rng = np.random.default_rng(seed)
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"dense{i}_w"] = _he_normal(rng, (fan_in, fan_out), fan_in)
        params[f"dense{i}_b"] = np.zeros(fan_out)
    return params


def _mlp_forward(params, x):
    n_layers = len(params) // 2
    caches, h = [], check_ndim(as_float_array(x, "x"), 2, "x", "(batch, features)")
    for i in range(1, n_layers + 1):
        z, dense_cache = dense_forward(h, params[f"dense{i}_w"], params[f"dense{i}_b"])
        caches.append((dense_cache, z))
        h = relu(z) if i < n_layers else z
    return h, caches


def mlp_predict(params, x):
    """Outputs of the MLP's last layer (logits; ReLU in every hidden layer), shape (batch, out)."""
    return _mlp_forward(params, x)[0]


def mlp_loss(params, x, y, *, loss="cross_entropy"):
    """Loss and gradients of an MLP: dense -> ReLU -> ... -> dense -> loss.

    Args:
        params: dict from :func:`init_mlp`.
        x: inputs of shape (batch, features).
        y: integer labels (batch,) or one-hot rows for ``"cross_entropy"`` (softmax on the
            logits); targets of the output's shape for ``"mse"`` (linear output, as XOR).
        loss: ``"cross_entropy"`` or ``"mse"``.

    Returns:
        ``(loss, grads)``: a float and a dict with the keys and shapes of ``params``.
    """
    if loss not in _LOSSES:
        raise ValueError(f"`loss` must be one of {sorted(_LOSSES)}. Received: loss={loss!r}")
    out, caches = _mlp_forward(params, x)
    value, dh = _LOSSES[loss](out, y)
    grads = {}
    for i in range(len(caches), 0, -1):
        dense_cache, z = caches[i - 1]
        dz = dh if i == len(caches) else dh * relu_grad(z)
        dh, grads[f"dense{i}_w"], grads[f"dense{i}_b"] = dense_backward(dz, dense_cache)
    return value, grads


def init_tiny_cnn(*, input_shape=(28, 28, 1), num_classes=10, filters=4, kernel_size=3, seed=0):
    """Random parameters of the tiny CNN: conv (same) -> ReLU -> 2x2 max pool -> dense.

    Args:
        input_shape: (height, width, channels) of one image.
        num_classes: number of classes (logits).
        filters: number of conv kernels.
        kernel_size: odd kernel side (the conv pads ``(k - 1) // 2`` to keep the size).
        seed: seed of the NumPy generator.

    Returns:
        dict with ``conv_w`` (k, k, channels, filters), ``conv_b`` (filters,),
        ``dense_w`` (height//2 * width//2 * filters, num_classes), ``dense_b`` (num_classes,).
    """
    if len(input_shape) != 3 or min(input_shape) < 1 or min(input_shape[:2]) < 2:
        raise ValueError(
            "`input_shape` must be (height, width, channels) with height, width >= 2. "
            f"Received: input_shape={input_shape!r}"
        )
    if kernel_size % 2 != 1:
        raise ValueError(f"`kernel_size` must be odd. Received: kernel_size={kernel_size!r}")
    h, w, c = input_shape
    rng = np.random.default_rng(seed)
    flat = (h // 2) * (w // 2) * filters
    return {
        "conv_w": _he_normal(rng, (kernel_size, kernel_size, c, filters), kernel_size**2 * c),
        "conv_b": np.zeros(filters),
        "dense_w": _he_normal(rng, (flat, num_classes), flat),
        "dense_b": np.zeros(num_classes),
    }


def _tiny_cnn_forward(params, x):
    x = check_ndim(as_float_array(x, "x"), 4, "x", "(batch, height, width, channels)")
    padding = (params["conv_w"].shape[0] - 1) // 2
    z, conv_cache = conv2d_forward(x, params["conv_w"], params["conv_b"], padding=padding)
    pooled, pool_cache = max_pool_forward(relu(z), pool_size=2, stride=2)
    flat = pooled.reshape(len(x), -1)
    logits, dense_cache = dense_forward(flat, params["dense_w"], params["dense_b"])
    return logits, (conv_cache, z, pool_cache, pooled.shape, dense_cache)


def tiny_cnn_predict(params, x):
    """Logits of the tiny CNN for images ``x`` of shape (batch, height, width, channels)."""
    return _tiny_cnn_forward(params, x)[0]


def tiny_cnn_loss(params, x, y):
    """Softmax cross-entropy of the tiny CNN and its gradients, by backpropagation.

    Args:
        params: dict from :func:`init_tiny_cnn`.
        x: images of shape (batch, height, width, channels).
        y: integer labels (batch,) or one-hot rows (batch, num_classes).

    Returns:
        ``(loss, grads)``: a float and a dict with the keys and shapes of ``params``.
    """
    logits, (conv_cache, z, pool_cache, pooled_shape, dense_cache) = _tiny_cnn_forward(params, x)
    loss, dlogits = softmax_cross_entropy(logits, y)
    dflat, dense_w, dense_b = dense_backward(dlogits, dense_cache)
    drelu = max_pool_backward(dflat.reshape(pooled_shape), pool_cache)
    _, conv_w, conv_b = conv2d_backward(drelu * relu_grad(z), conv_cache)
    return loss, {"conv_w": conv_w, "conv_b": conv_b, "dense_w": dense_w, "dense_b": dense_b}


def sgd_step(params, grads, *, learning_rate):
    """One step of gradient descent, ``w <- w - learning_rate * dL/dw``, as a new dict."""
    if set(params) != set(grads):
        raise ValueError(
            "`grads` must have the keys of `params`. "
            f"Received: params keys {sorted(params)}, grads keys {sorted(grads)}"
        )
    return {key: params[key] - learning_rate * grads[key] for key in params}


def sgd_train(loss_fn, params, x, y, *, learning_rate=0.1, epochs=1, batch_size=32, seed=0):
    """Mini-batch gradient descent with any ``loss_fn(params, x, y) -> (loss, grads)``.

    Args:
        loss_fn: e.g. :func:`tiny_cnn_loss` or ``functools.partial(mlp_loss, loss="mse")``.
        params: initial parameters (not modified).
        x, y: training inputs and labels/targets, first axis the examples.
        learning_rate: step size ``eta``.
        epochs: passes over the data.
        batch_size: examples per step; the data are shuffled each epoch.
        seed: seed of the shuffling generator.

    Returns:
        ``(params, losses)``: the trained parameters and the loss of every step (1-D array).
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(
            f"`x` and `y` must hold the same, non-zero number of examples. Received: len(x)={len(x)}, len(y)={len(y)}"
        )
    if batch_size < 1 or epochs < 0:
        raise ValueError(f"Need batch_size >= 1 and epochs >= 0. Received: batch_size={batch_size}, epochs={epochs}")
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_fn(params, x[batch], y[batch])
            params = sgd_step(params, grads, learning_rate=learning_rate)
            losses.append(loss)
    return params, np.asarray(losses)
