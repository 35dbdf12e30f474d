"""The convolution and pooling explorer: turn the knobs, watch the feature map fill in.

Pick an input (a digit or one of the lectures' small matrices), a kernel (the lectures' edge
kernels, or typed values), stride, padding and a pooling window; the explorer shows the padded
input with the kernel's current window, the feature map filled in up to that window, the pooled
map, and the output-size formula of lectures 001 and 003 with the numbers substituted:
``floor((n + 2p - k) / s) + 1``. Nothing trains: each change recomputes with the NumPy layers of
:mod:`cnn_lectures.scratch` and redraws HTML tables, in milliseconds (``last_redraw_ms``).

In a notebook (05 for convolution, 06 for pooling)::

    from cnn_lectures.demos.convolution import ConvolutionExplorer
    ConvolutionExplorer().widget                                   # the 6x6 image of lecture 000
    ConvolutionExplorer(input="lecture 002: feature map 2×4", kernel="identity 1×1", pool=2).widget
"""

import contextlib
import io
import re
import time
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from cnn_lectures.demos._tables import matrix_table
from cnn_lectures.scratch import avg_pool_forward, conv2d_forward, max_pool_forward
from cnn_lectures.shapes import conv_output_size

__all__ = ["INPUTS", "KERNELS", "ConvolutionExplorer", "Exploration", "explore", "parse_kernel", "size_formula"]

INPUTS = {
    "lecture 000: 6×6 image": np.array(
        [
            [3, 3, 4, 4, 7, 0],
            [9, 7, 6, 5, 8, 2],
            [6, 5, 5, 6, 9, 2],
            [7, 1, 3, 2, 7, 8],
            [0, 3, 7, 1, 8, 3],
            [4, 0, 4, 3, 2, 2],
        ],
        dtype=np.float64,
    ),
    "lecture 004: 7×7 input 0…48": np.arange(49, dtype=np.float64).reshape(7, 7),
    "lecture 002: feature map 2×4": np.array([[7, 3, 0, 1], [-1, -2, 4, 0]], dtype=np.float64),
}
"""The lectures' small matrices; :class:`ConvolutionExplorer` adds ten digits (one per label)."""

_SLASH = np.array([[-1, -1, 2], [-1, 2, -1], [2, -1, -1]], dtype=np.float64)
KERNELS = {
    "vertical edge (lecture 000)": np.array([[1, 0, -1]] * 3, dtype=np.float64),
    "horizontal edge": np.array([[1, 0, -1]] * 3, dtype=np.float64).T.copy(),
    "45° edge /": _SLASH,
    "−45° edge \\": _SLASH[:, ::-1].copy(),
    "3×3 ones (lecture 004)": np.ones((3, 3)),
    "[1 −1] (lecture 004)": np.array([[1.0, -1.0]]),
    "identity 1×1": np.ones((1, 1)),
}
"""The lectures' kernels (notebook 05 uses each); ``"typed…"`` in the widget takes your own."""

TYPED = "typed…"
POOLING = {"none": 1, "2×2": 2, "3×3": 3}


def parse_kernel(text):
    """Read a kernel typed as rows of numbers: rows on lines (or split by ``;``), values by spaces or commas.

    >>> parse_kernel("1 0 -1; 1 0 -1")
    array([[ 1.,  0., -1.],
           [ 1.,  0., -1.]])

    Raises:
        ValueError: naming the row and the value that is not a number, or the row whose length
            differs from the first row's.
    """
    rows = [row for row in re.split(r"[;\n]", text.strip()) if row.strip()]
    if not rows:
        raise ValueError("The kernel is empty: type rows of numbers, e.g. '1 0 -1; 1 0 -1; 1 0 -1'.")
    matrix = []
    for number, row in enumerate(rows, start=1):
        values = []
        for token in re.split(r"[,\s]+", row.strip().strip("[]")):
            try:
                values.append(float(token.strip("[]").replace("−", "-")))
            except ValueError:
                raise ValueError(
                    f"Kernel row {number}: {token!r} is not a number. Received row: {row.strip()!r}"
                ) from None
        if matrix and len(values) != len(matrix[0]):
            raise ValueError(
                f"Kernel row {number} has {len(values)} values, row 1 has {len(matrix[0])}: "
                f"every row needs the same number. Received row: {row.strip()!r}"
            )
        matrix.append(values)
    kernel = np.array(matrix)
    if not np.isfinite(kernel).all():
        raise ValueError(f"The kernel must hold finite numbers. Received: {kernel.tolist()}")
    return kernel


def size_formula(n, kernel_size, *, stride=1, padding=0):
    """The output-size formula with the numbers in: ``⌊(n + 2p − k) / s⌋ + 1 = ⌊(6 + 2·1 − 3) / 1⌋ + 1 = 6``."""
    out = conv_output_size(n, kernel_size, stride=stride, padding=padding)
    return f"⌊(n + 2p − k) / s⌋ + 1 = ⌊({n} + 2·{padding} − {kernel_size}) / {stride}⌋ + 1 = {out}"


