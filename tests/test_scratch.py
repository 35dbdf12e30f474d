"""Tests for cnn_lectures.scratch: each NumPy layer against TensorFlow/Keras and numerical gradients.

Forward passes are compared with Keras layers (float64 dtype) or ``tf.nn`` ops; backward passes
with ``tf.GradientTape`` given the same upstream gradient ``dout``; all in float64, where two
correct implementations agree to round-off (relative error far below 1e-6).
"""

import functools

import numpy as np
import pytest

from cnn_lectures import scratch
from cnn_lectures.scratch import (
    avg_pool_backward,
    avg_pool_forward,
    channel_max_pool_backward,
    channel_max_pool_forward,
    conv2d_backward,
    conv2d_forward,
    dense_backward,
    dense_forward,
    max_pool_backward,
    max_pool_forward,
    maxout,
    maxout_backward,
    mse,
    numerical_gradient,
    relative_error,
    softmax,
    softmax_cross_entropy,
)

TOL = 1e-6  # the bound for scratch vs TensorFlow, float64
NUM_TOL = 1e-7  # analytic vs central differences (eps=1e-5): typically ~1e-10


@pytest.fixture(scope="module")
def tf():
    import tensorflow as tf

    return tf


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def assert_matches_numerical(analytic, f, x, dout=None):
    """The analytic gradient agrees with central differences of ``sum(f(x) * dout)``."""
    assert relative_error(analytic, numerical_gradient(f, x, dout=dout)) < NUM_TOL


def tape_gradients(tf, fn, inputs, dout):
    """Gradients of ``sum(fn(*inputs) * dout)`` w.r.t. every input, as float64 NumPy arrays."""
    tensors = [tf.constant(v, dtype=tf.float64) for v in inputs]
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        out = fn(*tensors)
    return out.numpy(), [g.numpy() for g in tape.gradient(out, tensors, output_gradients=dout)]


# --- dense ------------------------------------------------------------------------------------

DENSE_CASES = [(1, 3, 2), (4, 5, 3), (8, 784, 10)]


@pytest.mark.parametrize("batch, in_features, units", DENSE_CASES)
def test_dense_matches_keras_and_gradient_tape(tf, keras, batch, in_features, units):
    rng = np.random.default_rng(batch + units)
    x = rng.normal(size=(batch, in_features))
    w, b = rng.normal(size=(in_features, units)), rng.normal(size=units)
    out, cache = dense_forward(x, w, b)
    layer = keras.layers.Dense(units, dtype="float64")
    layer.build((None, in_features))
    layer.set_weights([w, b])
    assert relative_error(out, layer(x).numpy()) < TOL

    dout = rng.normal(size=out.shape)
    _, expected = tape_gradients(tf, lambda x, w, b: tf.matmul(x, w) + b, (x, w, b), dout)
    for got, want in zip(dense_backward(dout, cache), expected):
        assert got.shape == want.shape
        assert relative_error(got, want) < TOL


def test_dense_numerical_gradients():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    out, cache = dense_forward(x, w, b)
    dout = rng.normal(size=out.shape)
    dx, dw, db = dense_backward(dout, cache)
    assert_matches_numerical(dx, lambda v: dense_forward(v, w, b)[0], x, dout)
    assert_matches_numerical(dw, lambda v: dense_forward(x, v, b)[0], w, dout)
    assert_matches_numerical(db, lambda v: dense_forward(x, w, v)[0], b, dout)


# --- conv2d -----------------------------------------------------------------------------------

# (x shape (n, h, w, c_in), kernel (kh, kw, c_out), stride, padding)
CONV_CASES = [
    ((2, 5, 5, 3), (3, 3, 4), 1, 0),
    ((2, 5, 5, 3), (3, 3, 4), 1, 1),
    ((1, 7, 6, 2), (3, 2, 3), 2, 1),
    ((2, 8, 8, 1), (5, 5, 2), 1, 2),
    ((1, 9, 9, 3), (3, 3, 2), 3, 0),
    ((3, 6, 7, 2), (1, 1, 5), 1, 0),
    ((1, 6, 6, 2), (2, 2, 3), (2, 1), (0, 1)),
    ((1, 23, 23, 3), (11, 11, 2), 4, 0),  # AlexNet-style 11x11 / 4
    ((2, 28, 28, 1), (5, 5, 8), 1, 2),  # the lecture CNN's first conv ("same")
]


