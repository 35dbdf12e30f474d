"""Every exit path of the command line, as a table: the case, the exit status, the one line it
prints, and the state of ``--out`` afterwards.

A failing case must end in exactly one ``cnn-lectures: error: ...`` line on stderr, exit status
2, no traceback, and ``--out`` byte for byte as it was (a good submission or a previous run's
files untouched, no new folder left behind). A succeeding case must write a correct result.

Most cases run in-process (``cnn_lectures.cli.main([...])``); argument mistakes must not even
import TensorFlow. A file-size limit (``RLIMIT_FSIZE``, ``SIGXFSZ`` ignored) in a subprocess
stands in for a disk that fills up; other write faults (no space, read-only file system,
permission, quota) are raised where the submission is written, since the tests run as root.
"""

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cli_command

from cnn_lectures import cli, run_state

GOOD_SUBMISSION = b"ImageId,Label\n1,7\n"


def snapshot(path):
    """Everything under ``path``: None if absent, bytes for a file, {relative name: bytes} for a folder."""
    path = Path(path)
    if not path.exists():
        return None
    if path.is_file():
        return path.read_bytes()
    return {str(p.relative_to(path)): p.read_bytes() if p.is_file() else "<folder>" for p in sorted(path.rglob("*"))}


def run_main(argv, capsys):
    status = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_error_line(status, err, pattern):
    import re

    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cnn-lectures: error: "), err
    assert "Traceback" not in err
    assert re.search(pattern, lines[0]), lines[0]


# --- the world the cases run in ------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tiny_kaggle, tmp_path_factory):
    """Data folders and the fingerprint of the tiny data (no TensorFlow needed)."""
    from cnn_lectures.data import load_digit_recognizer

    root = tmp_path_factory.mktemp("world")
    both = root / "both"  # the CSVs and a zip of other digits: the CSVs must be the ones read
    both.mkdir()
    for name in ("train.csv", "test.csv"):
        shutil.copy(tiny_kaggle / name, both / name)
    with zipfile.ZipFile(both / "digit-recognizer.zip", "w") as archive:
        header = ",".join(f"pixel{i}" for i in range(784))
        archive.writestr("train.csv", f"label,{header}\n3" + ",0" * 784 + "\n")
        archive.writestr("test.csv", f"{header}\n0" + ",0" * 783 + "\n")
    empty = root / "empty"
    empty.mkdir()
    malformed = root / "malformed"
    malformed.mkdir()
    (malformed / "train.csv").write_text("label,pixel0\n1,2\n")
    (malformed / "test.csv").write_text("pixel0\n1\n")
    data = load_digit_recognizer(tiny_kaggle)
    return {
        "data": tiny_kaggle,
        "both": both,
        "empty": empty,
        "malformed": malformed,
        "root": root,
        "fingerprint": run_state.data_fingerprint(data.x_train, data.y_train),
    }


def manifest(world, **changes):
    return dict(
        run_state.new_manifest(
            preset="lecture", epochs=2, batch_size=None, augment=None, seed=None, data=world["fingerprint"]
        ),
        **changes,
    )


def write_backup(out, manifest_text=None, weights=b"not weights"):
    backup = out / "backup"
    (backup / "keras").mkdir(parents=True)
    (backup / "keras" / "latest.weights.h5").write_bytes(weights)
    (backup / "keras" / "training_metadata.json").write_text('{"epoch": 1, "batch": 0}')
    if manifest_text is not None:
        (backup / "manifest.json").write_text(manifest_text)


