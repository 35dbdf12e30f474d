"""What each part of the lecture preset's ``fit`` costs: one setting changed at a time, fresh processes, interleaved.

``benchmarks/profile_main_job.py`` says how the main job's time splits between import, data,
``fit`` and outputs; this looks inside ``fit``. Each variant trains ``lecture_cnn`` through
:func:`cnn_lectures.training.train` on the lecture's 37,800 training images (batch 250, seed 1)
with one setting changed from the ``lecture`` preset's, in a fresh interpreter, and the
variants run interleaved round after round (A B C D E A B C D E ...). Each epoch's wall and CPU
seconds are printed (CPU: this process, every thread); the summary gives each variant's median
over epochs 2..E of all rounds. CPU seconds are the steadier figure on machines whose wall clock
jumps between speed levels from one epoch to the next.

Variants: the preset as it trains (fast augmentation path, validation every epoch, 8 steps per
call); no augmentation; no validation; 1 step per call; the augmentation's ``tf.data`` work
on a private pool of one thread.

    .venv/bin/python benchmarks/bench_fit_parts.py --data ../shared/digit-recognizer --rounds 2
"""

import argparse
import json
import statistics
import subprocess
import sys

VARIANTS = {
    "the preset (fast path, validation, 8 steps a call)": {},
    "no augmentation": {"augment": "none"},
    "no validation": {"validation": False},
    "1 step a call": {"steps_per_execution": 1},
    "tf.data on 1 private thread": {"tf_data_threads": 1},
}

CHILD = r"""
import json, sys, time

settings = json.loads(sys.argv[1])
from cnn_lectures import runtime

runtime.import_tensorflow_quietly()
import keras
import tensorflow as tf

from cnn_lectures import augmentation, training
from cnn_lectures.data import load_digit_recognizer
from cnn_lectures.models import lecture_cnn
from cnn_lectures.preprocessing import normalize, one_hot, to_images, train_val_split

data = load_digit_recognizer(settings["data"])
x_train, x_val, y_train, y_val = train_val_split(
    to_images(normalize(data.x_train)), one_hot(data.y_train), val_fraction=0.1, seed=2
)
if settings.get("tf_data_threads"):
    keyed = augmentation.epoch_keyed_dataset

    def on_its_own_pool(*args, **kwargs):
        dataset, next_pass = keyed(*args, **kwargs)
        options = tf.data.Options()
        options.threading.private_threadpool_size = settings["tf_data_threads"]
        options.threading.max_intra_op_parallelism = 1
        return dataset.with_options(options), next_pass

    augmentation.epoch_keyed_dataset = on_its_own_pool


class EpochClock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        print("EPOCH", time.perf_counter() - self.wall, time.process_time() - self.cpu, flush=True)


training.train(
    lecture_cnn,
    x_train,
    y_train,
    validation_data=(x_val, y_val) if settings.get("validation", True) else None,
    epochs=settings["epochs"],
    batch_size=250,
    augment=settings.get("augment", "fast"),
    seed=1,
    steps_per_execution=settings.get("steps_per_execution", 8),
    callbacks=[EpochClock()],
    verbose=0,
)
"""


def run_variant(settings):
    """``[(wall, cpu), ...]`` per epoch, from a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", CHILD, json.dumps(settings)], capture_output=True, text=True)
    epochs = [tuple(map(float, line.split()[1:])) for line in result.stdout.splitlines() if line.startswith("EPOCH")]
    if result.returncode != 0 or not epochs:
        sys.exit(f"bench_fit_parts: a run failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return epochs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/digit-recognizer", help="Kaggle's files (a folder or the zip)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of all variants (default: 2)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs a run; the first is not counted (default: 4)")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch (tracing) is not counted")

    timed = {name: [] for name in VARIANTS}
    for round_number in range(1, args.rounds + 1):
        for name, settings in VARIANTS.items():
            epochs = run_variant({**settings, "data": args.data, "epochs": args.epochs})
            timed[name].extend(epochs[1:])
            shown = "  ".join(f"{wall:.2f}/{cpu:.2f}" for wall, cpu in epochs)
            print(f"round {round_number}  {name:52s} epochs wall/CPU s: {shown}", flush=True)

    baseline_cpu = statistics.median(cpu for _, cpu in timed[next(iter(VARIANTS))])
    print(f"\n{'variant':52s} {'wall':>6s} {'CPU':>6s}  CPU vs the preset  (medians of epochs 2..{args.epochs}, s)")
    for name, epochs in timed.items():
        wall, cpu = statistics.median(w for w, _ in epochs), statistics.median(c for _, c in epochs)
        print(f"{name:52s} {wall:6.2f} {cpu:6.2f}  {cpu / baseline_cpu:.2f}x")


if __name__ == "__main__":
    main()
