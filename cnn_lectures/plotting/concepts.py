"""Figures for the lectures' concepts: activation functions and a convolution worked by hand."""

import matplotlib.pyplot as plt
import numpy as np
from scipy import signal

from cnn_lectures.plotting._common import grid


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name -> (f, df): lecture 001's activations. Derivatives at a kink take the right-hand value
# for x > 0 and the left-hand value at x == 0, as frameworks do.
ACTIVATIONS = {
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(float)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.1 * x), lambda x: np.where(x > 0, 1.0, 0.1)),
    "elu": (
        lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),  # alpha = 1; minimum avoids overflow
        lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0))),
    ),
}


def _activation_table(functions):
    if isinstance(functions, dict):
        for name, pair in functions.items():
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(callable(f) for f in pair)):
                raise TypeError(f"functions[{name!r}] must be a pair (f, df) of callables. Received: {pair!r}.")
        return dict(functions)
    if isinstance(functions, str):
        functions = [functions]
    unknown = [name for name in functions if name not in ACTIVATIONS]
    if unknown:
        raise ValueError(
            f"Unknown activation {unknown[0]!r}. Choose from: {', '.join(ACTIVATIONS)}, or pass a dict name -> (f, df)."
        )
    return {name: ACTIVATIONS[name] for name in functions}


def plot_activations(functions=tuple(ACTIVATIONS), *, x=None, fig=None):
    """Activation functions (solid) with their derivatives (dashed), one panel each.

    The derivative is what back-propagation multiplies by: sigmoid's is at most 0.25 and tanh's
    vanishes for large |x|, while ReLU's is exactly 1 for every positive input.

    Args:
        functions: names from the built-in set (``"sigmoid"``, ``"tanh"``, ``"relu"``,
            ``"leaky_relu"`` with slope 0.1, ``"elu"`` with alpha 1), or a dict
            ``name -> (f, df)`` of NumPy functions.
        x: 1-D array of inputs; default 401 points from -5 to 5.
        fig: a Figure (or SubFigure) to draw in; a new one if ``None``.

    Returns:
        the matplotlib Figure.
    """
    table = _activation_table(functions)
    if not table:
        raise ValueError("functions is empty; pass at least one name or (f, df) pair.")
    x = np.linspace(-5.0, 5.0, 401) if x is None else np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D array of inputs. Received shape: {x.shape}.")
    fig, axes = grid(fig, len(table), 5, cell=2.8)
    for ax, (name, (f, df)) in zip(axes, table.items()):
        ax.axhline(0, color="0.8", linewidth=0.8)
        ax.axvline(0, color="0.8", linewidth=0.8)
        ax.plot(x, f(x), label="f(x)")
        ax.plot(x, df(x), "--", label="f'(x)")
        ax.set_title(name)
        ax.set_xlabel("x")
        ax.legend(fontsize=8)
    return fig


def _draw_array(ax, array, title, cmap, annotate, symmetric=False):
    limit = np.abs(array).max() or 1.0
    limits = {"vmin": -limit, "vmax": limit} if symmetric else {}
    ax.imshow(array, cmap=cmap, **limits)
    ax.set_title(f"{title} {array.shape[0]}×{array.shape[1]}")
    ax.set_xticks([])
    ax.set_yticks([])
    if annotate:
        whole = np.all(np.mod(array, 1) == 0)
        middle = (array.max() + array.min()) / 2
        for (i, j), value in np.ndenumerate(array):
            text = f"{value:.0f}" if whole else f"{value:.2f}"
            light_cell = abs(value) < limit / 2 if symmetric else value > middle
            colour = "black" if light_cell else "white"
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color=colour)


def plot_convolution(image, kernel, *, feature_map=None, mode="valid", annotate=None, fig=None, cmap="gray"):
    """Image, kernel and feature map side by side (lecture 000: a vertical-edge kernel on a 6×6 image).

    The feature map is the cross-correlation that CNN layers compute (no kernel flip):
    ``out[i, j] = sum_{u, v} image[i + u, j + v] * kernel[u, v]``.

    Args:
        image: 2-D NumPy array (height, width).
        kernel: 2-D NumPy array (kh, kw); drawn with a diverging colour map centred on 0.
        feature_map: 2-D array to show instead of computing one (for example a Keras layer's output).
        mode: ``scipy.signal.correlate2d`` mode when computing: ``"valid"`` (no padding,
            (h - kh + 1) × (w - kw + 1)), ``"same"`` (zero padding, same size) or ``"full"``.
        annotate: write each value in its cell; default when every array is at most 12×12.
        fig: a Figure (or SubFigure) to draw in; a new one if ``None``.
        cmap: colour map for the image and the feature map.

    Returns:
        the matplotlib Figure with three Axes.
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    for name, array in (("image", image), ("kernel", kernel)):
        if array.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array. Received shape: {array.shape}.")
    if feature_map is None:
        if mode not in ("valid", "same", "full"):
            raise ValueError(f"mode must be 'valid', 'same' or 'full'. Received: {mode!r}.")
        if mode == "valid" and (kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]):
            raise ValueError(f"kernel {kernel.shape} is larger than image {image.shape} for mode='valid'.")
        feature_map = signal.correlate2d(image, kernel, mode=mode)
    feature_map = np.asarray(feature_map, dtype=np.float64)
    if feature_map.ndim != 2:
        raise ValueError(f"feature_map must be a 2-D array. Received shape: {feature_map.shape}.")
    if annotate is None:
        annotate = max(max(a.shape) for a in (image, kernel, feature_map)) <= 12
    if fig is None:
        fig = plt.figure(figsize=(10, 3.6), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[image.shape[1], max(kernel.shape[1], 3), feature_map.shape[1]])
    _draw_array(axes[0], image, "image", cmap, annotate)
    _draw_array(axes[1], kernel, "kernel", "RdBu_r", annotate, symmetric=True)
    _draw_array(axes[2], feature_map, "feature map", cmap, annotate)
    return fig
