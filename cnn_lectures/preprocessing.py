"""Preprocessing for the Digit Recognizer pipeline of lecture 003: pure functions over NumPy arrays.

The lecture's steps, and what replaces them here:

- ``X_train / 255.0`` (float64 copy)            -> :func:`normalize` (float32 in [0, 1])
- ``X_train.reshape(-1, 28, 28, 1)``            -> :func:`to_images`
- ``to_categorical(Y_train, num_classes=10)``   -> :func:`one_hot` (rejects out-of-range labels)
- ``train_test_split(..., test_size=0.1, random_state=2)`` -> :func:`train_val_split`

No function mutates its input.
"""

import numpy as np
from sklearn.model_selection import train_test_split

from cnn_lectures._validation import IMAGE_SHAPE, NUM_PIXELS, check_class_indices, check_int, check_number, scale_pixels

__all__ = ["IMAGE_SHAPE", "NUM_PIXELS", "normalize", "one_hot", "to_images", "train_val_split"]


def normalize(x):
    """Scale pixel values 0..255 to float32 values in [0, 1].

    Args:
        x: array of pixel values in 0..255, any shape (uint8 or any numeric dtype).

    Returns:
        A new float32 array of the same shape.
    """
    return scale_pixels(x, "x")


def to_images(x):
    """Reshape flat 784-pixel rows into NHWC images.

    Args:
        x: array of shape (n, 784) (or already (n, 28, 28) / (n, 28, 28, 1)).

    Returns:
        A new array of shape (n, 28, 28, 1) with the same dtype.
    """
    x = np.asarray(x)
    if x.ndim < 1 or x[0:1].size not in (0, NUM_PIXELS) or x.size % NUM_PIXELS:
        raise ValueError(f"to_images expects rows of {NUM_PIXELS} pixels (shape (n, 784)). Received shape: {x.shape}.")
    return x.reshape((-1,) + IMAGE_SHAPE).copy()


def one_hot(y, num_classes=10):
    """One-hot encode integer labels.

    Unlike ``keras.utils.to_categorical``, which silently maps -1 to the last class,
    labels outside 0..num_classes-1 raise ``ValueError``.

    Args:
        y: integer labels of shape (n,).
        num_classes: number of classes.

    Returns:
        float32 array of shape (n, num_classes).
    """
    num_classes = check_int(num_classes, "num_classes", min_value=1)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"`y` must be integer labels of shape (n,). Received: y.shape={y.shape}.")
    y = check_class_indices(y, "y", num_classes=num_classes)
    encoded = np.zeros((y.shape[0], num_classes), dtype=np.float32)
    encoded[np.arange(y.shape[0]), y] = 1.0
    return encoded


def train_val_split(x, y, *, val_fraction=0.1, seed=2, stratify=False):
    """Split into training and validation parts.

    With the defaults this reproduces the lecture's
    ``train_test_split(X, Y, test_size=0.1, random_state=2)`` exactly
    (42000 rows -> 37800 / 4200).

    Args:
        x: array of shape (n, ...).
        y: array of shape (n, ...) (integer labels or one-hot rows).
        val_fraction: fraction of rows held out, in (0, 1).
        seed: the split's ``random_state``.
        stratify: keep class proportions equal in both parts (labels taken from ``y``,
            or its argmax when ``y`` is one-hot).

    Returns:
        ``(x_train, x_val, y_train, y_val)``, new arrays, in scikit-learn's order.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same number of rows. Received: {len(x)} and {len(y)}.")
    val_fraction = check_number(
        val_fraction, "val_fraction", min_value=0, max_value=1, include_min=False, include_max=False
    )
    classes = None
    if stratify:
        classes = check_class_indices(y, "y")
    return train_test_split(x, y, test_size=val_fraction, random_state=seed, stratify=classes)
