"""The command line end to end, run as a user runs it: ``python -m cnn_lectures ...``.

Every failing exit path, case by case, is in tests/test_cli_exits.py."""

import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import cli_command, with_default_sigint


def run_cli(*args, cwd=None, env=None):
    environment = dict(os.environ, **(env or {}))
    return subprocess.run(cli_command(*args), capture_output=True, text=True, cwd=cwd, env=environment, timeout=600)


@pytest.fixture(scope="module")
def trained_run(tiny_kaggle, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "outputs"
    cache = tmp_path_factory.mktemp("cache")
    result = run_cli(
        "train",
        "--data",
        tiny_kaggle,
        "--epochs",
        "2",
        "--augment",
        "fast",
        "--out",
        out,
        env={"CNN_LECTURES_CACHE": str(cache)},
    )
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
    np.testing.assert_array_equal(
        pd.read_csv(tmp_path / "again.csv").to_numpy(), pd.read_csv(out / "submission.csv").to_numpy()
    )


@pytest.mark.slow
@pytest.mark.parametrize("augment", ["generator", "none"])
def test_train_with_each_other_augmentation(augment, tiny_kaggle, tmp_path):
    # "fast" is trained_run's; the lectures' ImageDataGenerator and no augmentation work too.
    out = tmp_path / "outputs"
    result = run_cli(
        "train",
        "--data",
        tiny_kaggle,
        "--epochs",
        "1",
        "--augment",
        augment,
        "--out",
        out,
        env={"CNN_LECTURES_CACHE": str(tmp_path / "cache")},
    )
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
    result = run_cli(
        "predict",
        "--model",
        out / "model.keras",
        "--data",
        tiny_kaggle,
        "--shift",
        "1",
        "--out",
        tmp_path / "shifted.csv",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    model = keras.models.load_model(out / "model.keras")
    images = to_images(normalize(load_digit_recognizer(tiny_kaggle).x_test))
    expected = np.argmax(predict_probabilities(model, images, shift=1), axis=1)
    np.testing.assert_array_equal(pd.read_csv(tmp_path / "shifted.csv")["Label"].to_numpy(), expected)


@pytest.mark.slow
def test_a_normal_run_shows_only_the_programs_own_lines(trained_run):
    from cnn_lectures.runtime import is_start_up_noise

    result, _ = trained_run
    noise = [line for line in result.stderr.splitlines() if is_start_up_noise(line) or "cuInit" in line]
    assert noise == [], result.stderr[-2000:]
    assert result.stdout.splitlines()[0].startswith("Using Kaggle's Digit Recognizer files")


@pytest.mark.slow
def test_ctrl_c_keeps_the_backup_another_run_is_refused_and_the_same_command_resumes(tiny_kaggle, tmp_path):
    import re
    import signal
    import time

    out = tmp_path / "out"
    env = dict(os.environ, PYTHONUNBUFFERED="1", CNN_LECTURES_CACHE=str(tmp_path / "cache"))
    command = [
        "train",
        "--data",
        tiny_kaggle,
        "--epochs",
        "3",
        "--batch-size",
        "2",  # 300 steps an epoch, so that the interrupt lands inside epoch 2 even on a fast machine
        "--augment",
        "generator",
        "--seed",
        "3",
        "--out",
        out,
    ]
    first = subprocess.Popen(
        cli_command(*command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=with_default_sigint,
    )
    for line in first.stdout:  # epoch 1 is backed up once epoch 2 starts
        if line.startswith("Epoch 2/3"):
            break
    time.sleep(0.3)
    first.send_signal(signal.SIGINT)
    first.wait(timeout=120)
    stderr = first.stderr.read()
    assert first.returncode == 130, stderr[-2000:]
    assert stderr.strip().splitlines()[-1].startswith("cnn-lectures: interrupted; run the same command again")
    assert "Traceback" not in stderr
    kept = sorted(p.name for p in (out / "backup").rglob("*"))
    assert "manifest.json" in kept and "latest.weights.h5" in kept

    other = run_cli(
        *[("4" if arg == "3" and command[k - 1] == "--seed" else arg) for k, arg in enumerate(command)],
        env={"CNN_LECTURES_CACHE": str(tmp_path / "cache")},
    )
    assert other.returncode == 2 and "(seed 3 there, 4 now)" in other.stderr, other.stderr[-2000:]
    assert sorted(p.name for p in (out / "backup").rglob("*")) == kept

    same = run_cli(*command, env={"CNN_LECTURES_CACHE": str(tmp_path / "cache")})
    assert same.returncode == 0, same.stderr[-3000:]
    backup = re.escape(str(out / "backup"))
    resumed = re.search(rf"Resuming the interrupted run in {backup} after epoch (\d)\.", same.stdout)
    assert resumed and resumed.group(1) in "12", same.stdout[-2000:]  # 2 if epoch 2 ended before the signal
    done = int(resumed.group(1))
    expected = [str(epoch) for epoch in range(done + 1, 4)]
    assert re.findall(r"^Epoch (\d)/3", same.stdout, flags=re.MULTILINE) == expected, same.stdout[-2000:]
    assert not (out / "backup").exists() and len(pd.read_csv(out / "submission.csv")) == 40


def test_an_argument_mistake_is_one_line_from_the_real_command(tmp_path):
    result = run_cli("train", "--seed", "-1", "--out", tmp_path / "o")
    assert result.returncode == 2
    assert result.stderr == (
        "cnn-lectures: error: argument --seed: expected a seed, an integer 0-4294967295; "
        "received -1 (see `cnn-lectures train --help`)\n"
    )
    assert not (tmp_path / "o").exists()
