"""Pseudo-labelling Kaggle's test images for the ``best`` preset, scored on bench_holdout's hold-out.

An experiment toward issue 21's hold-out goal (at least 99.70 % within 20 minutes of training),
on the same hold-out as ``benchmarks/bench_holdout.py`` (4,200 images of ``train.csv`` no tuning
decision saw). Kaggle gives ``test.csv``'s 28,000 images without labels; a common competition
trick lets a first model label them and trains a second model on the labelled images plus those
it labelled confidently:

1. the preset trains on the 37,800 images bench_holdout trains on (``--seed``);
2. it predicts ``test.csv`` with its test-time shifts and keeps the images whose top probability
   is at least ``--threshold``, labelled with its prediction;
3. a fresh model of the preset (``--seed`` + 1) trains on the 37,800 plus those, for
   ``--second-epochs`` (8 by default: about as many steps as the preset's 13 epochs of 37,800);
4. the hold-out is scored for each model and for their average, with the training time of both.

    .venv/bin/python benchmarks/bench_pseudo_label.py --data ../shared/digit-recognizer

``--save-probabilities PREFIX`` writes ``PREFIX1.npy`` and ``PREFIX2.npy`` for
``bench_holdout.py --average``. Run it on an otherwise idle machine (about two preset runs).
"""

import argparse
import time

import numpy as np
from bench_holdout import holdout_split, print_goal

from cnn_lectures.data import load_digit_recognizer
from cnn_lectures.evaluation import accuracy_with_ci
from cnn_lectures.models.precision import float32_copy
from cnn_lectures.prediction import predict_probabilities
from cnn_lectures.preprocessing import normalize, one_hot, to_images
from cnn_lectures.presets import get_preset


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/digit-recognizer", help="Kaggle's files (a folder or the zip)")
    parser.add_argument("--seed", type=int, default=0, help="the first model's seed; the second's is one more")
    parser.add_argument("--threshold", type=float, default=0.99, help="lowest top probability kept (default 0.99)")
    parser.add_argument("--second-epochs", type=int, default=8, help="epochs of the second model (default 8)")
    parser.add_argument("--save-probabilities", metavar="PREFIX", help="save PREFIX1.npy and PREFIX2.npy")
    args = parser.parse_args(argv)
    if not 0 <= args.threshold <= 1:
        parser.error(f"--threshold must be between 0 and 1. Received: {args.threshold}")
    if args.second_epochs < 1:
        parser.error(f"--second-epochs must be at least 1. Received: {args.second_epochs}")

    preset = get_preset("best")
    data = load_digit_recognizer(args.data, source="kaggle")
    x_fit, y_fit, x_holdout, y_holdout = holdout_split(
        to_images(normalize(data.x_train)), one_hot(data.y_train), preset=preset, holdout=4200, holdout_seed=2026
    )
    x_test = to_images(normalize(data.x_test))
    shifts = preset.test_time_shift

    start = time.perf_counter()
    first = float32_copy(preset.fit(x_fit, y_fit, seed=args.seed, verbose=2).model)
    first_seconds = time.perf_counter() - start
    test_probabilities = predict_probabilities(first, x_test, shift_pixels=shifts)
    keep = test_probabilities.max(axis=1) >= args.threshold
    print(f"first model: {first_seconds:.0f} s; test images labelled and kept: {keep.sum():,} of {len(keep):,}")

    x_more = np.concatenate([x_fit, x_test[keep]])
    y_more = np.concatenate([y_fit, one_hot(np.argmax(test_probabilities[keep], axis=1))])
    start = time.perf_counter()
    history = preset.fit(x_more, y_more, seed=args.seed + 1, epochs=args.second_epochs, verbose=2)
    second_seconds = time.perf_counter() - start
    second = float32_copy(history.model)

    runs = [predict_probabilities(model, x_holdout, shift_pixels=shifts) for model in (first, second)]
    if args.save_probabilities:
        for number, probabilities in enumerate(runs, start=1):
            np.save(f"{args.save_probabilities}{number}.npy", probabilities)
    labels = np.argmax(y_holdout, axis=1)
    results = {"first model": runs[0], "second model (pseudo-labels)": runs[1], "the two averaged": np.mean(runs, 0)}
    for name, probabilities in results.items():
        accuracy, low, high = accuracy_with_ci(y_holdout, probabilities)
        errors = int((np.argmax(probabilities, axis=1) != labels).sum())
        print(f"{name}: hold-out accuracy {accuracy:.4f} (95 % CI {low:.4f}-{high:.4f}), {errors} errors")
    seconds = first_seconds + second_seconds
    print(f"training: {first_seconds:.0f} s + {second_seconds:.0f} s = {seconds / 60:.1f} min")
    best = max(accuracy_with_ci(y_holdout, probabilities)[0] for probabilities in results.values())
    print_goal(best, seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