def _conv_inputs(x_shape, kernel, seed):
    rng = np.random.default_rng(seed)
    kh, kw, c_out = kernel
    return (
        rng.normal(size=x_shape),
        rng.normal(size=(kh, kw, x_shape[3], c_out)),
        rng.normal(size=c_out),
    )


def _pairs(value):
    return value if isinstance(value, tuple) else (value, value)


@pytest.mark.parametrize("x_shape, kernel, stride, padding", CONV_CASES)
def test_conv2d_matches_keras_and_gradient_tape(tf, keras, x_shape, kernel, stride, padding):
    x, w, b = _conv_inputs(x_shape, kernel, seed=sum(x_shape))
    out, cache = conv2d_forward(x, w, b, stride=stride, padding=padding)

    (ph, pw), strides = _pairs(padding), _pairs(stride)
    layers = [keras.layers.ZeroPadding2D((ph, pw), dtype="float64")]
    conv = keras.layers.Conv2D(kernel[2], kernel[:2], strides=strides, dtype="float64")
    model = keras.Sequential([keras.Input(x_shape[1:], dtype="float64"), *layers, conv])
    conv.set_weights([w, b])
    assert out.shape[1:] == model.output_shape[1:]
    assert relative_error(out, model(x).numpy()) < TOL

    def tf_conv(x, w, b):
        padded = tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]])
        return tf.nn.conv2d(padded, w, strides=[1, *strides, 1], padding="VALID") + b

    dout = np.random.default_rng(7).normal(size=out.shape)
    _, expected = tape_gradients(tf, tf_conv, (x, w, b), dout)
    for got, want in zip(conv2d_backward(dout, cache), expected):
        assert got.shape == want.shape
        assert relative_error(got, want) < TOL


@pytest.mark.parametrize("x_shape, kernel, stride, padding", CONV_CASES[:7])
def test_conv2d_numerical_gradients(x_shape, kernel, stride, padding):
    x, w, b = _conv_inputs(x_shape, kernel, seed=3)
    conv = functools.partial(conv2d_forward, stride=stride, padding=padding)
    out, cache = conv(x, w, b)
    dout = np.random.default_rng(4).normal(size=out.shape)
    dx, dw, db = conv2d_backward(dout, cache)
    assert_matches_numerical(dx, lambda v: conv(v, w, b)[0], x, dout)
    assert_matches_numerical(dw, lambda v: conv(x, v, b)[0], w, dout)
    assert_matches_numerical(db, lambda v: conv(x, w, v)[0], b, dout)


def test_conv2d_vertical_edge_kernel():
    # Lecture 000: a vertical-edge kernel responds only where the image changes from left to right.
    image = np.zeros((1, 6, 6, 1))
    image[:, :, :3] = 10.0
    kernel = np.array([[1.0, 0.0, -1.0]] * 3)[:, :, None, None]
    out, _ = conv2d_forward(image, kernel, np.zeros(1))
    assert out[0, :, :, 0].tolist() == [[0.0, 30.0, 30.0, 0.0]] * 4


# --- pooling ----------------------------------------------------------------------------------

# (x shape, pool_size, stride); windows overlap where stride < pool_size.
POOL_CASES = [
    ((2, 4, 4, 3), 2, 2),
    ((1, 7, 7, 2), 3, 2),
    ((2, 6, 9, 1), (2, 3), (2, 3)),
    ((1, 5, 5, 2), 2, 1),
    ((1, 8, 8, 4), 3, 3),
    ((2, 28, 28, 8), 2, 2),
]


