"""Headless smoke tests for cnn_lectures.plotting, plus checks that the figures show the right numbers."""

import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import signal

from cnn_lectures.plotting import (
    ACTIVATIONS,
    plot_activations,
    plot_augmentation,
    plot_confusion_matrix,
    plot_convolution,
    plot_digits,
    plot_feature_maps,
    plot_filters,
    plot_heatmap,
    plot_training_curves,
)


@pytest.fixture(autouse=True)
def headless_and_never_shown_or_saved(monkeypatch):
    """Every test: the Agg backend, and a failure if a helper calls plt.show() or savefig()."""
    assert matplotlib.get_backend().lower() == "agg"

    def forbidden(*args, **kwargs):
        raise AssertionError("plot helpers must neither show nor save")

    monkeypatch.setattr(plt, "show", forbidden)
    monkeypatch.setattr(Figure, "savefig", forbidden)
    yield
    plt.close("all")


def _digits(n=6, seed=0):
    return np.random.default_rng(seed).random((n, 28, 28, 1), dtype=np.float32)


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


# --- plot_digits -------------------------------------------------------------------------------


def test_plot_digits_titles_true_and_predicted_and_marks_errors_red():
    fig = plot_digits(_digits(4), labels=[1, 2, 3, 4], predictions=[1, 2, 5, 4], ncols=2)
    assert isinstance(fig, Figure)
    axes = _image_axes(fig)
    assert len(axes) == 4
    assert [ax.get_title() for ax in axes] == ["1 → 1", "2 → 2", "3 → 5", "4 → 4"]
    assert axes[2].title.get_color() == "tab:red"
    assert axes[0].title.get_color() == "black"


@pytest.mark.parametrize(
    "images",
    [_digits(3), _digits(3)[..., 0], (_digits(3).reshape(3, 784) * 255).astype(np.uint8)],
    ids=["nhwc", "nhw", "flat-uint8"],
)
def test_plot_digits_accepts_the_usual_layouts(images):
    fig = plot_digits(images, labels=np.eye(10)[[7, 8, 9]])  # one-hot labels
    axes = _image_axes(fig)
    assert [ax.get_title() for ax in axes] == ["7", "8", "9"]
    assert axes[0].images[0].get_array().shape == (28, 28)


def test_plot_digits_hides_spare_panels_and_draws_into_a_given_figure():
    given = plt.figure()
    fig = plot_digits(_digits(5), predictions=[0, 1, 2, 3, 4], ncols=3, fig=given)
    assert fig is given
    assert len(fig.axes) == 6 and len(_image_axes(fig)) == 5
    assert not fig.axes[5].axison
    assert fig.axes[0].get_title() == "pred 0"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"images": np.zeros((2, 10))}, r"Received shape: \(2, 10\)"),
        ({"images": np.zeros((0, 28, 28))}, "non-empty batch"),
        ({"labels": [1, 2, 3]}, r"`labels` must hold one label per image: 2 labels. Received: 3"),
    ],
)
def test_plot_digits_rejects_bad_input(kwargs, match):
    arguments = {"images": _digits(2), **kwargs}
    with pytest.raises(ValueError, match=match):
        plot_digits(**arguments)


# --- plot_training_curves ----------------------------------------------------------------------

HISTORY = {
    "loss": [1.2, 0.6, 0.4],
    "accuracy": [0.6, 0.8, 0.9],
    "val_loss": [0.9, 0.7, 0.75],
    "val_accuracy": [0.7, 0.78, 0.8],
}


class _FakeHistory:
    """What model.fit returns: an object with a .history dict."""

    history = HISTORY


