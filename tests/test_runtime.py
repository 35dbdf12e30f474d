"""TensorFlow's environment and quiet start-up (cnn_lectures.runtime) and the notebook kernel."""

import json
import subprocess
import sys

import pytest

from cnn_lectures.kernel import install
from cnn_lectures.runtime import ENVIRONMENT, configure_environment, is_start_up_noise

START_UP_LINES = [  # as TensorFlow 2.21 writes them on a machine without a GPU
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796202796.365303    2407 port.cc:153] oneDNN custom operations are on. You may see ...",
    "I0000 00:00:1796202796.366003    2407 cudart_stub.cc:31] Could not find cuda drivers on your machine.",
    "E0000 00:00:1796202799.815513    2407 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow ...",
]
OTHER_LINES = [
    "/x/y.py:3: DeprecationWarning: old call",
    "Traceback (most recent call last):",
    "I0000 is not a log line",
    "cnn-lectures: error: Model file m.keras does not exist",
]


@pytest.mark.parametrize("line", START_UP_LINES)
def test_start_up_lines_are_noise(line):
    assert is_start_up_noise(line)


@pytest.mark.parametrize("line", OTHER_LINES)
def test_other_lines_are_kept(line):
    assert not is_start_up_noise(line)


def test_configure_environment_sets_defaults_and_keeps_what_the_user_set():
    environ = {"TF_ENABLE_ONEDNN_OPTS": "0"}
    added = configure_environment(environ)
    assert environ["TF_ENABLE_ONEDNN_OPTS"] == "0"  # the user's choice wins
    assert added == {name: value for name, value in ENVIRONMENT.items() if name != "TF_ENABLE_ONEDNN_OPTS"}
    assert configure_environment(environ) == {}


QUIET_IMPORT = """
import sys
from cnn_lectures.runtime import import_tensorflow_quietly, onednn_reported
print("before", file=sys.stderr, flush=True)
tf = import_tensorflow_quietly()
import keras, numpy as np
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.predict(np.zeros((1, 4)), verbose=0)
print("after", file=sys.stderr, flush=True)
print("onednn", onednn_reported())
"""


@pytest.mark.slow
def test_a_fresh_interpreter_imports_tensorflow_without_its_start_up_log():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}  # nothing set: the defaults come from runtime
    result = subprocess.run([sys.executable, "-c", QUIET_IMPORT], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["before", "after"]
    assert result.stdout.strip() in ("onednn True", "onednn False")


def test_kernel_spec_starts_the_project_kernel(tmp_path):
    spec = json.loads(install(prefix=str(tmp_path)).read_text())
    assert spec["argv"][1:3] == ["-m", "cnn_lectures.kernel"]
    assert spec["argv"][-2:] == ["-f", "{connection_file}"]
    assert (tmp_path / "share" / "jupyter" / "kernels" / "python3" / "kernel.json").is_file()
