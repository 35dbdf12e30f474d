"""Tests for cnn_lectures.augmentation: one recipe, three implementations, checked against the legacy code."""

import inspect

import keras
import numpy as np
import pytest
from tensorflow.keras.preprocessing.image import apply_affine_transform  # the generator's own warp

from cnn_lectures.augmentation import (
    ROTATION,
    SHIFT,
    ZOOM,
    SyncEpoch,
    affine_warp,
    augmentation_layers,
    augmented_dataset,
    check_images,
    check_labels,
    epoch_keyed_dataset,
    image_data_generator,
    random_affine,
)
from cnn_lectures.preprocessing import normalize, one_hot


@pytest.fixture(scope="module")
def digits(sample_digits):
    """600 real digits: uint8 rows (600, 784) and integer labels (600,)."""
    return sample_digits.x_train[:600], sample_digits.y_train[:600]


def batches(dataset):
    return [(images.numpy(), labels.numpy()) for images, labels in dataset]


def impulse(row, col, size=28):
    image = np.zeros((1, size, size, 1), np.float32)
    image[0, row, col, 0] = 1.0
    return image


def centre_of_mass(images):
    """(x, y) centre of mass of each image in a batch (b, h, w, 1)."""
    images = np.asarray(images)[..., 0]
    rows, cols = np.mgrid[: images.shape[1], : images.shape[2]]
    total = images.sum(axis=(1, 2))
    return np.stack([(images * cols).sum(axis=(1, 2)) / total, (images * rows).sum(axis=(1, 2)) / total], axis=1)


def test_batches_have_the_documented_shapes_dtypes_and_range(digits):
    found = batches(augmented_dataset(*digits, batch_size=250, seed=0))
    assert [len(images) for images, _ in found] == [250, 250, 100]
    for images, labels in found:
        assert images.dtype == np.float32 and images.shape[1:] == (28, 28, 1)
        assert labels.dtype == np.float32 and labels.shape[1:] == (10,)
        assert images.min() >= 0.0 and images.max() <= 1.0
        np.testing.assert_array_equal(labels.sum(axis=1), 1.0)