@pytest.mark.parametrize("x_shape, pool_size, stride", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_matches_keras_and_gradient_tape(tf, keras, kind, x_shape, pool_size, stride):
    forward, backward, tf_pool, keras_layer = {
        "max": (max_pool_forward, max_pool_backward, tf.nn.max_pool2d, keras.layers.MaxPooling2D),
        "avg": (avg_pool_forward, avg_pool_backward, tf.nn.avg_pool2d, keras.layers.AveragePooling2D),
    }[kind]
    rng = np.random.default_rng(len(x_shape) + x_shape[1])
    x = rng.permutation(np.prod(x_shape)).reshape(x_shape) / 7.0 - 3.0  # distinct values: no ties
    out, cache = forward(x, pool_size=pool_size, stride=stride)
    expected = keras_layer(pool_size, strides=stride, dtype="float64")(x).numpy()
    assert out.shape == expected.shape
    assert relative_error(out, expected) < TOL

    dout = rng.normal(size=out.shape)
    ksize, strides = list(_pairs(pool_size)), list(_pairs(stride))
    _, (want,) = tape_gradients(tf, lambda v: tf_pool(v, ksize, strides, "VALID"), (x,), dout)
    assert relative_error(backward(dout, cache), want) < TOL


@pytest.mark.parametrize("x_shape, pool_size, stride", POOL_CASES[:5])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_numerical_gradients(kind, x_shape, pool_size, stride):
    forward, backward = {
        "max": (max_pool_forward, max_pool_backward),
        "avg": (avg_pool_forward, avg_pool_backward),
    }[kind]
    x = np.random.default_rng(5).normal(size=x_shape)
    out, cache = forward(x, pool_size=pool_size, stride=stride)
    dout = np.random.default_rng(6).normal(size=out.shape)
    pool = functools.partial(forward, pool_size=pool_size, stride=stride)
    assert_matches_numerical(backward(dout, cache), lambda v: pool(v)[0], x, dout)


def test_max_pool_lecture_example():
    # Lecture 002: the feature map [[7, 3, 0, 1], [-1, -2, 4, 0]] with 2x2 windows -> [7, 4].
    feature_map = np.array([[7, 3, 0, 1], [-1, -2, 4, 0]], dtype=float)[None, :, :, None]
    out, cache = max_pool_forward(feature_map, pool_size=2, stride=2)
    assert out[0, :, :, 0].tolist() == [[7.0, 4.0]]

    # Lecture 003/004 backprop rule: the gradient goes to the arg-max only.
    dx = max_pool_backward(np.array([[[[0.5], [2.0]]]]), cache)
    assert dx[0, :, :, 0].tolist() == [[0.5, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0]]


def test_max_pool_tie_sends_whole_gradient_to_first_maximum():
    x = np.ones((1, 2, 2, 1))
    out, cache = max_pool_forward(x)
    dx = max_pool_backward(np.full(out.shape, 3.0), cache)
    assert dx[0, :, :, 0].tolist() == [[3.0, 0.0], [0.0, 0.0]]


def test_avg_pool_spreads_gradient_evenly():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    out, cache = avg_pool_forward(x)
    assert out[0, :, :, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]
    dx = avg_pool_backward(np.ones(out.shape), cache)
    np.testing.assert_array_equal(dx, np.full(x.shape, 0.25))


@pytest.mark.parametrize("x_shape, pool_size", [((2, 3, 3, 4), 2), ((1, 4, 5, 6), 3), ((1, 2, 2, 5), 5)])
def test_channel_max_pool_matches_gradient_tape(tf, x_shape, pool_size):
    rng = np.random.default_rng(pool_size)
    x = rng.normal(size=x_shape)
    out, cache = channel_max_pool_forward(x, pool_size=pool_size)
    groups = x_shape[3] // pool_size

    def tf_channel_pool(v):
        return tf.reduce_max(tf.reshape(v, (*x_shape[:3], groups, pool_size)), axis=-1)

    dout = rng.normal(size=out.shape)
    expected_out, (want,) = tape_gradients(tf, tf_channel_pool, (x,), dout)
    assert out.shape == (*x_shape[:3], groups)
    assert relative_error(out, expected_out) < TOL
    assert relative_error(channel_max_pool_backward(dout, cache), want) < TOL
    pool = functools.partial(channel_max_pool_forward, pool_size=pool_size)
    assert_matches_numerical(channel_max_pool_backward(dout, cache), lambda v: pool(v)[0], x, dout)


# --- activations ------------------------------------------------------------------------------


def _tf_activations(tf, keras):
    return {
        "relu": (scratch.relu, scratch.relu_grad, tf.nn.relu),
        "sigmoid": (scratch.sigmoid, scratch.sigmoid_grad, tf.sigmoid),
        "tanh": (scratch.tanh, scratch.tanh_grad, tf.tanh),
        "leaky_relu": (scratch.leaky_relu, scratch.leaky_relu_grad, lambda v: tf.nn.leaky_relu(v, alpha=0.1)),
        "elu": (scratch.elu, scratch.elu_grad, tf.nn.elu),
        "elu_alpha_0.5": (
            functools.partial(scratch.elu, alpha=0.5),
            functools.partial(scratch.elu_grad, alpha=0.5),
            lambda v: keras.activations.elu(v, alpha=0.5),
        ),
    }


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "leaky_relu", "elu", "elu_alpha_0.5"])
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 3, 2)])
def test_activation_and_derivative_match_gradient_tape(tf, keras, name, shape):
    f, f_grad, tf_f = _tf_activations(tf, keras)[name]
    x = np.random.default_rng(len(shape)).normal(scale=3.0, size=shape)
    expected, (derivative,) = tape_gradients(tf, tf_f, (x,), np.ones(shape))
    assert relative_error(f(x), expected) < TOL
    assert relative_error(f_grad(x), derivative) < TOL
    assert_matches_numerical(f_grad(x), f, x, np.ones(shape))


