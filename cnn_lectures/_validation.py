"""One home for argument and array checks (private).

One policy, as in scikit-learn's ``utils/validation.py``: a value of the wrong *type* raises
``TypeError`` (``bool`` is not an integer here), a value of the right type but outside what is
allowed raises ``ValueError``; every message names the argument and says what was expected and
what was received (``"`epochs` must be an integer >= 1. Received: epochs=0."``). Each check
returns the checked value in its canonical form, so callers write ``n = check_int(n, "n")``.

The digit layout (:data:`IMAGE_SHAPE`, :data:`NUM_PIXELS`) lives here because the image checks
need it; :mod:`cnn_lectures.preprocessing` re-exports it.
"""

from numbers import Integral, Real

import numpy as np

IMAGE_SHAPE = (28, 28, 1)
"""One digit as an NHWC image without the batch axis: 28 x 28 pixels, one channel."""
NUM_PIXELS = 28 * 28
"""Pixels in one flat row of Kaggle's ``train.csv`` / ``test.csv``."""

AUGMENT_MODES = ("fast", "generator", "none")
"""How training augments: ``"fast"`` (the tf.data path, one fused warp per batch), ``"generator"``
(the lecture's ``ImageDataGenerator``) or ``"none"``."""
AUGMENT_ALIASES = {"layers": "fast", None: "none"}
"""Older spellings still accepted: ``"layers"`` (the fast path's first name) and ``None``."""


def check_int(value, name, *, min_value=None, max_value=None):
    """``value`` as an ``int``: ``TypeError`` unless an integer (not a bool), ``ValueError`` out of range."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"`{name}` must be an integer{_bounds(min_value, max_value)}. Received: {name}={value!r}.")
    if (min_value is not None and value < min_value) or (max_value is not None and value > max_value):
        raise ValueError(f"`{name}` must be an integer{_bounds(min_value, max_value)}. Received: {name}={value!r}.")
    return int(value)


def check_number(value, name, *, min_value=None, max_value=None, include_min=True, include_max=True):
    """``value`` as a ``float``: ``TypeError`` unless a real number (not a bool), ``ValueError`` out of range."""
    bounds = _bounds(min_value, max_value, include_min=include_min, include_max=include_max)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"`{name}` must be a number{bounds}. Received: {name}={value!r}.")
    low_ok = min_value is None or (value >= min_value if include_min else value > min_value)
    high_ok = max_value is None or (value <= max_value if include_max else value < max_value)
    if not (low_ok and high_ok) or value != value:  # NaN fails every comparison but the last
        raise ValueError(f"`{name}` must be a number{bounds}. Received: {name}={value!r}.")
    return float(value)


def check_choice(value, name, choices, *, aliases=None):
    """``value`` if it is one of ``choices`` (or the choice an alias stands for), else ``ValueError``."""
    aliases = aliases or {}
    try:
        if value in aliases:
            return aliases[value]
        if value in choices:
            return value
    except TypeError:  # an unhashable value is no choice either
        pass
    listed = ", ".join(repr(choice) for choice in choices)
    raise ValueError(f"`{name}` must be one of {listed}. Received: {name}={value!r}.")


def check_augment(augment, name="augment"):
    """One of :data:`AUGMENT_MODES` (``"layers"`` and None are read as ``"fast"`` and ``"none"``)."""
    return check_choice(augment, name, AUGMENT_MODES, aliases=AUGMENT_ALIASES)


def check_seed(seed, name="seed", *, allow_none=True):
    """An integer seed >= 0 (or None when ``allow_none``) as an ``int``."""
    if seed is None and allow_none:
        return None
    return check_int(seed, name, min_value=0)


def scale_pixels(x, name="x"):
    """Integer or float pixel values 0..255 as a new float32 array in [0, 1] (``x / 255``)."""
    x = np.asarray(x)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"`{name}` must be a numeric array of pixels 0..255. Received: {name}.dtype={x.dtype}.")
    if x.size and (x.min() < 0 or x.max() > 255):
        raise ValueError(f"`{name}` must hold pixel values in 0..255. Received values from {x.min()} to {x.max()}.")
    return x.astype(np.float32) / np.float32(255.0)


def check_images(x, name="x"):
    """Images for training or prediction as float32 (n, h, w, c) in [0, 1].

    Args:
        x: integer pixels 0..255 or float pixels in [0, 1], of shape (n, 784), (n, 28, 28)
            or (n, h, w, c), n >= 1.
        name: the argument's name in messages.

    Returns:
        float32 array of shape (n, h, w, c) (784-pixel rows become (n, 28, 28, 1)). Integer
        pixels are scaled into a new array; float32 input of the right shape is returned
        as it is (never modified), as scikit-learn's ``check_array`` does.
    """
    x = np.asarray(x)
    if x.ndim == 2 and x.shape[1] == NUM_PIXELS or x.ndim == 3 and x.shape[1:] == IMAGE_SHAPE[:2]:
        x = x.reshape((-1,) + IMAGE_SHAPE)
    if x.ndim != 4 or len(x) == 0:
        raise ValueError(
            f"`{name}` must be images of shape (n, 784), (n, 28, 28) or (n, height, width, channels) "
            f"with n >= 1. Received: {name}.shape={x.shape}."
        )
    if np.issubdtype(x.dtype, np.integer):
        return scale_pixels(x, name)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"`{name}` must hold integer pixels 0..255 or float pixels in [0, 1]. Received: {name}.dtype={x.dtype}."
        )
    low, high = float(x.min()), float(x.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"`{name}` must hold float pixels in [0, 1]; scale 0..255 pixels with "
            f"cnn_lectures.preprocessing.normalize first. Received values from {low} to {high}."
        )
    return x.astype(np.float32, copy=False)


def check_nhwc(images, name="images"):
    """A batch of images of any value range as float32 (n, height, width, channels)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(
            f"`{name}` must be a batch of NHWC images of shape (n, height, width, channels). "
            f"Received: {name}.shape={images.shape}."
        )
    return images


