"""train() under tf.distribute strategies, each run in fresh interpreters.

Logical devices must be configured before TensorFlow initialises, and a multi-worker strategy
needs one process per worker, so every check runs in subprocesses:

- ``MirroredStrategy`` over two logical CPU devices (the one-machine, several-GPU case) against
  one device, for each augment mode;
- ``MultiWorkerMirroredStrategy`` with two worker processes on localhost, set up with
  ``TF_CONFIG`` (the several-machine case).

Each trains ``lecture_cnn`` on 2,000 sample digits (validation: 1,000 others) with a global batch
of 100 for 2 epochs. See docs/distributed_training.md.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

COMMON = textwrap.dedent("""
    import json, os, sys
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    from cnn_lectures.data import load_digit_recognizer
    from cnn_lectures.models import lecture_cnn
    from cnn_lectures.training import train

    def fit(augment, strategy):
        data = load_digit_recognizer(source="sample")
        history = train(lecture_cnn, data.x_train[:2000], data.y_train[:2000],
                        validation_data=(data.x_train[3000:], data.y_train[3000:]), epochs=2, batch_size=100,
                        augment=augment, learning_rate=3e-3, seed=0, strategy=strategy, verbose=0)
        return history

    def summary(history):
        return {"steps": history.params["steps"], **history.history}
""")

MIRRORED = COMMON + textwrap.dedent("""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    augment = sys.argv[1]
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    found = {"replicas": strategy.num_replicas_in_sync,
             "one": summary(fit(augment, None)), "mirrored": summary(fit(augment, strategy))}
    print("RESULT", json.dumps(found))
""")

WORKER = COMMON + textwrap.dedent("""
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
    try:
        train(lecture_cnn, [[0] * 784], [0], strategy=strategy)
        seed_error = ""
    except ValueError as error:
        seed_error = str(error)
    history = fit("fast", strategy)
    history.model.save(sys.argv[1])
    found = {"replicas": strategy.num_replicas_in_sync, "seed_error": seed_error, "history": summary(history)}
    print("RESULT", json.dumps(found), flush=True)
""")


def run_python(script, *args, env=None):
    """Start ``python -c script args`` with the package importable; return the Popen."""
    env = {
        **os.environ,
        **(env or {}),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def result_of(process, timeout=300):
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert lines, f"no result (exit status {process.returncode}):\n{err[-3000:]}"
    return json.loads(lines[-1][len("RESULT ") :])


def free_port():
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize("augment", ["fast", "generator", "none"])
def test_mirrored_strategy_over_two_devices_learns_like_one_device(augment):
    found = result_of(run_python(MIRRORED, augment))
    one, mirrored = found["one"], found["mirrored"]
    assert found["replicas"] == 2
    assert one["steps"] == mirrored["steps"] == 20  # batch_size is the global batch: 2,000 / 100
    assert mirrored["val_accuracy"][-1] > 0.75  # chance is 0.1; one device reaches ~0.85
    assert abs(mirrored["val_accuracy"][-1] - one["val_accuracy"][-1]) < 0.05


@pytest.mark.slow
def test_multi_worker_strategy_with_two_local_workers_trains_one_model(tmp_path):
    cluster = {"worker": [f"localhost:{free_port()}", f"localhost:{free_port()}"]}
    saved = [tmp_path / f"worker{i}.keras" for i in range(2)]
    workers = [
        run_python(
            WORKER,
            str(saved[i]),
            env={"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})},
        )
        for i in range(2)
    ]
    chief, other = (result_of(worker) for worker in workers)
    assert chief["replicas"] == other["replicas"] == 2
    assert "needs a seed, the same on every worker" in chief["seed_error"]
    assert chief["history"]["steps"] == 20  # each step trains on 50 images on each worker
    assert chief["history"] == other["history"]  # one model: the workers agree on every metric
    assert chief["history"]["val_accuracy"][-1] > 0.75
    chief_model, other_model = (keras.saving.load_model(path) for path in saved)
    for chief_weights, other_weights in zip(chief_model.get_weights(), other_model.get_weights()):
        np.testing.assert_array_equal(chief_weights, other_weights)
