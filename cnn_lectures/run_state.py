"""The state of an unfinished ``train`` run in ``<out>/backup/``, and whether a new run may resume it.

``backup/`` holds one interrupted run::

    backup/manifest.json     what is backed up (below), written before training starts
    backup/history_log.csv   Keras's CSVLogger: every finished epoch, also of earlier attempts
    backup/keras/            BackupAndRestore's weights, optimizer state and epoch

The manifest stores the preset, the command line's overrides (``epochs``, ``batch_size``,
``augment``, ``seed``; None where the preset's value is used), a fingerprint of the training
data (:func:`data_fingerprint`) and one of the model's architecture
(:func:`architecture_fingerprint`: layer types and weight shapes, in order).

Policy: a run resumes a backup only when every one of these matches. Otherwise it refuses and
names the folder to delete -- it never deletes another run's progress (a ``best`` run can hold a
several minutes of training), and it never loads weights into a model they do not fit.
"""

import contextlib
import hashlib
import json
from pathlib import Path

from cnn_lectures.files import atomic_write_text

MANIFEST = "manifest.json"
HISTORY_LOG = "history_log.csv"
KERAS_DIR = "keras"
FORMAT_VERSION = 1
SETTINGS = ("preset", "epochs", "batch_size", "augment", "seed", "data")
"""Manifest fields known before TensorFlow is imported, compared first (``architecture`` later)."""


class BackupMismatch(Exception):
    """The backup in ``--out`` belongs to another run; the message says what differs and what to do."""


def data_fingerprint(x, y):
    """A short hex digest of the training images and labels (dtype, shape and every byte)."""
    digest = hashlib.blake2b(digest_size=12)
    for array in (x, y):
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B") if array.flags.c_contiguous else array.tobytes())
    return digest.hexdigest()


def architecture_fingerprint(model):
    """A short hex digest of a model's layer types and weight shapes, in order.

    Two models get the same fingerprint exactly when a weights file of one loads into the other
    (names of layers are left out: Keras numbers unnamed layers per process).
    """
    layers = [[type(layer).__name__, [list(weight.shape) for weight in layer.weights]] for layer in model.layers]
    text = json.dumps([list(model.inputs[0].shape[1:]), layers])
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def new_manifest(*, preset, epochs, batch_size, augment, seed, data):
    """The manifest of a run before its model is built (``architecture`` is filled in at training start)."""
    return {
        "format": FORMAT_VERSION,
        "preset": preset,
        "epochs": epochs,
        "batch_size": batch_size,
        "augment": augment,
        "seed": seed,
        "data": data,
        "architecture": None,
    }


def read_manifest(backup):
    """The manifest in ``backup``; ``BackupMismatch`` when it is missing, unreadable or of another format."""
    backup = Path(backup)
    file = backup / MANIFEST
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
            raise ValueError("unknown format")
    except (OSError, ValueError) as error:
        if file.exists():
            reason = f"its manifest.json is unreadable ({_short(error)})"
        else:
            reason = "it has no manifest.json"
        raise BackupMismatch(
            f"{backup} holds an unfinished run that cannot be identified ({reason}, an older version "
            f"may have written it): delete {backup} to start afresh, or choose another --out."
        ) from None
    return manifest


def write_manifest(backup, manifest):
    """Write ``manifest`` into ``backup`` atomically."""
    atomic_write_text(Path(backup) / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def check_same_run(backup, stored, wanted, fields=SETTINGS):
    """Raise ``BackupMismatch`` naming each field of ``fields`` where ``stored`` and ``wanted`` differ.

    A field that is None in ``stored`` for ``architecture`` (the run was killed before its model
    was built) is not compared.
    """
    differences = []
    for field in fields:
        before, now = stored.get(field), wanted.get(field)
        if field == "architecture" and before is None:
            continue
        if before != now:
            differences.append(_difference(field, before, now))
    if differences:
        raise BackupMismatch(
            f"{backup} holds an interrupted run that differs from this one ({'; '.join(differences)}): "
            f"repeat the command that started it to resume it, or delete {backup} to start afresh."
        )


def epochs_done(backup):
    """How many epochs the backup holds (from Keras's training_metadata.json), or 0."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        metadata = json.loads((Path(backup) / KERAS_DIR / "training_metadata.json").read_text())
        return int(metadata["epoch"])
    return 0


def is_empty_dir(path):
    """True for a folder with nothing in it (what an older version left after a failed start)."""
    path = Path(path)
    return path.is_dir() and not any(path.iterdir())


def callbacks(backup, manifest, *, resuming):
    """The Keras callbacks that keep ``backup`` up to date, in the order they must run.

    1. the architecture check: at training start, the built model's fingerprint is compared
       with the manifest's (``BackupMismatch`` before any weight is loaded) or written into it;
    2. ``BackupAndRestore`` with ``double_checkpoint=True``: a backup cut short by a full disk
       leaves the previous one to resume from;
    3. ``CSVLogger`` appending to ``history_log.csv``;
    4. a marker that records that the backup was restored (``restored.done``), so that a failure
       before it can be reported as "cannot resume from the backup".
    """
    import keras

    class ArchitectureCheck(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            found = dict(manifest, architecture=architecture_fingerprint(self.model))
            if resuming:
                check_same_run(backup, manifest, found, fields=("architecture",))
            if manifest.get("architecture") != found["architecture"]:
                manifest.update(found)
                write_manifest(backup, manifest)

    class Restored(keras.callbacks.Callback):
        done = False

        def on_train_begin(self, logs=None):
            Restored.done = True

    marker = Restored()
    return [
        ArchitectureCheck(),
        keras.callbacks.BackupAndRestore(str(Path(backup) / KERAS_DIR), double_checkpoint=True),
        keras.callbacks.CSVLogger(str(Path(backup) / HISTORY_LOG), append=True),
        marker,
    ], marker


def _difference(field, before, now):
    if field == "data":
        return "other training data"
    if field == "architecture":
        return "another model architecture (written by another version of the package?)"
    return f"{field.replace('_', ' ')} {_value(field, before)} there, {_value(field, now)} now"


def _value(field, value):
    if value is None:
        return "none" if field == "seed" else "the preset's"
    return repr(value) if isinstance(value, str) else str(value)


def _short(error, limit=80):
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
