"""Pooling in NumPy: max, average and cross-channel max, forward next to backward.

Lecture 002's example pools the feature map [[7, 3, 0, 1], [-1, -2, 4, 0]] with 2x2
windows and stride 2 into [7, 4]. Lecture 004's backprop rule: a max-pooling output
depends only on its window's maximum, so the gradient flows to the arg-max alone
(``dL/dI_j = 1(I_j = max)``); average pooling spreads it evenly over the window.
On ties the first maximum in the window (row-major order) gets the whole gradient.
Pooling has no padding here ("valid"); NHWC layout as in Keras.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lectures.scratch._checks import as_float_array, check_ndim, pair
from cnn_lectures.scratch.activations import maxout, maxout_backward
from cnn_lectures.shapes import conv_output_size

__all__ = [
    "max_pool_forward",
    "max_pool_backward",
    "avg_pool_forward",
    "avg_pool_backward",
    "channel_max_pool_forward",
    "channel_max_pool_backward",
]


def _pool_windows(x, pool_size, stride):
    """Check arguments; return (x, pool, stride, out_size, windows (n, oh, ow, c, ph, pw))."""
    x = check_ndim(as_float_array(x, "x"), 4, "x", "(batch, height, width, channels)")
    pool, stride = pair(pool_size, "pool_size"), pair(stride, "stride")
    out_size = tuple(conv_output_size(n, k, stride=s) for n, k, s in zip(x.shape[1:3], pool, stride))
    view = sliding_window_view(x, pool, axis=(1, 2))[:, :: stride[0], :: stride[1]]
    return x, pool, stride, out_size, view[:, : out_size[0], : out_size[1]]


def _scatter(dout_per_offset, x_shape, pool, stride, out_size, dtype):
    """Add each window offset's gradient back onto the input positions it came from."""
    (ph, pw), (sh, sw), (oh, ow) = pool, stride, out_size
    dx = np.zeros(x_shape, dtype=dtype)
    for a in range(ph):
        for c in range(pw):
            dx[:, a : a + sh * oh : sh, c : c + sw * ow : sw, :] += dout_per_offset(a * pw + c)
    return dx


def _check_dout(dout, expected_shape):
    dout = as_float_array(dout, "dout")
    if dout.shape != expected_shape:
        raise ValueError(
            f"`dout` must have the forward output's shape {expected_shape}. Received: dout.shape={dout.shape}"
        )
    return dout


def max_pool_forward(x, *, pool_size=2, stride=2):
    """Max pooling: the largest value of each ``pool_size`` window, per channel.

    Args:
        x: feature maps of shape (batch, height, width, channels).
        pool_size: window size, an int or (ph, pw).
        stride: step between windows, an int or (sh, sw). Strides smaller than the
            window (AlexNet's 3x3/2) overlap the windows.

    Returns:
        ``(out, cache)``: out of shape (batch, out_h, out_w, channels) with
        ``out_h = (height - ph) // sh + 1``; cache for :func:`max_pool_backward`.
    """
    x, pool, stride, out_size, windows = _pool_windows(x, pool_size, stride)
    flat = windows.reshape(*windows.shape[:4], -1)
    argmax = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return out, (x.shape, x.dtype, pool, stride, argmax)


def max_pool_backward(dout, cache):
    """Gradient of :func:`max_pool_forward`: each ``dout`` goes to its window's arg-max only.

    Returns:
        dx of the input's shape; zero everywhere except at the arg-max positions (which
        add up when overlapping windows share one).
    """
    x_shape, dtype, pool, stride, argmax = cache
    dout = _check_dout(dout, argmax.shape)
    return _scatter(
        lambda offset: np.where(argmax == offset, dout, 0.0),
        x_shape,
        pool,
        stride,
        argmax.shape[1:3],
        np.result_type(dtype, dout),
    )


def avg_pool_forward(x, *, pool_size=2, stride=2):
    """Average pooling: the mean of each ``pool_size`` window, per channel.

    Arguments and output shape as in :func:`max_pool_forward`.

    Returns:
        ``(out, cache)``; cache for :func:`avg_pool_backward`.
    """
    x, pool, stride, out_size, windows = _pool_windows(x, pool_size, stride)
    out = windows.mean(axis=(-2, -1))
    return out, (x.shape, x.dtype, pool, stride, out.shape)


def avg_pool_backward(dout, cache):
    """Gradient of :func:`avg_pool_forward`: each ``dout`` is shared equally by its window.

    Returns:
        dx of the input's shape: ``dout / (ph * pw)`` added to every position of the window.
    """
    x_shape, dtype, pool, stride, out_shape = cache
    dout = _check_dout(dout, out_shape)
    share = dout / (pool[0] * pool[1])
    return _scatter(lambda offset: share, x_shape, pool, stride, out_shape[1:3], np.result_type(dtype, dout))


def channel_max_pool_forward(x, *, pool_size=2):
    """Cross-channel (depth) max pooling (lecture 004): max over groups of channels.

    Channels ``j*pool_size ... j*pool_size + pool_size - 1`` become output channel ``j``,
    at every pixel. If the channels are filters that detect a digit at different
    rotations, the pooled channel responds whatever the rotation. It is maxout
    (Goodfellow et al., 2013) applied to the channel axis.

    Args:
        x: feature maps of shape (batch, height, width, channels), channels a multiple
            of ``pool_size``.
        pool_size: how many channels share one output channel.

    Returns:
        ``(out, cache)``: out of shape (batch, height, width, channels // pool_size).
    """
    x = check_ndim(as_float_array(x, "x"), 4, "x", "(batch, height, width, channels)")
    return maxout(x, pieces=pool_size), (x, pool_size)


def channel_max_pool_backward(dout, cache):
    """Gradient of :func:`channel_max_pool_forward`: to the arg-max channel of each group."""
    x, pool_size = cache
    return maxout_backward(dout, x, pieces=pool_size)
