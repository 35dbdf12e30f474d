"""Benchmark: what `--seed` (op determinism) costs in training speed.

    .venv/bin/python benchmarks/bench_determinism.py [PATH] [--images 10000] [--epochs 4] [--rounds 2]

Trains the lecture CNN (batch 250, fast augmentation path) on the first N Kaggle images,
once with ``deterministic=False`` and once with ``deterministic=True`` (``--seed`` in the
CLI: ``tf.config.experimental.enable_op_determinism()``), each in its own process because
op determinism is a process-wide switch. Rounds alternate the two modes so that other load
on the machine hits both alike. Prints medians of epochs 2..E: wall seconds and CPU seconds
per epoch, and their ratios.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, os, resource, sys, time
import keras
from cnn_lectures.data import load_digit_recognizer
from cnn_lectures.models import lecture_cnn
from cnn_lectures.preprocessing import normalize, one_hot, to_images
from cnn_lectures.training import train

path, images, epochs, deterministic = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
data = load_digit_recognizer(path, source="kaggle")
x, y = to_images(normalize(data.x_train[:images])), one_hot(data.y_train[:images])

class Clock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
    def on_epoch_end(self, epoch, logs=None):
        walls.append(time.perf_counter() - self.wall); cpus.append(time.process_time() - self.cpu)

walls, cpus = [], []
train(lecture_cnn, x, y, epochs=epochs, batch_size=250, augment="layers", seed=0,
      deterministic=deterministic, callbacks=[Clock()], verbose=0)
print("RESULT " + json.dumps({"wall": walls[1:], "cpu": cpus[1:]}))
"""


def run(path, images, epochs, deterministic):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run(
        [sys.executable, "-c", WORKER, path, str(images), str(epochs), "1" if deterministic else "0"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("CNN_LECTURES_DATA") or str(
        Path(__file__).resolve().parents[2] / "shared" / "digit-recognizer"
    )
    parser.add_argument("path", nargs="?", default=default)
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    results = {False: {"wall": [], "cpu": []}, True: {"wall": [], "cpu": []}}
    for _ in range(args.rounds):
        for deterministic in (False, True):
            result = run(args.path, args.images, args.epochs, deterministic)
            for key in ("wall", "cpu"):
                results[deterministic][key] += result[key]
    print(
        f"lecture CNN, {args.images:,} images, batch 250, fast augmentation, epochs 2..{args.epochs}, "
        f"{args.rounds} rounds, {os.cpu_count()} CPUs (medians)"
    )
    base = {key: statistics.median(results[False][key]) for key in ("wall", "cpu")}
    for deterministic, label in ((False, "default"), (True, "deterministic (--seed)")):
        wall, cpu = (statistics.median(results[deterministic][key]) for key in ("wall", "cpu"))
        print(
            f"  {label:24s} wall {wall:6.2f} s/epoch ({wall / base['wall']:.2f}x)   "
            f"CPU {cpu:6.2f} s/epoch ({cpu / base['cpu']:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
