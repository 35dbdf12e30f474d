"""Argument checks shared by the NumPy reference layers (private)."""

from numbers import Integral

import numpy as np


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
        raise ValueError(
            f"`{name}` must have shape {layout}. Received: {name}.shape={x.shape}"
        )
    return x


def pair(value, name, *, minimum=1):
    """``2`` -> ``(2, 2)``; ``(2, 3)`` -> ``(2, 3)``; checks integers >= ``minimum``."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or any(
        isinstance(v, bool) or not isinstance(v, Integral) or v < minimum for v in items
    ):
        raise ValueError(
            f"`{name}` must be an integer >= {minimum} or a pair of them. "
            f"Received: {name}={value!r}"
        )
    return tuple(int(v) for v in items)
