"""Trained models shipped with the course, for what a class cannot wait to train.

The ``best`` preset needs minutes of training on two CPU cores (its manifest says how many); a lecture
slot, a live demo or notebook 12's visualisations cannot wait for that. So ``make models``
trains the ``lecture`` and ``best`` presets once on Kaggle's files and writes, into
``cnn_lectures/pretrained/``:

- ``<name>.keras`` -- the trained model (loaded with ``safe_mode=True``);
- ``<name>.json``  -- its manifest: the preset, a fingerprint of the training data, the seed,
  the versions of cnn_lectures, TensorFlow and Keras, the date, and the validation accuracy
  with its number of images, measured as the preset predicts (``test_time_shift``).

    >>> model, manifest = load_checkpoint("best")
    >>> manifest["val_accuracy"], manifest["val_images"]

``tests/test_checkpoints.py`` checks that each shipped checkpoint loads, has its builder's
architecture, and still scores its manifest's accuracy on Kaggle's split, so a checkpoint left
behind by a changed builder or changed data fails the build.

Run ``python -m cnn_lectures.checkpoints [--data PATH] [--seed N] [NAME ...]`` to (re)train them.
"""

import argparse
import datetime
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

NAMES = ("lecture", "best")
"""The presets a checkpoint is shipped for."""

PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
SEED = 0


def checkpoint_paths(name, folder=None):
    """``(model_file, manifest_file)`` of the checkpoint ``name`` in ``folder`` (the shipped one)."""
    if name not in NAMES:
        raise ValueError(f"Unknown checkpoint {name!r}. Choose one of: {', '.join(NAMES)}.")
    folder = PRETRAINED_DIR if folder is None else Path(folder)
    return folder / f"{name}.keras", folder / f"{name}.json"


def read_manifest(name, folder=None):
    """The manifest of checkpoint ``name`` as a dict; ``FileNotFoundError`` if none is shipped."""
    _, manifest_file = checkpoint_paths(name, folder)
    if not manifest_file.is_file():
        raise FileNotFoundError(
            f"No {name!r} checkpoint: {manifest_file.name} is missing from {manifest_file.parent.name}/. "
            "Train it with `make models` (needs Kaggle's files)."
        )
    return json.loads(manifest_file.read_text(encoding="utf-8"))


def load_checkpoint(name, folder=None):
    """Load the shipped checkpoint ``name`` ("lecture" or "best").

    Returns:
        ``(model, manifest)``: the trained ``keras.Model`` (uncompiled use: ``model.predict``)
        and its manifest dict.

    Raises:
        FileNotFoundError: no such checkpoint is shipped (train it with ``make models``).
    """
    model_file, _ = checkpoint_paths(name, folder)
    manifest = read_manifest(name, folder)
    if not model_file.is_file():
        raise FileNotFoundError(f"No {name!r} checkpoint: {model_file.name} is missing. Train it with `make models`.")
    import keras

    return keras.models.load_model(model_file, safe_mode=True, compile=False), manifest


def data_fingerprint(x, y):
    """A short SHA-256 of the training images and labels (the same for the zip and the CSVs)."""
    digest = hashlib.sha256()
    for array in (np.ascontiguousarray(x, dtype=np.uint8), np.ascontiguousarray(y, dtype=np.int64)):
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def validation_split(data, preset):
    """The preset's split of ``data.x_train``: ``(x_train, x_val, y_train, y_val)``, images and one-hot."""
    from cnn_lectures.preprocessing import normalize, one_hot, to_images, train_val_split

    return train_val_split(
        to_images(normalize(data.x_train)),
        one_hot(data.y_train),
        val_fraction=preset.val_fraction,
        seed=preset.split_seed,
    )


def validation_accuracy(model, preset, x_val, y_val):
    """Accuracy on the validation images, predicted as the preset predicts (its test-time shift)."""
    from cnn_lectures.prediction import predict_probabilities

    predicted = np.argmax(predict_probabilities(model, x_val, shift_pixels=preset.test_time_shift), axis=1)
    return float(np.mean(predicted == np.argmax(y_val, axis=1)))


def architecture(model):
    """What must match between a checkpoint and its builder: each layer's name, class and weight shapes."""
    return [(layer.name, type(layer).__name__, [tuple(w.shape) for w in layer.weights]) for layer in model.layers]


ACCURACY_SLACK_IMAGES = 3
"""How many validation images a re-scored checkpoint may differ by: the weights are the same, so
only floating-point round-off (another CPU, oneDNN on or off) can flip a prediction near a tie."""


