"""Training throughput of the presets against another commit's: fresh processes, interleaved A B A B.

A is a checkout of ``--commit`` (by default ``5a17f4e``, the main of the day the speed issue was
filed), made with ``git worktree`` in a temporary folder; B is this working tree. Each run is a
fresh interpreter that imports ``cnn_lectures`` from its checkout (``PYTHONPATH``), in the same
environment (the project's, :mod:`cnn_lectures.runtime`), and trains a preset the way that
checkout trains it -- its model, its augmentation path, its precision -- on the same images
(the first ``--images`` of the lecture's 37,800 training images), timing every epoch.

Throughput is images per second of training, the median over epochs 2..E (epoch 1 includes
tracing), by wall clock and per CPU-second of the process. For each pair it prints B/A of both,
then their medians over the pairs. Per CPU-second is steadier on a machine whose speed jumps
between two levels from one epoch to the next; by wall clock is what a user waits for.

At ``5a17f4e`` the ``lecture`` preset trained with the lecture's ``ImageDataGenerator``;
``--same-path`` makes both sides train with the tf.data path instead, so that only the training
step is compared.

    .venv/bin/python benchmarks/bench_against_commit.py --data ../shared/digit-recognizer --preset lecture
    .venv/bin/python benchmarks/bench_against_commit.py --data ../shared/digit-recognizer --preset best \\
        --images 12800 --epochs 3
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONEDNN_ON_LINE = "oneDNN custom operations are on"

CHILD = r"""
import json, sys, time
import tensorflow  # the environment came from the parent: cnn_lectures.runtime may not exist at A
import keras
import numpy as np

arrays = np.load(sys.argv[1])
preset_name, epochs, same_path = sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
x, y = arrays["x"], arrays["y"]


class Clock(keras.callbacks.Callback):
    wall, cpu = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.start_cpu = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        Clock.wall.append(time.perf_counter() - self.start)
        Clock.cpu.append(time.process_time() - self.start_cpu)


options = {"epochs": epochs, "seed": 0, "callbacks": [Clock()], "verbose": 0}
try:
    from cnn_lectures.presets import get_preset

    preset = get_preset(preset_name)
    if hasattr(preset, "fit"):
        if same_path:
            options["augment"] = "fast"
        preset.fit(x, y, **options)
        api = "Preset.fit"
    else:
        raise ImportError
except ImportError:
    from cnn_lectures.training import train_preset  # before Preset.fit existed

    preset = get_preset(preset_name)
    if same_path:
        options["augment"] = "layers"  # that checkout's name of the tf.data path
    train_preset(preset_name, x, y, **options)
    api = "train_preset"
augment = options.get("augment", preset.augment)
print(json.dumps({"wall": Clock.wall, "cpu": Clock.cpu, "augment": augment, "api": api}))
"""


def images_per_second(count, seconds):
    """Images per second from the median of epochs 2..E."""
    return count / statistics.median(seconds[1:])


def run_child(checkout, arrays, args):
    env = dict(os.environ, PYTHONPATH=str(checkout))
    from cnn_lectures.runtime import configure_environment

    configure_environment(env)
    command = [sys.executable, "-c", CHILD, str(arrays), args.preset, str(args.epochs), "1" if args.same_path else "0"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=checkout)
    if result.returncode != 0:
        sys.exit(f"the run in {checkout} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    found = json.loads(result.stdout.strip().splitlines()[-1])
    found["onednn"] = "on" if ONEDNN_ON_LINE in result.stderr else "no line"
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="Kaggle's folder or zip")
    parser.add_argument("--commit", default="5a17f4e", help="the baseline commit A (default: 5a17f4e)")
    parser.add_argument("--preset", default="lecture", choices=("lecture", "best"))
    parser.add_argument("--images", type=int, default=37800, help="training images per epoch (default: all 37,800)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run; the first is not timed (default: 4)")
    parser.add_argument("--pairs", type=int, default=2, help="A B pairs (default: 2)")
    parser.add_argument("--same-path", action="store_true", help="both sides on the tf.data augmentation path")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch is not timed")

    from cnn_lectures.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    import numpy as np

    from cnn_lectures.data import load_digit_recognizer
    from cnn_lectures.preprocessing import normalize, one_hot, to_images, train_val_split

    data = load_digit_recognizer(args.data, source="kaggle")
    x_train, _, y_train, _ = train_val_split(to_images(normalize(data.x_train)), one_hot(data.y_train), seed=2)
    x_train, y_train = x_train[: args.images], y_train[: args.images]

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        arrays = scratch / "digits.npz"
        np.savez(arrays, x=x_train, y=y_train)
        baseline = scratch / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(baseline), args.commit],
                       check=True, capture_output=True)  # fmt: skip
        try:
            sides = {f"A {args.commit}": baseline, "B working tree": ROOT}
            rates = {label: [] for label in sides}
            cpu_rates = {label: [] for label in sides}
            print(f"preset {args.preset}: {len(x_train):,} images, {args.epochs} epochs a run, load average "
                  f"{os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
            for pair in range(1, args.pairs + 1):
                for label, checkout in sides.items():
                    result = run_child(checkout, arrays, args)
                    rate = images_per_second(len(x_train), result["wall"])
                    rates[label].append(rate)
                    cpu_rates[label].append(images_per_second(len(x_train), result["cpu"]))
                    print(
                        f"pair {pair} {label}: {rate:7,.0f} images/s wall, "
                        f"{images_per_second(len(x_train), result['cpu']):7,.0f} per CPU-second; epochs "
                        + " ".join(f"{s:.2f}s" for s in result["wall"])
                        + f" ({result['api']}, augment={result['augment']}, oneDNN line: {result['onednn']})",
                        flush=True,
                    )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)], check=False)
    for name, found in (("wall", rates), ("CPU", cpu_rates)):
        a, b = found.values()
        ratios = [new / old for old, new in zip(a, b)]
        print(
            f"B/A images per {name} second, per pair: " + ", ".join(f"{r:.2f}x" for r in ratios)
            + f"; median {statistics.median(ratios):.2f}x"
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