def check_nhwc_image(image, name="image"):
    """One image as float32 (height, width, channels); a batch of one, (1, h, w, c), is unwrapped."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 4 and image.shape[0] == 1:
        image = image[0]
    if image.ndim == 2:
        raise ValueError(
            f"`{name}` must be one NHWC image of shape (height, width, channels), for example (28, 28, 1); "
            f"add a channel axis with image[..., None]. Received: {name}.shape={image.shape}."
        )
    if image.ndim != 3:
        raise ValueError(
            f"`{name}` must be one NHWC image of shape (height, width, channels), for example (28, 28, 1); "
            f"pass x[i], not the whole batch. Received: {name}.shape={image.shape}."
        )
    return image


def get_layer(model, layer_name):
    """``model.get_layer(layer_name)``, with a ``ValueError`` that lists the model's layer names."""
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"No layer named {layer_name!r} in model {model.name!r}. Layers: {', '.join(names)}.")
    return model.get_layer(layer_name)


def check_class_indices(y, name="y", *, num_classes=None, num_samples=None):
    """Class labels as int64 (n,): from integer labels (n,) or from one-hot or probability rows (n, k).

    Rows of shape (n, k) become their argmax. Float labels must be whole numbers. With
    ``num_classes`` labels must lie in 0..num_classes-1 and rows must have ``num_classes``
    columns; with ``num_samples`` there must be that many labels.
    """
    y = np.asarray(y)
    if y.ndim == 2:
        if num_classes is not None and y.shape[1] != num_classes:
            raise ValueError(
                f"`{name}` must be integer labels of shape (n,) or one-hot rows of shape (n, {num_classes}). "
                f"Received: {name}.shape={y.shape}."
            )
        y = y.argmax(axis=1)
    elif y.ndim != 1:
        raise ValueError(
            f"`{name}` must be integer labels of shape (n,) or one-hot rows of shape (n, num_classes). "
            f"Received: {name}.shape={y.shape}."
        )
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number):
        raise TypeError(f"`{name}` must hold integer labels. Received: {name}.dtype={y.dtype}.")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.mod(y, 1) == 0):
            bad = int(np.argmax(np.mod(y, 1) != 0))
            raise ValueError(f"`{name}` must hold whole-number labels. Received: {name}[{bad}]={y[bad].item()!r}.")
        y = y.astype(np.int64)
    if num_classes is not None:
        outside = (y < 0) | (y >= num_classes)
        if outside.any():
            bad = int(np.argmax(outside))
            raise ValueError(
                f"`{name}` must hold labels 0..{num_classes - 1}. Received: {name}[{bad}]={y[bad].item()!r}."
            )
    if num_samples is not None and len(y) != num_samples:
        raise ValueError(f"`{name}` must hold one label per image: {num_samples} labels. Received: {len(y)}.")
    return y.astype(np.int64, copy=False)


def check_labels(y, name="y", *, num_classes=10, num_samples=None):
    """Labels for training as one-hot float32 (n, num_classes), from integers (n,) or one-hot rows.

    One-hot rows are returned as float32 as given (not re-encoded), so soft labels pass through.
    """
    y = np.asarray(y)
    if y.ndim == 1:
        indices = check_class_indices(y, name, num_classes=num_classes)
        y = np.zeros((len(indices), num_classes), dtype=np.float32)
        y[np.arange(len(indices)), indices] = 1.0
    elif y.ndim != 2 or y.shape[1] != num_classes:
        raise ValueError(
            f"`{name}` must be integer labels of shape (n,) or one-hot labels of shape (n, {num_classes}). "
            f"Received: {name}.shape={y.shape}."
        )
    if num_samples is not None and len(y) != num_samples:
        raise ValueError(f"`{name}` must hold one label per image: {num_samples} labels. Received: {len(y)}.")
    return y.astype(np.float32, copy=False)


def _bounds(min_value, max_value, *, include_min=True, include_max=True):
    low = "" if min_value is None else f"{'>=' if include_min else '>'} {min_value}"
    high = "" if max_value is None else f"{'<=' if include_max else '<'} {max_value}"
    if low and high:
        return f" in [{min_value}, {max_value}]" if include_min and include_max else f" {low} and {high}"
    return f" {low or high}" if low or high else ""
