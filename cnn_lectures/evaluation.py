"""Evaluation after training: confusion matrix, per-class report, confident mistakes, accuracy with error bars.

Lecture 003 ends its digit recognizer with ``model.evaluate`` and one accuracy number.
This module answers the next questions a student asks:

- which digits get confused with which?        -> :func:`confusion_matrix`
- is one class much worse than the others?     -> :func:`classification_report`
- what do the errors look like?                -> :func:`top_mistakes` (most confident first)
- is 98.1 % vs 98.3 % on 4,200 images real?    -> :func:`accuracy_with_ci` (Wilson interval)

Labels are integers ``0..num_classes-1`` of shape (n,). Wherever labels or predictions are
accepted, one-hot rows or class probabilities of shape (n, num_classes) are accepted too and
turned into integers with ``argmax``. scikit-learn does the counting underneath.
"""

import numpy as np
import pandas as pd
from scipy import stats
from sklearn import metrics

from cnn_lectures._validation import check_class_indices, check_int, check_number

__all__ = [
    "accuracy_with_ci",
    "classification_report",
    "confusion_matrix",
    "rank_mistakes",
    "top_mistakes",
    "wilson_interval",
]


def _paired_labels(y_true, y_pred, num_classes=None):
    y_true = check_class_indices(y_true, "y_true", num_classes=num_classes)
    y_pred = check_class_indices(y_pred, "y_pred", num_classes=num_classes)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length. Received: {len(y_true)} and {len(y_pred)}.")
    return y_true, y_pred


def confusion_matrix(y_true, y_pred, *, num_classes=10):
    """Count how often each true class is predicted as each class.

    Args:
        y_true: integer labels of shape (n,), or one-hot rows of shape (n, num_classes).
        y_pred: predicted labels of shape (n,), or probabilities of shape (n, num_classes)
            (for example ``model.predict(x)``).
        num_classes: number of classes; classes that never occur still get a row and a column.

    Returns:
        int64 array of shape (num_classes, num_classes): entry ``[i, j]`` counts images of true
        class ``i`` predicted as ``j``. Row ``i`` sums to the number of images of class ``i``;
        the diagonal holds the correct predictions.
    """
    y_true, y_pred = _paired_labels(y_true, y_pred, num_classes)
    counts = metrics.confusion_matrix(y_true, y_pred, labels=np.arange(num_classes))
    return counts.astype(np.int64)


def classification_report(y_true, y_pred, *, num_classes=10, class_names=None):
    """Per-class precision, recall, F1 and support, as a table a notebook shows directly.

    precision = correct predictions of the class / all predictions of the class;
    recall = correct predictions of the class / all images of the class;
    F1 = their harmonic mean. A class never predicted (or never present) gets 0, not a warning.

    Args:
        y_true: integer labels of shape (n,), or one-hot rows of shape (n, num_classes).
        y_pred: predicted labels of shape (n,), or probabilities of shape (n, num_classes).
        num_classes: number of classes.
        class_names: optional sequence of ``num_classes`` row names (default ``"0"``..``"9"``).

    Returns:
        pandas.DataFrame with columns ``precision``, ``recall``, ``f1`` (floats in [0, 1]) and
        ``support`` (int), one row per class followed by ``"macro avg"`` (plain mean over
        classes) and ``"weighted avg"`` (mean weighted by support).
    """
    y_true, y_pred = _paired_labels(y_true, y_pred, num_classes)
    if class_names is None:
        class_names = [str(c) for c in range(num_classes)]
    class_names = [str(name) for name in class_names]
    if len(class_names) != num_classes:
        raise ValueError(f"class_names must have num_classes={num_classes} entries. Received: {len(class_names)}.")
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=np.arange(num_classes), zero_division=0
    )
    table = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": support.astype(np.int64)},
        index=pd.Index(class_names, name="class"),
    )
    total = int(support.sum())
    weights = support / total if total else np.zeros(num_classes)
    averages = pd.DataFrame(
        {
            "precision": [precision.mean(), precision @ weights],
            "recall": [recall.mean(), recall @ weights],
            "f1": [f1.mean(), f1 @ weights],
            "support": [total, total],
        },
        index=["macro avg", "weighted avg"],
    )
    return pd.concat([table, averages])


