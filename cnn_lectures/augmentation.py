"""Data augmentation for the Digit Recognizer: the lecture's generator and a fast tf.data path.

Lecture 003 augments with Keras's legacy ``ImageDataGenerator``: every image is rotated by up
to 5 degrees, zoomed by up to 10 % (height and width independently) and shifted by up to 10 %
of its size. Three implementations of that one recipe live here, all built from the same
defaults (:data:`ROTATION`, :data:`ZOOM`, :data:`SHIFT`):

- :func:`image_data_generator` -- the lecture's ``ImageDataGenerator`` (SciPy, one image at a
  time; about 2.2x the cost of an epoch without augmentation on two CPU cores).
- :func:`augmentation_layers` -- the Keras 3 preprocessing layers ``RandomRotation``,
  ``RandomZoom``, ``RandomTranslation`` (three warps per image; about 1.6x).
- :func:`augmented_dataset` -- a ``tf.data`` pipeline that draws the same random parameters
  and applies them as one fused affine warp per batch (:func:`affine_warp`); this is what
  ``train(..., augment="fast")`` uses.

The training modes are named once, in :data:`AUGMENT_MODES`: ``"fast"``, ``"generator"``, ``"none"``.

Units: ``rotation`` is in degrees (``RandomRotation`` wants a fraction of a full turn, so
5 degrees is ``5 / 360``); ``zoom`` and ``shift`` are fractions of the image size everywhere;
a shift in pixels is called ``shift_x_pixels`` / ``shift_y_pixels`` (:func:`affine_warp`).

Input conventions shared by :func:`augmented_dataset` and :mod:`cnn_lectures.training`
(``cnn_lectures._validation.check_images`` and ``check_labels``): images are either integer pixels
0..255 (``uint8`` rows of shape (n, 784) as read from ``train.csv``, or (n, 28, 28[, 1]))
or float images already in [0, 1]; labels are integers 0..num_classes-1 of shape (n,) or
one-hot rows of shape (n, num_classes).
"""

import math

import keras
import tensorflow as tf
from keras import layers
from tensorflow.keras.preprocessing.image import ImageDataGenerator  # keras.preprocessing.image fails in Keras 3

from cnn_lectures._validation import (  # noqa: F401  (check_images, check_labels: re-exported for benchmarks)
    AUGMENT_MODES,
    check_augment,
    check_images,
    check_int,
    check_labels,
    check_seed,
)

ROTATION = 5.0
"""Largest rotation, in degrees (the lecture's ``rotation_range=5``)."""
ZOOM = 0.1
"""Largest zoom, as a fraction: scale factors are drawn from [1 - ZOOM, 1 + ZOOM]."""
SHIFT = 0.1
"""Largest shift, as a fraction of the image height or width."""


def image_data_generator(
    *, rotation_range=ROTATION, zoom_range=ZOOM, width_shift_range=SHIFT, height_shift_range=SHIFT, **kw
):
    """The lecture's legacy ``ImageDataGenerator`` (all other options at Keras's defaults).

    Pass its iterator straight to ``model.fit``:
    ``model.fit(gen.flow(x, y, batch_size=250, seed=0), epochs=...)``. Do not pass the
    lecture's ``steps_per_epoch=len(x) // batch_size``: in Keras 3 it leaves every other
    epoch nearly empty. Note that the generator fills uncovered pixels with the nearest edge
    pixel (``fill_mode="nearest"``) and draws its random numbers from NumPy's global state.

    Args:
        rotation_range: largest rotation in degrees.
        zoom_range: largest zoom; scale factors come from [1 - zoom_range, 1 + zoom_range].
        width_shift_range, height_shift_range: largest shifts, fractions of width/height.
        **kw: any other ``ImageDataGenerator`` argument.

    Returns:
        ``tensorflow.keras.preprocessing.image.ImageDataGenerator``.
    """
    return ImageDataGenerator(
        rotation_range=rotation_range,
        zoom_range=zoom_range,
        width_shift_range=width_shift_range,
        height_shift_range=height_shift_range,
        **kw,
    )


