"""Class probabilities from a trained model, optionally averaged over shifted copies.

Test-time augmentation: a digit moved by a pixel is still the same digit, so averaging a model's
softmax over the image and a few shifted copies of it cancels part of the model's sensitivity to
exactly where the strokes fall, for four more forward passes. The ``best`` preset predicts this
way (``Preset.test_time_shift``); the README's "Measured figures" say what it changed there.

    probabilities = predict_probabilities(model, x_val, shift=1)   # 5 views per image
    labels = np.argmax(probabilities, axis=1)
"""

import numpy as np


def shifted_views(images, shift=1):
    """The images and four copies moved ``shift`` pixels down, up, right and left.

    Pixels shifted in from the border are 0 (background); nothing wraps around.

    Args:
        images: array (n, height, width, channels).
        shift: pixels to move by (a positive int).

    Returns:
        A list of five arrays shaped like ``images``; the first is ``images`` itself.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must have shape (n, height, width, channels). Received: shape {images.shape}.")
    if isinstance(shift, bool) or not isinstance(shift, (int, np.integer)) or shift < 1:
        raise ValueError(f"shift must be a positive number of pixels. Received: shift={shift!r}.")
    height, width = images.shape[1:3]
    if shift >= min(height, width):
        raise ValueError(f"shift must be smaller than the image ({height}x{width}). Received: shift={shift}.")
    views = [images]
    for axis, step in ((1, shift), (1, -shift), (2, shift), (2, -shift)):
        moved = np.zeros_like(images)
        source = [slice(None)] * 4
        target = [slice(None)] * 4
        source[axis] = slice(0, -step) if step > 0 else slice(-step, None)
        target[axis] = slice(step, None) if step > 0 else slice(0, step)
        moved[tuple(target)] = images[tuple(source)]
        views.append(moved)
    return views


def predict_probabilities(model, images, *, shift=0, batch_size=500):
    """Softmax outputs of ``model`` on ``images``, averaged over shifted views when ``shift`` > 0.

    Args:
        model: a Keras model mapping images to class probabilities.
        images: float array (n, height, width, channels).
        shift: 0 for one plain forward pass; N > 0 to average the image and its four N-pixel
            shifts (:func:`shifted_views`).
        batch_size: images per forward pass.

    Returns:
        float32 array (n, classes) whose rows sum to 1.
    """
    if shift == 0:
        views = [np.asarray(images)]
    else:
        views = shifted_views(images, shift)
    total = None
    for view in views:
        probabilities = np.asarray(model.predict(view, batch_size=batch_size, verbose=0), dtype=np.float64)
        total = probabilities if total is None else total + probabilities
    return (total / len(views)).astype(np.float32)