def rank_mistakes(probabilities, y_true, *, k=10):
    """Rank wrong predictions by the confidence the model put in its wrong answer.

    Args:
        probabilities: float array of shape (n, num_classes), rows of class probabilities.
        y_true: integer labels of shape (n,), or one-hot rows of shape (n, num_classes).
        k: how many mistakes to return at most (fewer if the model makes fewer).

    Returns:
        pandas.DataFrame with one row per mistake, most confident first, and columns
        ``index`` (row in ``probabilities``), ``true``, ``predicted`` (ints),
        ``confidence`` (probability of the predicted class, in [0, 1]) and
        ``true_probability`` (probability given to the true class).
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(f"probabilities must have shape (n, num_classes). Received shape: {probabilities.shape}.")
    k = check_int(k, "k", min_value=1)
    num_classes = probabilities.shape[1]
    y_true = check_class_indices(y_true, "y_true", num_classes=num_classes)
    if len(y_true) != len(probabilities):
        raise ValueError(
            f"probabilities and y_true must have the same length. Received: {len(probabilities)} and {len(y_true)}."
        )
    predicted = probabilities.argmax(axis=1)
    rows = np.arange(len(y_true))
    confidence = probabilities[rows, predicted]
    wrong = np.flatnonzero(predicted != y_true)
    # Stable sort on the negated confidence: ties keep their original order.
    order = wrong[np.argsort(-confidence[wrong], kind="stable")][:k]
    return pd.DataFrame(
        {
            "index": order,
            "true": y_true[order],
            "predicted": predicted[order],
            "confidence": confidence[order].astype(np.float64),
            "true_probability": probabilities[order, y_true[order]].astype(np.float64),
        }
    )


def top_mistakes(model, x, y, k=10, *, batch_size=256):
    """The ``k`` most confident errors of ``model`` on ``(x, y)``, most confident first.

    A confident mistake is often a mislabelled or truly ambiguous digit; looking at them
    (``plot_digits(x[m["index"]], labels=m["true"], predictions=m["predicted"])``) is the quickest
    way to see what the model has not learned.

    Args:
        model: a Keras model (anything with ``predict``) returning class probabilities of shape
            (n, num_classes).
        x: model inputs, float32 NHWC images of shape (n, 28, 28, 1) for the lecture's CNN.
        y: integer labels of shape (n,), or one-hot rows of shape (n, num_classes).
        k: how many mistakes to return at most.
        batch_size: images per ``predict`` batch.

    Returns:
        pandas.DataFrame as in :func:`rank_mistakes`: columns ``index``, ``true``, ``predicted``,
        ``confidence``, ``true_probability``.
    """
    if not hasattr(model, "predict"):
        raise TypeError(f"model must be a Keras model with a predict method. Received: {type(model).__name__}.")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same number of rows. Received: {len(x)} and {len(y)}.")
    probabilities = model.predict(x, batch_size=batch_size, verbose=0)
    return rank_mistakes(probabilities, y, k=k)


def wilson_interval(successes, n, *, confidence=0.95):
    """Wilson score interval for a proportion ``successes / n``.

    Unlike the textbook ``p +- z * sqrt(p (1 - p) / n)``, it stays inside [0, 1] and does not
    collapse to zero width when ``p`` is 0 or 1 (Wilson 1927; Brown, Cai & DasGupta 2001).

    Args:
        successes: number of successes, an integer in 0..n.
        n: number of trials, a positive integer.
        confidence: coverage of the interval, in (0, 1).

    Returns:
        ``(low, high)``, floats with ``0 <= low <= successes / n <= high <= 1``.
    """
    confidence = check_number(confidence, "confidence", min_value=0, max_value=1, include_min=False, include_max=False)
    n = check_int(n, "n", min_value=1)
    successes = check_int(successes, "successes", min_value=0, max_value=n)
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    p = successes / n
    denominator = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half_width = z / denominator * np.sqrt(p * (1.0 - p) / n + z**2 / (4 * n**2))
    return float(max(0.0, centre - half_width)), float(min(1.0, centre + half_width))


def accuracy_with_ci(y_true, y_pred, *, confidence=0.95):
    """Accuracy with its Wilson confidence interval.

    On the lecture's 4,200 validation images, 98.1 % comes with a 95 % interval of about
    97.6 %..98.5 %, so 98.3 % is inside it: the two runs are not distinguishable.

    Args:
        y_true: integer labels of shape (n,), or one-hot rows of shape (n, num_classes).
        y_pred: predicted labels of shape (n,), or probabilities of shape (n, num_classes).
        confidence: coverage of the interval, in (0, 1).

    Returns:
        ``(accuracy, low, high)``, floats in [0, 1].
    """
    y_true, y_pred = _paired_labels(y_true, y_pred)
    if len(y_true) == 0:
        raise ValueError("n_samples == 0, must be >= 1.")
    correct = int(np.sum(y_true == y_pred))
    low, high = wilson_interval(correct, len(y_true), confidence=confidence)
    return correct / len(y_true), low, high
