"""Grids of digits: labels and predictions, and augmented copies."""

import numpy as np

from cnn_lectures._validation import check_int
from cnn_lectures.plotting._common import grid, hide_ticks, image_batch, label_vector


def plot_digits(images, *, labels=None, predictions=None, ncols=10, fig=None, cmap="gray"):
    """A grid of digits, titled with their labels and, when given, the model's predictions.

    With both, a title reads ``"3 → 5"`` (true → predicted) and is red when they differ.

    Args:
        images: a batch of shape (n, 784), (n, 28, 28) or (n, 28, 28, 1); any value range
            (uint8 0..255 or float 0..1), each image scaled on its own.
        labels: true classes, integers of shape (n,) or one-hot rows (n, classes); optional.
        predictions: predicted classes, integers of shape (n,) or probabilities (n, classes); optional.
        ncols: panels per row.
        fig: a Figure (or SubFigure) to draw in; a new one if ``None``.
        cmap: colour map for grey images.

    Returns:
        the matplotlib Figure.
    """
    images = image_batch(images)
    labels = label_vector(labels, len(images), name="labels")
    predictions = label_vector(predictions, len(images), name="predictions")
    fig, axes = grid(fig, len(images), ncols)
    for i, ax in enumerate(axes):
        ax.imshow(images[i], cmap=cmap)
        hide_ticks(ax)
        if labels is not None and predictions is not None:
            wrong = labels[i] != predictions[i]
            ax.set_title(f"{labels[i]} → {predictions[i]}", color="tab:red" if wrong else "black", fontsize=9)
        elif labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
        elif predictions is not None:
            ax.set_title(f"pred {predictions[i]}", fontsize=9)
    return fig


def _augmented(transform, images, variant, seed):
    """One augmented copy of the batch ``images`` of shape (n, h, w, c)."""
    if hasattr(transform, "random_transform"):  # keras ImageDataGenerator, as in lecture 003
        return np.stack(
            [transform.random_transform(image, seed=seed + variant * len(images) + i) for i, image in enumerate(images)]
        )
    out = np.asarray(transform(images))
    if out.shape != images.shape:
        raise ValueError(
            f"`transform` must return a batch of the same shape {images.shape}. Received shape: {out.shape}."
        )
    return out


def plot_augmentation(images, transform, *, n_variants=5, seed=0, fig=None, cmap="gray"):
    """Each image (one row) next to ``n_variants`` randomly augmented copies of it.

    Args:
        images: float32 NHWC batch of shape (n, 28, 28, 1); keep n small (one row each).
        transform: a ``keras.preprocessing.image.ImageDataGenerator`` (its ``random_transform``
            is used), a Keras preprocessing layer or ``keras.Sequential`` of them (such as
            ``RandomRotation``, which augment when called), or any function mapping a batch to a
            batch of the same shape.
        n_variants: augmented copies per image.
        seed: seeds an ImageDataGenerator's transforms; Keras layers take their seed when built.
        fig: a Figure (or SubFigure) to draw in; a new one if ``None``.
        cmap: colour map for grey images.

    Returns:
        the matplotlib Figure: column 0 the originals, then the augmented copies.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"images must be a non-empty NHWC batch (n, h, w, c). Received shape: {images.shape}.")
    if not callable(transform) and not hasattr(transform, "random_transform"):
        raise TypeError(
            f"`transform` must be an ImageDataGenerator or a callable. Received: {type(transform).__name__}."
        )
    n_variants = check_int(n_variants, "n_variants", min_value=1)
    columns = [images] + [_augmented(transform, images, v, seed) for v in range(n_variants)]
    panels = np.stack(columns, axis=1).reshape(-1, *images.shape[1:])  # row-major: image by image
    fig, axes = grid(fig, len(panels), n_variants + 1)
    shown = image_batch(panels)
    for i, ax in enumerate(axes):
        ax.imshow(shown[i], cmap=cmap)
        hide_ticks(ax)
        if i < n_variants + 1:
            ax.set_title("original" if i == 0 else f"augmented {i}", fontsize=8)
    return fig
