"""After training: learning curves and the confusion matrix."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

ACCURACY_KEYS = ("accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy")


def _history_table(history):
    if hasattr(history, "history") and isinstance(history.history, dict):  # keras.callbacks.History
        history = history.history
    if isinstance(history, dict):
        history = pd.DataFrame(history)
    if not isinstance(history, pd.DataFrame):
        raise TypeError(
            "history must be a keras History, its .history dict or a DataFrame (pd.read_csv('history.csv')). "
            f"Received: {type(history).__name__}."
        )
    if "loss" not in history.columns or len(history) == 0:
        raise ValueError(f"history needs a non-empty 'loss' column. Received columns: {list(history.columns)}.")
    return history


def plot_training_curves(history, *, fig=None):
    """Loss and accuracy per epoch, training (solid) against validation (dashed).

    Training loss falling while validation loss rises is overfitting (lecture 001, performance
    tuning); both high is underfitting.

    Args:
        history: what ``model.fit`` returns (a ``keras.callbacks.History``), its ``.history``
            dict, or a DataFrame such as ``pd.read_csv("history.csv")`` written by ``CSVLogger``
            (its ``epoch`` column, counted from 0, is used for the x axis).
        fig: a Figure (or SubFigure) to draw in; a new one if ``None``.

    Returns:
        the matplotlib Figure, with a loss panel and, if accuracy was recorded, an accuracy panel.
    """
    table = _history_table(history)
    epochs = table["epoch"].to_numpy() + 1 if "epoch" in table.columns else np.arange(1, len(table) + 1)
    metrics = ["loss"] + [key for key in ACCURACY_KEYS if key in table.columns][:1]
    if fig is None:
        fig = plt.figure(figsize=(4.5 * len(metrics), 3.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(metrics)))
    for ax, metric in zip(axes, metrics):
        ax.plot(epochs, table[metric], "-o", markersize=3, label="training")
        if f"val_{metric}" in table.columns:
            ax.plot(epochs, table[f"val_{metric}"], "--o", markersize=3, label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def plot_confusion_matrix(cm, *, class_names=None, normalize=False, ax=None, cmap="Blues"):
    """A heatmap of a confusion matrix with the counts written in each cell.

    Args:
        cm: square array of counts, shape (classes, classes), true class on rows and predicted on
            columns, as returned by ``cnn_lectures.evaluation.confusion_matrix``.
        class_names: tick labels, one per class (default 0, 1, ...).
        normalize: colour each row by its fractions (recall on the diagonal) instead of raw
            counts, so rare classes are as visible as common ones; the text still shows counts.
        ax: the Axes to draw on; a new figure if ``None``.
        cmap: matplotlib colour map.

    Returns:
        the matplotlib Axes.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(f"cm must be a square (classes, classes) array. Received shape: {cm.shape}.")
    n = cm.shape[0]
    class_names = [str(c) for c in range(n)] if class_names is None else [str(c) for c in class_names]
    if len(class_names) != n:
        raise ValueError(f"class_names must have {n} entries. Received: {len(class_names)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * n + 1.8, 0.55 * n + 1.2), layout="constrained")
    shade = cm.astype(np.float64)
    if normalize:
        shade = shade / np.maximum(shade.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(shade, cmap=cmap, vmin=0)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="fraction of row" if normalize else "count")
    threshold = shade.max() / 2 if shade.max() > 0 else 1
    for (i, j), count in np.ndenumerate(cm):
        colour = "white" if shade[i, j] > threshold else ("black" if count else "0.7")
        ax.text(j, i, f"{count:g}", ha="center", va="center", color=colour, fontsize=8)
    ax.set_xticks(range(n), class_names)
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix")
    return ax
