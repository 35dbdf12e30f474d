"""The main job against the lecture's own code: whole processes, interleaved A B A B.

A is lecture 003's Digit Recognizer pipeline exactly as the slides write it -- ``pd.read_csv``,
``/ 255.0``, reshape, ``to_categorical``, ``train_test_split(test_size=0.1, random_state=2)``,
the CNN with its corrected ``Dense(10, softmax)`` head, Adam 1e-3, an ``ImageDataGenerator``
(rotation 5°, zoom 0.1, shifts 0.1) fitted for 10 epochs of batch 250, then ``model.predict``
on ``test.csv`` and a submission -- run as a script in a fresh interpreter. By default it runs
in the environment a student has (no TensorFlow variables set beyond this process's own);
``--baseline-env project`` gives it the project's (:mod:`cnn_lectures.runtime`), and
``--baseline-env onednn-off`` a student's with ``TF_ENABLE_ONEDNN_OPTS=0``: what a student's
script gets by default on CPUs where TensorFlow leaves its oneDNN kernels off (the AMD EPYC
with AVX2 that issue 21 was filed on), emulated on a CPU where they are on by default.

B is ``python -m cnn_lectures train --preset lecture`` on the same files.

For each run it prints wall and CPU seconds (the child's user + system time), the validation
accuracy on the same 4,200 images, and whether TensorFlow logged "oneDNN custom operations are
on"; then the ratios B/A of each pair and their median.

    .venv/bin/python benchmarks/bench_main_job.py --data ../shared/digit-recognizer --pairs 2
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

LECTURE_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import pandas as pd
    from tensorflow.keras.utils import to_categorical
    from sklearn.model_selection import train_test_split
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense, Dropout, Flatten, Conv2D, MaxPool2D, Input
    from tensorflow.keras.optimizers import Adam
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    folder = sys.argv[1]
    train = pd.read_csv(folder + "/train.csv")
    test = pd.read_csv(folder + "/test.csv")
    Y_train = train["label"]
    X_train = train.drop(labels=["label"], axis=1)
    X_train = X_train / 255.0
    test = test / 255.0
    X_train = X_train.values.reshape(-1, 28, 28, 1)
    test = test.values.reshape(-1, 28, 28, 1)
    Y_train = to_categorical(Y_train, num_classes=10)
    X_train, X_val, Y_train, Y_val = train_test_split(X_train, Y_train, test_size=0.1, random_state=2)

    model = Sequential()
    model.add(Input((28, 28, 1)))  # Keras 3: input_shape= on a layer is deprecated
    model.add(Conv2D(filters=8, kernel_size=(5, 5), padding="Same", activation="relu"))
    model.add(MaxPool2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Conv2D(filters=16, kernel_size=(3, 3), padding="Same", activation="relu"))
    model.add(MaxPool2D(pool_size=(2, 2), strides=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(256, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation="softmax"))  # the slides' Dense(100) + Reshape((10, 10, 1)), corrected
    model.compile(optimizer=Adam(learning_rate=1e-3), loss="categorical_crossentropy", metrics=["accuracy"])

    epochs = 10
    batch_size = 250
    datagen = ImageDataGenerator(rotation_range=5, zoom_range=0.1, width_shift_range=0.1, height_shift_range=0.1)
    datagen.fit(X_train)
    model.fit(datagen.flow(X_train, Y_train, batch_size=batch_size), epochs=epochs,
              validation_data=(X_val, Y_val), verbose=2)

    predicted = np.argmax(model.predict(X_val, verbose=0), axis=1)
    print(f"Validation accuracy: {np.mean(predicted == np.argmax(Y_val, axis=1)):.4f}")
    results = np.argmax(model.predict(test, verbose=0), axis=1)
    submission = pd.DataFrame({"ImageId": range(1, len(results) + 1), "Label": results})
    submission.to_csv(sys.argv[2], index=False)
    """
)

ACCURACY = re.compile(r"Validation accuracy: ([0-9.]+)")
TF_VARIABLES = ("TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL")


def csv_folder(data, scratch):
    """A folder with train.csv and test.csv: ``data`` itself, or the zip in it unpacked into ``scratch``."""
    data = Path(data)
    if (data / "train.csv").is_file() and (data / "test.csv").is_file():
        return data
    archive = data if data.suffix == ".zip" else data / "digit-recognizer.zip"
    with zipfile.ZipFile(archive) as files:
        for name in ("train.csv", "test.csv"):
            (scratch / name).write_bytes(files.read(name))
    return scratch


def timed(command, env):
    """Run ``command``; return wall seconds, CPU seconds, stdout and stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout, result.stderr


def onednn_probe(env):
    """ "on" if TensorFlow logs "oneDNN custom operations are on" at import in ``env``, else "no line"."""
    err = subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True, text=True, env=env).stderr
    return "on" if "oneDNN custom operations are on" in err else "no line"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="Kaggle's folder (CSVs or digit-recognizer.zip)")
    parser.add_argument("--pairs", type=int, default=2, help="A B pairs to run (default 2)")
    parser.add_argument(
        "--baseline-env",
        choices=("student", "project", "onednn-off"),
        default="student",
        help="the lecture code's environment: a student's (default), the project's, or a student's "
        "with oneDNN off (TensorFlow's default on CPUs without AVX-512, emulated)",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        folder = csv_folder(args.data, scratch)
        script = scratch / "lecture_digit_recognizer.py"
        script.write_text(LECTURE_SCRIPT)
        student_env = {k: v for k, v in os.environ.items() if k not in TF_VARIABLES}
        if args.baseline_env == "project":
            from cnn_lectures.runtime import configure_environment

            configure_environment(student_env)
        elif args.baseline_env == "onednn-off":
            student_env["TF_ENABLE_ONEDNN_OPTS"] = "0"
        runs = {
            "A lecture code": ([sys.executable, str(script), str(folder), str(scratch / "a.csv")], student_env),
            "B cnn_lectures": (
                [
                    sys.executable,
                    "-m",
                    "cnn_lectures",
                    "train",
                    "--data",
                    str(folder),
                    "--preset",
                    "lecture",
                    "--out",
                    str(scratch / "out"),
                ],
                dict(os.environ),
            ),
        }
        # The CLI keeps TensorFlow's start-up log off stderr, so ask a bare import in each environment.
        onednn_line = {label: onednn_probe(env) for label, (_, env) in runs.items()}
        rows = []
        for pair in range(1, args.pairs + 1):
            for label, (command, env) in runs.items():
                wall, cpu, out, err = timed(command, env)
                match = ACCURACY.search(out)
                onednn = onednn_line[label]
                rows.append((pair, label, wall, cpu, float(match.group(1)) if match else float("nan"), onednn))
                print(
                    f"pair {pair} {label}: wall {wall:7.1f} s  CPU {cpu:7.1f} s  "
                    f"val accuracy {rows[-1][4]:.4f}  oneDNN line: {onednn}",
                    flush=True,
                )
    walls, cpus = [], []
    for pair in range(1, args.pairs + 1):
        a, b = [row for row in rows if row[0] == pair]
        walls.append(b[2] / a[2])
        cpus.append(b[3] / a[3])
        print(f"pair {pair}: B/A wall {walls[-1]:.3f}  CPU {cpus[-1]:.3f}")
    print(f"median B/A: wall {statistics.median(walls):.3f}  CPU {statistics.median(cpus):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
