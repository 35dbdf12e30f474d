"""Kaggle's submission file: ``ImageId,Label`` with ImageId counted from 1."""

import numpy as np

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
        ValueError: ``labels`` is not a (n,) array of integers 0..9.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] == 0:
        raise ValueError(
            f"labels must be integers 0-9 of shape (n,) with n >= 1. Received shape: {labels.shape}."
        )
    if not np.issubdtype(labels.dtype, np.integer):
        if labels.dtype == bool or not np.issubdtype(labels.dtype, np.floating):
            raise ValueError(f"labels must be integers 0-9. Received dtype: {labels.dtype}.")
        fractional = np.flatnonzero(~np.isfinite(labels) | (np.mod(labels, 1) != 0))
        if fractional.size:
            i = fractional[0]
            raise ValueError(f"labels must be integers 0-9. Received {labels[i].item()!r} at index {i}.")
        labels = labels.astype(np.int64)
    bad = np.flatnonzero((labels < 0) | (labels > 9))
    if bad.size:
        i = bad[0]
        raise ValueError(f"labels must be integers 0-9. Received {labels[i]} at index {i}.")
    rows = "".join(f"{i},{label}\n" for i, label in enumerate(labels.tolist(), start=1))
    atomic_write_text(path, "ImageId,Label\n" + rows)
    return path
