"""Tests for cnn_lectures.interpret on small models with hand-set or seeded weights.

Each method gets shape/range checks and one property showing that it means what it says.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from cnn_lectures.interpret import (
    activation_maximization,
    feature_extractor,
    grad_cam,
    guided_backprop,
    invert_features,
    mean_activation,
    nearest_neighbors,
    occlusion_map,
    pixel_nearest_neighbors,
    saliency_map,
)
from cnn_lectures.models import lecture_cnn


def _seeded_weights(model, seed):
    """Glorot-uniform kernels from a seeded generator, small positive biases (so ReLUs are alive)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            kernel = weights[0]
            limit = np.sqrt(6.0 / (np.prod(kernel.shape[:-1]) + kernel.shape[-1]))
            kernel = rng.uniform(-limit, limit, kernel.shape).astype(np.float32)
            layer.set_weights([kernel] + [np.full(w.shape, 0.01, np.float32) for w in weights[1:]])
    return model


@pytest.fixture(scope="module")
def cnn():
    return _seeded_weights(lecture_cnn(), seed=1)


@pytest.fixture(scope="module")
def left_half_model():
    """A classifier that crops the image to its left half (columns 0..13) before anything else."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Cropping2D(((0, 0), (0, 14)), name="left_half")(inputs)
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    return _seeded_weights(keras.Model(inputs, outputs, name="left_half_model"), seed=2)


@pytest.fixture(scope="module")
def linear_model():
    """Softmax regression: its logit for class c is the dot product of the image with template c."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Flatten(name="flatten")(inputs)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    return _seeded_weights(keras.Model(inputs, outputs, name="linear_model"), seed=3)


def _image(seed=0):
    return np.random.default_rng(seed).random((28, 28, 1), dtype=np.float32)


# --- feature_extractor ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer_name, shape",
    [("block1_conv", (2, 28, 28, 8)), ("block2_pool", (2, 7, 7, 16)), ("fc1", (2, 256))],
)
def test_feature_extractor_outputs_the_named_layer(cnn, layer_name, shape):
    images = np.stack([_image(0), _image(1)])
    features = feature_extractor(cnn, layer_name)(images)
    assert tuple(features.shape) == shape


def test_feature_extractor_shares_weights_with_the_model(cnn):
    extractor = feature_extractor(cnn, "block1_conv")
    assert extractor.get_layer("block1_conv") is cnn.get_layer("block1_conv")


def test_feature_extractor_names_the_layers_when_the_name_is_wrong(cnn):
    with pytest.raises(ValueError, match="No layer named 'conv9'.*block1_conv, block1_pool"):
        feature_extractor(cnn, "conv9")


# --- saliency_map -----------------------------------------------------------------------------


@pytest.mark.parametrize("score", ["logit", "probability"])
def test_saliency_is_zero_where_the_model_does_not_look(left_half_model, score):
    saliency = saliency_map(left_half_model, _image(), class_index=3, score=score)
    assert saliency.shape == (28, 28) and saliency.dtype == np.float32
    assert np.all(saliency >= 0)
    assert np.all(saliency[:, 14:] == 0)  # right half: cropped away
    assert np.count_nonzero(saliency[:, :14]) > 0.9 * 28 * 14


def test_saliency_of_a_linear_classifier_is_its_weight_template(linear_model):
    kernel = linear_model.get_layer("predictions").kernel.numpy()  # (784, 10)
    saliency = saliency_map(linear_model, _image(), class_index=7)
    np.testing.assert_allclose(saliency, np.abs(kernel[:, 7]).reshape(28, 28), rtol=1e-5)


def test_saliency_defaults_to_the_predicted_class(cnn):
    image = _image()
    predicted = int(np.argmax(cnn(image[None])))
    np.testing.assert_array_equal(saliency_map(cnn, image), saliency_map(cnn, image, predicted))