SETUPS = {
    "absent": lambda out, world: None,
    "previous run": lambda out, world: (
        out.mkdir(),
        (out / "submission.csv").write_bytes(GOOD_SUBMISSION),
        (out / "model.keras").write_bytes(b"a previous model"),
    ),
    "backup is a file": lambda out, world: (out.mkdir(), (out / "backup").write_text("a file")),
    "backup of preset lecture": lambda out, world: write_backup(out, json.dumps(manifest(world))),
    "backup with epochs 3": lambda out, world: write_backup(out, json.dumps(manifest(world, epochs=3))),
    "backup with seed 7": lambda out, world: write_backup(out, json.dumps(manifest(world, seed=7))),
    "backup of other data": lambda out, world: write_backup(out, json.dumps(manifest(world, data="0" * 24))),
    "backup without manifest": lambda out, world: write_backup(out),
    "backup with broken manifest": lambda out, world: write_backup(out, "{not json"),
    "backup of an older format": lambda out, world: write_backup(out, json.dumps(manifest(world, format=0))),
}

# case id, arguments, setup of --out, expected status, the line (a regex; "" for success), --out after
TRAIN_CASES = [
    ("seed -1", ["--seed", "-1"], "absent", 2, r"--seed: expected a seed, an integer 0-4294967295; received -1"),
    ("seed 2**32", ["--seed", str(2**32)], "absent", 2, r"received 4294967296"),
    ("seed not a number", ["--seed", "1e3"], "previous run", 2, r"--seed: .*received '1e3'"),
    (
        "epochs 0",
        ["--epochs", "0"],
        "absent",
        2,
        r"--epochs: expected a number of epochs, an integer 1-1000; received 0",
    ),
    ("epochs 10**6", ["--epochs", "1000000"], "previous run", 2, r"--epochs: .*received 1000000"),
    ("batch size 0", ["--batch-size", "0"], "absent", 2, r"--batch-size: .*1-4096; received 0"),
    ("batch size 5000", ["--batch-size", "5000"], "absent", 2, r"--batch-size: .*received 5000"),
    (
        "unknown preset",
        ["--preset", "fastest"],
        "previous run",
        2,
        r"Unknown preset 'fastest'\. Choose one of: best, lecture",
    ),
    ("unknown augment", ["--augment", "lots"], "absent", 2, r"--augment: invalid choice: 'lots'"),
    ("unknown option", ["--shift", "1"], "absent", 2, r"unrecognized arguments: --shift 1"),
    (
        "missing data",
        ["--data", "{root}/nowhere"],
        "previous run",
        2,
        r"nowhere does not exist\. Get Kaggle's files with `kaggle competitions download -c digit-recognizer`",
    ),
    ("empty data folder", ["--data", "{empty}"], "absent", 2, r"No Kaggle Digit Recognizer files in .*empty"),
    (
        "malformed data",
        ["--data", "{malformed}"],
        "previous run",
        2,
        r"train\.csv, line 1: the header has 2 columns; expected 785",
    ),
    ("data is not a zip", ["--data", "{data}/train.csv"], "absent", 2, r"train\.csv: not a valid zip file"),
    ("backup is a file", [], "backup is a file", 2, r"backup exists and is not a folder"),
    (
        "backup of another preset",
        ["--preset", "best", "--epochs", "2"],
        "backup of preset lecture",
        2,
        r"backup holds an interrupted run that differs from this one \(preset 'lecture' there, 'best' now\)"
        r".*delete .*backup",
    ),
    ("backup with other epochs", ["--epochs", "2"], "backup with epochs 3", 2, r"\(epochs 3 there, 2 now\)"),
    ("backup with another seed", ["--epochs", "2"], "backup with seed 7", 2, r"\(seed 7 there, none now\)"),
    ("backup of other data", ["--epochs", "2"], "backup of other data", 2, r"\(other training data\)"),
    (
        "backup without manifest",
        ["--epochs", "2"],
        "backup without manifest",
        2,
        r"holds an unfinished run that cannot be identified \(it has no manifest\.json"
        r".*delete .*backup to start afresh",
    ),
    (
        "backup with broken manifest",
        ["--epochs", "2"],
        "backup with broken manifest",
        2,
        r"its manifest\.json is unreadable",
    ),
    (
        "backup of an older format",
        ["--epochs", "2"],
        "backup of an older format",
        2,
        r"its manifest\.json is unreadable",
    ),
]


