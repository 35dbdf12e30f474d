"""Checks and layout shared by the plot helpers."""

import math

import matplotlib.pyplot as plt
import numpy as np

from cnn_lectures._validation import check_class_indices


def grid(fig, count, ncols, *, cell=1.2):
    """A figure (``fig`` or a new one) with a grid of axes for ``count`` panels; spare axes hidden.

    Returns:
        ``(figure, axes)`` with ``axes`` a flat list of ``count`` Axes.
    """
    ncols = max(1, min(ncols, count))
    nrows = math.ceil(count / ncols)
    if fig is None:
        fig = plt.figure(figsize=(ncols * cell, nrows * cell + 0.3), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes[count:]:
        ax.set_axis_off()
    return fig, list(axes[:count])


def image_batch(images, *, name="images"):
    """Images ready for ``imshow``: (n, h, w) for grey, (n, h, w, 3) for colour.

    Accepts flat rows of 784 pixels (n, 784), (n, h, w), (n, h, w, 1) and (n, h, w, 3).
    """
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3) or len(images) == 0:
        raise ValueError(
            f"{name} must be a non-empty batch of shape (n, 784), (n, h, w), (n, h, w, 1) or (n, h, w, 3). "
            f"Received shape: {images.shape}."
        )
    return images


def label_vector(labels, n, *, name):
    """``None``, or integer labels of shape (n,) (one-hot/probability rows become their argmax)."""
    if labels is None:
        return None
    return check_class_indices(labels, name, num_samples=n)


def hide_ticks(ax):
    ax.set_xticks([])
    ax.set_yticks([])