@pytest.mark.parametrize(
    "history",
    [HISTORY, _FakeHistory(), pd.read_csv(io.StringIO(pd.DataFrame(HISTORY).rename_axis("epoch").to_csv()))],
    ids=["dict", "History", "CSVLogger-dataframe"],
)
def test_training_curves_plot_train_and_validation_per_epoch(history):
    fig = plot_training_curves(history)
    loss_ax, accuracy_ax = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    train, validation = loss_ax.get_lines()
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])  # epochs counted from 1
    np.testing.assert_allclose(train.get_ydata(), HISTORY["loss"])
    np.testing.assert_allclose(validation.get_ydata(), HISTORY["val_loss"])
    np.testing.assert_allclose(accuracy_ax.get_lines()[1].get_ydata(), HISTORY["val_accuracy"])


def test_training_curves_with_loss_only_draw_one_panel():
    fig = plot_training_curves({"loss": [1.0, 0.5]})
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 1


def test_training_curves_from_a_real_keras_fit():
    import keras

    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((16, 4), dtype=np.float32)
    history = model.fit(x, np.arange(16) % 2, validation_split=0.25, epochs=2, verbose=0)
    fig = plot_training_curves(history)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert all(len(ax.get_lines()) == 2 for ax in fig.axes)


@pytest.mark.parametrize(
    "history, error, match",
    [
        ({"accuracy": [0.5]}, ValueError, r"'loss' column. Received columns: \['accuracy'\]"),
        ([0.5, 0.4], TypeError, "Received: list"),
    ],
)
def test_training_curves_reject_bad_history(history, error, match):
    with pytest.raises(error, match=match):
        plot_training_curves(history)


# --- plot_confusion_matrix ---------------------------------------------------------------------


def test_confusion_matrix_plot_writes_every_count_in_its_cell():
    cm = np.array([[5, 1, 0], [2, 7, 0], [0, 0, 3]])
    ax = plot_confusion_matrix(cm, class_names=["a", "b", "c"])
    assert isinstance(ax, Axes)
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert cells == {(i, j): str(cm[i, j]) for i in range(3) for j in range(3)}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_ylabel() == "true" and ax.get_xlabel() == "predicted"


def test_confusion_matrix_plot_normalize_colours_rows_but_keeps_counts():
    _, ax = plt.subplots()
    cm = np.array([[90, 10], [1, 1]])
    assert plot_confusion_matrix(cm, normalize=True, ax=ax) is ax
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.9, 0.1], [0.5, 0.5]])
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "10", "90"]


@pytest.mark.parametrize(
    "cm, kwargs, match",
    [
        (np.zeros((2, 3)), {}, r"square .* Received shape: \(2, 3\)"),
        (np.zeros((2, 2)), {"class_names": ["a"]}, "2 entries. Received: 1"),
    ],
)
def test_confusion_matrix_plot_rejects_bad_input(cm, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_confusion_matrix(cm, **kwargs)


# --- activations -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_built_in_derivatives_match_finite_differences(name):
    f, df = ACTIVATIONS[name]
    x = np.concatenate([np.linspace(-4, -0.01, 50), np.linspace(0.01, 4, 50)])  # away from the kink
    h = 1e-6
    np.testing.assert_allclose(df(x), (f(x + h) - f(x - h)) / (2 * h), atol=1e-6)


def test_plot_activations_draws_f_and_its_derivative_per_panel():
    fig = plot_activations()
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "tanh", "relu", "leaky_relu", "elu"]
    f_line, df_line = fig.axes[2].get_lines()[2:]  # after the two zero axes lines
    x = f_line.get_xdata()
    np.testing.assert_allclose(f_line.get_ydata(), np.maximum(x, 0))
    np.testing.assert_allclose(df_line.get_ydata(), (x > 0).astype(float))


def test_plot_activations_accepts_names_and_custom_pairs():
    fig = plot_activations(["leaky_relu"], x=np.array([-2.0, 3.0]))
    np.testing.assert_allclose(fig.axes[0].get_lines()[2].get_ydata(), [-0.2, 3.0])  # slope 0.1
    fig = plot_activations({"square": (np.square, lambda x: 2 * x)})
    assert fig.axes[0].get_title() == "square"