def test_same_seed_gives_same_batches_and_each_pass_new_ones(digits):
    first = augmented_dataset(*digits, seed=7)
    again = augmented_dataset(*digits, seed=7)
    pass1, pass2 = batches(first), batches(first)
    for (a, la), (b, lb) in zip(pass1 + pass2, batches(again) + batches(again)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(pass1[0][0], pass2[0][0])


def test_different_seeds_give_different_batches(digits):
    a = batches(augmented_dataset(*digits, seed=1))[0][0]
    b = batches(augmented_dataset(*digits, seed=2))[0][0]
    assert not np.array_equal(a, b)


def test_without_augmentation_images_are_the_normalised_input_in_order(digits):
    x, y = digits
    found = batches(augmented_dataset(x, y, batch_size=250, augment="none", shuffle=False))
    np.testing.assert_array_equal(np.concatenate([i for i, _ in found]), normalize(x).reshape(-1, 28, 28, 1))
    np.testing.assert_array_equal(np.concatenate([labels for _, labels in found]), one_hot(y))


def test_shuffling_without_augmentation_permutes_whole_images(digits):
    x, y = digits
    images = np.concatenate([i for i, _ in batches(augmented_dataset(x, y, augment="none", seed=3))])
    expected = normalize(x).reshape(len(x), -1)
    assert not np.array_equal(images.reshape(len(x), -1), expected)
    np.testing.assert_array_equal(np.sort(images.reshape(len(x), -1), axis=0), np.sort(expected, axis=0))


@pytest.mark.parametrize(
    "as_given", [lambda x: x, lambda x: normalize(x).reshape(-1, 28, 28, 1), lambda x: x.reshape(-1, 28, 28)]
)
def test_image_forms_give_the_same_batches(digits, as_given):
    x, y = digits
    reference = batches(augmented_dataset(x, y, seed=5))[0][0]
    np.testing.assert_allclose(batches(augmented_dataset(as_given(x), one_hot(y), seed=5))[0][0], reference, atol=1e-6)


def test_all_three_implementations_share_the_lecture_parameters():
    generator = image_data_generator()
    assert generator.rotation_range == ROTATION
    assert list(generator.zoom_range) == pytest.approx([1 - ZOOM, 1 + ZOOM])
    assert generator.width_shift_range == generator.height_shift_range == SHIFT

    rotate, zoom, translate = augmentation_layers().layers
    assert rotate.get_config()["factor"] == pytest.approx((-ROTATION / 360, ROTATION / 360))  # a fraction of 2*pi
    assert zoom.get_config()["height_factor"] == zoom.get_config()["width_factor"] == (-ZOOM, ZOOM)
    assert translate.get_config()["height_factor"] == translate.get_config()["width_factor"] == SHIFT

    for function in (augmented_dataset, epoch_keyed_dataset, random_affine):
        defaults = {name: p.default for name, p in inspect.signature(function).parameters.items()}
        assert (defaults["rotation"], defaults["zoom"], defaults["shift"]) == (ROTATION, ZOOM, SHIFT)


def test_augmentation_layers_keep_shape_and_range(digits):
    images = normalize(digits[0][:8]).reshape(-1, 28, 28, 1)
    out = np.asarray(augmentation_layers(seed=1)(images, training=True))
    assert out.shape == images.shape and out.min() >= 0.0 and out.max() <= 1.0 + 1e-6
    assert not np.allclose(out, images)


@pytest.mark.parametrize(
    "params",
    [
        {"rotation": 4.0},
        {"zoom_x": 1.08, "zoom_y": 0.93},
        {"shift_x_pixels": 2.3, "shift_y_pixels": -1.7},
        {"rotation": -5.0, "zoom_x": 0.9, "zoom_y": 1.1, "shift_x_pixels": -2.8, "shift_y_pixels": 2.8},
    ],
)
def test_affine_warp_matches_the_legacy_scipy_transform(digits, params):
    images = normalize(digits[0][:4]).reshape(-1, 28, 28, 1)
    legacy_names = {"rotation": "theta", "shift_x_pixels": "tx", "shift_y_pixels": "ty", "zoom_x": "zx", "zoom_y": "zy"}
    legacy = {legacy_names[name]: value for name, value in params.items()}
    expected = np.stack(
        [
            apply_affine_transform(image, **legacy, row_axis=0, col_axis=1, channel_axis=2, fill_mode="constant")
            for image in images
        ]
    )
    np.testing.assert_allclose(affine_warp(images, **params).numpy(), expected, atol=1e-5)


def test_a_pure_shift_of_a_tenth_moves_an_impulse_by_2_8_pixels():
    moved = affine_warp(impulse(14, 14), shift_x_pixels=0.1 * 28, shift_y_pixels=-0.1 * 28).numpy()
    np.testing.assert_allclose(centre_of_mass(moved), [[14 - 2.8, 14 + 2.8]], atol=1e-4)
    assert moved.sum() == pytest.approx(1.0)


def test_random_shifts_stay_within_a_tenth_of_the_image():
    images = np.repeat(impulse(14, 14), 200, axis=0)
    moved = random_affine(images, seed=[1, 2], rotation=0.0, zoom=0.0, shift=SHIFT).numpy()
    offsets = centre_of_mass(moved) - 14
    assert np.abs(offsets).max() <= 2.8 + 1e-4
    assert np.abs(offsets).max() > 2.5  # the whole range is used


def test_random_rotations_stay_within_five_degrees():
    images = np.repeat(impulse(13, 25), 200, axis=0)  # 11.5 pixels right of the centre (13.5, 13.5)
    turned = random_affine(images, seed=[3, 4], rotation=ROTATION, zoom=0.0, shift=0.0).numpy()
    x, y = (centre_of_mass(turned) - 13.5).T
    angles = np.degrees(np.arctan2(y, x)) - np.degrees(np.arctan2(-0.5, 11.5))
    assert np.abs(angles).max() <= ROTATION + 0.5  # bilinear sampling blurs the impulse a little
    assert np.abs(angles).max() > 4.0


def test_a_pass_can_be_replayed_by_its_number(digits):
    dataset, next_pass = epoch_keyed_dataset(*digits, seed=9)
    passes = [batches(dataset) for _ in range(3)]
    SyncEpoch(next_pass).on_epoch_begin(1)
    np.testing.assert_array_equal(batches(dataset)[0][0], passes[1][0][0])


@pytest.mark.parametrize(
    "x, y, kwargs, error, match",
    [
        (np.zeros((4, 783), np.uint8), np.zeros(4, int), {}, ValueError, r"Received: x.shape=\(4, 783\)"),
        (np.full((4, 784), 255.0), np.zeros(4, int), {}, ValueError, "normalize"),
        (np.zeros((4, 784), bool), np.zeros(4, int), {}, TypeError, "x.dtype=bool"),
        (np.zeros((4, 784), np.uint8), np.zeros(3, int), {}, ValueError, "Received: 3"),
        (np.zeros((4, 784), np.uint8), np.zeros((4, 9)), {}, ValueError, r"Received: y.shape=\(4, 9\)"),
        (np.zeros((4, 784), np.uint8), np.array([0, 1, 2, 10]), {}, ValueError, r"Received: y\[3\]=10"),
        (np.zeros((4, 784), np.uint8), np.zeros(4, int), {"batch_size": 0}, ValueError, "batch_size=0"),
        (np.zeros((4, 784), np.uint8), np.zeros(4, int), {"seed": None}, TypeError, "seed=None"),
        (np.zeros((4, 784), np.uint8), np.zeros(4, int), {"augment": "generator"}, ValueError, "image_data_generator"),
        (np.zeros((4, 784), np.uint8), np.zeros(4, int), {"augment": "warp"}, ValueError, "augment='warp'"),
    ],
)
def test_bad_inputs_raise_helpful_errors(x, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        augmented_dataset(x, y, **kwargs)


def test_validators_return_new_checked_arrays():
    x = np.zeros((2, 784), np.uint8)
    assert check_images(x).shape == (2, 28, 28, 1) and check_images(x).dtype == np.float32
    assert check_labels([3, 4]).shape == (2, 10)


def test_model_fit_starts_one_new_pass_per_epoch(digits):
    dataset, next_pass = epoch_keyed_dataset(*digits, batch_size=200, seed=0)
    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(inputs)))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(dataset, epochs=3, shuffle=False, verbose=0)
    assert int(next_pass.numpy()) == 3  # Keras's spare end-of-epoch iterators are never read
