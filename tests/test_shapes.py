"""Tests for cnn_lectures.shapes: the formulas agree with real Keras layers and with the lectures."""

import itertools

import numpy as np
import pytest

from cnn_lectures.shapes import (
    conv_output_size,
    conv_param_count,
    dense_param_count,
    receptive_field,
)

# (n, kernel_size, stride, padding) where the kernel fits the padded input.
GRID = [
    (n, k, s, p)
    for n, k, s, p in itertools.product((4, 7, 8, 28), (1, 2, 3, 5), (1, 2, 3), (0, 1, 2))
    if n + 2 * p >= k
]


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


@pytest.mark.parametrize("n, kernel_size, stride, padding", GRID)
def test_conv_output_size_matches_keras_conv2d(keras, n, kernel_size, stride, padding):
    x = np.zeros((1, n, n, 1), dtype="float32")
    if padding:
        x = keras.layers.ZeroPadding2D(padding)(x)
    conv = keras.layers.Conv2D(1, kernel_size, strides=stride, padding="valid")
    out = conv(x)
    expected = conv_output_size(n, kernel_size, stride=stride, padding=padding)
    assert tuple(out.shape[1:3]) == (expected, expected)


@pytest.mark.parametrize("n, pool_size, stride", [(4, 2, 2), (7, 2, 2), (7, 3, 2), (28, 2, 2), (13, 3, 1)])
def test_conv_output_size_matches_keras_max_pooling(keras, n, pool_size, stride):
    out = keras.layers.MaxPooling2D(pool_size, strides=stride)(np.zeros((1, n, n, 1), "float32"))
    assert out.shape[1] == conv_output_size(n, pool_size, stride=stride)


@pytest.mark.parametrize("n, kernel_size, stride", [(7, 3, 1), (7, 3, 2), (28, 5, 1), (28, 7, 2), (5, 3, 3)])
def test_conv_output_size_same_padding_matches_keras(keras, n, kernel_size, stride):
    conv = keras.layers.Conv2D(1, kernel_size, strides=stride, padding="same")
    out = conv(np.zeros((1, n, n, 1), "float32"))
    assert out.shape[1] == conv_output_size(n, kernel_size, stride=stride, padding="same")


@pytest.mark.parametrize(
    "n, kernel_size, stride, padding, expected",
    [
        (32, 5, 1, 0, 28),  # lecture 003: 32x32x3 image, 5x5x3 filter -> 28x28 activation map
        (7, 3, 1, 0, 5),  # lecture 003: 7x7 input, 3x3 filter
        (7, 3, 2, 0, 3),  # ... stride 2 -> 3x3
        (7, 3, 1, 1, 7),  # ... pad 1 keeps 7x7
        (6, 3, 1, 1, 6),  # lecture 000: 6x6 padded to 8x8, 3x3 edge kernel -> 6x6
        (28, 5, 1, "same", 28),  # the lecture CNN's first conv
        (227, 11, 4, "valid", 55),  # AlexNet conv1
    ],
)
def test_conv_output_size_lecture_examples(n, kernel_size, stride, padding, expected):
    assert conv_output_size(n, kernel_size, stride=stride, padding=padding) == expected


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n=3, kernel_size=5), ValueError, "kernel does not fit"),
        (dict(n=3, kernel_size=5, padding=0), ValueError, "Received: n=3, kernel_size=5"),
        (dict(n=0, kernel_size=1), ValueError, "`n` must be an integer >= 1. Received: n=0"),
        (dict(n=8, kernel_size=3, stride=0), ValueError, "`stride` must be an integer >= 1. Received: stride=0"),
        (dict(n=8, kernel_size=3, padding=-1), ValueError, "`padding` must be an integer >= 0. Received: padding=-1"),
        (dict(n=8, kernel_size=3, padding="full"), ValueError, "'valid' or 'same'"),
        (dict(n=8.0, kernel_size=3), TypeError, "must be an integer"),
        (dict(n=8, kernel_size=True), TypeError, "must be an integer"),
    ],
)
def test_conv_output_size_errors(kwargs, error, match):
    n, kernel_size = kwargs.pop("n"), kwargs.pop("kernel_size")
    with pytest.raises(error, match=match):
        conv_output_size(n, kernel_size, **kwargs)


