"""The command line: ``python -m cnn_lectures train|predict`` (also ``cnn-lectures``).

``train`` runs the lecture's pipeline end to end -- load, normalise, reshape, one-hot, split
90/10 with ``random_state=2``, train, evaluate -- and writes into ``--out``:
``model.keras``, ``history.csv``, ``training_curves.png``, ``confusion_matrix.png`` and, last,
``submission.csv``. Every output is written atomically once training has finished, so a run
that is killed leaves no ``submission.csv``; run the same command again and it resumes from
the backup in ``<out>/backup/`` at the interrupted epoch. The backup knows what it backs up
(:mod:`cnn_lectures.run_state`): a run with another preset, other overrides, other data or
another model architecture refuses to touch it and names the folder to delete.

``predict`` checks the model against the task (:mod:`cnn_lectures.model_check`: one input of
(n, 28, 28, 1) images, ten class probabilities) before it reads the test data or writes
anything. ``--out`` naming a folder (an existing one, or a path ending in ``/``) gets
``submission.csv`` inside it, as ``cp`` would.

Every way a command can fail ends in one line on stderr, ``cnn-lectures: error: ...``, and exit
status 2, with ``--out`` as it was before the command (new files are written to temporary
names and renamed into place only when complete; folders and backups this run created are
removed again). That covers mistakes in the arguments (checked before TensorFlow is imported,
so they are reported at once), data and model files that do not fit, a backup of another run,
and a disk that is full, read-only or over a file-size limit (the line names the path and the
cause). Ctrl-C ends with exit status 130 and keeps the backup, so the same command resumes.
Set ``CNN_LECTURES_TRACEBACK=1`` to see the traceback of an unexpected error.

Data: ``--data`` names a folder or Kaggle's zip. A folder holding both ``train.csv`` +
``test.csv`` and ``digit-recognizer.zip`` is read from the CSVs (the loader's order: the two
CSVs, then the zip); the command says so.
"""

import argparse
import contextlib
import os
import shutil
import sys
from pathlib import Path

from cnn_lectures.runtime import configure_environment

PRESET_NAMES = ("lecture", "best")
"""The presets of :mod:`cnn_lectures.presets`, named here so that ``--preset`` is checked without
importing Keras (tests/test_cli.py checks that the two lists agree)."""

AUGMENT_CHOICES = ("fast", "generator", "none", "layers")
"""``fast``: the tf.data path; ``generator``: the lecture's ImageDataGenerator; ``none``;
``layers``: the old name of ``fast``."""

IMAGE_SIZE = 28
MAX_SEED = 2**32 - 1  # NumPy's legacy seeding (keras.utils.set_random_seed) takes 0..2**32-1
MAX_EPOCHS = 1000
MAX_BATCH_SIZE = 4096  # the lecture CNN's activations for 4,096 images already take gigabytes
MODEL_SUFFIXES = (".keras", ".h5")
SUBMISSION_NAME = "submission.csv"
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
TRACEBACK_ENV = "CNN_LECTURES_TRACEBACK"


class UserError(Exception):
    """A problem the user can fix; printed as one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake raises ``UserError`` (one line) instead of printing the usage and exiting."""

    def error(self, message):
        raise UserError(f"{message} (see `{self.prog} --help`)")


