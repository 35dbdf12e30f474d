"""What one training step costs: a model's forward, backward and Adam update, variant against variant.

Each variant is a compiled model whose ``train_step`` runs ``--steps`` times inside one
``tf.function`` loop on one fixed random batch, so nothing but the step is timed: no input
pipeline, no Python between steps, no callbacks. The variants run in one process, interleaved
round by round (A B C A B C ...), and the table gives each one's median milliseconds per step
over the rounds, CPU milliseconds per step beside it, and its speed relative to the first.

Variants of ``digit_cnn`` (``--model digit``): Keras's ``BatchNormalization`` or the package's
``FusedBatchNormalization``, float32 or ``mixed_bfloat16``. Of ``lecture_cnn`` (``--model
lecture``): float32 or ``mixed_bfloat16``, with ``steps_per_execution`` irrelevant here, and
float32 with its dropout layers at rate 0: not a recipe, the bound on what a cheaper dropout could save.

    .venv/bin/python benchmarks/bench_step.py --model digit --batch 64
    .venv/bin/python benchmarks/bench_step.py --model lecture --batch 250 --rounds 7
"""

import argparse
import statistics
import sys
import time

from cnn_lectures import runtime

runtime.import_tensorflow_quietly()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from cnn_lectures.models import digit_cnn, lecture_cnn  # noqa: E402
from cnn_lectures.models.normalization import FusedBatchNormalization  # noqa: E402


def with_keras_batch_norm(model):
    """A copy of ``model`` whose fused batch normalisation layers are Keras's own (same weights)."""

    def clone(layer):
        config = layer.get_config()
        if isinstance(layer, FusedBatchNormalization):
            return keras.layers.BatchNormalization.from_config(config)
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def variants(model_name):
    """``{label: builder}`` in the order they are timed; the first is the baseline."""
    if model_name == "lecture":
        return {
            "lecture_cnn float32": lambda: lecture_cnn(),
            "lecture_cnn mixed_bfloat16": lambda: _mixed_lecture_cnn(),
            "lecture_cnn, dropout off (a bound)": lambda: _lecture_cnn_without_dropout(),
        }
    return {
        "digit_cnn Keras BN, float32": lambda: with_keras_batch_norm(digit_cnn()),
        "digit_cnn fused BN, float32": lambda: digit_cnn(),
        "digit_cnn Keras BN, mixed_bfloat16": lambda: with_keras_batch_norm(digit_cnn(dtype="mixed_bfloat16")),
        "digit_cnn fused BN, mixed_bfloat16": lambda: digit_cnn(dtype="mixed_bfloat16"),
    }


def _mixed_lecture_cnn():
    model = lecture_cnn()
    config = model.get_config()
    for layer in config["layers"]:
        if layer["class_name"] != "InputLayer":  # the input stays float32; the softmax layer too
            layer["config"]["dtype"] = "float32" if layer["config"]["name"] == "predictions" else "mixed_bfloat16"
    return model.__class__.from_config(config)


def _lecture_cnn_without_dropout():
    """Not a recipe: the most a cheaper dropout could save, its three layers at rate 0 (Keras skips them)."""
    config = lecture_cnn().get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "Dropout":
            layer["config"]["rate"] = 0.0
    return keras.Model.from_config(config)


def step_loop(model, batch_size, seed):
    """A ``tf.function`` running ``n`` training steps of ``model`` on one random batch."""
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    x = tf.random.uniform((batch_size, 28, 28, 1))
    y = tf.one_hot(tf.random.uniform((batch_size,), 0, 10, tf.int32), 10)

    @tf.function
    def loop(n):
        for _ in tf.range(n):
            model.train_step((x, y))
        return n

    loop(tf.constant(2))  # trace and build the optimizer
    return loop


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("digit", "lecture"), default="digit")
    parser.add_argument("--batch", type=int, default=None, help="batch size (default: 64 digit, 250 lecture)")
    parser.add_argument("--steps", type=int, default=40, help="steps timed per round (default 40)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    args = parser.parse_args(argv)
    batch = args.batch or (64 if args.model == "digit" else 250)

    print(
        f"{args.model} at batch {batch}: {args.steps} steps a round, {args.rounds} rounds interleaved; "
        f"oneDNN line: {'on' if runtime.onednn_reported() else 'none'}; "
        f"bfloat16 instructions: {'yes' if runtime.fast_mixed_precision({}) else 'no'}",
        flush=True,
    )
    loops = {label: step_loop(build(), batch, seed=0) for label, build in variants(args.model).items()}
    wall = {label: [] for label in loops}
    cpu = {label: [] for label in loops}
    for _ in range(args.rounds):
        for label, loop in loops.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            loop(tf.constant(args.steps))
            wall[label].append((time.perf_counter() - start) / args.steps * 1e3)
            cpu[label].append((time.process_time() - start_cpu) / args.steps * 1e3)
    baseline = statistics.median(next(iter(wall.values())))
    print(f"{'variant':<38} {'ms/step':>8} {'CPU ms':>7} {'speed':>6}  rounds (ms/step)")
    for label in loops:
        median = statistics.median(wall[label])
        rounds = " ".join(f"{t:.1f}" for t in wall[label])
        print(f"{label:<38} {median:8.1f} {statistics.median(cpu[label]):7.1f} {baseline / median:5.2f}x  {rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
