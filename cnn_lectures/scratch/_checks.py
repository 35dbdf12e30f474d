"""Argument checks shared by the NumPy reference layers (private)."""

import numpy as np

from cnn_lectures._validation import check_int


def as_float_array(x, name):
    """``x`` as a floating NumPy array (integers become float64; float32 stays float32)."""
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise TypeError(f"`{name}` must be a numeric array. Received: {name}.dtype={x.dtype}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def check_ndim(x, ndim, name, layout):
    """Raise unless ``x`` has ``ndim`` axes; ``layout`` names them for the message."""
    if x.ndim != ndim:
        raise ValueError(f"`{name}` must have shape {layout}. Received: {name}.shape={x.shape}")
    return x


def pair(value, name, *, minimum=1):
    """``2`` -> ``(2, 2)``; ``(2, 3)`` -> ``(2, 3)``; checks integers >= ``minimum``."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2:
        raise ValueError(f"`{name}` must be an integer >= {minimum} or a pair of them. Received: {name}={value!r}.")
    return tuple(check_int(v, name, min_value=minimum) for v in items)
