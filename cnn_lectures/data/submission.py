"""Kaggle's submission file: ``ImageId,Label`` with ImageId counted from 1."""

import numpy as np

from cnn_lectures._validation import check_class_indices
from cnn_lectures.files import atomic_write_text


def write_submission(labels, path):
    """Write predicted labels as Kaggle's ``ImageId,Label`` CSV, atomically.

    Args:
        labels: integer labels 0..9 of shape (n,), e.g. ``np.argmax(model.predict(x), axis=1)``.
        path: the file to write (a temporary file is renamed onto it; a failed call leaves
            no file behind).

    Returns:
        The path written.

    Raises:
        TypeError: ``labels`` are not numbers (strings, booleans).
        ValueError: ``labels`` is not a (n,) array of whole numbers 0..9.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] == 0:
        raise ValueError(
            f"`labels` must be integers 0-9 of shape (n,) with n >= 1. Received: labels.shape={labels.shape}."
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        bad = int(np.flatnonzero(~np.isfinite(labels))[0])
        raise ValueError(f"`labels` must hold whole-number labels. Received: labels[{bad}]={labels[bad].item()!r}.")
    labels = check_class_indices(labels, "labels", num_classes=10)
    rows = "".join(f"{i},{label}\n" for i, label in enumerate(labels.tolist(), start=1))
    atomic_write_text(path, "ImageId,Label\n" + rows)
    return path
