"""Test-time shifts: the views, and the averaged probabilities the best preset reports."""

import keras
import numpy as np
import pytest

from cnn_lectures.prediction import predict_probabilities, shifted_views
from cnn_lectures.presets import BEST, LECTURE, Preset


def test_shifted_views_move_pixels_and_fill_with_zeros():
    image = np.zeros((1, 5, 5, 1), dtype=np.float32)
    image[0, 2, 3, 0] = 1.0
    image[0, 0, 0, 0] = 0.5  # at the border: moved out of two of the views
    views = shifted_views(image, 1)
    assert len(views) == 5 and all(view.shape == image.shape and view.dtype == image.dtype for view in views)
    assert np.array_equal(views[0], image)
    where = [sorted(zip(*np.nonzero(view[0, :, :, 0]))) for view in views[1:]]
    assert where == [[(1, 0), (3, 3)], [(1, 3)], [(0, 1), (2, 4)], [(2, 2)]]  # down, up, right, left
    assert [float(view.sum()) for view in views] == [1.5, 1.5, 1.0, 1.5, 1.0]  # nothing wraps around


def test_shifted_views_by_two_pixels_match_numpy_roll_away_from_the_border():
    rng = np.random.default_rng(0)
    images = np.zeros((3, 8, 8, 2))
    images[:, 2:6, 2:6, :] = rng.random((3, 4, 4, 2))  # a 2-pixel blank border, as MNIST has 4
    views = shifted_views(images, 2)
    expected = [np.roll(images, step, axis=axis) for axis, step in ((1, 2), (1, -2), (2, 2), (2, -2))]
    for view, rolled in zip(views[1:], expected):
        np.testing.assert_array_equal(view, rolled)


@pytest.mark.parametrize(
    "shift_pixels, error",
    [(0, ValueError), (-1, ValueError), (28, ValueError), (1.5, TypeError), (True, TypeError)],
)
def test_bad_shift_is_refused_with_its_value(shift_pixels, error):
    with pytest.raises(
        error, match=rf"`shift_pixels` must be an integer in \[1, 27\]. Received: shift_pixels={shift_pixels}"
    ):
        shifted_views(np.zeros((1, 28, 28, 1)), shift_pixels)


def test_views_need_four_dimensional_images():
    with pytest.raises(ValueError, match=r"Received: images.shape=\(2, 28, 28\)"):
        shifted_views(np.zeros((2, 28, 28)))


def test_predict_probabilities_averages_the_five_views():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6, 6, 1))
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    images = np.random.default_rng(1).random((4, 6, 6, 1)).astype(np.float32)

    plain = predict_probabilities(model, images)
    np.testing.assert_allclose(plain, model.predict(images, verbose=0), rtol=1e-6)
    averaged = predict_probabilities(model, images, shift_pixels=1, batch_size=3)
    np.testing.assert_array_equal(predict_probabilities(model, images, shift=1, batch_size=3), averaged)  # old name
    expected = np.mean([model.predict(view, verbose=0) for view in shifted_views(images, 1)], axis=0)
    assert averaged.shape == (4, 3) and averaged.dtype == np.float32
    np.testing.assert_allclose(averaged, expected, rtol=1e-5)
    np.testing.assert_allclose(averaged.sum(axis=1), 1.0, rtol=1e-5)
    assert not np.allclose(averaged, plain)


def test_only_the_best_preset_predicts_with_shifts():
    assert BEST.test_time_shift == 1 and LECTURE.test_time_shift == 0
    with pytest.raises(ValueError, match="test_time_shift"):
        Preset(
            name="x",
            description="",
            build_model=None,
            epochs=1,
            batch_size=1,
            augment=None,
            learning_rate=1e-3,
            test_time_shift=-1,
        )
