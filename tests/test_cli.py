"""The command line end to end, run as a user runs it: ``python -m cnn_lectures ...``."""

import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import cli_command


def run_cli(*args, cwd=None, env=None):
    environment = dict(os.environ, **(env or {}))
    return subprocess.run(cli_command(*args), capture_output=True, text=True, cwd=cwd, env=environment, timeout=600)


@pytest.fixture(scope="module")
def trained_run(tiny_kaggle, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "outputs"
    cache = tmp_path_factory.mktemp("cache")
    result = run_cli("train", "--data", tiny_kaggle, "--epochs", "2", "--augment", "layers", "--out", out,
                     env={"CNN_LECTURES_CACHE": str(cache)})
    return result, out


@pytest.mark.slow
def test_train_end_to_end_writes_every_output(trained_run):
    result, out = trained_run
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Epoch 1/2" in result.stdout and "Epoch 2/2" in result.stdout
    assert "Using Kaggle's Digit Recognizer files" in result.stdout
    assert "Validation accuracy: " in result.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["confusion_matrix.png", "history.csv", "model.keras", "submission.csv", "training_curves.png"]
    submission = pd.read_csv(out / "submission.csv")
    assert list(submission.columns) == ["ImageId", "Label"]
    assert submission["ImageId"].tolist() == list(range(1, 41))
    assert submission["Label"].between(0, 9).all()
    history = pd.read_csv(out / "history.csv")
    assert history["epoch"].tolist() == [0, 1]  # counted from 0, as Keras's CSVLogger does
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.columns)


@pytest.mark.slow
def test_predict_writes_the_same_submission_from_the_saved_model(trained_run, tiny_kaggle, tmp_path):
    _, out = trained_run
    result = run_cli("predict", "--model", out / "model.keras", "--data", tiny_kaggle, "--out", tmp_path / "again.csv")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Wrote 40 predictions" in result.stdout
    np.testing.assert_array_equal(pd.read_csv(tmp_path / "again.csv").to_numpy(),
                                  pd.read_csv(out / "submission.csv").to_numpy())


@pytest.mark.slow
@pytest.mark.parametrize("augment", ["generator", "none"])
def test_train_with_each_other_augmentation(augment, tiny_kaggle, tmp_path):
    # "layers" is trained_run's; the lectures' ImageDataGenerator and no augmentation work too.
    out = tmp_path / "outputs"
    result = run_cli("train", "--data", tiny_kaggle, "--epochs", "1", "--augment", augment, "--out", out,
                     env={"CNN_LECTURES_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Validation accuracy: " in result.stdout  # Keras prints no "Epoch 1/1" header for one epoch
    assert len(pd.read_csv(out / "submission.csv")) == 40


@pytest.mark.slow
def test_predict_with_shifts_averages_five_views(trained_run, tiny_kaggle, tmp_path):
    import keras

    from cnn_lectures.data import load_digit_recognizer
    from cnn_lectures.prediction import predict_probabilities
    from cnn_lectures.preprocessing import normalize, to_images

    _, out = trained_run
    result = run_cli("predict", "--model", out / "model.keras", "--data", tiny_kaggle, "--shift", "1",
                     "--out", tmp_path / "shifted.csv")
    assert result.returncode == 0, result.stderr[-3000:]
    model = keras.models.load_model(out / "model.keras")
    images = to_images(normalize(load_digit_recognizer(tiny_kaggle).x_test))
    expected = np.argmax(predict_probabilities(model, images, shift=1), axis=1)
    np.testing.assert_array_equal(pd.read_csv(tmp_path / "shifted.csv")["Label"].to_numpy(), expected)


def one_line_error(result, pattern):
    import re

    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith("cnn-lectures: error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(pattern, lines[0]), lines[0]


def test_unknown_preset_is_one_line(tmp_path):
    one_line_error(run_cli("train", "--preset", "fastest", "--out", tmp_path), r"Unknown preset 'fastest'\. Choose one of: .*lecture")


def test_missing_data_says_how_to_get_it(tmp_path):
    one_line_error(run_cli("train", "--data", tmp_path / "nowhere", "--out", tmp_path / "o"),
                   r"nowhere does not exist\. Get Kaggle's files with `kaggle competitions download -c digit-recognizer`")


def test_malformed_data_is_one_line_naming_file_and_line(tmp_path):
    (tmp_path / "train.csv").write_text("label,pixel0\n1,2\n")
    (tmp_path / "test.csv").write_text("pixel0\n1\n")
    one_line_error(run_cli("train", "--data", tmp_path, "--out", tmp_path / "o"),
                   r"train\.csv, line 1: the header has 2 columns; expected 785")


def test_unwritable_out_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    one_line_error(run_cli("train", "--out", blocker / "outputs"), r"Cannot write to output folder .*a-file/outputs")


def test_predict_with_missing_or_foreign_model_is_one_line(tmp_path, tiny_kaggle):
    one_line_error(run_cli("predict", "--model", tmp_path / "none.keras", "--data", tiny_kaggle),
                   r"Model file .*none\.keras does not exist")
    foreign = tmp_path / "foreign.keras"
    foreign.write_bytes(b"not a keras file")
    one_line_error(run_cli("predict", "--model", foreign, "--data", tiny_kaggle, "--out", tmp_path / "s.csv"),
                   r"Cannot load .*foreign\.keras as a Keras model")
    assert not (tmp_path / "s.csv").exists()


def test_bad_numbers_are_rejected_by_argparse(tmp_path):
    result = run_cli("train", "--epochs", "0", "--out", tmp_path)
    assert result.returncode == 2 and "expected a positive integer, received 0" in result.stderr
    result = run_cli("predict", "--model", tmp_path / "m.keras", "--shift", "-1")
    assert result.returncode == 2 and "expected an integer >= 0, received -1" in result.stderr
