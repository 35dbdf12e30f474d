"""2-D convolution in NumPy: forward next to backward (lecture 004, section 1.3.1).

NHWC inputs and Keras' kernel layout ``(kh, kw, c_in, c_out)``, so weights can be copied to
and from ``keras.layers.Conv2D`` and results compared with ``tf.nn.conv2d``. Like every deep
learning library (and the lecture's formula), the "convolution" is a cross-correlation: the
kernel is not flipped.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lectures.scratch._checks import as_float_array, check_ndim, pair
from cnn_lectures.shapes import conv_output_size

__all__ = ["conv2d_forward", "conv2d_backward"]


def _windows(x_padded, kernel, stride, out_size):
    """View of every kernel-sized window: shape (batch, out_h, out_w, c_in, kh, kw), no copy."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_size
    view = sliding_window_view(x_padded, (kh, kw), axis=(1, 2))
    return view[:, ::sh, ::sw][:, :oh, :ow]


def conv2d_forward(x, w, b, *, stride=1, padding=0):
    """Convolve a batch of images with a bank of kernels.

    ``out[n, i, j, f] = b[f] + sum_{a, c, d} xp[n, i*s + a, j*s + c, d] * w[a, c, d, f]``,
    where ``xp`` is ``x`` with ``padding`` zeros added on each side.

    Args:
        x: images of shape (batch, height, width, c_in).
        w: kernels of shape (kh, kw, c_in, c_out).
        b: biases of shape (c_out,).
        stride: step between windows, an int or (sh, sw).
        padding: zeros added on *each* side, an int or (ph, pw). ``padding=(k - 1) // 2``
            with stride 1 and an odd kernel is Keras' ``padding="same"``.

    Returns:
        ``(out, cache)``: out of shape (batch, out_h, out_w, c_out) with
        ``out_h = (height + 2*ph - kh) // sh + 1`` (see ``cnn_lectures.shapes``);
        cache for :func:`conv2d_backward`.
    """
    x = check_ndim(as_float_array(x, "x"), 4, "x", "(batch, height, width, channels)")
    w = check_ndim(as_float_array(w, "w"), 4, "w", "(kh, kw, c_in, c_out)")
    b = check_ndim(as_float_array(b, "b"), 1, "b", "(c_out,)")
    if w.shape[2] != x.shape[3] or b.shape[0] != w.shape[3]:
        raise ValueError(
            "Channels do not match: x is (batch, h, w, c_in), w is (kh, kw, c_in, c_out), "
            f"b is (c_out,). Received: x.shape={x.shape}, w.shape={w.shape}, b.shape={b.shape}"
        )
    stride, padding = pair(stride, "stride"), pair(padding, "padding", minimum=0)
    out_size = tuple(
        conv_output_size(n, k, stride=s, padding=p) for n, k, s, p in zip(x.shape[1:3], w.shape[:2], stride, padding)
    )
    (ph, pw) = padding
    x_padded = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
    windows = _windows(x_padded, w.shape[:2], stride, out_size)
    out = np.tensordot(windows, w, axes=([3, 4, 5], [2, 0, 1])) + b
    return out, (x, w, stride, padding)


def conv2d_backward(dout, cache):
    """Gradients of :func:`conv2d_forward`.

    - ``db[f]`` sums ``dout[..., f]`` over batch and positions;
    - ``dw[a, c, d, f] = sum_{n,i,j} dout[n, i, j, f] * xp[n, i*s + a, j*s + c, d]``: the
      lecture's "df/dG = sum_ij df/dL[i,j] * I[i+x, j+y]";
    - ``dx`` sends each ``dout[n, i, j, :]`` back through the kernel onto the window it came
      from ("df/dI = sum_ij df/dL[i,j] * G[x-i, y-j]"), then drops the padding.

    Args:
        dout: upstream gradient of shape (batch, out_h, out_w, c_out).
        cache: the cache returned by :func:`conv2d_forward`.

    Returns:
        ``(dx, dw, db)`` with the shapes of ``x``, ``w`` and ``b``.
    """
    x, w, (sh, sw), (ph, pw) = cache
    dout = as_float_array(dout, "dout")
    kh, kw = w.shape[:2]
    n, height, width, _ = x.shape
    oh = (height + 2 * ph - kh) // sh + 1
    ow = (width + 2 * pw - kw) // sw + 1
    if dout.shape != (n, oh, ow, w.shape[3]):
        raise ValueError(
            f"`dout` must have the forward output's shape {(n, oh, ow, w.shape[3])}. Received: dout.shape={dout.shape}"
        )
    x_padded = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
    windows = _windows(x_padded, (kh, kw), (sh, sw), (oh, ow))
    db = dout.sum(axis=(0, 1, 2))
    dw = np.tensordot(windows, dout, axes=([0, 1, 2], [0, 1, 2]))  # (c_in, kh, kw, c_out)
    dw = dw.transpose(1, 2, 0, 3)
    dx_padded = np.zeros_like(x_padded, dtype=np.result_type(dout, w))
    for a in range(kh):
        for c in range(kw):
            dx_padded[:, a : a + sh * oh : sh, c : c + sw * ow : sw, :] += dout @ w[a, c].T
    dx = dx_padded[:, ph : ph + height, pw : pw + width, :]
    return dx, dw, db