@dataclass(frozen=True)
class Exploration:
    """Everything the explorer shows for one setting of the knobs."""

    padded: np.ndarray  # the input with `padding` zeros on each side
    feature_map: np.ndarray  # the convolution's output
    pooled: np.ndarray  # the pooled feature map (the feature map itself when pool == 1)
    formulas: dict  # "rows"/"cols" of the convolution, "pool rows"/"pool cols" of the pooling
    stride: int
    padding: int
    pool: int


def explore(image, kernel, *, stride=1, padding=0, pool=1, pool_mode="max"):
    """Convolve ``image`` with ``kernel`` (no bias), then pool with a ``pool`` x ``pool`` window, stride ``pool``.

    Args:
        image: 2-D array (height, width).
        kernel: 2-D array (kh, kw).
        stride, padding: the convolution's, ints (``padding`` zeros on each side).
        pool: pooling window and stride (Keras' default), 1 for no pooling.
        pool_mode: ``"max"`` or ``"average"``.

    Raises:
        ValueError: the kernel (or pooling window) does not fit, with the sizes received.
    """
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image and kernel must be 2-D. Received shapes {image.shape} and {kernel.shape}")
    if pool_mode not in ("max", "average"):
        raise ValueError(f"pool_mode must be 'max' or 'average'. Received: pool_mode={pool_mode!r}")
    formulas = {
        axis: size_formula(n, k, stride=stride, padding=padding)
        for axis, n, k in (("rows", image.shape[0], kernel.shape[0]), ("cols", image.shape[1], kernel.shape[1]))
    }
    out, _ = conv2d_forward(
        image[None, :, :, None], kernel[:, :, None, None], np.zeros(1), stride=stride, padding=padding
    )
    feature_map = out[0, :, :, 0]
    pooled = feature_map
    if pool > 1:
        for axis, n in (("pool rows", feature_map.shape[0]), ("pool cols", feature_map.shape[1])):
            formulas[axis] = size_formula(n, pool, stride=pool, padding=0)
        forward = max_pool_forward if pool_mode == "max" else avg_pool_forward
        pooled = forward(out, pool_size=pool, stride=pool)[0][0, :, :, 0]
    return Exploration(np.pad(image, padding), feature_map, pooled, formulas, stride, padding, pool)


def _first_digit_of_each_label():
    """Ten digits (label -> uint8 28x28), the first of each label in the default data, and where they came from."""
    from cnn_lectures.data import load_digit_recognizer

    with contextlib.redirect_stdout(io.StringIO()) as printed:
        data = load_digit_recognizer()
    origin = getattr(data, "description", None) or printed.getvalue().strip()
    digits = {
        f"digit {label} (#{i})": data.x_train[i].reshape(28, 28).astype(np.float64)
        for label in range(10)
        for i in [int(np.flatnonzero(data.y_train == label)[0])]
    }
    return digits, origin


def _buttons(description, options, value, *, width="54px"):
    return widgets.ToggleButtons(options=options, value=value, description=description, style={"button_width": width})


