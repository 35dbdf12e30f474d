"""Class probabilities from a trained model, optionally averaged over shifted copies.

Test-time augmentation: a digit moved by a pixel is still the same digit, so averaging a model's
softmax over the image and a few shifted copies of it cancels part of the model's sensitivity to
exactly where the strokes fall, for four more forward passes. The ``best`` preset predicts this
way (``Preset.test_time_shift``); the README's "Measured figures" say what it changed there.

    probabilities = predict_probabilities(model, x_val, shift_pixels=1)   # 5 views per image
    labels = np.argmax(probabilities, axis=1)
"""

import numpy as np

from cnn_lectures._validation import check_int, check_nhwc


def shifted_views(images, shift_pixels=1):
    """The images and four copies moved ``shift_pixels`` pixels down, up, right and left.

    Pixels shifted in from the border are 0 (background); nothing wraps around.

    Args:
        images: array (n, height, width, channels).
        shift_pixels: pixels to move by, an int >= 1 smaller than the image.

    Returns:
        A list of five arrays shaped like ``images``; the first is ``images`` itself.
    """
    images = np.asarray(images)
    check_nhwc(images, "images")
    height, width = images.shape[1:3]
    step = check_int(shift_pixels, "shift_pixels", min_value=1, max_value=min(height, width) - 1)
    views = [images]
    for axis, offset in ((1, step), (1, -step), (2, step), (2, -step)):
        moved = np.zeros_like(images)
        source = [slice(None)] * 4
        target = [slice(None)] * 4
        source[axis] = slice(0, -offset) if offset > 0 else slice(-offset, None)
        target[axis] = slice(offset, None) if offset > 0 else slice(0, offset)
        moved[tuple(target)] = images[tuple(source)]
        views.append(moved)
    return views


def predict_probabilities(model, images, *, shift_pixels=0, batch_size=500, shift=None):
    """Softmax outputs of ``model`` on ``images``, averaged over shifted views when ``shift_pixels`` > 0.

    Args:
        model: a Keras model mapping images to class probabilities.
        images: float array (n, height, width, channels).
        shift_pixels: 0 for one plain forward pass; N > 0 to average the image and its four
            N-pixel shifts (:func:`shifted_views`).
        batch_size: images per forward pass.
        shift: the older name of ``shift_pixels`` (kept for notebook 09); in the
            rest of the package ``shift`` is a fraction of the image size.

    Returns:
        float32 array (n, classes) whose rows sum to 1.
    """
    if shift is not None:
        if shift_pixels:
            raise TypeError("Pass shift_pixels or its older name shift, not both. Received both.")
        shift_pixels = shift
    shift_pixels = check_int(shift_pixels, "shift_pixels", min_value=0)
    views = [np.asarray(images)] if shift_pixels == 0 else shifted_views(images, shift_pixels)
    total = None
    for view in views:
        probabilities = np.asarray(model.predict(view, batch_size=batch_size, verbose=0), dtype=np.float64)
        total = probabilities if total is None else total + probabilities
    return (total / len(views)).astype(np.float32)
