"""Reliability of the command line: a SIGKILLed run resumes, seeded runs repeat exactly."""

import os
import re
import signal
import subprocess
import time

import pandas as pd
import pytest
from conftest import cli_command

pytestmark = pytest.mark.slow


def environment(tmp_path):
    return dict(os.environ, PYTHONUNBUFFERED="1", CNN_LECTURES_CACHE=str(tmp_path / "cache"))


def test_a_run_killed_mid_epoch_resumes_at_that_epoch_and_finishes(tiny_kaggle, tmp_path):
    out = tmp_path / "out"
    # Batches of 2 (270 steps): with oneDNN on an epoch of 16-image batches took 0.4 s, so epoch 3 could end
    # before the kill sent on its first line arrived, and the run resumed after it instead of in it.
    command = cli_command(
        "train", "--data", tiny_kaggle, "--epochs", "4", "--batch-size", "2", "--augment", "generator", "--out", out
    )
    first = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment(tmp_path)
    )
    seen, started = [], {}
    deadline = time.monotonic() + 300
    for line in first.stdout:  # epochs 1 and 2 are done (and backed up) once epoch 3 starts
        seen.append(line)
        if line.startswith(("Epoch 2/4", "Epoch 3/4")):
            started[line[6]] = time.monotonic()
        if line.startswith("Epoch 3/4") or time.monotonic() > deadline:
            break
    # A fixed 0.5 s once outlasted all of epoch 3 on a fast CI machine: wait a tenth of what epoch 2 took instead,
    # so the kill lands inside epoch 3 however fast the machine is.
    time.sleep(min(0.5, max(0.0, started.get("3", 0) - started.get("2", 0)) / 10))
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL, "".join(seen)[-2000:]
    assert any(line.startswith("Epoch 3/4") for line in seen), "".join(seen)[-2000:]
    assert not (out / "submission.csv").exists()  # a killed run leaves no submission
    assert (out / "backup").is_dir()

    second = subprocess.run(command, capture_output=True, text=True, env=environment(tmp_path), timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    epochs = re.findall(r"^Epoch (\d+)/4", second.stdout, flags=re.MULTILINE)
    assert epochs == ["3", "4"], second.stdout[-2000:]
    assert (out / "submission.csv").is_file() and not (out / "backup").exists()
    assert pd.read_csv(out / "history.csv")["epoch"].tolist() == [0, 1, 2, 3]  # Keras counts from 0


def test_two_runs_with_the_same_seed_write_identical_files(tiny_kaggle, tmp_path):
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        result = subprocess.run(
            cli_command("train", "--data", tiny_kaggle, "--epochs", "2", "--seed", "7", "--out", out),
            capture_output=True,
            text=True,
            env=environment(tmp_path),
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        outputs.append(out)
    a, b = outputs
    assert (a / "submission.csv").read_bytes() == (b / "submission.csv").read_bytes()
    history_a, history_b = pd.read_csv(a / "history.csv"), pd.read_csv(b / "history.csv")
    pd.testing.assert_frame_equal(history_a, history_b, check_exact=True)