@pytest.mark.parametrize(
    "f, x, expected",
    [
        (scratch.leaky_relu, [-10.0, 0.0, 2.0], [-1.0, 0.0, 2.0]),  # max(0.1x, x)
        (scratch.relu, [-1.0, 0.0, 3.0], [0.0, 0.0, 3.0]),
        (scratch.sigmoid, [0.0, 800.0, -800.0], [0.5, 1.0, 0.0]),  # no overflow
        (scratch.sigmoid_grad, [0.0], [0.25]),
        (scratch.relu_grad, [-1.0, 0.0, 1.0], [0.0, 0.0, 1.0]),
        (scratch.leaky_relu_grad, [-1.0, 1.0], [0.1, 1.0]),
    ],
)
def test_activation_values(f, x, expected):
    np.testing.assert_allclose(f(np.array(x)), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("shape, pieces", [((4, 6), 2), ((2, 3, 9), 3), ((5, 4), 1)])
def test_maxout_matches_gradient_tape(tf, shape, pieces):
    rng = np.random.default_rng(pieces)
    z = rng.normal(size=shape)
    units = shape[-1] // pieces

    def tf_maxout(v):
        return tf.reduce_max(tf.reshape(v, (*shape[:-1], units, pieces)), axis=-1)

    dout = rng.normal(size=(*shape[:-1], units))
    expected, (want,) = tape_gradients(tf, tf_maxout, (z,), dout)
    assert relative_error(maxout(z, pieces=pieces), expected) < TOL
    assert relative_error(maxout_backward(dout, z, pieces=pieces), want) < TOL
    dz = maxout_backward(dout, z, pieces=pieces)
    assert_matches_numerical(dz, lambda v: maxout(v, pieces=pieces), z, dout)


def test_maxout_is_lecture_formula():
    # max(w1.x + b1, w2.x + b2): a dense layer with two outputs, then maxout.
    x = np.array([[1.0, 2.0]])
    w = np.array([[1.0, -1.0], [0.5, 2.0]])
    b = np.array([0.0, 1.0])
    z, _ = dense_forward(x, w, b)
    assert maxout(z, pieces=2).tolist() == [[max(1 + 1.0, -1 + 4.0 + 1.0)]]


# --- losses -----------------------------------------------------------------------------------


@pytest.mark.parametrize("batch, classes, one_hot", [(1, 2, False), (5, 10, False), (4, 3, True)])
def test_softmax_cross_entropy_matches_tensorflow(tf, batch, classes, one_hot):
    rng = np.random.default_rng(batch)
    logits = rng.normal(scale=4.0, size=(batch, classes))
    labels = rng.integers(0, classes, size=batch)
    targets = np.eye(classes)[labels]
    loss, dlogits = softmax_cross_entropy(logits, targets if one_hot else labels)

    def tf_loss(v):
        return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(targets, v))

    expected, (want,) = tape_gradients(tf, tf_loss, (logits,), np.float64(1.0))
    assert abs(loss - expected) <= TOL * abs(expected)
    assert relative_error(dlogits, want) < TOL
    assert relative_error(softmax(logits), tf.nn.softmax(logits).numpy()) < TOL
    assert_matches_numerical(dlogits, lambda v: softmax_cross_entropy(v, labels)[0], logits)


