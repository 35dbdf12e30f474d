"""The command line: ``python -m cnn_lectures train|predict`` (also ``cnn-lectures``).

``train`` runs the lecture's pipeline end to end -- load, normalise, reshape, one-hot, split
90/10 with ``random_state=2``, train, evaluate -- and writes into ``--out``:
``model.keras``, ``history.csv``, ``training_curves.png``, ``confusion_matrix.png`` and, last,
``submission.csv``. Every output is written atomically once training has finished, so a run
that is killed leaves no ``submission.csv``; run the same command again and it resumes from
the backup in ``<out>/backup/`` at the interrupted epoch.

User errors (missing data, a bad path, an unknown preset, an unwritable ``--out``) print one
line and exit with status 2.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

AUGMENT_CHOICES = ("generator", "layers", "none")
EXIT_USER_ERROR = 2


class UserError(Exception):
    """A problem the user can fix; printed as one line, without a traceback."""


def build_parser():
    parser = argparse.ArgumentParser(
        prog="cnn-lectures",
        description="Train and apply the lectures' digit-recognizer CNNs (Kaggle Digit Recognizer).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{train,predict}")

    train = commands.add_parser("train", help="train a preset and write a Kaggle submission")
    train.add_argument("--data", metavar="PATH", help="folder with train.csv/test.csv or digit-recognizer.zip, "
                       "or the zip (default: $CNN_LECTURES_DATA, ./data, else the embedded sample)")
    train.add_argument("--preset", default="lecture", help="training recipe: lecture (default) or best")
    train.add_argument("--epochs", type=_positive_int, metavar="N", help="override the preset's epochs")
    train.add_argument("--batch-size", type=_positive_int, metavar="N", help="override the preset's batch size")
    train.add_argument("--augment", choices=AUGMENT_CHOICES, help="override the preset's augmentation")
    train.add_argument("--seed", type=int, metavar="N",
                       help="make the run repeatable: same seed, same machine -> identical files")
    train.add_argument("--out", default="outputs", metavar="DIR", help="output folder (default: outputs/)")

    predict = commands.add_parser("predict", help="write a submission from a saved model")
    predict.add_argument("--model", required=True, metavar="FILE", help="a model.keras written by train")
    predict.add_argument("--data", metavar="PATH", help="as for train")
    predict.add_argument("--out", default="submission.csv", metavar="FILE", help="the submission to write")
    predict.add_argument("--shift", type=_non_negative_int, default=0, metavar="N",
                         help="average predictions over each image and its four N-pixel shifts "
                         "(the best preset trains with 1; default 0: off)")
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return _train(args)
        return _predict(args)
    except UserError as error:
        print(f"cnn-lectures: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR


def _train(args):
    from cnn_lectures.presets import get_preset

    try:
        preset = get_preset(args.preset)
    except ValueError as error:
        raise UserError(error) from None
    out = _writable_dir(args.out)
    data = _load(args.data)

    import keras

    from cnn_lectures import outputs, training
    from cnn_lectures.preprocessing import normalize, one_hot, to_images, train_val_split

    x = to_images(normalize(data.x_train))
    x_train, x_val, y_train, y_val = train_val_split(
        x, one_hot(data.y_train), val_fraction=preset.val_fraction, seed=preset.split_seed
    )
    augment = None if args.augment == "none" else (args.augment or preset.augment)
    backup = out / "backup"  # the state of an unfinished run; delete it to start afresh
    backup.mkdir(exist_ok=True)
    log_file = backup / outputs.HISTORY_LOG  # survives a kill, so history.csv has every epoch
    model, history = training.train_preset(
        preset,
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=args.epochs,
        batch_size=args.batch_size,
        augment=augment,
        seed=args.seed,
        deterministic=args.seed is not None,  # --seed N: op determinism too, identical files
        callbacks=[keras.callbacks.CSVLogger(log_file, append=True)],
        backup_dir=backup / "keras",  # BackupAndRestore removes this folder when training ends
        verbose="auto" if sys.stdout.isatty() else 2,  # one line per epoch in logs and pipes
    )
    table = outputs.history_frame(history, log_file)
    report = outputs.write_run_outputs(
        out, model, table, x_val, y_val, to_images(normalize(data.x_test)), test_time_shift=preset.test_time_shift
    )
    shutil.rmtree(backup, ignore_errors=True)
    print(report)
    return 0


def _predict(args):
    model_path = Path(args.model)
    if not model_path.is_file():
        raise UserError(f"Model file {model_path} does not exist (train one with `cnn-lectures train`).")
    data = _load(args.data)

    import keras
    import numpy as np

    from cnn_lectures.data import write_submission
    from cnn_lectures.prediction import predict_probabilities
    from cnn_lectures.preprocessing import normalize, to_images

    try:
        model = keras.models.load_model(model_path, safe_mode=True)
    except Exception as error:
        raise UserError(f"Cannot load {model_path} as a Keras model ({type(error).__name__}: {error}).") from None
    _writable_dir(Path(args.out).parent or Path("."))
    labels = np.argmax(predict_probabilities(model, to_images(normalize(data.x_test)), shift=args.shift), axis=1)
    write_submission(labels, args.out)
    print(f"Wrote {len(labels):,} predictions to {args.out}.")
    return 0


def _load(path):
    from cnn_lectures.data import DataFormatError, load_digit_recognizer

    try:
        return load_digit_recognizer(path)
    except (FileNotFoundError, DataFormatError, ConnectionError) as error:
        raise UserError(error) from None


def _writable_dir(path):
    """Create ``path`` if needed and prove it writable, or raise ``UserError``."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UserError(f"Cannot write to output folder {path} ({reason}); choose another with --out.") from None
    return path


def _int_at_least(minimum, expected):
    """An argparse type: an int >= ``minimum``; ``expected`` names it in the error."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, received {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {expected}, received {value}")
        return value

    return parse


_positive_int = _int_at_least(1, "a positive integer")
_non_negative_int = _int_at_least(0, "an integer >= 0")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
