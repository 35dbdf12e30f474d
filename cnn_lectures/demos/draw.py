"""Draw a digit and watch the course's CNN decide.

The student draws on a :class:`~cnn_lectures.demos.canvas.DrawingCanvas`; at the end of each
stroke the drawing is turned into a Kaggle/MNIST digit (:mod:`cnn_lectures.demos.mnist_format`),
the CNN answers (the predicted digit and its ten probabilities as bars) and then shows why: a
Grad-CAM or saliency map over the digit (:mod:`cnn_lectures.interpret`) and the eight feature
maps of its first convolution.

The answer is sent to the page before the maps are computed, so the time from the end of a
stroke to the new prediction stays a few milliseconds of Python plus the round trip.

In a notebook (or a Voilà page)::

    from cnn_lectures.demos.draw import DrawDigitDemo, load_demo_model
    model, how = load_demo_model()
    DrawDigitDemo(model, note=how).widget
"""

import contextlib
import html
import io
import time
from typing import NamedTuple

import ipywidgets as widgets
import keras
import numpy as np

from cnn_lectures.demos import _render
from cnn_lectures.demos.canvas import DrawingCanvas
from cnn_lectures.demos.mnist_format import BlankDrawingError, strokes_to_mnist
from cnn_lectures.interpret import grad_cam, saliency_map

__all__ = ["DEMO_EPOCHS", "DigitReader", "DrawDigitDemo", "Reading", "load_demo_model"]

DEMO_EPOCHS = 12
"""Epochs of the stand-in model trained when no checkpoint is shipped."""

EXPLANATIONS = {"Grad-CAM": "grad_cam", "saliency": "saliency"}


def _describe_checkpoint(name, manifest):
    accuracy, n = manifest.get("val_accuracy"), manifest.get("val_images", manifest.get("n"))
    scored = f", validation accuracy {accuracy:.2%} on {n:,} images" if accuracy is not None and n else ""
    return f"Using the course's shipped {name!r} checkpoint (preset {manifest.get('preset', '?')}{scored})."


def load_demo_model(*, checkpoint="lecture", epochs=DEMO_EPOCHS, seed=0):
    """The course's trained CNN: the shipped checkpoint, or a lecture CNN trained here and now.

    Args:
        checkpoint: name passed to ``cnn_lectures.checkpoints.load_checkpoint``.
        epochs: epochs of the stand-in model when no checkpoint is shipped.
        seed: seed of the stand-in model's training (same machine, same model).

    Returns:
        ``(model, description)``: a Keras classifier of (batch, 28, 28, 1) images in [0, 1], and
        one sentence saying which model it is (print it: the audience should know).
    """
    try:
        from cnn_lectures.checkpoints import load_checkpoint
    except ImportError:  # the checkpoints module is not part of this checkout yet
        load_checkpoint = None
    if load_checkpoint is not None:
        try:
            model, manifest = load_checkpoint(checkpoint)
        except FileNotFoundError:
            pass
        else:
            return model, _describe_checkpoint(checkpoint, manifest)

    from cnn_lectures.data import load_digit_recognizer
    from cnn_lectures.models import lecture_cnn
    from cnn_lectures.preprocessing import normalize, to_images, train_val_split
    from cnn_lectures.training import train

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the loader's and Keras' lines are not for the page
        data = load_digit_recognizer(source="sample")
        x_train, x_val, y_train, y_val = train_val_split(data.x_train, data.y_train, val_fraction=0.125, seed=seed)
        history = train(lecture_cnn, x_train, y_train, epochs=epochs, augment="none", seed=seed, verbose=0)
    model = history.model
    predicted = np.argmax(model.predict(normalize(to_images(x_val)), verbose=0), axis=1)
    accuracy = float(np.mean(predicted == y_val))
    return model, (
        f"No shipped {checkpoint!r} checkpoint here, so a lecture CNN was trained just now: "
        f"{epochs} epoch{'s' * (epochs != 1)} "
        f"on {len(x_train):,} digits of the embedded sample (seed {seed}, "
        f"{time.perf_counter() - started:.0f} s), {accuracy:.1%} right on {len(y_val):,} held-out sample digits."
    )


class Reading(NamedTuple):
    """What the CNN made of one digit."""

    image: np.ndarray  # float32 (28, 28, 1) in [0, 1], as the model saw it
    probabilities: np.ndarray  # float (num_classes,)
    digit: int  # the most probable class
    feature_maps: np.ndarray  # float32 (28, 28, filters): the first convolution's output


class DigitReader:
    """Runs the CNN on one digit: probabilities and first-layer feature maps in one forward pass.

    Args:
        model: a Keras classifier of (batch, 28, 28, 1) images in [0, 1].
        feature_layer: the layer whose maps :attr:`Reading.feature_maps` holds; default the
            model's first ``Conv2D``.
    """

    def __init__(self, model, *, feature_layer=None):
        if feature_layer is None:
            convs = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
            if not convs:
                raise ValueError(f"Model {model.name!r} has no Conv2D layer to show feature maps of.")
            feature_layer = convs[0]
        self.model = model
        self.feature_layer = feature_layer
        self._probe = keras.Model(model.input, [model.get_layer(feature_layer).output, model.outputs[0]])

    def read(self, digit):
        """Read one digit: uint8 (28, 28) or (28, 28, 1) in 0..255, as :func:`strokes_to_mnist` makes."""
        digit = np.asarray(digit)
        if digit.shape not in ((28, 28), (28, 28, 1)):
            raise ValueError(f"read expects one 28x28 digit. Received shape: {digit.shape}")
        image = digit.reshape(28, 28, 1).astype(np.float32) / np.float32(255.0)
        feature_maps, probabilities = self._probe(image[None], training=False)
        probabilities = keras.ops.convert_to_numpy(probabilities)[0]
        return Reading(image, probabilities, int(probabilities.argmax()), keras.ops.convert_to_numpy(feature_maps)[0])

    def explain(self, reading, method="grad_cam"):
        """Where the evidence for the predicted class lies: (28, 28) float32 in [0, 1].

        ``method``: ``"grad_cam"`` (Selvaraju et al. 2017, over the last conv layer) or
        ``"saliency"`` (Simonyan et al. 2013: |d logit / d pixel|, scaled so the peak is 1).
        """
        if method == "grad_cam":
            return grad_cam(self.model, reading.image, reading.digit)
        if method == "saliency":
            heat = saliency_map(self.model, reading.image, reading.digit)
            return heat / heat.max() if heat.max() > 0 else heat
        raise ValueError(f"method must be 'grad_cam' or 'saliency'. Received: method={method!r}")