def test_softmax_cross_entropy_is_stable_for_large_logits():
    loss, dlogits = softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))
    assert loss == pytest.approx(1000.0)
    assert np.all(np.isfinite(dlogits))


@pytest.mark.parametrize("shape", [(4, 1), (3, 5), (2, 4, 4, 1)])
def test_mse_matches_keras(tf, keras, shape):
    rng = np.random.default_rng(len(shape))
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    loss, dpred = mse(pred, target)

    def keras_mse(v):
        return keras.losses.MeanSquaredError(dtype="float64")(target, v)

    expected, (want,) = tape_gradients(tf, keras_mse, (pred,), np.float64(1.0))
    assert abs(loss - expected) <= TOL * abs(expected)
    assert relative_error(dpred, want) < TOL
    assert_matches_numerical(dpred, lambda v: mse(v, target)[0], pred)


def test_mse_on_xor_is_lecture_formula():
    # J = 1/4 * sum_x (f*(x) - f(x))^2 over XOR's four points.
    loss, _ = mse(np.array([[0.5], [0.5], [0.5], [0.5]]), np.array([[0.0], [1.0], [1.0], [0.0]]))
    assert loss == pytest.approx(0.25)


# --- gradient-check utilities -----------------------------------------------------------------


def test_numerical_gradient_of_known_function_and_input_untouched():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_chain_rule_lecture_example():
    # Lecture 001: f = (x + y) * z at x=-2, y=5, z=-4 (q = 3): df/dx = df/dy = z = -4, df/dz = q = 3.
    grad = numerical_gradient(lambda v: (v[0] + v[1]) * v[2], np.array([-2.0, 5.0, -4.0]))
    np.testing.assert_allclose(grad, [-4.0, -4.0, 3.0], rtol=1e-9)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (np.zeros(3), np.zeros(3), 0.0),
        (np.ones(3), np.ones(3), 0.0),
        (np.array([1.0, 0.0]), np.array([-1.0, 0.0]), 1.0),
        (np.array([3.0, 4.0]), np.array([0.0, 0.0]), 1.0),
        (np.array([1.0]), np.array([1.0 + 2e-6]), 1e-6),
    ],
)
def test_relative_error_values(a, b, expected):
    assert relative_error(a, b) == pytest.approx(expected, rel=1e-3, abs=1e-15)


