"""Where the main job's time goes: ``cnn-lectures train`` under cProfile, phase by phase.

Runs the command line in this process (``cnn_lectures.cli.main``) under :mod:`cProfile` and
prints the cumulative seconds of the functions that make up each phase -- importing
TensorFlow and Keras, loading the data, preprocessing, the training steps, the per-epoch
validation inside ``fit``, predicting validation and test images, the figures, saving the
model -- beside the whole run's wall time. The phases overlap where one calls another
(``fit`` contains validation), so the table says which is which.

    .venv/bin/python benchmarks/profile_main_job.py --data ../shared/digit-recognizer [--preset lecture]
"""

import argparse
import cProfile
import pstats
import sys
import tempfile
import time

# (phase, file name ending, function name): matched against cProfile's entries.
PHASES = [
    ("import TensorFlow + Keras", "runtime.py", "import_tensorflow_quietly"),
    ("load the data", "loader.py", "load_digit_recognizer"),
    ("normalise + reshape + one-hot", "preprocessing.py", "normalize"),
    ("split 90/10", "preprocessing.py", "train_val_split"),
    ("model.fit (all epochs, validation included)", "trainer.py", "fit"),
    ("  of which: validation (evaluate inside fit)", "trainer.py", "evaluate"),
    ("write outputs (predict, plots, save, submission)", "outputs.py", "write_run_outputs"),
    ("  of which: predictions (validation + test)", "prediction.py", "predict_probabilities"),
    ("  of which: figures (savefig)", "figure.py", "savefig"),
    ("  of which: model.save", "saving_api.py", "save_model"),
]


def phase_seconds(stats):
    """Cumulative seconds of each phase's function (the first match of file and name)."""
    found = {}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():
        for phase, ending, name in PHASES:
            if function == name and filename.endswith(ending):
                found[phase] = max(found.get(phase, 0.0), cumulative)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="Kaggle's folder or zip")
    parser.add_argument("--preset", default="lecture")
    parser.add_argument("--epochs", type=int, help="override the preset's epochs")
    args = parser.parse_args(argv)

    from cnn_lectures.runtime import configure_environment

    configure_environment()
    with tempfile.TemporaryDirectory() as out:
        command = ["train", "--data", args.data, "--preset", args.preset, "--out", out, "--seed", "0"]
        if args.epochs:
            command += ["--epochs", str(args.epochs)]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        from cnn_lectures import cli

        status = cli.main(command)
        profiler.disable()
        wall = time.perf_counter() - started
    if status != 0:
        return status
    found = phase_seconds(pstats.Stats(profiler))
    print(f"\n{'phase':<52} {'seconds':>8} {'share':>6}")
    for phase, _, _ in PHASES:
        if phase in found:
            print(f"{phase:<52} {found[phase]:8.1f} {found[phase] / wall:6.1%}")
    print(f"{'whole run (wall)':<52} {wall:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
