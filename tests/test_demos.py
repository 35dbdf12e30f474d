"""The demos' Python side, without a browser: drawing -> MNIST digit, the CNN's answer, the explorer's redraw."""

import math

import numpy as np
import pytest
from PIL import Image

from cnn_lectures.demos.convolution import (
    INPUTS,
    KERNELS,
    TYPED,
    ConvolutionExplorer,
    explore,
    parse_kernel,
    size_formula,
)
from cnn_lectures.demos.mnist_format import BlankDrawingError, strokes_to_image, strokes_to_mnist, to_mnist

ONE = [[(140, 40), (146, 240)]]
ZERO = [[(140 + 65 * math.sin(a), 140 - 95 * math.cos(a)) for a in np.linspace(0, 2 * math.pi, 50)]]


# --- a drawing to an MNIST digit -------------------------------------------------------------


@pytest.mark.parametrize(
    "strokes, tall",
    [(ONE, True), ([[(30, 140), (250, 150)]], False), (ZERO, True), ([[(100, 100)]], True)],
    ids=["vertical", "horizontal", "ring", "dot"],
)
def test_to_mnist_fits_the_longer_side_into_20_pixels_centred_by_mass(strokes, tall):
    digit = strokes_to_mnist(strokes)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    longer = np.ptp(rows) + 1 if tall else np.ptp(cols) + 1
    assert longer == 20
    weights = digit.astype(float)
    centre = [
        (weights.sum(axis=1) @ np.arange(28)) / weights.sum(),
        (weights.sum(axis=0) @ np.arange(28)) / weights.sum(),
    ]
    assert np.allclose(centre, 14.0, atol=0.6)


def test_to_mnist_makes_grey_levels_and_leaves_its_input_alone():
    image = strokes_to_image(ZERO)
    before = image.copy()
    digit = to_mnist(image)
    assert np.array_equal(image, before)
    assert ((digit > 0) & (digit < 255)).any(), "anti-aliasing leaves grey levels at the stroke edges"


def test_to_mnist_gives_back_a_real_mnist_digit_drawn_ten_times_larger(sample_digits):
    from scipy import ndimage

    correlations = []
    for row in sample_digits.x_train[:200]:
        original = row.reshape(28, 28).astype(float)
        big = np.asarray(Image.fromarray(row.reshape(28, 28)).resize((280, 280), Image.Resampling.BILINEAR))
        again = to_mnist(big).astype(float)
        assert np.allclose(ndimage.center_of_mass(again), ndimage.center_of_mass(original), atol=1.0)
        blurred = [ndimage.gaussian_filter(image, 1).ravel() for image in (again, original)]
        correlations.append(np.corrcoef(*blurred)[0, 1])
    assert min(correlations) > 0.7 and np.median(correlations) > 0.9


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: to_mnist(np.zeros((280, 280))), BlankDrawingError, "blank"),
        (lambda: strokes_to_mnist([]), BlankDrawingError, "blank"),
        (lambda: to_mnist(np.zeros((2, 28, 28))), ValueError, "2-D greyscale"),
        (lambda: to_mnist(np.full((28, 28), 300)), ValueError, "0..255"),
        (lambda: to_mnist(np.ones((28, 28)), box=30), ValueError, "box"),
        (lambda: strokes_to_image([[(1, 2, 3)]]), ValueError, "Stroke 0"),
        (lambda: strokes_to_image([[(1, 2)], [(1, float("nan"))]]), ValueError, "Stroke 1"),
        (lambda: strokes_to_image(ONE, line_width=0), ValueError, "line_width"),
    ],
)
def test_bad_drawings_say_what_is_wrong(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- the convolution explorer --------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, k, s, p, text",
    [
        (6, 3, 1, 1, "⌊(6 + 2·1 − 3) / 1⌋ + 1 = 6"),
        (7, 3, 1, 0, "⌊(7 + 2·0 − 3) / 1⌋ + 1 = 5"),
        (32, 5, 1, 0, "⌊(32 + 2·0 − 5) / 1⌋ + 1 = 28"),
        (28, 3, 2, 1, "⌊(28 + 2·1 − 3) / 2⌋ + 1 = 14"),
    ],
)
def test_size_formula_substitutes_the_numbers(n, k, s, p, text):
    assert size_formula(n, k, stride=s, padding=p).endswith(text)


def test_explore_reproduces_the_lectures_examples():
    padded = explore(INPUTS["lecture 000: 6×6 image"], KERNELS["vertical edge (lecture 000)"], padding=1)
    assert padded.padded.shape == (8, 8) and padded.feature_map.shape == (6, 6)
    assert padded.feature_map[0, 0] == -10  # the slide's first value (lecture 000)
    strided = explore(INPUTS["lecture 004: 7×7 input 0…48"], KERNELS["3×3 ones (lecture 004)"], stride=2)
    assert strided.feature_map.shape == (3, 3) and strided.feature_map[0, 0] == sum([0, 1, 2, 7, 8, 9, 14, 15, 16])
    pooled = explore(INPUTS["lecture 002: feature map 2×4"], KERNELS["identity 1×1"], pool=2)
    assert pooled.pooled.tolist() == [[7, 4]]  # lecture 002's max pooling
    averaged = explore(INPUTS["lecture 002: feature map 2×4"], KERNELS["identity 1×1"], pool=2, pool_mode="average")
    assert averaged.pooled.tolist() == [[1.75, 1.25]]