def test_gradient_check_catches_a_wrong_backward():
    # The checks above can fail: a dx shifted by one pixel (an off-by-one in the padding crop)
    # or a dw 1% too large is far above the tolerance.
    x, w, b = _conv_inputs((1, 6, 6, 1), (3, 3, 1), seed=0)
    out, cache = conv2d_forward(x, w, b, padding=1)
    dout = np.random.default_rng(1).normal(size=out.shape)
    dx, dw, _ = conv2d_backward(dout, cache)
    numeric_dx = numerical_gradient(lambda v: conv2d_forward(v, w, b, padding=1)[0], x, dout=dout)
    numeric_dw = numerical_gradient(lambda v: conv2d_forward(x, v, b, padding=1)[0], w, dout=dout)
    assert relative_error(dx, numeric_dx) < NUM_TOL
    assert relative_error(np.roll(dx, 1, axis=1), numeric_dx) > 0.1
    assert relative_error(dw * 1.01, numeric_dw) > 1e-3


# --- training with the scratch pieces alone ---------------------------------------------------

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def test_exact_xor_solution_in_numpy():
    # The lecture's exact ReLU solution computes XOR with zero MSE.
    params = {
        "dense1_w": np.array([[1.0, 1.0], [1.0, 1.0]]),
        "dense1_b": np.array([0.0, -1.0]),
        "dense2_w": np.array([[1.0], [-2.0]]),
        "dense2_b": np.array([0.0]),
    }
    np.testing.assert_array_equal(scratch.mlp_predict(params, XOR_X), XOR_Y)
    loss, grads = scratch.mlp_loss(params, XOR_X, XOR_Y, loss="mse")
    assert loss == 0.0
    assert all(np.all(g == 0) for g in grads.values())


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_mlp_loss_gradients_match_numerical(loss):
    rng = np.random.default_rng(0)
    params = scratch.init_mlp((3, 5, 4, 2), seed=1)
    x = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=6) if loss == "cross_entropy" else rng.normal(size=(6, 2))
    _, grads = scratch.mlp_loss(params, x, y, loss=loss)
    for key, value in params.items():

        def loss_at(v, key=key):
            return scratch.mlp_loss({**params, key: v}, x, y, loss=loss)[0]

        assert_matches_numerical(grads[key], loss_at, value)


def test_mlp_learns_xor_with_scratch_pieces():
    params = scratch.init_mlp((2, 8, 1), seed=0)
    trained, losses = scratch.sgd_train(
        functools.partial(scratch.mlp_loss, loss="mse"),
        params,
        XOR_X,
        XOR_Y,
        learning_rate=0.1,
        epochs=500,
        batch_size=4,
        seed=0,
    )
    assert losses[0] > 0.1
    assert losses[-1] < 0.01
    np.testing.assert_array_equal(scratch.mlp_predict(trained, XOR_X) > 0.5, XOR_Y > 0.5)