@pytest.mark.parametrize(
    "kernel_size, in_channels, filters, bias",
    [(5, 1, 8, True), (3, 8, 16, True), (3, 3, 64, False), ((1, 7), 32, 4, True), (11, 3, 96, True)],
)
def test_conv_param_count_matches_keras(keras, kernel_size, in_channels, filters, bias):
    conv = keras.layers.Conv2D(filters, kernel_size, use_bias=bias)
    conv.build((None, 16, 16, in_channels))
    assert conv_param_count(kernel_size, in_channels, filters, bias=bias) == conv.count_params()


@pytest.mark.parametrize("in_features, units, bias", [(784, 256, True), (256, 10, True), (9216, 4096, False)])
def test_dense_param_count_matches_keras(keras, in_features, units, bias):
    dense = keras.layers.Dense(units, use_bias=bias)
    dense.build((None, in_features))
    assert dense_param_count(in_features, units, bias=bias) == dense.count_params()


def test_lecture_cnn_parameter_table():
    # 208 + 1,168 + 200,960 + 2,570 = 204,906 (lecture 003's model summary).
    counts = [
        conv_param_count(5, 1, 8),
        conv_param_count(3, 8, 16),
        dense_param_count(7 * 7 * 16, 256),
        dense_param_count(256, 10),
    ]
    assert counts == [208, 1168, 200960, 2570]


@pytest.mark.parametrize(
    "kernel_size, in_channels, filters, error, match",
    [
        ((3, 3, 3), 3, 8, ValueError, "pair"),
        (3, 0, 8, ValueError, "`in_channels` must be an integer >= 1. Received: in_channels=0"),
        (3, 3, 2.5, TypeError, "filters` must be an integer"),
    ],
)
def test_conv_param_count_errors(kernel_size, in_channels, filters, error, match):
    with pytest.raises(error, match=match):
        conv_param_count(kernel_size, in_channels, filters)


@pytest.mark.parametrize(
    "layers, expected",
    [
        ([], 1),
        ([3], 3),
        ([3, 3], 5),  # lecture 004: two stacked 3x3 -> 5x5
        ([3, 3, 3], 7),  # three -> 7x7, same as one 7x7
        ([7], 7),
        ([(3, 1), (2, 2), (3, 1)], 8),  # a 2x2/2 pool doubles the step of what follows
        ([(11, 4), (3, 2)], 19),  # AlexNet conv1 + pool1
    ],
)
def test_receptive_field(layers, expected):
    assert receptive_field(layers) == expected


def test_receptive_field_matches_gradient_support(keras):
    # The field is what the gradient of one output unit touches in the input.
    import tensorflow as tf

    stack = keras.Sequential(
        [
            keras.Input((16, 16, 1)),
            keras.layers.Conv2D(1, 3),
            keras.layers.AveragePooling2D(2),  # max pooling would route to one pixel per window
            keras.layers.Conv2D(1, 3),
        ]
    )
    x = tf.constant(np.random.default_rng(0).normal(size=(1, 16, 16, 1)), dtype="float32")
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = stack(x)[0, 2, 2, 0]
    touched = np.argwhere(tape.gradient(y, x).numpy()[0, :, :, 0] != 0)
    side = touched.max(axis=0) - touched.min(axis=0) + 1
    assert tuple(side) == (8, 8) == (receptive_field([3, (2, 2), 3]),) * 2


@pytest.mark.parametrize(
    "layers, error, match",
    [
        (3, TypeError, "sequence"),
        ([(3, 1, 1)], ValueError, "pair"),
        ([0], ValueError, "`kernel_size` must be an integer >= 1. Received: kernel_size=0"),
    ],
)
def test_receptive_field_errors(layers, error, match):
    with pytest.raises(error, match=match):
        receptive_field(layers)
