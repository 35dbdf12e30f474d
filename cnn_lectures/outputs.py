"""What a training run leaves in its output folder, written atomically at the very end.

Files: ``model.keras``, ``history.csv``, ``training_curves.png``, ``confusion_matrix.png`` and
``submission.csv``. Each is first written to a temporary file beside its final name; only
when all of them are complete are they renamed into place, ``submission.csv`` last. A run
killed at any moment therefore never leaves a ``submission.csv`` (nor a half-written file).
"""

import contextlib
from pathlib import Path

import numpy as np
import pandas as pd

from cnn_lectures.files import atomic_path

HISTORY_LOG = "history_log.csv"


def history_frame(history, log_file=None):
    """The per-epoch metrics as a DataFrame whose ``epoch`` column counts from 0.

    That is Keras's own convention (``History.epoch``, ``CSVLogger``), so the file reads the
    same as a ``CSVLogger`` log and :func:`cnn_lectures.plotting.plot_training_curves` takes both.

    Args:
        history: the ``keras.callbacks.History`` returned by training.
        log_file: a ``keras.callbacks.CSVLogger`` file (``append=True``) that also holds the
            epochs of earlier, interrupted attempts; preferred when present.
    """
    if log_file is not None and Path(log_file).is_file():
        frame = pd.read_csv(log_file)
        frame = frame.drop_duplicates("epoch", keep="last").sort_values("epoch")
        return frame.reset_index(drop=True)
    frame = pd.DataFrame(history.history)
    frame.insert(0, "epoch", np.asarray(history.epoch, dtype=int))  # absolute, also after a resume
    return frame


def write_run_outputs(out, model, history_table, x_val, y_val, x_test, *, test_time_shift=0):
    """Evaluate on the validation split, predict the test set, write every output.

    Args:
        out: the output folder (exists, writable).
        model: the trained Keras model; its uncompiled float32 copy is evaluated and saved
            (:func:`cnn_lectures.models.precision.float32_copy`).
        history_table: DataFrame from :func:`history_frame`.
        x_val: float32 images (n, 28, 28, 1); y_val: one-hot (n, 10) or integer labels (n,).
        x_test: float32 images (m, 28, 28, 1).
        test_time_shift: 0, or N > 0 to average predictions over each image and its four
            N-pixel shifts (:func:`cnn_lectures.prediction.predict_probabilities`).

    Returns:
        A short report (validation accuracy with its 95 % interval, files written).
    """
    from matplotlib.figure import Figure  # no pyplot: the process's backend stays as the caller set it

    from cnn_lectures._validation import check_class_indices
    from cnn_lectures.data import write_submission
    from cnn_lectures.evaluation import accuracy_with_ci, confusion_matrix
    from cnn_lectures.models.precision import float32_copy
    from cnn_lectures.plotting import plot_confusion_matrix, plot_training_curves
    from cnn_lectures.prediction import predict_probabilities

    out = Path(out)
    model = float32_copy(model)  # predicted and saved in float32, whatever precision it trained in
    y_true = check_class_indices(y_val, "y_val")
    y_pred = np.argmax(predict_probabilities(model, x_val, shift_pixels=test_time_shift), axis=1)
    test_labels = np.argmax(predict_probabilities(model, x_test, shift_pixels=test_time_shift), axis=1)
    accuracy, low, high = accuracy_with_ci(y_true, y_pred)

    with contextlib.ExitStack() as renames:  # renamed in reverse order of entry: submission last
        submission = renames.enter_context(atomic_path(out / "submission.csv"))
        model_file = renames.enter_context(atomic_path(out / "model.keras"))
        history_file = renames.enter_context(atomic_path(out / "history.csv"))
        curves_file = renames.enter_context(atomic_path(out / "training_curves.png"))
        matrix_file = renames.enter_context(atomic_path(out / "confusion_matrix.png"))

        model.save(model_file)
        history_table.to_csv(history_file, index=False)
        # A bare Figure draws on its own Agg canvas: nothing is registered with pyplot, nothing to close.
        curves = plot_training_curves(history_table, fig=Figure(figsize=(9.0, 3.5), layout="constrained"))
        curves.savefig(curves_file, dpi=100, bbox_inches="tight")
        matrix = Figure(figsize=(0.55 * 10 + 1.8, 0.55 * 10 + 1.2), layout="constrained")
        plot_confusion_matrix(confusion_matrix(y_true, y_pred), ax=matrix.subplots())
        matrix.savefig(matrix_file, dpi=100, bbox_inches="tight")
        write_submission(test_labels, submission)

    return (
        f"Validation accuracy: {accuracy:.4f} on {len(y_true):,} images "
        f"(95% CI {low:.4f}-{high:.4f})"
        + (f", predictions averaged over {test_time_shift}-pixel shifts" if test_time_shift else "")
        + ".\n"
        f"Wrote {out / 'submission.csv'} ({len(test_labels):,} rows), model.keras, history.csv, "
        f"training_curves.png and confusion_matrix.png in {out}."
    )
