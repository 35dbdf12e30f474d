"""cnn_lectures._validation: one policy -- TypeError for a wrong type (bool included), ValueError for a
wrong value -- and messages that name the argument and what was received."""

import numpy as np
import pytest

from cnn_lectures._validation import (
    check_augment,
    check_choice,
    check_class_indices,
    check_images,
    check_int,
    check_labels,
    check_nhwc,
    check_nhwc_image,
    check_number,
    check_seed,
    scale_pixels,
)


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [(3, {}, 3), (np.int64(3), {"min_value": 1}, 3), (0, {"min_value": 0, "max_value": 0}, 0)],
)
def test_check_int_returns_a_python_int(value, kwargs, expected):
    found = check_int(value, "n", **kwargs)
    assert found == expected and type(found) is int


@pytest.mark.parametrize(
    "value, kwargs, error, match",
    [
        (True, {}, TypeError, r"`n` must be an integer. Received: n=True\."),
        (2.0, {"min_value": 1}, TypeError, r"`n` must be an integer >= 1. Received: n=2.0\."),
        ("3", {}, TypeError, r"Received: n='3'"),
        (None, {}, TypeError, r"Received: n=None"),
        (0, {"min_value": 1}, ValueError, r"`n` must be an integer >= 1. Received: n=0\."),
        (5, {"min_value": 0, "max_value": 4}, ValueError, r"`n` must be an integer in \[0, 4\]. Received: n=5\."),
        (5, {"max_value": 4}, ValueError, r"`n` must be an integer <= 4"),
    ],
)
def test_check_int_refuses_with_one_policy(value, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_int(value, "n", **kwargs)


@pytest.mark.parametrize(
    "value, kwargs, error, match",
    [
        (False, {}, TypeError, "rate=False"),
        ("0.5", {}, TypeError, "rate='0.5'"),
        (
            1.0,
            {"min_value": 0, "max_value": 1, "include_max": False},
            ValueError,
            r"number >= 0 and < 1\. Received: rate=1.0",
        ),
        (0.0, {"min_value": 0, "include_min": False}, ValueError, r"number > 0\. Received: rate=0.0"),
        (float("nan"), {"min_value": 0}, ValueError, "rate=nan"),
    ],
)
def test_check_number_refuses_with_one_policy(value, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_number(value, "rate", **kwargs)


def test_check_number_returns_a_float():
    assert check_number(1, "rate", min_value=0) == 1.0 and isinstance(check_number(1, "rate"), float)


def test_check_choice_and_the_augment_modes():
    assert [check_augment(mode) for mode in ("fast", "generator", "none", "layers", None)] == [
        "fast",
        "generator",
        "none",
        "fast",
        "none",
    ]
    with pytest.raises(
        ValueError, match=r"`augment` must be one of 'fast', 'generator', 'none'. Received: augment=True"
    ):
        check_augment(True)
    with pytest.raises(ValueError, match=r"Received: mode=\[1\]"):
        check_choice([1], "mode", ("a", "b"))  # unhashable: not a choice, no TypeError from the lookup


def test_check_seed():
    assert check_seed(None) is None and check_seed(7) == 7
    with pytest.raises(TypeError, match="seed=None"):
        check_seed(None, allow_none=False)
    with pytest.raises(ValueError, match="seed=-1"):
        check_seed(-1)


def test_check_images_scales_reshapes_and_does_not_copy_what_is_already_right():
    rows = np.full((2, 784), 255, np.uint8)
    images = check_images(rows)
    assert images.shape == (2, 28, 28, 1) and images.dtype == np.float32 and images.max() == 1.0
    ready = np.zeros((3, 28, 28, 1), np.float32)
    assert check_images(ready) is ready
    assert check_images(np.zeros((3, 28, 28))).shape == (3, 28, 28, 1)


@pytest.mark.parametrize(
    "x, error, match",
    [
        (np.zeros((0, 28, 28, 1), np.uint8), ValueError, r"n >= 1. Received: x.shape=\(0, 28, 28, 1\)"),
        (np.zeros((4, 783), np.uint8), ValueError, r"Received: x.shape=\(4, 783\)"),
        (np.zeros((2, 784), bool), TypeError, "x.dtype=bool"),
        (np.full((2, 784), 256), ValueError, "0..255. Received values from 256 to 256"),
        (np.full((2, 28, 28, 1), 1.5), ValueError, "normalize first. Received values from 1.5 to 1.5"),
        (np.array([["a"] * 784]), TypeError, "x.dtype=<U1"),
    ],
)
def test_check_images_refuses(x, error, match):
    with pytest.raises(error, match=match):
        check_images(x)


def test_scale_pixels_is_x_over_255_in_float32():
    np.testing.assert_array_equal(scale_pixels(np.array([0, 51, 255])), np.array([0, 0.2, 1], np.float32))


def test_check_class_indices_reads_integers_whole_floats_and_one_hot_rows():
    np.testing.assert_array_equal(check_class_indices([2, 0, 1]), [2, 0, 1])
    np.testing.assert_array_equal(check_class_indices(np.array([2.0, 0.0])), [2, 0])
    np.testing.assert_array_equal(check_class_indices(np.eye(3)[[2, 0]], num_classes=3), [2, 0])
    assert check_class_indices([1, 2]).dtype == np.int64


@pytest.mark.parametrize(
    "y, kwargs, error, match",
    [
        ([0, 1.5], {}, ValueError, r"whole-number labels. Received: y\[1\]=1.5"),
        ([0, 10], {"num_classes": 10}, ValueError, r"labels 0..9. Received: y\[1\]=10"),
        ([-1], {"num_classes": 10}, ValueError, r"Received: y\[0\]=-1"),
        ([True, False], {}, TypeError, "y.dtype=bool"),
        (["3"], {}, TypeError, "y.dtype=<U1"),
        (
            np.zeros((2, 9)),
            {"num_classes": 10},
            ValueError,
            r"one-hot rows of shape \(n, 10\). Received: y.shape=\(2, 9\)",
        ),
        (np.zeros((2, 2, 2)), {}, ValueError, r"Received: y.shape=\(2, 2, 2\)"),
        ([0, 1], {"num_samples": 3}, ValueError, "3 labels. Received: 2"),
    ],
)
def test_check_class_indices_refuses(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_class_indices(y, **kwargs)


def test_check_labels_gives_one_hot_float32():
    encoded = check_labels([3, 4])
    assert encoded.shape == (2, 10) and encoded.dtype == np.float32 and encoded[0, 3] == 1.0
    soft = np.full((2, 10), 0.1, np.float32)
    assert check_labels(soft) is soft  # one-hot (or soft) rows pass through
    with pytest.raises(ValueError, match=r"Received: y.shape=\(2, 9\)"):
        check_labels(np.zeros((2, 9)))


def test_nhwc_checks_name_the_argument():
    assert check_nhwc(np.zeros((2, 5, 5, 3))).dtype == np.float32
    assert check_nhwc_image(np.zeros((1, 5, 5, 1))).shape == (5, 5, 1)
    with pytest.raises(ValueError, match=r"Received: pool.shape=\(5, 5\)"):
        check_nhwc(np.zeros((5, 5)), "pool")
    with pytest.raises(ValueError, match=r"image\[\.\.\., None\]"):
        check_nhwc_image(np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"pass x\[i\]"):
        check_nhwc_image(np.zeros((2, 5, 5, 1)))
