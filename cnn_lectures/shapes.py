"""Output sizes, parameter counts and receptive fields: the arithmetic of lectures 001, 003 and 004.

Pure Python and NumPy, no TensorFlow, so a notebook can check a layer table by hand before building it:

>>> conv_output_size(32, 5)                 # 32x32x3 image, 5x5x3 filters (lecture 003)
28
>>> conv_output_size(6, 3, padding=1)       # 6x6 image, pad 1 -> keeps 6x6 (lecture 000)
6
>>> conv_param_count(5, 3, 6)               # six 5x5x3 filters: (5*5*3 + 1) * 6
456
>>> receptive_field([3, 3, 3])              # three stacked 3x3 convs see a 7x7 patch (VGG)
7
"""

import math

from cnn_lectures._validation import check_int

__all__ = [
    "conv_output_size",
    "conv_param_count",
    "dense_param_count",
    "receptive_field",
]


def _kernel_pair(kernel_size, name="kernel_size"):
    """``3`` -> ``(3, 3)``; ``(3, 5)`` -> ``(3, 5)``; anything else raises."""
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"`{name}` must be an int or a pair (height, width). Received: {name}={kernel_size!r}")
        return tuple(check_int(k, name, min_value=1) for k in kernel_size)
    k = check_int(kernel_size, name, min_value=1)
    return (k, k)


def conv_output_size(n, kernel_size, *, stride=1, padding=0):
    """Size of a convolution's (or pooling's) output along one spatial axis.

    ``floor((n + 2p - k) / s) + 1`` -- the formula of lectures 001 and 003.

    Args:
        n: input size along the axis (pixels), >= 1.
        kernel_size: window size ``k`` along the axis, >= 1.
        stride: step ``s`` between windows, >= 1.
        padding: zeros ``p`` added on *each* side (an int >= 0), or Keras' ``"valid"``
            (p = 0) or ``"same"`` (output ``ceil(n / s)``, whatever the kernel size).

    Returns:
        int, the output size.

    Raises:
        ValueError: if the (padded) input is smaller than the kernel, so no window fits.
    """
    n = check_int(n, "n", min_value=1)
    k = check_int(kernel_size, "kernel_size", min_value=1)
    s = check_int(stride, "stride", min_value=1)
    if isinstance(padding, str):
        if padding == "same":
            return math.ceil(n / s)
        if padding != "valid":
            raise ValueError(f"`padding` must be an int >= 0, 'valid' or 'same'. Received: padding={padding!r}")
        padding = 0
    p = check_int(padding, "padding", min_value=0)
    if n + 2 * p < k:
        raise ValueError(
            f"The kernel does not fit: input size n + 2*padding = {n + 2 * p} is smaller than "
            f"kernel_size={k}. Received: n={n}, kernel_size={k}, padding={p}. "
            "Use a smaller kernel, more padding or a larger input."
        )
    return (n + 2 * p - k) // s + 1


def conv_param_count(kernel_size, in_channels, filters, *, bias=True):
    """Number of trainable parameters of a 2-D convolution layer.

    Each kernel has ``H x W x C`` weights plus one bias (lecture 000: "H*W*C + 1"),
    and there is one kernel per output channel (filter).

    Args:
        kernel_size: int or (height, width) of each kernel.
        in_channels: channels ``C`` of the input.
        filters: number of kernels (output channels).
        bias: whether each kernel has a bias.

    Returns:
        int, ``(H * W * C + bias) * filters``.
    """
    kh, kw = _kernel_pair(kernel_size)
    c = check_int(in_channels, "in_channels", min_value=1)
    f = check_int(filters, "filters", min_value=1)
    return (kh * kw * c + int(bool(bias))) * f


def dense_param_count(in_features, units, *, bias=True):
    """Number of trainable parameters of a fully connected (dense) layer.

    Args:
        in_features: size of the (flattened) input vector.
        units: number of neurons.
        bias: whether each neuron has a bias.

    Returns:
        int, ``(in_features + bias) * units``; e.g. the lecture CNN's 784 -> 256 layer
        has ``(7*7*16 + 1) * 256 = 200,960``.
    """
    d = check_int(in_features, "in_features", min_value=1)
    u = check_int(units, "units", min_value=1)
    return (d + int(bool(bias))) * u


def receptive_field(layers):
    """Receptive field (in input pixels, per axis) of one unit after a stack of layers.

    Each layer grows the field by ``(k - 1) * jump`` where ``jump`` is the product of the
    strides before it: two stacked 3x3 convs see 5x5, three see 7x7 (VGG's argument in
    lecture 004), and a 2x2/2 pool between two 3x3 convs makes it 8x8.

    Args:
        layers: sequence of kernel sizes (stride 1) or ``(kernel_size, stride)`` pairs,
            first layer first. An empty sequence gives 1 (a pixel sees itself).

    Returns:
        int, the side of the square input patch that one output unit depends on.
    """
    try:
        items = list(layers)
    except TypeError:
        raise TypeError(
            f"`layers` must be a sequence of kernel sizes or (kernel_size, stride) pairs. Received: layers={layers!r}"
        ) from None
    field, jump = 1, 1
    for item in items:
        if isinstance(item, (tuple, list)):
            if len(item) != 2:
                raise ValueError(
                    f"Each layer must be a kernel size or a (kernel_size, stride) pair. Received: {item!r}"
                )
            k, s = check_int(item[0], "kernel_size", min_value=1), check_int(item[1], "stride", min_value=1)
        else:
            k, s = check_int(item, "kernel_size", min_value=1), 1
        field += (k - 1) * jump
        jump *= s
    return field