def augmentation_layers(*, rotation=ROTATION, zoom=ZOOM, shift=SHIFT, seed=None):
    """The same augmentation as Keras 3 preprocessing layers (active only when ``training=True``).

    Args:
        rotation: largest rotation in degrees (converted to ``RandomRotation``'s fraction of 2*pi).
        zoom: largest zoom fraction; height and width are zoomed independently, as in the generator.
        shift: largest shift, a fraction of the height and width.
        seed: integer seed for the three layers, or None.

    Returns:
        ``keras.Sequential`` named ``"augmentation"`` mapping float images (b, h, w, c) to
        images of the same shape; uncovered pixels are filled with 0.
    """
    fill = {"fill_mode": "constant", "fill_value": 0.0, "interpolation": "bilinear"}
    seeds = [None] * 3 if seed is None else [seed, seed + 1, seed + 2]
    return keras.Sequential(
        [
            layers.RandomRotation(rotation / 360.0, seed=seeds[0], name="random_rotation", **fill),
            layers.RandomZoom((-zoom, zoom), (-zoom, zoom), seed=seeds[1], name="random_zoom", **fill),
            layers.RandomTranslation(shift, shift, seed=seeds[2], name="random_translation", **fill),
        ],
        name="augmentation",
    )


def affine_warp(images, *, rotation=0.0, zoom_x=1.0, zoom_y=1.0, shift_x_pixels=0.0, shift_y_pixels=0.0):
    """Rotate, zoom and shift a batch of images in one bilinear warp (fill 0).

    The parameters mean exactly what they mean in the legacy
    ``apply_affine_transform(theta=rotation, tx=shift_x_pixels, ty=shift_y_pixels, zx=zoom_x, zy=zoom_y)``:
    output pixel ``p`` samples the input at ``c + R(Z(p - c) + t)`` with ``c`` the image
    centre, ``R`` the rotation, ``Z = diag(zoom_x, zoom_y)`` and ``t = (shift_x_pixels, shift_y_pixels)``.
    So a zoom above 1 shrinks the digit and a positive shift moves it left (x) or up (y).

    Args:
        images: float tensor of shape (b, h, w, c).
        rotation: degrees; a scalar or a tensor of shape (b,).
        zoom_x, zoom_y: scale factors along width and height; scalars or shape (b,).
        shift_x_pixels, shift_y_pixels: shifts in pixels along width and height; scalars or shape (b,).

    Returns:
        float32 tensor of shape (b, h, w, c).
    """
    images = tf.convert_to_tensor(images, tf.float32)
    batch = tf.shape(images)[0]
    height, width = images.shape[1], images.shape[2]
    theta, zx, zy, tx, ty = (
        tf.broadcast_to(tf.cast(value, tf.float32), [batch])
        for value in (rotation * (math.pi / 180.0), zoom_x, zoom_y, shift_x_pixels, shift_y_pixels)
    )
    cos, sin = tf.cos(theta), tf.sin(theta)
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    a0, a1 = cos * zx, -sin * zy
    b0, b1 = sin * zx, cos * zy
    a2 = cx - a0 * cx - a1 * cy + cos * tx - sin * ty
    b2 = cy - b0 * cx - b1 * cy + sin * tx + cos * ty
    zeros = tf.zeros_like(a0)
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.constant([height, width], tf.int32),
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )


def random_affine(images, *, seed, rotation=ROTATION, zoom=ZOOM, shift=SHIFT):
    """Apply :func:`affine_warp` with parameters drawn like ``ImageDataGenerator`` draws them.

    Per image: rotation ~ U(-rotation, rotation) degrees; zoom_x, zoom_y ~ U(1 - zoom, 1 + zoom);
    shift_x_pixels ~ U(-shift, shift) * width, shift_y_pixels ~ U(-shift, shift) * height.

    Args:
        images: float tensor of shape (b, h, w, c).
        seed: stateless seed, an integer tensor of shape (2,); the same seed gives the same warp.
        rotation, zoom, shift: as in :func:`augmentation_layers`.

    Returns:
        float32 tensor of shape (b, h, w, c).
    """
    images = tf.convert_to_tensor(images, tf.float32)
    u = tf.random.stateless_uniform([tf.shape(images)[0], 5], seed=seed, minval=-1.0, maxval=1.0, alg="philox")
    return affine_warp(
        images,
        rotation=rotation * u[:, 0],
        zoom_x=1.0 + zoom * u[:, 1],
        zoom_y=1.0 + zoom * u[:, 2],
        shift_x_pixels=shift * images.shape[2] * u[:, 3],
        shift_y_pixels=shift * images.shape[1] * u[:, 4],
    )