@pytest.mark.parametrize(
    "functions, error, match",
    [
        (["swish"], ValueError, "Unknown activation 'swish'. Choose from: sigmoid, tanh"),
        ({"bad": np.square}, TypeError, "pair"),
        ([], ValueError, "functions is empty"),
    ],
)
def test_plot_activations_rejects_unknown_functions(functions, error, match):
    with pytest.raises(error, match=match):
        plot_activations(functions)


# --- plot_convolution --------------------------------------------------------------------------


def test_convolution_demo_finds_the_vertical_edge_of_lecture_000():
    image = np.zeros((6, 6))
    image[:, :3] = 10  # bright left half, dark right half
    kernel = np.array([[1, 0, -1]] * 3)  # vertical-edge kernel
    fig = plot_convolution(image, kernel)
    image_ax, kernel_ax, map_ax = fig.axes
    feature_map = map_ax.images[0].get_array()
    np.testing.assert_array_equal(feature_map, [[0, 30, 30, 0]] * 4)  # the edge lights up, nowhere else
    assert map_ax.get_title() == "feature map 4×4"
    assert len(map_ax.texts) == 16 and map_ax.texts[1].get_text() == "30"  # small arrays are annotated


@pytest.mark.parametrize("mode, shape", [("valid", (26, 26)), ("same", (28, 28)), ("full", (30, 30))])
def test_convolution_demo_modes_match_scipy(mode, shape):
    image = _digits(1)[0, ..., 0]
    kernel = np.random.default_rng(1).normal(size=(3, 3))
    fig = plot_convolution(image, kernel, mode=mode)
    shown = fig.axes[2].images[0].get_array()
    assert shown.shape == shape
    np.testing.assert_allclose(shown, signal.correlate2d(image, kernel, mode=mode), rtol=1e-6)
    assert not fig.axes[0].texts  # 28x28 is too big to annotate by default


def test_convolution_demo_shows_a_given_feature_map():
    given = np.arange(4.0).reshape(2, 2)
    fig = plot_convolution(np.ones((3, 3)), np.ones((2, 2)), feature_map=given, annotate=False)
    np.testing.assert_array_equal(fig.axes[2].images[0].get_array(), given)


