"""How much does augmentation cost? Seconds per epoch of the lecture CNN with each augment mode.

Trains ``lecture_cnn`` (Adam 1e-3, batch 250, no validation) on the first N Kaggle training
images in each mode and prints, per mode, the median over epochs 2..E (epoch 1 includes
tracing) of the wall-clock and CPU seconds per epoch, their ratios to training without
augmentation, and the seconds the input pipeline alone takes for one pass:

- ``none``      -- ``augmented_dataset(augment=False)``: what ``train(augment=None)`` uses
- ``layers``    -- ``augmented_dataset()``: one fused affine warp per batch, ``train(augment="layers")``
- ``generator`` -- ``image_data_generator().flow(...)``: the lecture's, ``train(augment="generator")``
- ``keras``     -- (with ``--keras-layers``) ``augmentation_layers()`` mapped over the batches

The modes' epochs are interleaved (epoch k of every mode, then epoch k+1 ...) so that load from
other processes falls on all of them alike; on a shared machine compare the CPU-seconds too. Load
inflates CPU-seconds as well (the same lecture-CNN epoch measured 6.5 CPU-s at load average 2.5
and 19 CPU-s at load 9 -- probably thread pools spinning while they wait for a core, and shared
caches), so only the ratios mean much there; absolute seconds need an idle machine.

    python benchmarks/bench_augmentation.py --data /path/to/digit-recognizer.zip --images 20000
"""

import argparse
import os
import statistics
import time
import zipfile

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from cnn_lectures.augmentation import augmentation_layers, augmented_dataset, check_images, image_data_generator
from cnn_lectures.models import lecture_cnn
from cnn_lectures.preprocessing import one_hot

MODES = ("none", "layers", "generator", "keras")


def load_train_csv(path, num_images):
    """First ``num_images`` rows of Kaggle's train.csv (a zip or a folder): uint8 (n, 784), int labels (n,)."""
    if os.path.isdir(path):
        frame = pd.read_csv(os.path.join(path, "train.csv"), nrows=num_images)
    else:
        with zipfile.ZipFile(path) as archive, archive.open("train.csv") as handle:
            frame = pd.read_csv(handle, nrows=num_images)
    return frame.drop(columns="label").to_numpy(np.uint8), frame["label"].to_numpy()


def training_data(mode, x, y, *, batch_size, seed):
    """The object ``model.fit`` gets in each mode."""
    if mode == "none":
        return augmented_dataset(x, y, batch_size=batch_size, augment=False, seed=seed)
    if mode == "layers":
        return augmented_dataset(x, y, batch_size=batch_size, seed=seed)
    if mode == "generator":
        return image_data_generator().flow(check_images(x), one_hot(y), batch_size=batch_size, seed=seed)
    layers = augmentation_layers(seed=seed)
    return augmented_dataset(x, y, batch_size=batch_size, augment=False, seed=seed).map(
        lambda images, labels: (layers(images, training=True), labels), num_parallel_calls=tf.data.AUTOTUNE
    )


def pipeline_seconds(data):
    """Seconds to produce one pass of batches, without training."""
    start = time.perf_counter()
    if isinstance(data, tf.data.Dataset):
        for _ in data:
            pass
    else:
        for index in range(len(data)):
            data[index]
        data.on_epoch_end()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default="/work/shared/digit-recognizer/digit-recognizer.zip",
        help="digit-recognizer.zip or a folder with train.csv",
    )
    parser.add_argument("--images", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=4, help="epochs per mode; the first is not counted")
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keras-layers", action="store_true", help="also time the Keras preprocessing layers")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error(f"--epochs must be at least 2 (the first epoch is not counted). Received: {args.epochs}.")

    x, y = load_train_csv(args.data, args.images)
    modes = MODES if args.keras_layers else MODES[:3]
    print(
        f"{len(x)} images, batch {args.batch_size}, {args.epochs} epochs per mode, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start",
        flush=True,
    )

    data, models = {}, {}
    for mode in modes:
        data[mode] = training_data(mode, x, y, batch_size=args.batch_size, seed=args.seed)
        keras.utils.set_random_seed(args.seed)
        models[mode] = lecture_cnn()
        models[mode].compile(
            optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"]
        )
    pipeline = {mode: pipeline_seconds(data[mode]) for mode in modes}

    wall = {mode: [] for mode in modes}
    cpu = {mode: [] for mode in modes}
    for epoch in range(args.epochs):
        for mode in modes:
            start, start_cpu = time.perf_counter(), time.process_time()
            models[mode].fit(data[mode], epochs=1, shuffle=False, verbose=0)
            wall[mode].append(time.perf_counter() - start)
            cpu[mode].append(time.process_time() - start_cpu)
        print(f"  epoch {epoch + 1}: " + "  ".join(f"{m} {wall[m][-1]:.2f}s" for m in modes), flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at end\n")

    def median(values):
        return statistics.median(values[1:])

    print(
        f"{'mode':<10} {'wall s/epoch':>12} {'vs none':>8} {'CPU s/epoch':>12} {'vs none':>8} {'pipeline alone s':>17}"
    )
    for mode in modes:
        print(
            f"{mode:<10} {median(wall[mode]):>12.2f} {median(wall[mode]) / median(wall['none']):>7.2f}x "
            f"{median(cpu[mode]):>12.2f} {median(cpu[mode]) / median(cpu['none']):>7.2f}x {pipeline[mode]:>17.2f}"
        )


if __name__ == "__main__":
    main()
