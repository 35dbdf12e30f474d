"""normalize, to_images, one_hot and train_val_split: values, shapes, purity, the lecture's split."""

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from cnn_lectures.preprocessing import normalize, one_hot, to_images, train_val_split


def test_normalize_gives_float32_in_unit_interval_without_mutating():
    x = np.array([[0, 128, 255]], dtype=np.uint8)
    before = x.copy()
    out = normalize(x)
    assert out.dtype == np.float32 and out.min() == 0.0 and out.max() == 1.0
    np.testing.assert_allclose(out, [[0.0, 128 / 255, 1.0]], rtol=1e-6)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(
    "x, error, message",
    [
        (np.array([0, 256]), ValueError, r"0\.\.255\. Received values from 0 to 256"),
        (np.array([-1, 3]), ValueError, r"Received values from -1 to 3"),
        (np.array(["a"]), TypeError, r"numeric array"),
    ],
)
def test_normalize_rejects_values_outside_pixel_range(x, error, message):
    with pytest.raises(error, match=message):
        normalize(x)


def test_to_images_reshapes_rows_to_nhwc_and_copies():
    x = np.arange(2 * 784).reshape(2, 784)
    images = to_images(x)
    assert images.shape == (2, 28, 28, 1)
    assert images[1, 0, 5, 0] == x[1, 5] and images[0, 1, 0, 0] == x[0, 28]
    images[0, 0, 0, 0] = -7
    assert x[0, 0] == 0


@pytest.mark.parametrize("shape", [(2, 783), (785,), (3, 10)])
def test_to_images_rejects_rows_that_are_not_784_pixels(shape):
    with pytest.raises(ValueError, match=r"rows of 784 pixels .*Received shape"):
        to_images(np.zeros(shape))


def test_one_hot_encodes_and_rejects_out_of_range_labels():
    encoded = one_hot(np.array([0, 3, 9]))
    assert encoded.shape == (3, 10) and encoded.dtype == np.float32
    assert encoded.argmax(axis=1).tolist() == [0, 3, 9] and encoded.sum() == 3
    # keras.utils.to_categorical silently wraps -1 to the last class; we refuse it.
    with pytest.raises(ValueError, match=r"`y` must hold labels 0..9. Received: y\[1\]=-1"):
        one_hot(np.array([2, -1]))
    with pytest.raises(ValueError, match=r"Received: y\[0\]=10"):
        one_hot(np.array([10]))
    with pytest.raises(ValueError, match=r"shape \(n,\)\. Received: y.shape=\(2, 1\)"):
        one_hot(np.array([[1], [2]]))
    assert one_hot(np.array([2]), num_classes=3).tolist() == [[0.0, 0.0, 1.0]]


def test_default_split_reproduces_the_lectures_train_test_split():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(1000, 784), dtype=np.uint8)
    y = one_hot(rng.integers(0, 10, size=1000))
    ours = train_val_split(x, y)
    lecture = train_test_split(x, y, test_size=0.1, random_state=2)
    assert [a.shape for a in ours] == [(900, 784), (100, 784), (900, 10), (100, 10)]
    for a, b in zip(ours, lecture):
        np.testing.assert_array_equal(a, b)


def test_stratified_split_keeps_class_proportions():
    y = np.repeat(np.arange(10), 100)
    x = np.arange(1000)
    _, _, y_train, y_val = train_val_split(x, y, val_fraction=0.2, seed=0, stratify=True)
    assert np.bincount(y_val).tolist() == [20] * 10
    assert np.bincount(y_train).tolist() == [80] * 10


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"val_fraction": 0.0}, r"`val_fraction` must be a number > 0 and < 1. Received: val_fraction=0.0"),
        ({"val_fraction": 1.5}, r"Received: val_fraction=1.5"),
    ],
)
def test_split_rejects_bad_fractions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_val_split(np.zeros(10), np.zeros(10), **kwargs)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"same number of rows\. Received: 10 and 9"):
        train_val_split(np.zeros(10), np.zeros(9))