class DrawDigitDemo:
    """The draw-a-digit demo: canvas, answer, explanation map and first-layer feature maps.

    Display :attr:`widget`. Each stroke calls :meth:`update`, which also works without a browser
    (the tests call it directly); :attr:`timings` holds the last update's milliseconds.
    """

    def __init__(self, model, *, note=""):
        """``note``: one line shown above the canvas, e.g. :func:`load_demo_model`'s description."""
        self.reader = DigitReader(model)
        self.note = note
        self.canvas = DrawingCanvas()
        self.answer = widgets.HTML(
            _render.waiting("Draw a digit on the black square."), layout=widgets.Layout(width="330px", margin="0 24px")
        )
        self.method = widgets.ToggleButtons(
            options=list(EXPLANATIONS.items()), value="grad_cam", description="why:", style={"button_width": "90px"}
        )
        filters = self.reader._probe.outputs[0].shape[-1]
        self._blank = {
            "digit": _render.png(np.zeros((28, 28), np.uint8), scale=5),
            "maps": _render.png(_render.grid([np.zeros((28, 28, 3), np.uint8)] * filters, columns=4), scale=3),
        }
        square = {"width": "140px", "height": "140px"}
        rows = -(-filters // 4)
        self.seen = widgets.Image(value=self._blank["digit"], format="png", layout=square)
        self.explanation = widgets.Image(value=self._blank["digit"], format="png", layout=square)
        self.features = widgets.Image(
            value=self._blank["maps"],
            format="png",
            layout={"width": f"{3 * (4 * 28 + 3 * 2)}px", "height": f"{3 * (rows * 28 + (rows - 1) * 2)}px"},
        )
        self.timing = widgets.HTML()
        self.timings = {}
        self.last_reading = None
        self.canvas.observe(lambda change: self.update(self.canvas.strokes, revision=change["new"]), "revision")
        self.method.observe(lambda change: self._show_maps(), "value")
        caption = widgets.HTML
        self.widget = widgets.VBox(
            [
                caption(f'<span class="cnn-model-note" style="color:#555">{html.escape(note)}</span>'),
                widgets.HBox(
                    [
                        widgets.VBox([caption("<b>draw here</b>"), self.canvas]),
                        self.answer,
                        widgets.VBox(
                            [
                                caption("<b>what the CNN sees</b> (28×28)"),
                                self.seen,
                                caption("<b>where it looked</b>"),
                                self.explanation,
                            ]
                        ),
                    ],
                    layout=widgets.Layout(align_items="flex-start"),
                ),
                self.method,
                caption(f"<b>first layer's {filters} feature maps</b> ({self.reader.feature_layer})"),
                self.features,
                self.timing,
            ]
        )

    def update(self, strokes, *, revision=0):
        """Read ``strokes`` (canvas points): answer first, then the explanation and feature maps."""
        started = time.perf_counter()
        try:
            digit = strokes_to_mnist(strokes, line_width=self.canvas.line_width)
        except BlankDrawingError:
            self.last_reading = None
            self.answer.value = _render.waiting("Draw a digit on the black square.", revision=revision)
            self.seen.value = self.explanation.value = self._blank["digit"]
            self.features.value = self._blank["maps"]
            self.timing.value = ""
            return None
        prepared = time.perf_counter()
        reading = self.reader.read(digit)
        self.answer.value = _render.probability_bars(reading.probabilities, revision=revision)
        answered = time.perf_counter()
        self.last_reading = reading
        self.seen.value = _render.png(digit, scale=5)
        self._show_maps()
        finished = time.perf_counter()
        self.timings = {
            "preprocess_ms": 1e3 * (prepared - started),
            "predict_ms": 1e3 * (answered - prepared),
            "maps_ms": 1e3 * (finished - answered),
        }
        self.timing.value = (
            '<span style="font-size:12px;color:#777">Python: drawing → 28×28 '
            f"{self.timings['preprocess_ms']:.1f} ms, CNN {self.timings['predict_ms']:.1f} ms, "
            f"maps {self.timings['maps_ms']:.0f} ms</span>"
        )
        return reading

    def _show_maps(self):
        reading = self.last_reading
        if reading is None:
            return
        grey = np.repeat((reading.image * 255).astype(np.uint8), 3, axis=-1)
        heat = _render.colorize(self.reader.explain(reading, self.method.value), "jet", vmin=0, vmax=1)
        self.explanation.value = _render.png((0.45 * grey + 0.55 * heat).astype(np.uint8), scale=5)
        maps = np.moveaxis(reading.feature_maps, -1, 0)
        tiles = [_render.colorize(m, "viridis", vmin=0) for m in maps]
        self.features.value = _render.png(_render.grid(tiles, columns=4), scale=3)