def test_saliency_accepts_a_batch_of_one(cnn):
    image = _image()
    np.testing.assert_array_equal(saliency_map(cnn, image[None], 2), saliency_map(cnn, image, 2))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"image": np.zeros((28, 28))},
            r"add a channel axis with image\[\.\.\., None\]. Received: image.shape=\(28, 28\)",
        ),
        ({"image": np.zeros((2, 28, 28, 1))}, r"pass x\[i\], not the whole batch"),
        ({"class_index": 10}, r"`class_index` must be an integer in \[0, 9\]. Received: class_index=10"),
        ({"class_index": -1}, "Received: class_index=-1"),
        ({"score": "softmax"}, "`score` must be one of 'logit', 'probability'. Received: score='softmax'"),
    ],
)
def test_saliency_rejects_bad_arguments(cnn, kwargs, match):
    arguments = {"image": _image(), "class_index": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        saliency_map(cnn, **arguments)


def test_logit_score_needs_a_softmax_or_linear_head():
    inputs = keras.Input(shape=(28, 28, 1))
    outputs = layers.Dense(1, activation="sigmoid", name="out")(layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    with pytest.raises(ValueError, match="pass score='probability'"):
        saliency_map(model, _image(), 0)
    assert saliency_map(model, _image(), 0, score="probability").shape == (28, 28)


# --- grad_cam ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def brightness_model():
    """Class 0 = mean brightness (channel 0 = relu(x)); class 1 = mean darkness (channel 1 = relu(-x))."""
    inputs = keras.Input(shape=(28, 28, 1))
    maps = layers.Conv2D(2, 3, padding="same", activation="relu", name="detector")(inputs)
    pooled = layers.GlobalAveragePooling2D(name="pool")(maps)
    outputs = layers.Dense(2, activation="softmax", name="predictions")(pooled)
    model = keras.Model(inputs, outputs)
    kernel = np.zeros((3, 3, 1, 2), np.float32)
    kernel[..., 0, 0] = 1 / 9  # local mean
    kernel[..., 0, 1] = -1 / 9
    model.get_layer("detector").set_weights([kernel, np.zeros(2, np.float32)])
    model.get_layer("predictions").set_weights([np.eye(2, dtype=np.float32), np.zeros(2, np.float32)])
    return model


def test_grad_cam_lights_up_where_the_evidence_is(brightness_model):
    image = np.zeros((28, 28, 1), np.float32)
    image[3:9, 4:10] = 1.0  # a bright blob in the top-left corner
    cam = grad_cam(brightness_model, image, class_index=0)
    assert cam.shape == (28, 28) and cam.dtype == np.float32
    assert cam.max() == pytest.approx(1.0)
    peak = np.unravel_index(np.argmax(cam), cam.shape)
    assert 3 <= peak[0] < 9 and 4 <= peak[1] < 10
    assert np.all(cam[14:, 14:] == 0)  # nothing in the bottom-right quarter
    # No location is evidence for "dark" on a non-negative image: the map is all zeros.
    np.testing.assert_array_equal(grad_cam(brightness_model, image, class_index=1), 0.0)


@pytest.mark.parametrize(
    "layer_name, upsample, shape",
    [
        (None, True, (28, 28)),
        (None, False, (14, 14)),  # block2_conv, the last Conv2D
        ("block1_conv", False, (28, 28)),
        ("block1_pool", False, (14, 14)),
    ],
)
def test_grad_cam_shapes_and_range(cnn, layer_name, upsample, shape):
    cam = grad_cam(cnn, _image(), 4, layer_name, upsample=upsample)
    assert cam.shape == shape
    assert cam.min() >= 0.0 and cam.max() <= 1.0


def test_grad_cam_rejects_a_dense_layer(cnn):
    with pytest.raises(ValueError, match="4-D output.*'fc1'"):
        grad_cam(cnn, _image(), 0, "fc1")


# --- occlusion_map ----------------------------------------------------------------------------


def test_occluding_the_ignored_half_changes_nothing(left_half_model):
    occlusion = occlusion_map(left_half_model, _image(), 3, patch_size=7, stride=7)
    assert occlusion.shape == (28, 28) and occlusion.dtype == np.float32
    # patches at columns 14 and 21 lie in the cropped half; with oneDNN on, a batch of 16 and a batch
    # of 1 round differently, so "nothing" is within float32 rounding (7e-8 measured), not exact
    assert np.abs(occlusion[:, 14:]).max() <= 1e-6
    assert np.abs(occlusion[:, :14]).max() > 0


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_occlusion_of_a_linear_classifier_matches_the_softmax_by_hand(linear_model):
    # On an all-ones image, hiding pixel p (fill 0) subtracts row p of the kernel from the logits.
    image = np.ones((28, 28, 1), np.float32)
    occlusion = occlusion_map(linear_model, image, 5, patch_size=1, stride=1)
    kernel, bias = linear_model.get_layer("predictions").get_weights()
    logits = kernel.sum(axis=0) + bias
    occluded_logits = logits[None, :] - kernel  # (784, 10): one row per hidden pixel
    expected = _softmax(logits)[5] - _softmax(occluded_logits)[:, 5]
    np.testing.assert_allclose(occlusion.reshape(-1), expected, atol=1e-6)
    assert (occlusion > 0).any() and (occlusion < 0).any()


def test_occlusion_covers_every_pixel_when_the_stride_does_not_divide(cnn):
    occlusion = occlusion_map(cnn, _image(), 1, patch_size=5, stride=4)
    assert occlusion.shape == (28, 28) and np.all(np.isfinite(occlusion))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"patch_size": 0}, r"`patch_size` must be an integer in \[1, 28\]. Received: patch_size=0"),
        ({"patch_size": 29}, r"Received: patch_size=29"),
    ],
)
def test_occlusion_rejects_bad_patches(cnn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        occlusion_map(cnn, _image(), 0, **kwargs)


def test_occlusion_refuses_a_fractional_stride_as_a_type_error(cnn):
    with pytest.raises(TypeError, match="`stride` must be an integer >= 1. Received: stride=1.5"):
        occlusion_map(cnn, _image(), 0, stride=1.5)


# --- guided_backprop --------------------------------------------------------------------------


def _strongest(cnn, image, layer_name, filter_index):
    activations = feature_extractor(cnn, layer_name)(image[None])[0, ..., filter_index].numpy()
    return np.unravel_index(np.argmax(activations), activations.shape)


def test_projecting_a_first_layer_activation_gives_back_its_filter(cnn):
    image = _image()
    row, col = _strongest(cnn, image, "block1_conv", 2)
    assert 2 <= row < 26 and 2 <= col < 26  # the 5x5 window fits in the image for this seed
    reconstruction = guided_backprop(cnn, image, "block1_conv", 2)
    assert reconstruction.shape == (28, 28, 1) and reconstruction.dtype == np.float32
    kernel = cnn.get_layer("block1_conv").kernel.numpy()[:, :, :, 2]
    np.testing.assert_allclose(reconstruction[row - 2 : row + 3, col - 2 : col + 3], kernel, rtol=1e-5)
    outside = reconstruction.copy()
    outside[row - 2 : row + 3, col - 2 : col + 3] = 0
    assert np.all(outside == 0)


@pytest.mark.parametrize("rule", ["guided", "deconvnet", "gradient"])
def test_one_activation_projects_only_into_its_receptive_field(cnn, rule):
    # block2_conv at pooled position (i, j): 3x3 over pool rows i-1..i+1 = conv1 rows 2i-2..2i+3,
    # widened by conv1's 5x5 kernel to input rows 2i-4..2i+5 (a 10x10 window).
    image = _image(5)
    i, j = _strongest(cnn, image, "block2_conv", 5)
    reconstruction = guided_backprop(cnn, image, "block2_conv", 5, rule=rule)[..., 0]
    rows, cols = np.nonzero(reconstruction)
    assert rows.size > 0
    assert rows.min() >= 2 * i - 4 and rows.max() <= 2 * i + 5
    assert cols.min() >= 2 * j - 4 and cols.max() <= 2 * j + 5


def test_gradient_rule_equals_the_plain_gradient_and_guided_differs(cnn):
    image = _image(6)
    x = tf.convert_to_tensor(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        target = tf.reduce_max(feature_extractor(cnn, "block2_conv")(x)[0, ..., 7])
    expected = tape.gradient(target, x)[0].numpy()
    np.testing.assert_allclose(guided_backprop(cnn, image, "block2_conv", 7, rule="gradient"), expected, atol=1e-6)
    assert not np.allclose(guided_backprop(cnn, image, "block2_conv", 7, rule="guided"), expected, atol=1e-6)


def test_guided_backprop_restores_the_relus(cnn):
    guided_backprop(cnn, _image(), "fc1", 3, keep="map")
    assert cnn.get_layer("block1_conv").activation is keras.activations.relu
    assert cnn.get_layer("fc1").activation is keras.activations.relu


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"keep": "all"}, "keep must be 'max' or 'map'"),
        ({"rule": "lrp"}, "rule must be one of"),
        ({"filter_index": 8}, r"`filter_index` must be an integer in \[0, 7\]. Received: filter_index=8"),
    ],
)
def test_guided_backprop_rejects_bad_arguments(cnn, kwargs, match):
    arguments = {"layer_name": "block1_conv", "filter_index": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        guided_backprop(cnn, _image(), **arguments)


# --- activation_maximization ------------------------------------------------------------------


@pytest.mark.parametrize("layer_name, filter_index", [("block2_conv", 3), ("fc1", 10), ("predictions", 4)])
def test_activation_maximization_increases_the_target_activation(cnn, layer_name, filter_index):
    start = np.clip(0.5 + 0.1 * np.random.default_rng(0).standard_normal((28, 28, 1)), 0, 1).astype(np.float32)
    result = activation_maximization(cnn, layer_name, filter_index, steps=30, initial=start, seed=0)
    assert result.shape == (28, 28, 1) and result.dtype == np.float32
    assert result.min() >= 0.0 and result.max() <= 1.0
    before, after = mean_activation(cnn, layer_name, filter_index, np.stack([start, result]))
    assert after > before + 0.5 * abs(before)


def test_mean_activation_is_the_feature_maps_spatial_mean(cnn):
    images = np.stack([_image(0), _image(1)])
    maps = feature_extractor(cnn, "block1_conv")(images)[..., 6].numpy()
    np.testing.assert_allclose(mean_activation(cnn, "block1_conv", 6, images), maps.mean(axis=(1, 2)), rtol=1e-5)


def test_mean_activation_of_the_last_layer_is_the_logit(linear_model):
    image = _image()
    kernel, bias = linear_model.get_layer("predictions").get_weights()
    np.testing.assert_allclose(
        mean_activation(linear_model, "predictions", 2, image[None]),
        [image.reshape(-1) @ kernel[:, 2] + bias[2]],
        rtol=1e-5,
    )


def test_activation_maximization_is_seeded_and_leaves_initial_alone(cnn):
    first = activation_maximization(cnn, "block1_conv", 1, steps=3, seed=4)
    np.testing.assert_array_equal(first, activation_maximization(cnn, "block1_conv", 1, steps=3, seed=4))
    assert not np.array_equal(first, activation_maximization(cnn, "block1_conv", 1, steps=3, seed=5))
    start = _image()
    kept = start.copy()
    np.testing.assert_array_equal(activation_maximization(cnn, "block1_conv", 1, steps=0, initial=start), start)
    activation_maximization(cnn, "block1_conv", 1, steps=2, initial=start)
    np.testing.assert_array_equal(start, kept)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filter_index": 16}, r"`filter_index` must be an integer in \[0, 15\]"),
        ({"steps": -1}, "`steps` must be an integer >= 0. Received: steps=-1"),
        ({"initial": np.zeros((28, 28))}, r"initial must have the model's input shape \(28, 28, 1\)"),
    ],
)
def test_activation_maximization_rejects_bad_arguments(cnn, kwargs, match):
    arguments = {"filter_index": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        activation_maximization(cnn, "block2_conv", **arguments)


# --- invert_features --------------------------------------------------------------------------


def _relative_distance(feature_model, image, target):
    features = feature_model(image[None])[0].numpy()
    return np.linalg.norm(features - target) / np.linalg.norm(target)


@pytest.mark.parametrize("layer_name", ["block1_pool", "block2_conv"])
def test_inversion_lowers_the_feature_distance(cnn, layer_name):
    features = feature_extractor(cnn, layer_name)
    original = _image(7)
    target = features(original[None])[0].numpy()
    start = np.full((28, 28, 1), 0.5, np.float32)
    result = invert_features(features, target, steps=60, initial=start)
    assert result.shape == (28, 28, 1) and result.dtype == np.float32
    assert result.min() >= 0.0 and result.max() <= 1.0
    assert _relative_distance(features, result, target) < 0.5 * _relative_distance(features, start, target)


def test_inverting_identity_features_recovers_the_image():
    inputs = keras.Input(shape=(28, 28, 1))
    identity = keras.Model(inputs, layers.Identity()(inputs))
    original = _image(8)
    result = invert_features(identity, original[None], steps=150, learning_rate=0.05, tv_weight=0.0, seed=0)
    assert np.abs(result - original).max() < 0.05


def test_invert_features_rejects_a_target_of_the_wrong_shape(cnn):
    with pytest.raises(ValueError, match=r"output shape \(14, 14, 16\).*Received shape: \(7, 7, 16\)"):
        invert_features(feature_extractor(cnn, "block2_conv"), np.zeros((7, 7, 16)), steps=1)


# --- nearest neighbours -----------------------------------------------------------------------


def test_an_image_in_the_pool_is_its_own_nearest_neighbour(cnn):
    pool = np.random.default_rng(9).random((40, 28, 28, 1), dtype=np.float32)
    queries = pool[[3, 17, 31]]
    for distances, indices in (  # scikit-learn's kneighbors order
        nearest_neighbors(feature_extractor(cnn, "flatten"), queries, pool, k=4),
        pixel_nearest_neighbors(queries, pool, k=4),
    ):
        assert indices.shape == distances.shape == (3, 4)
        np.testing.assert_array_equal(indices[:, 0], [3, 17, 31])
        np.testing.assert_allclose(distances[:, 0], 0.0, atol=1e-3)
        assert np.all(np.diff(distances, axis=1) >= 0)
    np.testing.assert_array_equal(pixel_nearest_neighbors(queries, pool, k=4, return_distance=False)[:, 0], [3, 17, 31])


def _bar(top, left, height, width):
    image = np.zeros((28, 28, 1), np.float32)
    image[top : top + height, left : left + width] = 1.0
    return image


def test_feature_space_finds_a_shifted_digit_that_pixel_space_misses():
    # Lecture 004: an object on the left is far in pixel space from the same object on the right,
    # but near it in a translation-invariant feature space.
    query = _bar(10, 4, 8, 1)  # vertical stroke, left
    shifted = _bar(10, 22, 8, 1)  # the same stroke, right: squared pixel distance 8 + 8 = 16
    crossing = _bar(13, 0, 1, 8)  # horizontal stroke through the query: 8 + 8 - 2 = 14
    pool = np.stack([shifted, crossing])
    inputs = keras.Input(shape=(28, 28, 1))
    maps = layers.Conv2D(2, 3, padding="same", activation="relu", name="edges")(inputs)
    features = keras.Model(inputs, layers.GlobalMaxPooling2D()(maps))  # where a pattern is is forgotten
    kernels = np.zeros((3, 3, 1, 2), np.float32)
    kernels[:, :, 0, 0] = [[-1, 2, -1]] * 3  # vertical line detector
    kernels[:, :, 0, 1] = np.transpose(kernels[:, :, 0, 0])  # horizontal line detector
    features.get_layer("edges").set_weights([kernels, np.zeros(2, np.float32)])

    _, pixel_indices = pixel_nearest_neighbors(query[None], pool, k=1)
    feature_distances, feature_indices = nearest_neighbors(features, query[None], pool, k=1)
    assert pixel_indices[0, 0] == 1  # pixel space: the crossing bar
    assert feature_indices[0, 0] == 0  # feature space: the same bar, moved
    assert feature_distances[0, 0] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k": 0}, r"`k` must be an integer in \[1, 5\]. Received: k=0"),
        ({"k": 6}, "Received: k=6"),
        ({"metric": "manhattan"}, "`metric` must be one of"),
        ({"queries": np.zeros((28, 28, 1))}, r"`queries` must be a batch.*Received: queries.shape=\(28, 28, 1\)"),
        ({"queries": np.zeros((1, 14, 14, 1))}, "same image shape. Received 196 and 784"),
    ],
)
def test_pixel_nearest_neighbors_rejects_bad_arguments(kwargs, match):
    arguments = {"queries": np.zeros((1, 28, 28, 1)), "pool": np.zeros((5, 28, 28, 1)), "k": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        pixel_nearest_neighbors(**arguments)
