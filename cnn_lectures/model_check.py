"""Does a Keras model fit the Digit Recognizer task? Checked before it is used to predict.

A model that loads is not necessarily one that answers this task: notebook 11's model has five
outputs (digits 0-4), a CIFAR model takes 32x32x3 images, a regression head gives one number,
a model ending in logits gives scores that do not sum to 1 (so ``--shift`` would average the
wrong thing). :func:`check_digit_classifier` says in one line what the model has and what the
task needs, before any test image is read or any file is written.

    >>> check_digit_classifier(keras.models.load_model("outputs/model.keras"))  # None, or ValueError
"""

import numpy as np

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
_PROBE_IMAGES = 4
_SUM_TOLERANCE = 1e-3


def check_digit_classifier(model, *, image_shape=IMAGE_SHAPE, num_classes=NUM_CLASSES):
    """Raise ``ValueError`` unless ``model`` maps (n, 28, 28, 1) images to 10 class probabilities.

    Checked in this order: one input, of shape (n, 28, 28, 1) (``None`` dimensions accept any
    size); one output, of shape (n, 10); and on four fixed probe images (blank, full, two
    seeded noise images in [0, 1]) outputs that are finite, >= 0 and sum to 1 within 1e-3 --
    what a softmax gives, whatever layer computes it.

    Args:
        model: a ``keras.Model``.
        image_shape: the task's image shape (height, width, channels).
        num_classes: the task's number of classes.

    Raises:
        ValueError: one sentence: what the model has, what the task needs.
    """
    needs = (
        f"this task needs one input of images of shape (n, {', '.join(map(str, image_shape))}) "
        f"and one output of {num_classes} class probabilities (a softmax)"
    )
    inputs = list(getattr(model, "inputs", None) or [])
    outputs = list(getattr(model, "outputs", None) or [])
    if len(inputs) != 1:
        raise ValueError(f"The model has {len(inputs)} inputs; {needs}.")
    if len(outputs) != 1:
        raise ValueError(f"The model has {len(outputs)} outputs; {needs}.")
    input_shape = tuple(inputs[0].shape[1:])
    if len(input_shape) != len(image_shape) or any(
        got is not None and got != wanted for got, wanted in zip(input_shape, image_shape)
    ):
        raise ValueError(f"The model takes inputs of shape {_shape(input_shape)}; {needs}.")
    output_shape = tuple(outputs[0].shape[1:])
    if output_shape != (num_classes,):
        described = f"{output_shape[0]} values" if len(output_shape) == 1 else f"shape {_shape(output_shape)}"
        raise ValueError(f"The model outputs {described} per image; {needs}.")

    probe = _probe_images(image_shape, input_shape)
    scores = np.asarray(model.predict(probe, verbose=0), dtype=np.float64)
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"The model outputs NaN or infinite values (damaged weights?); {needs}.")
    sums = scores.sum(axis=1)
    if np.any(scores < 0) or np.any(np.abs(sums - 1) > _SUM_TOLERANCE):
        raise ValueError(
            f"The model's outputs are not probabilities (values {scores.min():.3g} to {scores.max():.3g}, "
            f"rows summing to {sums.min():.3g}-{sums.max():.3g}; last layer {_last_activation(model)}); {needs}."
        )


def _probe_images(image_shape, input_shape):
    shape = tuple(got if got is not None else wanted for got, wanted in zip(input_shape, image_shape))
    noise = np.random.default_rng(0).random((_PROBE_IMAGES - 2, *shape), dtype=np.float32)
    return np.concatenate([np.zeros((1, *shape), np.float32), np.ones((1, *shape), np.float32), noise])


def _shape(shape):
    return "(n, " + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _last_activation(model):
    layer = model.layers[-1] if getattr(model, "layers", None) else None
    if layer is None:
        return "unknown"
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None) or (str(activation) if activation is not None else None)
    if name is None:
        return f"{layer.name!r} ({type(layer).__name__})"
    return f"{layer.name!r} with activation {name!r}"