def stale_reasons(name, data=None, folder=None):
    """Why the checkpoint ``name`` no longer matches the code (and ``data``); empty if it matches.

    Checks that it loads with ``safe_mode=True``, that its layers are its builder's, and, given
    Kaggle's ``data``, that the data's fingerprint is the manifest's and that the validation
    accuracy is the manifest's within :data:`ACCURACY_SLACK_IMAGES` images.
    """
    from cnn_lectures.presets import get_preset

    model, manifest = load_checkpoint(name, folder)
    preset = get_preset(name)
    reasons = []
    if architecture(model) != architecture(preset.build_model()):
        reasons.append(f"{name}: its layers differ from {preset.build_model.__name__}()'s; retrain with `make models`.")
    if data is None:
        return reasons
    fingerprint = data_fingerprint(data.x_train, data.y_train)
    if fingerprint != manifest["data_fingerprint"]:
        reasons.append(f"{name}: trained on data {manifest['data_fingerprint']}, these files are {fingerprint}.")
        return reasons
    _, x_val, _, y_val = validation_split(data, preset)
    accuracy = validation_accuracy(model, preset, x_val, y_val)
    slack = ACCURACY_SLACK_IMAGES / len(x_val)
    if abs(accuracy - manifest["val_accuracy"]) > slack + 1e-9:
        reasons.append(
            f"{name}: validation accuracy {accuracy:.4f} on {len(x_val):,} images, the manifest says "
            f"{manifest['val_accuracy']:.4f} (allowed: ±{ACCURACY_SLACK_IMAGES} images)."
        )
    return reasons


def train_checkpoint(name, data, *, folder=None, seed=SEED, **overrides):
    """Train preset ``name`` on ``data`` (a :class:`~cnn_lectures.data.DigitData`), write its files.

    ``overrides`` go to :meth:`~cnn_lectures.presets.Preset.fit` (``epochs=1`` in the tests).

    Returns:
        The manifest written beside the model.
    """
    import keras
    import tensorflow as tf

    import cnn_lectures
    from cnn_lectures.files import atomic_path
    from cnn_lectures.models.precision import float32_copy, is_mixed_precision
    from cnn_lectures.presets import get_preset
    from cnn_lectures.runtime import onednn_reported

    preset = get_preset(name)
    x_train, x_val, y_train, y_val = validation_split(data, preset)
    started = time.perf_counter()
    fit_options = {"verbose": 2, **overrides}
    history = preset.fit(x_train, y_train, validation_data=(x_val, y_val), seed=seed, **fit_options)
    seconds = time.perf_counter() - started
    model = float32_copy(history.model)  # uncompiled (no optimizer state: a third of the file), float32
    manifest = {
        "preset": name,
        "builder": preset.build_model.__name__,
        "data_fingerprint": data_fingerprint(data.x_train, data.y_train),
        "train_images": int(len(x_train)),
        "val_images": int(len(x_val)),
        "val_accuracy": round(validation_accuracy(model, preset, x_val, y_val), 6),
        "test_time_shift": preset.test_time_shift,
        "epochs": len(history.epoch),
        "training_precision": "mixed_bfloat16" if is_mixed_precision(history.model) else "float32",
        "seed": seed,
        "training_seconds": round(seconds, 1),
        "onednn": onednn_reported(),
        "versions": {
            "cnn_lectures": cnn_lectures.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
        "date": datetime.date.today().isoformat(),
    }
    model_file, manifest_file = checkpoint_paths(name, folder)
    model_file.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(manifest_file) as manifest_tmp, atomic_path(model_file) as model_tmp:
        model.save(model_tmp)
        Path(manifest_tmp).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m cnn_lectures.checkpoints", description="Train the shipped checkpoints on Kaggle's files."
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"which to train: {', '.join(NAMES)} (default: all)")
    parser.add_argument("--data", metavar="PATH", help="Kaggle's files (default: as the loader finds them)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"training seed (default {SEED})")
    parser.add_argument("--out", metavar="DIR", help="where to write (default: the package's pretrained/)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        parser.error(f"unknown checkpoint {unknown[0]!r}; choose from {', '.join(NAMES)}")

    from cnn_lectures.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    from cnn_lectures.data import load_digit_recognizer

    data = load_digit_recognizer(args.data, source="kaggle")
    for name in args.names or NAMES:
        manifest = train_checkpoint(name, data, folder=args.out, seed=args.seed)
        print(
            f"{name}: validation accuracy {manifest['val_accuracy']:.4f} on {manifest['val_images']:,} images "
            f"after {manifest['training_seconds']:.0f} s of training."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