def _bars(n, seed):
    """8x8 images with a bright vertical (label 0) or horizontal (label 1) bar plus noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    x = rng.normal(scale=0.3, size=(n, 8, 8, 1))
    where = rng.integers(1, 7, size=n)
    for i, (label, k) in enumerate(zip(labels, where)):
        if label == 0:
            x[i, :, k, 0] += 2.0
        else:
            x[i, k, :, 0] += 2.0
    return x, labels


def test_tiny_cnn_gradients_match_numerical():
    x, labels = _bars(4, seed=1)
    params = scratch.init_tiny_cnn(input_shape=(8, 8, 1), num_classes=2, filters=2, seed=0)
    _, grads = scratch.tiny_cnn_loss(params, x, labels)
    for key, value in params.items():

        def loss_at(v, key=key):
            return scratch.tiny_cnn_loss({**params, key: v}, x, labels)[0]

        assert_matches_numerical(grads[key], loss_at, value)


def test_tiny_cnn_learns_with_scratch_pieces():
    x, labels = _bars(128, seed=0)
    params = scratch.init_tiny_cnn(input_shape=(8, 8, 1), num_classes=2, filters=4, seed=0)
    before = scratch.tiny_cnn_loss(params, x, labels)[0]
    trained, losses = scratch.sgd_train(
        scratch.tiny_cnn_loss, params, x, labels, learning_rate=0.05, epochs=8, batch_size=16, seed=0
    )
    after = scratch.tiny_cnn_loss(trained, x, labels)[0]
    assert len(losses) == 8 * 8
    assert after < 0.5 * before
    accuracy = np.mean(scratch.tiny_cnn_predict(trained, x).argmax(axis=1) == labels)
    assert accuracy > 0.9
    assert params["conv_w"] is not trained["conv_w"]  # the initial parameters are untouched


# --- errors -----------------------------------------------------------------------------------

IMG, KERNEL, BIAS = np.zeros((1, 4, 4, 2)), np.zeros((3, 3, 2, 1)), np.zeros(1)
TINY_MLP = scratch.init_mlp((2, 1))

ERROR_CASES = [
    (lambda: conv2d_forward(IMG[0], KERNEL, BIAS), ValueError, "Received: x.shape"),
    (lambda: conv2d_forward(IMG, np.zeros((3, 3, 3, 1)), BIAS), ValueError, "Channels do not match"),
    (lambda: conv2d_forward(IMG, np.zeros((5, 5, 2, 1)), BIAS), ValueError, "kernel does not fit"),
    (lambda: conv2d_forward(IMG, KERNEL, BIAS, stride=0), ValueError, "stride"),
    (lambda: conv2d_forward(IMG, KERNEL, BIAS, padding=-1), ValueError, "padding"),
    (lambda: conv2d_forward(np.array([["a"]]), KERNEL, BIAS), TypeError, "numeric"),
    (lambda: dense_forward(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(5)), ValueError, "do not chain"),
    (lambda: dense_backward(np.zeros((2, 4)), (np.zeros((2, 3)), np.zeros((3, 5)))), ValueError, "dout"),
    (lambda: max_pool_forward(IMG, pool_size=5), ValueError, "kernel does not fit"),
    (lambda: max_pool_forward(IMG, pool_size=(2, 2, 2)), ValueError, "pool_size"),
    (lambda: max_pool_backward(np.zeros((1, 3, 3, 2)), max_pool_forward(IMG)[1]), ValueError, "dout"),
    (lambda: avg_pool_forward(np.zeros((4, 4))), ValueError, "x.shape"),
    (lambda: channel_max_pool_forward(np.zeros((1, 2, 2, 3))), ValueError, "multiple of `pieces`"),
    (lambda: maxout(np.zeros((2, 4)), pieces=0), ValueError, "pieces"),
    (lambda: maxout_backward(np.zeros((2, 3)), np.zeros((2, 4))), ValueError, "dout"),
    (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), ValueError, r"\[0, 3\)"),
    (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.zeros((2, 2))), ValueError, "labels.shape"),
    (lambda: mse(np.zeros(3), np.zeros(4)), ValueError, "same shape"),
    (lambda: numerical_gradient(lambda v: v, np.zeros(2)), ValueError, "scalar"),
    (lambda: numerical_gradient(np.zeros(2), np.zeros(2)), TypeError, "callable"),
    (lambda: numerical_gradient(np.sum, np.zeros(2), eps=0), ValueError, "eps"),
    (lambda: relative_error(np.zeros(2), np.zeros(3)), ValueError, "Shapes differ"),
    (lambda: scratch.init_mlp((3,)), ValueError, "layer_sizes"),
    (lambda: scratch.mlp_loss(TINY_MLP, IMG[0, 0, :1], np.zeros((1, 1)), loss="hinge"), ValueError, "loss"),
    (lambda: scratch.init_tiny_cnn(kernel_size=4), ValueError, "odd"),
    (lambda: scratch.sgd_step({"w": 1.0}, {"v": 1.0}, learning_rate=0.1), ValueError, "keys"),
    (lambda: scratch.sgd_train(scratch.mlp_loss, {}, np.zeros((2, 1)), np.zeros(3)), ValueError, "same"),
]


@pytest.mark.parametrize("call, error, match", ERROR_CASES)
def test_errors_say_what_was_received(call, error, match):
    with pytest.raises(error, match=match):
        call()