def build_parser():
    parser = _Parser(
        prog="cnn-lectures",
        description="Train and apply the lectures' digit-recognizer CNNs (Kaggle Digit Recognizer).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{train,predict}")

    train = commands.add_parser("train", help="train a preset and write a Kaggle submission")
    train.add_argument(
        "--data",
        metavar="PATH",
        help="folder with train.csv/test.csv or digit-recognizer.zip, "
        "or the zip (default: $CNN_LECTURES_DATA, ./data, else the embedded sample); "
        "a folder with both is read from the CSVs",
    )
    train.add_argument(
        "--preset",
        default="lecture",
        type=_preset_name,
        help=f"training recipe: {' or '.join(PRESET_NAMES)} (default: lecture)",
    )
    train.add_argument(
        "--epochs",
        type=_int_in(1, MAX_EPOCHS, "a number of epochs"),
        metavar="N",
        help=f"override the preset's epochs (1-{MAX_EPOCHS})",
    )
    train.add_argument(
        "--batch-size",
        type=_int_in(1, MAX_BATCH_SIZE, "a batch size"),
        metavar="N",
        help=f"override the preset's batch size (1-{MAX_BATCH_SIZE})",
    )
    train.add_argument(
        "--augment", choices=AUGMENT_CHOICES, help="override the preset's augmentation (layers: old name of fast)"
    )
    train.add_argument(
        "--seed",
        type=_int_in(0, MAX_SEED, "a seed"),
        metavar="N",
        help=f"make the run repeatable (0-{MAX_SEED}): same seed, same machine -> identical files",
    )
    train.add_argument("--out", default="outputs", metavar="DIR", help="output folder (default: outputs/)")

    predict = commands.add_parser("predict", help="write a submission from a saved model")
    predict.add_argument("--model", required=True, metavar="FILE", help="a model.keras written by train (or .h5)")
    predict.add_argument("--data", metavar="PATH", help="as for train")
    predict.add_argument(
        "--out",
        default=SUBMISSION_NAME,
        metavar="FILE",
        help="the submission to write; a folder gets submission.csv inside it",
    )
    predict.add_argument(
        "--shift",
        type=_int_in(0, IMAGE_SIZE - 1, "a shift in pixels"),
        default=0,
        metavar="N",
        help="average predictions over each image and its four N-pixel shifts "
        f"(0-{IMAGE_SIZE - 1}; the best preset trains with 1; default 0: off)",
    )
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    configure_environment()
    try:
        args = build_parser().parse_args(argv)
        return _train(args) if args.command == "train" else _predict(args)
    except UserError as error:
        _print_error(error)
    except KeyboardInterrupt:
        print(
            "cnn-lectures: interrupted; run the same command again to resume a training run from its backup.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except SystemExit as done:  # --help, --version
        return done.code if isinstance(done.code, int) else 0
    except Exception as error:  # a bug: still one line, the traceback on request
        if os.environ.get(TRACEBACK_ENV):
            raise
        _print_error(
            f"unexpected {type(error).__name__}: {_one_line(error)} "
            f"(set {TRACEBACK_ENV}=1 for the traceback, and please report it)"
        )
    return EXIT_USER_ERROR


# --- train --------------------------------------------------------------------------------------


def _train(args):
    from cnn_lectures import run_state

    out = _output_folder(args.out)
    backup = out / "backup"
    resuming = _inspect_backup(backup)
    manifest = run_state.new_manifest(
        preset=args.preset,
        epochs=args.epochs,
        batch_size=args.batch_size,
        augment=_canonical_augment(args.augment),
        seed=args.seed,
        data=None,
    )
    if resuming:
        stored = _check(run_state.read_manifest, backup)
        _check(
            run_state.check_same_run, backup, stored, manifest, fields=[f for f in run_state.SETTINGS if f != "data"]
        )
    _locate(args.data)
    data = _load(args.data)
    manifest["data"] = run_state.data_fingerprint(data.x_train, data.y_train)
    if resuming:
        _check(run_state.check_same_run, backup, stored, manifest, fields=("data",))
        manifest["architecture"] = stored.get("architecture")

    with _undo_on_failure(out, backup, fresh=not resuming) as created:
        if resuming:
            print(f"Resuming the interrupted run in {backup} after epoch {run_state.epochs_done(backup)}.")
        else:
            with _writing(backup):
                created.extend(_make_dirs(backup))
                run_state.write_manifest(backup, manifest)
        _tensorflow()
        model, history, x_val, y_val, x_test, preset = _fit(args, data, backup, manifest, resuming)

        from cnn_lectures import outputs

        table = outputs.history_frame(history, backup / run_state.HISTORY_LOG)
        with _writing(out):
            report = outputs.write_run_outputs(
                out, model, table, x_val, y_val, x_test, test_time_shift=getattr(preset, "test_time_shift", 0)
            )
    shutil.rmtree(backup, ignore_errors=True)
    print(report)
    return 0


def _fit(args, data, backup, manifest, resuming):
    from cnn_lectures import run_state
    from cnn_lectures.preprocessing import normalize, one_hot, to_images, train_val_split
    from cnn_lectures.presets import get_preset

    preset = get_preset(args.preset)
    x = to_images(normalize(data.x_train))
    x_train, x_val, y_train, y_val = train_val_split(
        x,
        one_hot(data.y_train),
        val_fraction=getattr(preset, "val_fraction", 0.1),
        seed=getattr(preset, "split_seed", 2),
    )
    callbacks, restored = run_state.callbacks(backup, manifest, resuming=resuming)
    settings = {
        "validation_data": (x_val, y_val),
        "seed": args.seed,
        "deterministic": args.seed is not None,  # --seed N: op determinism too, identical files
        "callbacks": callbacks,
        "verbose": "auto" if sys.stdout.isatty() else 2,
    }
    for name in ("epochs", "batch_size"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    try:
        with _writing(backup):
            if args.augment is not None:
                settings["augment"] = _canonical_augment(args.augment)
            history = preset.fit(x_train, y_train, **settings)
            model = history.model
    except run_state.BackupMismatch as error:
        raise UserError(error) from None
    except UserError:
        raise
    except Exception as error:
        if "ResourceExhausted" in type(error).__name__ or isinstance(error, MemoryError):
            raise UserError(
                f"Out of memory while training ({_one_line(error, 120)}); try a smaller --batch-size."
            ) from None
        if resuming and not restored.done:
            raise UserError(
                f"Cannot resume from {backup} ({type(error).__name__}: {_one_line(error, 160)}): "
                f"delete {backup} to start afresh."
            ) from None
        raise
    return model, history, x_val, y_val, to_images(normalize(data.x_test)), preset


def _inspect_backup(backup):
    """True when ``backup`` holds a run to resume; False when there is none (or only an empty folder)."""
    if not backup.exists() and not backup.is_symlink():
        return False
    if not backup.is_dir():
        raise UserError(f"{backup} exists and is not a folder; move it away or choose another --out.")
    return not _is_empty(backup)


def _canonical_augment(augment):
    return "fast" if augment == "layers" else augment


# --- predict ------------------------------------------------------------------------------------


def _predict(args):
    model_path = _model_file(args.model)
    target = _submission_path(args.out)
    if _same_file(target, model_path):
        raise UserError(f"--out {target} is the model file; choose another --out.")
    data_files = _locate(args.data)
    if any(_same_file(target, path) for path in data_files):
        raise UserError(f"--out {target} is one of the data files; choose another --out.")

    _tensorflow()
    import keras

    from cnn_lectures.model_check import check_digit_classifier

    try:
        model = keras.models.load_model(model_path, safe_mode=True, compile=False)
    except Exception as error:
        raise UserError(
            f"Cannot load {model_path} as a Keras model ({type(error).__name__}: {_one_line(error, 200)})."
        ) from None
    try:
        check_digit_classifier(model)
    except ValueError as error:
        raise UserError(f"{model_path} does not fit the Digit Recognizer task: {error}") from None

    data = _load(args.data)

    import numpy as np

    from cnn_lectures.data import write_submission
    from cnn_lectures.prediction import predict_probabilities
    from cnn_lectures.preprocessing import normalize, to_images

    labels = np.argmax(predict_probabilities(model, to_images(normalize(data.x_test)), shift_pixels=args.shift), axis=1)
    created = []
    try:
        with _writing(target):
            created.extend(_make_dirs(target.parent))
            write_submission(labels, target)
    except BaseException:
        _remove_empty(created)
        raise
    print(f"Wrote {len(labels):,} predictions to {target}.")
    return 0


def _model_file(text):
    path = Path(text).expanduser()
    if not path.exists():
        raise UserError(f"Model file {path} does not exist (train one with `cnn-lectures train`).")
    if not path.is_file():
        raise UserError(f"--model {path} is not a file; expected a .keras file written by `cnn-lectures train`.")
    if path.suffix not in MODEL_SUFFIXES:
        raise UserError(
            f"--model {path} is not a .keras (or legacy .h5) file; expected a model.keras "
            "written by `cnn-lectures train`."
        )
    return path


def _submission_path(text):
    """The file ``predict --out`` writes: ``text``, or ``submission.csv`` inside it if it is a folder."""
    path = Path(text).expanduser()
    if path.is_dir() or text.endswith(("/", os.sep)):
        path = path / SUBMISSION_NAME
    if path.exists() and not path.is_file():
        raise UserError(f"--out {path} exists and is not a regular file; choose another --out.")
    _check_writable_parent(path.parent, what="Cannot write the submission to", name=path)
    return path


def _same_file(a, b):
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


# --- shared steps -------------------------------------------------------------------------------


def _tensorflow():
    """Import TensorFlow without its C++ start-up log, and keep Keras's Python warnings quiet."""
    from cnn_lectures.runtime import import_tensorflow_quietly

    tf = import_tensorflow_quietly()
    tf.get_logger().setLevel("ERROR")
    with contextlib.suppress(ImportError):
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    return tf


def _locate(path):
    """The files the data will be read from; says which when a folder holds both the CSVs and the zip."""
    from cnn_lectures.data import archive, loader

    folder = path if path is not None else loader.default_kaggle_dir()
    if folder is None:
        return ()
    try:
        kind, files = archive.locate(folder)
    except FileNotFoundError as error:
        raise UserError(error) from None
    zip_file = Path(folder).expanduser() / archive.ZIP_NAME
    if kind == "csv" and zip_file.is_file():
        print(
            f"{Path(folder)} holds both train.csv/test.csv and {archive.ZIP_NAME}: using the CSVs "
            "(the order is: the two CSVs, then the zip)."
        )
    return files


def _load(path):
    from cnn_lectures.data import DataFormatError, load_digit_recognizer

    try:
        data = load_digit_recognizer(path)
    except (FileNotFoundError, DataFormatError, ConnectionError) as error:
        raise UserError(error) from None
    except OSError as error:
        raise UserError(f"Cannot read {error.filename or path} ({error.strerror or _one_line(error)}).") from None
    description = getattr(data, "description", None)  # the loader stops printing it itself
    if isinstance(description, str) and description:
        print(description)
    return data


def _output_folder(text):
    """``train --out`` as a Path: a folder, or a path where one can be created. Creates nothing."""
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise UserError(
            f"Cannot write to output folder {path} (it is a file, not a folder); choose another with --out."
        )
    _check_writable_parent(path, what="Cannot write to output folder")
    return path


def _check_writable_parent(path, *, what, name=None):
    """Raise ``UserError`` (naming ``name``, else ``path``) unless ``path`` or its nearest existing
    ancestor is a writable folder."""
    ancestor = path
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    reason = None
    if not ancestor.is_dir():
        reason = f"{ancestor} is a file, not a folder"
    elif not os.access(ancestor, os.W_OK | os.X_OK):
        reason = f"{ancestor}: " + ("read-only file system" if _read_only(ancestor) else "permission denied")
    if reason:
        raise UserError(f"{what} {name or path} ({reason}); choose another with --out.")


def _read_only(path):
    with contextlib.suppress(OSError, AttributeError):
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    return False


@contextlib.contextmanager
def _writing(path):
    """Turn a failed write (full disk, file-size limit, permission, read-only) into one ``UserError`` line."""
    from cnn_lectures.files import resource_fault

    try:
        yield
    except UserError:
        raise
    except Exception as error:
        fault = resource_fault(error)
        if fault is None:
            raise
        cause, where = fault
        raise UserError(f"Cannot write {where or path}: {cause}.") from None


@contextlib.contextmanager
def _undo_on_failure(out, backup, *, fresh):
    """On an error, remove what this run created: its backup (a fresh run's) and new empty folders.

    Ctrl-C keeps the backup, as a killed run does, so that the same command resumes.
    """
    created = []
    try:
        yield created
    except KeyboardInterrupt:
        raise
    except BaseException:
        if fresh:
            shutil.rmtree(backup, ignore_errors=True)
        _remove_empty(created)
        raise


def _make_dirs(path):
    """Create ``path`` and its missing parents; return the folders created, outermost first."""
    missing = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    missing.reverse()
    for folder in missing:
        folder.mkdir(exist_ok=True)
    return missing


def _remove_empty(folders):
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _is_empty(folder):
    return not any(folder.iterdir())


def _check(function, *args, **kwargs):
    from cnn_lectures.run_state import BackupMismatch

    try:
        return function(*args, **kwargs)
    except BackupMismatch as error:
        raise UserError(error) from None


def _print_error(error):
    print(f"cnn-lectures: error: {_one_line(error)}", file=sys.stderr)


def _one_line(error, limit=None):
    text = " ".join(str(error).split())
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


# --- argument types -----------------------------------------------------------------------------


def _int_in(low, high, expected):
    """An argparse type: an int in ``low..high``; ``expected`` names it in the error."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {expected}, an integer {low}-{high}; received {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {expected}, an integer {low}-{high}; received {value}")
        return value

    return parse


def _preset_name(text):
    if text not in PRESET_NAMES:
        raise argparse.ArgumentTypeError(f"Unknown preset {text!r}. Choose one of: {', '.join(sorted(PRESET_NAMES))}.")
    return text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
