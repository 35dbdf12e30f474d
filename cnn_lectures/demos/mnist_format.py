"""A drawing turned into one Kaggle/MNIST digit, the way the MNIST digits were made.

LeCun, Cortes & Burges describe MNIST's preprocessing: each NIST digit was "size normalized to fit
in a 20x20 pixel box while preserving their aspect ratio", the anti-aliasing of that step leaving
grey levels, and then "centered in a 28x28 image by computing the center of mass of the pixels,
and translating the image so as to position this point at the center of the 28x28 field".
Kaggle's Digit Recognizer rows are those images: 784 uint8 values, ink 255 on a background of 0.

>>> image = strokes_to_image([[(140, 40), (140, 240)]])      # one vertical stroke: a "1"
>>> digit = to_mnist(image)
>>> digit.shape, digit.dtype, int(digit.max())
((28, 28), dtype('uint8'), 255)
"""

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

__all__ = ["BlankDrawingError", "strokes_to_image", "to_mnist", "strokes_to_mnist"]

MNIST_SIZE = 28
"""Side of a Kaggle/MNIST digit, in pixels."""

MNIST_BOX = 20
"""Side of the box the digit's longer side is scaled to (the 4-pixel margin of MNIST)."""


class BlankDrawingError(ValueError):
    """The drawing has no ink: there is no digit to read."""


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def strokes_to_image(strokes, *, size=280, line_width=24):
    """Rasterise pen strokes into a square greyscale image: white ink (255) on black (0).

    Args:
        strokes: a list of strokes, each a list of ``(x, y)`` points in pixels of a
            ``size`` x ``size`` canvas (x to the right, y down), as the canvas sends them.
            A one-point stroke is a dot.
        size: side of the canvas, in pixels.
        line_width: pen width, in canvas pixels (round caps and joints).

    Returns:
        uint8 array of shape (size, size).

    Raises:
        ValueError: a stroke is not a list of (x, y) pairs of finite numbers.
    """
    size = _check_positive_int(size, "size")
    line_width = _check_positive_int(line_width, "line_width")
    canvas = Image.new("L", (size, size), 0)
    pen = ImageDraw.Draw(canvas)
    radius = line_width / 2
    for number, stroke in enumerate(strokes):
        points = np.asarray(stroke, dtype=np.float64) if len(stroke) else np.zeros((0, 2))
        if points.ndim != 2 or points.shape[1] != 2 or not np.isfinite(points).all():
            raise ValueError(
                f"Stroke {number} must be a list of (x, y) pairs of finite numbers. Received: {stroke!r:.200}"
            )
        path = [tuple(point) for point in points]
        if len(path) > 1:
            pen.line(path, fill=255, width=line_width, joint="curve")
        for x, y in (path[0], path[-1]) if path else ():  # round caps (and one-point dots)
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(canvas, dtype=np.uint8)


def to_mnist(image, *, size=MNIST_SIZE, box=MNIST_BOX):
    """Crop, scale and centre a greyscale drawing into one MNIST-style digit.

    1. Crop to the bounding box of the ink (pixels > 0).
    2. Scale it, aspect ratio kept, so the longer side is ``box`` pixels: area-averaging when
       shrinking (this is what makes grey levels at the stroke edges), bilinear when enlarging.
    3. Paste it into a ``size`` x ``size`` field so that its centre of mass (ink-weighted) lies at
       pixel ``(size / 2, size / 2)`` -- (14, 14), where MNIST's digits have theirs -- as far as
       the box can move without leaving the field.

    Args:
        image: 2-D array of ink values in 0..255 (0 = background), any size, e.g. the
            (280, 280) of :func:`strokes_to_image`.
        size: side of the output (28 for MNIST).
        box: side of the box the digit is scaled into (20 for MNIST), at most ``size``.

    Returns:
        uint8 array of shape (size, size): a Kaggle row once reshaped with ``.reshape(784)``.

    Raises:
        BlankDrawingError: the image has no ink.
        ValueError: the image is not 2-D or has values outside 0..255.
    """
    size = _check_positive_int(size, "size")
    box = _check_positive_int(box, "box")
    if box > size:
        raise ValueError(f"`box` must be at most `size`. Received: box={box}, size={size}")
    image = np.asarray(image)
    if image.ndim != 2 or not np.issubdtype(image.dtype, np.number):
        raise ValueError(
            f"to_mnist expects one 2-D greyscale image (height, width). "
            f"Received: shape {image.shape}, dtype {image.dtype}"
        )
    if image.size and (image.min() < 0 or image.max() > 255):
        raise ValueError(f"to_mnist expects values in 0..255. Received values {image.min()}..{image.max()}")
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    if rows.size == 0:
        raise BlankDrawingError("The drawing is blank: draw a digit first.")
    crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.uint8)
    height, width = crop.shape
    scale = box / max(height, width)
    new_height, new_width = (max(1, round(side * scale)) for side in (height, width))
    method = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    digit = np.asarray(Image.fromarray(crop).resize((new_width, new_height), method), dtype=np.uint8)

    if digit.any():
        centre_row, centre_col = ndimage.center_of_mass(digit.astype(np.float64))
    else:  # faint ink averaged away: centre the box itself
        centre_row, centre_col = (new_height - 1) / 2, (new_width - 1) / 2
    middle = size / 2  # MNIST's convention: the embedded sample's centres of mass average (13.98, 14.02)
    top = int(np.clip(round(middle - centre_row), 0, size - new_height))
    left = int(np.clip(round(middle - centre_col), 0, size - new_width))
    field = np.zeros((size, size), dtype=np.uint8)
    field[top : top + new_height, left : left + new_width] = digit
    return field


def strokes_to_mnist(strokes, *, canvas_size=280, line_width=24):
    """:func:`strokes_to_image` then :func:`to_mnist`: canvas strokes to a uint8 (28, 28) digit."""
    return to_mnist(strokes_to_image(strokes, size=canvas_size, line_width=line_width))