def test_explore_says_when_the_kernel_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        explore(INPUTS["lecture 002: feature map 2×4"], KERNELS["3×3 ones (lecture 004)"])


@pytest.mark.parametrize(
    "text, expected",
    [("1 0 -1; 1 0 -1", [[1, 0, -1], [1, 0, -1]]), ("1, 2\n3, 4", [[1, 2], [3, 4]]), ("[1 −1]", [[1, -1]])],
)
def test_parse_kernel_reads_typed_rows(text, expected):
    assert parse_kernel(text).tolist() == expected


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "empty"),
        ("1 x", "row 1: 'x' is not a number"),
        ("1 2\n3", "row 2 has 1 values, row 1 has 2"),
        ("inf", "finite"),
    ],
)
def test_parse_kernel_names_the_bad_value(text, match):
    with pytest.raises(ValueError, match=match):
        parse_kernel(text)


@pytest.fixture
def explorer(sample_digits):
    digit = sample_digits.x_train[int(np.flatnonzero(sample_digits.y_train == 7)[0])].reshape(28, 28)
    return ConvolutionExplorer(digits={"digit 7": digit.astype(float)})


def test_explorer_redraws_the_output_size_when_a_knob_turns(explorer):
    assert 'data-rows="6" data-cols="6"' in explorer.formula.value
    explorer.stride.value = 2
    assert explorer.result.feature_map.shape == (3, 3)
    assert 'data-rows="3" data-cols="3"' in explorer.formula.value and "/ 2⌋ + 1 = 3" in explorer.formula.value
    explorer.pool.value = 3
    assert 'class="cnn-pooled-size" data-rows="1" data-cols="1"' in explorer.formula.value
    explorer.position.value = 4  # the window moves, the map fills in up to it
    assert explorer.view.value.count("border:1px dotted") == 4  # 4 of the 9 cells still empty


def test_explorer_shows_an_error_instead_of_failing(explorer):
    explorer.kernel.value = TYPED
    explorer.typed.value = "1 zwei"
    assert explorer.result is None and "'zwei' is not a number" in explorer.formula.value
    explorer.typed.value = "1 -1"
    assert explorer.result.feature_map.shape == (8, 7)  # padding 1: (6 + 2 - 1) + 1 rows, (6 + 2 - 2) + 1 columns


def test_explorer_redraws_a_padded_digit_well_under_a_second(explorer):
    explorer.input.value = "digit 7"
    times = []
    for stride, padding in [(1, 3), (2, 0), (1, 1), (3, 2)]:
        explorer.stride.value, explorer.padding.value = stride, padding
        times.append(explorer.last_redraw_ms)
    print(f"explorer redraw of a 28x28 digit, ms: {', '.join(f'{t:.1f}' for t in times)}")
    assert max(times) < 250


# --- draw a digit ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_model():
    from cnn_lectures.demos.draw import load_demo_model

    return load_demo_model()


def test_the_course_model_reads_a_drawn_one_and_zero(demo_model):
    from cnn_lectures.demos.draw import DigitReader

    model, description = demo_model
    assert "checkpoint" in description
    reader = DigitReader(model)
    for strokes, label in ((ONE, 1), (ZERO, 0)):
        reading = reader.read(strokes_to_mnist(strokes))
        assert reading.digit == label
        assert np.isclose(reading.probabilities.sum(), 1, atol=1e-4)
        assert reading.feature_maps.shape == (28, 28, 8)
        for method in ("grad_cam", "saliency"):
            heat = reader.explain(reading, method)
            assert heat.shape == (28, 28) and heat.min() >= 0 and np.isclose(heat.max(), 1)
    with pytest.raises(ValueError, match="grad_cam' or 'saliency"):
        reader.explain(reading, "occlusion")
    with pytest.raises(ValueError, match="28x28"):
        reader.read(np.zeros((14, 14)))


def test_the_demo_answers_each_stroke_and_clears(demo_model):
    from cnn_lectures.demos.draw import DrawDigitDemo

    model, description = demo_model
    demo = DrawDigitDemo(model, note=description)
    blank = demo.seen.value
    demo.canvas.strokes = ZERO
    demo.canvas.revision = 1  # what the browser sends at the end of a stroke
    assert 'data-digit="0" data-revision="1"' in demo.answer.value
    assert demo.seen.value != blank and bytes(demo.explanation.value).startswith(b"\x89PNG")
    assert set(demo.timings) == {"preprocess_ms", "predict_ms", "maps_ms"}
    before = demo.explanation.value
    demo.method.value = "saliency"
    assert demo.explanation.value != before
    demo.canvas.strokes = []
    demo.canvas.revision = 2  # Clear
    assert 'data-digit="" data-revision="2"' in demo.answer.value and demo.seen.value == blank


def test_without_a_checkpoint_a_lecture_cnn_is_trained_and_says_so(monkeypatch):
    import cnn_lectures.checkpoints
    from cnn_lectures.demos.draw import load_demo_model

    def missing(name, folder=None):
        raise FileNotFoundError(f"No {name!r} checkpoint")

    monkeypatch.setattr(cnn_lectures.checkpoints, "load_checkpoint", missing)
    model, description = load_demo_model(epochs=1, seed=0)
    assert model.name == "lecture_cnn"
    assert description.startswith("No shipped 'lecture' checkpoint") and "1 epoch on" in description