@pytest.mark.parametrize(
    "image, kernel, kwargs, match",
    [
        (np.zeros((2, 6, 6)), np.ones((3, 3)), {}, r"image must be a 2-D array. Received shape: \(2, 6, 6\)"),
        (np.zeros((2, 2)), np.ones((3, 3)), {}, "larger than image"),
        (np.zeros((6, 6)), np.ones((3, 3)), {"mode": "wrap"}, "mode must be"),
    ],
)
def test_convolution_demo_rejects_bad_arrays(image, kernel, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_convolution(image, kernel, **kwargs)


# --- filters, feature maps, heatmaps -----------------------------------------------------------


@pytest.fixture(scope="module")
def cnn():
    from cnn_lectures.models import lecture_cnn

    return lecture_cnn()


def test_plot_filters_shows_each_filter_of_a_conv_layer(cnn):
    layer = cnn.get_layer("block1_conv")
    fig = plot_filters(layer, ncols=4)
    axes = _image_axes(fig)
    assert len(axes) == 8
    kernel = layer.get_weights()[0]
    np.testing.assert_allclose(axes[5].images[0].get_array(), kernel[:, :, 0, 5], rtol=1e-6)
    limits = {ax.images[0].get_clim() for ax in axes}
    assert len(limits) == 1  # one colour scale for all
    low, high = limits.pop()
    assert low == -high


def test_plot_filters_accepts_a_kernel_array_and_picks_the_input_channel():
    kernel = np.arange(3 * 3 * 2 * 4, dtype=float).reshape(3, 3, 2, 4)
    fig = plot_filters(kernel, input_channel=1)
    np.testing.assert_array_equal(_image_axes(fig)[2].images[0].get_array(), kernel[:, :, 1, 2])


@pytest.mark.parametrize(
    "kernel, kwargs, match",
    [
        (np.zeros((3, 3, 4)), {}, r"Received shape: \(3, 3, 4\)"),
        (
            np.zeros((3, 3, 1, 4)),
            {"input_channel": 1},
            r"`input_channel` must be an integer in \[0, 0\]. Received: input_channel=1",
        ),
    ],
)
def test_plot_filters_rejects_bad_kernels(kernel, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_filters(kernel, **kwargs)


def test_plot_feature_maps_shows_each_conv_layers_activations(cnn):
    import keras

    image = _digits(1)[0]
    fig = plot_feature_maps(cnn, image, max_maps=4)
    axes = fig.axes
    assert len(axes) == 8  # two conv layers x four maps
    assert axes[0].get_ylabel() == "block1_conv\n28×28×8"
    assert axes[4].get_ylabel() == "block2_conv\n14×14×16"
    expected = keras.Model(cnn.input, cnn.get_layer("block2_conv").output)(image[None])[0, :, :, 3]
    np.testing.assert_allclose(axes[7].images[0].get_array(), np.asarray(expected), rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"layer_names": ["fc1"]}, "feature maps need 4-D output"),
        ({"layer_names": ["nope"]}, "No layer named 'nope'"),
        ({"max_maps": 0}, "`max_maps` must be an integer >= 1. Received: max_maps=0"),
    ],
)
def test_plot_feature_maps_rejects_bad_layers(cnn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_feature_maps(cnn, _digits(1)[0], **kwargs)


def test_plot_augmentation_puts_originals_first_then_augmented_copies():
    images = _digits(2)
    fig = plot_augmentation(images, lambda batch: batch[:, :, ::-1], n_variants=2)  # mirror
    axes = _image_axes(fig)
    assert len(axes) == 6 and axes[0].get_title() == "original" and axes[1].get_title() == "augmented 1"
    np.testing.assert_array_equal(axes[3].images[0].get_array(), images[1, ..., 0])  # row 2: original
    np.testing.assert_array_equal(axes[4].images[0].get_array(), images[1, :, ::-1, 0])  # then mirrored


def test_plot_augmentation_with_the_lectures_image_data_generator_is_seeded():
    try:
        from tensorflow.keras.preprocessing.image import ImageDataGenerator
    except ImportError:
        pytest.skip("this TensorFlow has no ImageDataGenerator")
    generator = ImageDataGenerator(rotation_range=10, zoom_range=0.1, width_shift_range=0.1)
    first = plot_augmentation(_digits(2), generator, n_variants=3, seed=3)
    again = plot_augmentation(_digits(2), generator, n_variants=3, seed=3)
    arrays = [[np.asarray(ax.images[0].get_array()) for ax in _image_axes(f)] for f in (first, again)]
    for a, b in zip(*arrays):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(arrays[0][0], arrays[0][1])  # the copy differs from the original


@pytest.mark.parametrize(
    "augment, error, match",
    [
        ("flip", TypeError, "Received: str"),
        (lambda batch: batch[:, :14], ValueError, r"same shape \(2, 28, 28, 1\)"),
    ],
)
def test_plot_augmentation_rejects_bad_augmenters(augment, error, match):
    with pytest.raises(error, match=match):
        plot_augmentation(_digits(2), augment)


def test_plot_heatmap_overlays_and_centres_signed_maps_on_zero():
    image = _digits(1)[0]
    ax = plot_heatmap(image, np.linspace(-1, 3, 784).reshape(28, 28), title="occlusion")
    assert isinstance(ax, Axes) and ax.get_title() == "occlusion"
    background, overlay = ax.images
    assert overlay.get_clim() == (-3.0, 3.0)
    assert overlay.get_alpha() == 0.5
    with pytest.raises(ValueError, match=r"Received shapes: \(28, 28\) and \(14, 14\)"):
        plot_heatmap(image, np.zeros((14, 14)))