class ConvolutionExplorer:
    """The explorer's widgets; display :attr:`widget`. Knobs are ipywidgets, so they work in any front end.

    Args:
        input: name of the starting input (a key of :data:`INPUTS` or ``"digit 7 (#…)"``).
        kernel: name of the starting kernel (a key of :data:`KERNELS`, or ``"typed…"``).
        stride, padding, pool: starting knob values.
        digits: ``{name: 2-D array}`` offered as inputs besides the lectures' matrices; ``None``
            takes the first digit of each label from ``load_digit_recognizer()`` (Kaggle's files
            when present, else the embedded sample).
    """

    def __init__(
        self,
        *,
        input="lecture 000: 6×6 image",
        kernel="vertical edge (lecture 000)",
        stride=1,
        padding=1,
        pool=1,
        digits=None,
    ):
        origin = ""
        if digits is None:
            digits, origin = _first_digit_of_each_label()
        self.inputs = {**INPUTS, **digits}
        self.input = widgets.Dropdown(options=list(self.inputs), value=input, description="input")
        self.kernel = widgets.Dropdown(options=[*KERNELS, TYPED], value=kernel, description="kernel")
        self.typed = widgets.Textarea(
            value="1 0 -1\n1 0 -1\n1 0 -1",
            description="values",
            continuous_update=False,
            layout=widgets.Layout(height="80px"),
        )
        self.stride = _buttons("stride", [1, 2, 3, 4], stride)
        self.padding = _buttons("padding", [0, 1, 2, 3], padding)
        self.pool = _buttons("pooling", list(POOLING.items()), pool)
        self.pool_mode = _buttons("pool by", ["max", "average"], "max", width="76px")
        self.position = widgets.IntSlider(0, min=0, max=0, description="window")
        self.play = widgets.Play(interval=400, min=0, max=0)
        widgets.jslink((self.play, "value"), (self.position, "value"))
        self.formula = widgets.HTML()
        self.view = widgets.HTML()
        self.footer = widgets.HTML(f'<span style="font-size:12px;color:#777">{origin}</span>' if origin else "")
        self.last_redraw_ms = None
        self.result = None
        for knob in (self.input, self.kernel, self.typed, self.stride, self.padding, self.pool, self.pool_mode):
            knob.observe(lambda change: self.redraw(), "value")
        self.position.observe(lambda change: self.redraw(keep_position=True), "value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.input, self.kernel]),
                self.typed,
                self.stride,
                self.padding,
                self.pool,
                self.pool_mode,
                widgets.HBox([self.play, self.position]),
                self.formula,
                self.view,
                self.footer,
            ]
        )
        self.redraw()

    def current_kernel(self):
        """The chosen kernel as a 2-D array (raises ValueError for badly typed values)."""
        if self.kernel.value == TYPED:
            return parse_kernel(self.typed.value)
        return KERNELS[self.kernel.value]

    def redraw(self, *, keep_position=False):
        """Recompute and redraw everything; returns the :class:`Exploration` (None on bad input)."""
        started = time.perf_counter()
        self.typed.layout.display = None if self.kernel.value == TYPED else "none"
        try:
            kernel = self.current_kernel()
            result = explore(
                self.inputs[self.input.value],
                kernel,
                stride=self.stride.value,
                padding=self.padding.value,
                pool=self.pool.value,
                pool_mode=self.pool_mode.value,
            )
        except ValueError as error:
            self.result = None
            self.formula.value = f'<div class="cnn-explorer-error" style="color:#d62728">{error}</div>'
            self.view.value = ""
            self.last_redraw_ms = 1e3 * (time.perf_counter() - started)
            return None
        self.result = result
        rows, cols = result.feature_map.shape
        if not keep_position:
            with self.position.hold_trait_notifications():
                self.position.max = self.play.max = rows * cols - 1
                self.position.value = min(self.position.value, rows * cols - 1)
        self._draw(result, kernel, min(self.position.value, rows * cols - 1))
        self.last_redraw_ms = 1e3 * (time.perf_counter() - started)
        return result

    def _draw(self, result, kernel, position):
        rows, cols = result.feature_map.shape
        row, col = divmod(position, cols)
        kh, kw = kernel.shape
        top, left = row * result.stride, col * result.stride
        window = result.padded[top : top + kh, left : left + kw]
        terms = " + ".join(f"{a:g}·{b:g}" for a, b in zip(window.ravel(), kernel.ravel()))
        sum_line = (
            f"{terms} = {result.feature_map[row, col]:g}" if kernel.size <= 9 else f"= {result.feature_map[row, col]:g}"
        )
        lines = [
            f"<b>feature map</b>: {rows} × {cols} "
            f'<span class="cnn-output-size" data-rows="{rows}" data-cols="{cols}">({rows}×{cols})</span>',
            f"rows: {result.formulas['rows']}",
            f"columns: {result.formulas['cols']}",
        ]
        if result.pool > 1:
            pr, pc = result.pooled.shape
            lines += [
                f"<b>after {result.pool}×{result.pool} pooling</b> (stride {result.pool}): "
                f'<span class="cnn-pooled-size" data-rows="{pr}" data-cols="{pc}">{pr} × {pc}</span>',
                f"rows: {result.formulas['pool rows']}",
                f"columns: {result.formulas['pool cols']}",
            ]
        self.formula.value = (
            '<div style="font-family:sans-serif;font-size:15px;line-height:1.6">' + "<br>".join(lines) + "</div>"
        )
        panels = [
            (
                "input"
                + (f" + padding {result.padding}" if result.padding else "")
                + f" ({result.padded.shape[0]}×{result.padded.shape[1]})",
                matrix_table(result.padded, css_class="cnn-input", window=(top, left, kh, kw), pad=result.padding),
            ),
            (f"kernel {kh}×{kw}", matrix_table(kernel, css_class="cnn-kernel", diverging=True)),
            (
                f"feature map {rows}×{cols}",
                matrix_table(
                    result.feature_map,
                    css_class="cnn-feature-map",
                    filled=position + 1,
                    current=(row, col),
                    diverging=True,
                ),
            ),
        ]
        if result.pool > 1:
            panels.append(
                (
                    f"{self.pool_mode.value} pooled {result.pooled.shape[0]}×{result.pooled.shape[1]}",
                    matrix_table(result.pooled, css_class="cnn-pooled", diverging=True),
                )
            )
        cells = "".join(
            f'<div><div style="font-size:13px;margin-bottom:4px">{title}</div>{table}</div>' for title, table in panels
        )
        self.view.value = (
            '<div style="display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap;font-family:sans-serif">'
            f"{cells}</div>"
            f'<div style="font-family:monospace;font-size:13px;margin-top:8px">window at row {row}, column {col}: '
            f"{sum_line}</div>"
        )