def augmented_dataset(
    x,
    y,
    *,
    batch_size=250,
    augment="fast",
    shuffle=True,
    seed=0,
    rotation=ROTATION,
    zoom=ZOOM,
    shift=SHIFT,
    num_classes=10,
):
    """A batched, shuffled, augmented, prefetched ``tf.data.Dataset`` of (images, one-hot labels).

    The images are normalised once and kept in memory as float32; each batch is gathered,
    then warped by one :func:`random_affine` call. Batch ``j`` of pass ``e`` over the dataset
    is a pure function of ``(seed, e, j)`` (stateless random ops), so a dataset built again
    with the same seed yields the same batches, pass after pass, while every pass draws a
    new order and new warps. The last batch is smaller when ``batch_size`` does not divide n.

    Args:
        x: images, see :func:`check_images` (e.g. uint8 (n, 784) or float32 (n, 28, 28, 1)).
        y: labels, see :func:`check_labels` (integers (n,) or one-hot (n, num_classes)).
        batch_size: images per batch.
        augment: ``"fast"`` warps the images, ``"none"`` gives the same pipeline without
            augmentation (True and False are accepted as older spellings).
        shuffle: draw a new order each pass (``False`` keeps the input order).
        seed: integer seed for order and warps.
        rotation, zoom, shift: as in :func:`augmentation_layers`.
        num_classes: number of classes for integer labels.

    Returns:
        ``tf.data.Dataset`` of ``(float32 images (b, h, w, c) in [0, 1], float32 labels (b, num_classes))``.
    """
    dataset, _ = epoch_keyed_dataset(
        x,
        y,
        batch_size=batch_size,
        augment=augment,
        shuffle=shuffle,
        seed=seed,
        rotation=rotation,
        zoom=zoom,
        shift=shift,
        num_classes=num_classes,
    )
    return dataset


def epoch_keyed_dataset(
    x,
    y,
    *,
    batch_size=250,
    augment="fast",
    shuffle=True,
    seed=0,
    rotation=ROTATION,
    zoom=ZOOM,
    shift=SHIFT,
    num_classes=10,
):
    """:func:`augmented_dataset` plus the int64 ``tf.Variable`` holding the number of the next pass.

    Every new iterator reads the variable as its pass number ``e`` and adds 1. Training sets it
    to the epoch number in ``on_epoch_begin`` (see :class:`SyncEpoch`), so epoch ``e`` sees the
    same batches whether or not the run was interrupted and resumed before it.
    """
    batch_size = check_int(batch_size, "batch_size", min_value=1)
    seed = check_seed(seed, allow_none=False)
    augment = _dataset_mode(augment) == "fast"
    images = check_images(x, "x")
    labels = check_labels(y, "y", num_classes=num_classes, num_samples=len(images))
    num_images, num_batches = len(images), math.ceil(len(images) / batch_size)
    images, labels = tf.constant(images), tf.constant(labels)
    seed = tf.constant(seed, tf.int64)
    with tf.device("/cpu:0"):
        next_pass = tf.Variable(0, dtype=tf.int64, trainable=False, name="augmentation_pass")

    def start_pass(_):
        return next_pass.assign_add(1) - 1

    def batches_of_pass(epoch):
        key = tf.stack([seed, epoch])
        order = tf.range(num_images)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(order, seed=key, alg="philox")
        return tf.data.Dataset.range(num_batches).map(lambda j: (key, j, order[j * batch_size : (j + 1) * batch_size]))

    def make_batch(key, j, index):
        batch = tf.gather(images, index)
        if augment:
            batch_key = tf.random.experimental.stateless_fold_in(key, j)
            batch = random_affine(batch, seed=batch_key, rotation=rotation, zoom=zoom, shift=shift)
            batch = tf.clip_by_value(batch, 0.0, 1.0)  # bilinear weights sum to 1 only up to rounding
        return batch, tf.gather(labels, index)

    dataset = (
        tf.data.Dataset.from_tensors(0)
        .map(start_pass)
        .flat_map(batches_of_pass)
        .map(make_batch, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .apply(tf.data.experimental.assert_cardinality(num_batches))
        .prefetch(tf.data.AUTOTUNE)
    )
    return dataset, next_pass


class SyncEpoch(keras.callbacks.Callback):
    """Set an :func:`epoch_keyed_dataset`'s pass variable to the epoch number when each epoch begins."""

    def __init__(self, next_pass):
        super().__init__()
        self.next_pass = next_pass

    def on_epoch_begin(self, epoch, logs=None):
        self.next_pass.assign(epoch)


def _dataset_mode(augment):
    """``"fast"`` or ``"none"``: the two modes a tf.data pipeline has (True/False read as those)."""
    if isinstance(augment, bool):
        return "fast" if augment else "none"
    mode = check_augment(augment)
    if mode == "generator":
        raise ValueError(
            '`augment` must be "fast" or "none" for a tf.data pipeline; the generator is '
            "image_data_generator(). Received: augment='generator'."
        )
    return mode
