"""Time the "best" preset end to end, exactly as a user runs it from the command line.

Runs, from the repository root,

    python -m cnn_lectures train --data ../shared/digit-recognizer --preset best --out outputs/best

(arguments after ``--`` are added to that command, e.g. ``-- --seed 0``), shows its output as it
goes, and then prints: the wall time of the whole command, the training time (the sum of the
per-epoch seconds Keras prints), the CPU seconds the command used, the validation accuracy per
epoch and the final one the CLI reports, and whether the run met the goal: at least 99.6 %
on the lecture's 4,200 validation images within 20 minutes of training. Run it on an otherwise
idle machine; it takes about as long as the training.

    python benchmarks/bench_best.py
    python benchmarks/bench_best.py --data /path/to/digit-recognizer -- --seed 0
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_ACCURACY = 0.996
GOAL_TRAINING_SECONDS = 20 * 60
EPOCH_LINE = re.compile(r"^\s*\d+/\d+ - (\d+)s - .*?val_accuracy: ([0-9.]+)")
REPORTED = re.compile(r"Validation accuracy: ([0-9.]+)")


def minutes(seconds):
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", default="../shared/digit-recognizer", help="as the CLI's --data (from the repository root)"
    )
    parser.add_argument("--out", default="outputs/best", help="as the CLI's --out")
    parser.add_argument("extra", nargs="*", help="more CLI arguments, after --")
    args = parser.parse_args(argv)

    command = [
        sys.executable,
        "-m",
        "cnn_lectures",
        "train",
        "--data",
        args.data,
        "--preset",
        "best",
        "--out",
        args.out,
        *args.extra,
    ]
    print("$", " ".join(command[1:]), f"  (in {ROOT}, load average {os.getloadavg()[0]:.2f})", flush=True)
    epochs, reported = [], None
    start = time.perf_counter()
    with subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            if match := EPOCH_LINE.match(line):
                epochs.append((int(match[1]), float(match[2])))
            elif match := REPORTED.search(line):
                reported = float(match[1])
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    if process.returncode != 0:
        sys.exit(f"The command failed with exit status {process.returncode}.")

    training = sum(seconds for seconds, _ in epochs)
    print(f"\n{'epoch':>5} {'seconds':>8} {'val accuracy':>12}")
    for number, (seconds, accuracy) in enumerate(epochs, start=1):
        print(f"{number:>5} {seconds:>8} {accuracy:>12.4f}")
    print(f"\nwall time, whole command:  {minutes(wall)}  (load average {os.getloadavg()[0]:.2f} at end)")
    print(f"training, sum of epochs:   {minutes(training)}")
    print(f"CPU time of the command:   {cpu:.0f} s  ({cpu / wall:.2f} cores busy on average)")
    print(f"validation accuracy:       {reported}  (goal >= {GOAL_ACCURACY})")
    met = reported is not None and reported >= GOAL_ACCURACY and training <= GOAL_TRAINING_SECONDS
    print(f"goal (>= 99.6 % within 20 min of training): {'MET' if met else 'NOT MET'}")
    if epochs and training > 0:
        fit = int(17 * 60 / (training / len(epochs)))
        print(f"epochs that fit 17 minutes at this pace: {fit} (--epochs {fit} stretches the schedule over them)")


if __name__ == "__main__":
    main()