@pytest.mark.parametrize(("case", "arguments", "setup", "status", "line"), TRAIN_CASES, ids=[c[0] for c in TRAIN_CASES])
def test_train_refuses_before_tensorflow_and_leaves_out_as_it_was(
    case, arguments, setup, status, line, world, tmp_path, capsys
):
    out = tmp_path / "out"
    SETUPS[setup](out, world)
    before = snapshot(out)
    argv = ["train", "--data", world["data"], "--out", out] + [a.format(**world) for a in arguments]
    result = run_main(argv, capsys)
    assert_one_error_line(result[0], result[2], line)
    assert snapshot(out) == before


def test_argument_mistakes_are_reported_without_importing_tensorflow():
    script = (
        "import sys, time; t = time.perf_counter(); from cnn_lectures.cli import main; "
        "status = main(['train', '--seed', '-1']); "
        "print(status, 'tensorflow' in sys.modules, 'keras' in sys.modules, 'numpy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["2", "False", "False", "False"], result.stderr


def test_help_exits_zero(capsys):
    assert cli.main(["train", "--help"]) == 0
    assert "--seed N" in capsys.readouterr().out


def test_the_preset_names_match_the_presets():
    from cnn_lectures.presets import PRESETS

    assert sorted(cli.PRESET_NAMES) == sorted(PRESETS)


# --- predict: models that do and do not fit the task ------------------------------------------


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    import keras

    folder = tmp_path_factory.mktemp("models")

    def classifier(input_shape=(28, 28, 1), classes=10, activation="softmax"):
        inputs = keras.Input(input_shape)
        hidden = keras.layers.Flatten()(inputs) if len(input_shape) > 1 else inputs
        return keras.Model(inputs, keras.layers.Dense(classes, activation=activation)(hidden))

    def save(name, model):
        model.save(folder / name)
        return folder / name

    keras.utils.set_random_seed(0)
    paths = {
        "good": save("good.keras", classifier()),
        "five classes": save("five.keras", classifier(classes=5)),
        "32x32x3": save("rgb32.keras", classifier((32, 32, 3))),
        "flat rows": save("flat.keras", classifier((784,))),
        "regression": save("regression.keras", classifier(classes=1, activation=None)),
        "logits": save("logits.keras", classifier(activation=None)),
        "sigmoid": save("sigmoid.keras", classifier(activation="sigmoid")),
        "legacy h5": save("legacy.h5", classifier()),
    }
    inputs = keras.Input((28, 28, 1))
    two = keras.Model(inputs, [keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(inputs))] * 2)
    paths["two outputs"] = save("two.keras", two)
    broken = classifier()
    broken.set_weights([np.full_like(w, np.nan) for w in broken.get_weights()])
    paths["nan weights"] = save("nan.keras", broken)
    classifier().save_weights(folder / "only.weights.h5")
    paths["weights only"] = folder / "only.weights.h5"
    paths["corrupt"] = folder / "corrupt.keras"
    paths["corrupt"].write_bytes(b"not a keras file")
    paths["truncated"] = folder / "truncated.keras"
    good = paths["good"].read_bytes()
    paths["truncated"].write_bytes(good[: len(good) // 2])
    paths["wrong suffix"] = folder / "model.txt"
    paths["wrong suffix"].write_bytes(good)
    paths["folder"] = folder
    return paths


def expected_labels(model_file, data, shift=0):
    import keras

    from cnn_lectures.data import load_digit_recognizer
    from cnn_lectures.prediction import predict_probabilities
    from cnn_lectures.preprocessing import normalize, to_images

    model = keras.models.load_model(model_file, compile=False)
    images = to_images(normalize(load_digit_recognizer(data).x_test))
    return np.argmax(predict_probabilities(model, images, shift=shift), axis=1)


PREDICT_REFUSALS = [
    (
        "five classes",
        r"five\.keras does not fit the Digit Recognizer task: The model outputs 5 values per image; "
        r"this task needs one input of images of shape \(n, 28, 28, 1\) and one output of 10 class probabilities",
    ),
    ("32x32x3", r"The model takes inputs of shape \(n, 32, 32, 3\); this task needs .*\(n, 28, 28, 1\)"),
    ("flat rows", r"The model takes inputs of shape \(n, 784\)"),
    ("regression", r"The model outputs 1 values per image"),
    ("logits", r"outputs are not probabilities .*last layer 'dense\w*' with activation 'linear'"),
    ("sigmoid", r"outputs are not probabilities .*activation 'sigmoid'"),
    ("two outputs", r"The model has 2 outputs"),
    ("nan weights", r"outputs NaN or infinite values"),
    ("weights only", r"Cannot load .*only\.weights\.h5 as a Keras model"),
    ("corrupt", r"Cannot load .*corrupt\.keras as a Keras model \(\w+: "),
    ("truncated", r"Cannot load .*truncated\.keras as a Keras model"),
    ("wrong suffix", r"--model .*model\.txt is not a \.keras \(or legacy \.h5\) file"),
    ("folder", r"--model .* is not a file"),
]


@pytest.mark.parametrize(("model", "line"), PREDICT_REFUSALS, ids=[c[0] for c in PREDICT_REFUSALS])
def test_predict_refuses_a_model_that_does_not_fit_and_keeps_the_submission(
    model, line, models, world, tmp_path, capsys
):
    out = tmp_path / "submission.csv"
    out.write_bytes(GOOD_SUBMISSION)
    status, stdout, err = run_main(["predict", "--model", models[model], "--data", world["data"], "--out", out], capsys)
    assert_one_error_line(status, err, line)
    assert out.read_bytes() == GOOD_SUBMISSION
    assert "Using" not in stdout  # refused before the test data were read
    assert sorted(p.name for p in tmp_path.iterdir()) == ["submission.csv"]  # no temporary file left


def out_cases(tmp_path, models):
    """--out variations: (id, --out argument, setup, status, line, the file that must hold the submission)."""
    return {
        "a file": (tmp_path / "s.csv", None, 0, "", tmp_path / "s.csv"),
        "replaces a file": (tmp_path / "s.csv", "file", 0, "", tmp_path / "s.csv"),
        "a folder": (tmp_path / "d", "folder", 0, "", tmp_path / "d" / "submission.csv"),
        "a new folder/": (f"{tmp_path / 'new'}/", None, 0, "", tmp_path / "new" / "submission.csv"),
        "new parents": (tmp_path / "a" / "b" / "s.csv", None, 0, "", tmp_path / "a" / "b" / "s.csv"),
        "the model itself": (models["good"], None, 2, r"--out .*good\.keras is the model file", None),
        "a data file": (tmp_path / "data" / "test.csv", "data", 2, r"--out .*test\.csv is one of the data files", None),
        "a fifo": (tmp_path / "fifo", "fifo", 2, r"--out .*fifo exists and is not a regular file", None),
        "under a file": (
            tmp_path / "file" / "s.csv",
            "file",
            2,
            r"Cannot write the submission to .*file/s\.csv \(.*file is a file, not a folder\)",
            None,
        ),
        "a folder holding a folder submission.csv": (
            tmp_path / "d",
            "nested",
            2,
            r"--out .*d/submission\.csv exists and is not a regular file",
            None,
        ),
    }


OUT_CASE_IDS = [
    "a file",
    "replaces a file",
    "a folder",
    "a new folder/",
    "new parents",
    "the model itself",
    "a data file",
    "a fifo",
    "under a file",
    "a folder holding a folder submission.csv",
]


@pytest.mark.parametrize("case", OUT_CASE_IDS)
def test_predict_out_variations(case, models, world, tmp_path, capsys):
    out, setup, status, line, written = out_cases(tmp_path, models)[case]
    data = world["data"]
    if setup == "file":
        (tmp_path / "s.csv" if case == "replaces a file" else tmp_path / "file").write_bytes(GOOD_SUBMISSION)
    elif setup == "folder":
        (tmp_path / "d").mkdir()
    elif setup == "nested":
        (tmp_path / "d" / "submission.csv").mkdir(parents=True)
    elif setup == "fifo":
        os.mkfifo(tmp_path / "fifo")
    elif setup == "data":
        shutil.copytree(world["data"], tmp_path / "data")
        data = tmp_path / "data"
    before = {p: snapshot(p) for p in (Path(out), models["good"], tmp_path)}
    result = run_main(["predict", "--model", models["good"], "--data", data, "--out", out], capsys)
    if status == 0:
        assert result[0] == 0, result[2]
        assert result[2] == ""
        assert f"Wrote 40 predictions to {written}." in result[1]
        submission = pd.read_csv(written)
        assert submission["ImageId"].tolist() == list(range(1, 41))
        np.testing.assert_array_equal(submission["Label"].to_numpy(), expected_labels(models["good"], data))
    else:
        assert_one_error_line(result[0], result[2], line)
        for path, state in before.items():
            assert snapshot(path) == state


def test_predict_from_a_legacy_h5_model_is_correct(models, world, tmp_path, capsys):
    out = tmp_path / "s.csv"
    status, stdout, err = run_main(
        ["predict", "--model", models["legacy h5"], "--data", world["data"], "--shift", "2", "--out", out], capsys
    )
    assert status == 0, err
    np.testing.assert_array_equal(
        pd.read_csv(out)["Label"].to_numpy(), expected_labels(models["legacy h5"], world["data"], shift=2)
    )


def test_a_folder_with_the_csvs_and_the_zip_says_it_reads_the_csvs(models, world, tmp_path, capsys):
    out = tmp_path / "s.csv"
    argv = ["predict", "--model", models["good"], "--data", world["both"], "--out", out]
    status, stdout, err = run_main(argv, capsys)
    assert status == 0, err
    assert "holds both train.csv/test.csv and digit-recognizer.zip: using the CSVs" in stdout
    assert len(pd.read_csv(out)) == 40  # the CSVs' 40 test images, not the zip's one


PREDICT_SHIFTS = [
    ("-1", r"--shift: expected a shift in pixels, an integer 0-27; received -1"),
    ("28", r"received 28"),
    ("30", r"received 30"),
    ("one", r"received 'one'"),
]


@pytest.mark.parametrize(("shift", "line"), PREDICT_SHIFTS, ids=[c[0] for c in PREDICT_SHIFTS])
def test_predict_shift_out_of_range(shift, line, tmp_path, capsys):
    out = tmp_path / "s.csv"
    out.write_bytes(GOOD_SUBMISSION)
    result = run_main(["predict", "--model", tmp_path / "m.keras", "--shift", shift, "--out", out], capsys)
    assert_one_error_line(result[0], result[2], line)
    assert out.read_bytes() == GOOD_SUBMISSION


def test_predict_without_model_or_data(world, tmp_path, capsys):
    result = run_main(["predict", "--model", tmp_path / "none.keras", "--data", world["data"]], capsys)
    assert_one_error_line(result[0], result[2], r"Model file .*none\.keras does not exist")
    result = run_main(["predict"], capsys)
    assert_one_error_line(result[0], result[2], r"the following arguments are required: --model")


WRITE_FAULTS = [
    (errno.ENOSPC, "no space left on the device"),
    (errno.EROFS, "read-only file system"),
    (errno.EACCES, "permission denied"),
    (errno.EDQUOT, "disk quota exceeded"),
]


@pytest.mark.parametrize(("number", "cause"), WRITE_FAULTS, ids=[errno.errorcode[n] for n, _ in WRITE_FAULTS])
@pytest.mark.parametrize("where", ["replacing a file", "in new folders"])
def test_predict_write_faults_are_one_line_naming_path_and_cause(
    number, cause, where, models, world, tmp_path, capsys, monkeypatch
):
    def failing_write(path, text, **kwargs):
        raise OSError(number, os.strerror(number), str(path))

    monkeypatch.setattr("cnn_lectures.data.submission.atomic_write_text", failing_write)
    if where == "replacing a file":
        out = tmp_path / "s.csv"
        out.write_bytes(GOOD_SUBMISSION)
    else:
        out = tmp_path / "new" / "deeper" / "s.csv"
    before = snapshot(tmp_path)
    result = run_main(["predict", "--model", models["good"], "--data", world["data"], "--out", out], capsys)
    assert_one_error_line(result[0], result[2], rf"Cannot write {out}: {cause}\.$")
    assert snapshot(tmp_path) == before  # the new folders are gone again


# --- train cases that need TensorFlow: backups that do not fit the model ------------------------


def test_train_refuses_a_backup_of_another_architecture(world, tmp_path, capsys):
    out = tmp_path / "out"
    write_backup(out, json.dumps(manifest(world, architecture="f" * 24)))
    before = snapshot(out)
    result = run_main(["train", "--data", world["data"], "--epochs", "2", "--out", out], capsys)
    assert_one_error_line(result[0], result[2], r"\(another model architecture .*\).*delete .*backup to start afresh")
    assert snapshot(out) == before


def test_train_refuses_a_damaged_backup_and_names_the_folder(world, tmp_path, capsys):
    from cnn_lectures.models import lecture_cnn

    out = tmp_path / "out"
    write_backup(out, json.dumps(manifest(world, architecture=run_state.architecture_fingerprint(lecture_cnn()))))
    before = snapshot(out)
    result = run_main(["train", "--data", world["data"], "--epochs", "2", "--out", out], capsys)
    assert_one_error_line(result[0], result[2], r"Cannot resume from .*backup \(.*\): delete .*backup to start afresh")
    assert snapshot(out) == before


# --- a file-size limit in a subprocess: the disk "fills" during training and at the submission ---


def run_with_file_size_limit(limit, *args, env=None):
    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write over the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=limit_file_size,
        env=dict(os.environ, **(env or {})),
    )


@pytest.mark.slow
@pytest.mark.parametrize("before", ["absent", "previous run"])
def test_a_disk_that_fills_during_training_is_one_line_and_out_stays(before, world, tmp_path):
    out = tmp_path / "out"
    SETUPS[before](out, world)
    state = snapshot(out)
    # The lecture CNN's backup (weights and Adam's moments) is about 2.5 MB; 1 MB stops it at epoch 1.
    result = run_with_file_size_limit(
        1_000_000,
        "train",
        "--data",
        world["data"],
        "--epochs",
        "2",
        "--augment",
        "none",
        "--out",
        out,
        env={"CNN_LECTURES_CACHE": str(tmp_path / "cache")},
    )
    assert_one_error_line(
        result.returncode,
        result.stderr,
        r"Cannot write .*out/backup\S*: "
        r"file too large \(the file-size limit, `ulimit -f`, was reached\)\.$",
    )
    assert snapshot(out) == state


@pytest.mark.slow
def test_a_disk_that_fills_at_the_submission_is_one_line_and_keeps_the_old_one(sample_digits, models, tmp_path):
    data = tmp_path / "data"  # 300 test images: a submission larger than TensorFlow's start-up log
    data.mkdir()
    columns = [f"pixel{i}" for i in range(784)]
    train = pd.DataFrame(sample_digits.x_train[:100], columns=columns)
    train.insert(0, "label", sample_digits.y_train[:100])
    train.to_csv(data / "train.csv", index=False)
    pd.DataFrame(sample_digits.x_test[:300], columns=columns).to_csv(data / "test.csv", index=False)
    out = tmp_path / "s.csv"
    out.write_bytes(GOOD_SUBMISSION)
    result = run_with_file_size_limit(
        1500,
        "predict",
        "--model",
        models["good"],
        "--data",
        data,
        "--out",
        out,
        env={"CNN_LECTURES_CACHE": str(tmp_path / "cache")},
    )
    assert_one_error_line(result.returncode, result.stderr, rf"Cannot write {out}: file too large")
    assert out.read_bytes() == GOOD_SUBMISSION
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "data", "s.csv"]
