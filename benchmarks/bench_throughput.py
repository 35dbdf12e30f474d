"""Training throughput of the lecture CNN: NumPy arrays (as the lecture fits) vs the tf.data pipeline.

Trains ``lecture_cnn`` (Adam 1e-3, batch 250) on the lecture's split of Kaggle's train.csv
(37,800 training / 4,200 validation images, ``random_state=2``) for the same number of epochs
in each way, every model from the same initial weights:

- ``numpy``     -- ``model.fit(x, y, batch_size=250)`` on float32 arrays: the lecture's call
- ``pipeline``  -- ``augmented_dataset(x, y, augment=False)``: what ``train(augment=None)`` uses
- ``spe<N>``    -- the same pipeline, compiled with ``steps_per_execution=N`` (``--steps-per-execution``)
- ``jit``       -- the same pipeline, compiled with ``jit_compile=True`` (with ``--jit``; XLA on CPU)
- ``augmented`` -- ``augmented_dataset(x, y)``: the pipeline with augmentation, ``train(augment="layers")``

Each way is one ``fit(..., epochs=E)`` call, as in the lecture, timed epoch by epoch with a
callback. It prints, per way, the training throughput in images per second -- by wall clock and
by CPU time of this process, the median over epochs 2..E (epoch 1 includes tracing) -- their
ratios to ``numpy``, the validation accuracy after the last epoch, and how fast the input alone
runs (images per second of iterating one pass of batches without training). Run it on an
otherwise idle machine: under load both clocks are inflated (spinning worker threads count as
CPU time), and the ways run one after the other.

    python benchmarks/bench_throughput.py --data /work/shared/digit-recognizer
"""

import argparse
import os
import statistics
import time

import keras
import tensorflow as tf

from cnn_lectures.augmentation import augmented_dataset
from cnn_lectures.data import load_digit_recognizer
from cnn_lectures.models import lecture_cnn
from cnn_lectures.preprocessing import normalize, one_hot, to_images, train_val_split


def ways(args):
    """Names of the ways to train, in the order they are run and printed."""
    found = ["numpy", "pipeline"]
    found += [f"spe{args.steps_per_execution}"] if args.steps_per_execution > 1 else []
    found += ["jit"] if args.jit else []
    return found + ["augmented"]


def compiled_model(way, *, seed, steps_per_execution):
    keras.utils.set_random_seed(seed)  # the same initial weights for every way
    model = lecture_cnn()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution if way.startswith("spe") else 1,
        jit_compile=way == "jit",
    )
    return model


class EpochClock(keras.callbacks.Callback):
    """Wall-clock and CPU seconds of each epoch."""

    def __init__(self):
        super().__init__()
        self.wall, self.cpu = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.start_cpu = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        self.wall.append(time.perf_counter() - self.start)
        self.cpu.append(time.process_time() - self.start_cpu)


def fit(way, model, data, x, y, *, epochs, batch_size):
    """Train ``epochs`` epochs the given way; return the :class:`EpochClock`."""
    clock = EpochClock()
    if way == "numpy":
        model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, callbacks=[clock], verbose=0)
    else:
        model.fit(data, epochs=epochs, callbacks=[clock], verbose=0)
    return clock


def input_images_per_second(way, data, x, y, *, batch_size):
    """Images per second of producing one pass of batches without training."""
    if way == "numpy":  # what Keras 3 builds from arrays: a tf.data pipeline of shuffled slices
        from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

        data = ArrayDataAdapter(x, y, batch_size=batch_size, shuffle=True).get_tf_dataset()
    start = time.perf_counter()
    for _ in data:
        pass
    return len(x) / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default="/work/shared/digit-recognizer",
        help="folder with train.csv (or digit-recognizer.zip), or the zip",
    )
    parser.add_argument("--epochs", type=int, default=5, help="epochs per way; the first is not timed")
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument(
        "--steps-per-execution",
        type=int,
        default=8,
        metavar="N",
        help="also time the pipeline with steps_per_execution=N (1: don't)",
    )
    parser.add_argument("--jit", action="store_true", help="also time jit_compile=True (slow on CPU)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error(f"--epochs must be at least 2 (the first epoch is not timed). Received: {args.epochs}.")

    digits = load_digit_recognizer(args.data)
    x_train, x_val, y_train, y_val = train_val_split(
        to_images(normalize(digits.x_train)), one_hot(digits.y_train), val_fraction=0.1, seed=2
    )
    names = ways(args)
    print(
        f"{len(x_train):,} training / {len(x_val):,} validation images, batch {args.batch_size}, "
        f"{args.epochs} epochs per way, {os.cpu_count()} CPUs, TensorFlow {tf.__version__}, "
        f"load average {os.getloadavg()[0]:.2f} at start",
        flush=True,
    )

    wall, cpu, accuracy, input_rate = {}, {}, {}, {}
    for name in names:
        data = augmented_dataset(
            x_train, y_train, batch_size=args.batch_size, augment=name == "augmented", seed=args.seed
        )
        input_rate[name] = input_images_per_second(name, data, x_train, y_train, batch_size=args.batch_size)
        model = compiled_model(name, seed=args.seed, steps_per_execution=args.steps_per_execution)
        clock = fit(name, model, data, x_train, y_train, epochs=args.epochs, batch_size=args.batch_size)
        wall[name], cpu[name] = clock.wall, clock.cpu
        accuracy[name] = model.evaluate(x_val, y_val, batch_size=1000, verbose=0)[1]
        print(
            f"  {name}: epochs "
            + " ".join(f"{seconds:.1f}s" for seconds in clock.wall)
            + f", validation accuracy {accuracy[name]:.4f}",
            flush=True,
        )
    print(f"load average {os.getloadavg()[0]:.2f} at end\n")

    def rate(seconds):
        return len(x_train) / statistics.median(seconds[1:])

    print(
        f"{'way':<10} {'images/s wall':>13} {'vs numpy':>8} {'images/s CPU':>13} {'vs numpy':>8} "
        f"{'val accuracy':>12} {'input alone images/s':>20}"
    )
    for name in names:
        print(
            f"{name:<10} {rate(wall[name]):>13,.0f} {rate(wall[name]) / rate(wall['numpy']):>7.2f}x "
            f"{rate(cpu[name]):>13,.0f} {rate(cpu[name]) / rate(cpu['numpy']):>7.2f}x "
            f"{accuracy[name]:>12.4f} {input_rate[name]:>20,.0f}"
        )
    print(
        "\nimages/s CPU: images per CPU-second of this process (all its threads); on an idle machine "
        "images/s wall is what a user waits for."
    )


if __name__ == "__main__":
    main()
