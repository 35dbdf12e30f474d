"""Checks and small model surgery shared by the interpretation methods."""

import keras
import numpy as np
from keras import layers, ops

SCORES = ("logit", "probability")


def check_image(image, *, name="image"):
    """Return one image as a float32 array of shape (height, width, channels)."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 4 and image.shape[0] == 1:
        image = image[0]
    if image.ndim == 2:
        raise ValueError(
            f"{name} must be one NHWC image of shape (height, width, channels), for example (28, 28, 1). "
            f"Received shape: {image.shape}; add a channel axis with image[..., None]."
        )
    if image.ndim != 3:
        raise ValueError(
            f"{name} must be one NHWC image of shape (height, width, channels), for example (28, 28, 1); "
            f"pass x[i], not the whole batch. Received shape: {image.shape}."
        )
    return image


def check_images(images, *, name="images"):
    """Return a batch as a float32 array of shape (n, height, width, channels)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(
            f"{name} must be a batch of NHWC images of shape (n, height, width, channels). "
            f"Received shape: {images.shape}."
        )
    return images


def get_layer(model, layer_name):
    """``model.get_layer`` with an error that lists the layer names."""
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"No layer named {layer_name!r} in model {model.name!r}. Layers: {', '.join(names)}.")
    return model.get_layer(layer_name)


def last_conv_layer_name(model):
    """Name of the last layer with a 4-D (batch, height, width, channels) output."""
    for layer in reversed(model.layers):
        if isinstance(layer, layers.Conv2D):
            return layer.name
    raise ValueError(f"Model {model.name!r} has no Conv2D layer; pass layer_name explicitly.")


def check_index(index, size, *, name):
    if not isinstance(index, (int, np.integer)) or isinstance(index, bool) or not 0 <= index < size:
        raise ValueError(f"{name} must be an integer in 0..{size - 1}. Received: {index!r}.")
    return int(index)


def class_score_model(model, *, score, extra_layer_names=()):
    """A model from the input to ``[*extra layer outputs, head]`` and the function finishing the head.

    ``score="probability"`` scores a class by the model's output. ``score="logit"`` scores it by
    the pre-softmax value (Simonyan et al. 2013 use these "class scores": a softmax output
    saturates near 1 and then has almost no gradient). The logits are found when the last layer is
    a ``Dense`` or ``Activation`` layer with a softmax, or when the output is already linear.

    Returns:
        ``(keras.Model, finish)``: call the model on a batch, pass its last output to ``finish``
        to get class scores of shape (batch, num_classes).
    """
    if score not in SCORES:
        raise ValueError(f"score must be one of {SCORES}. Received: {score!r}.")
    if len(model.outputs) != 1:
        raise ValueError(f"Expected a model with one output. Received {len(model.outputs)} outputs.")
    extras = [get_layer(model, name).output for name in extra_layer_names]
    head, finish = model.outputs[0], _identity
    if score == "logit":
        last = model.layers[-1]
        activation = getattr(getattr(last, "activation", None), "__name__", None)
        if isinstance(last, layers.Activation) and activation == "softmax":
            head = last.input
        elif isinstance(last, layers.Dense) and activation == "softmax":
            head = last.input

            def finish(features):
                logits = ops.matmul(features, last.kernel)
                return logits + last.bias if last.use_bias else logits

        elif activation != "linear":
            raise ValueError(
                "score='logit' needs a model whose last layer is a Dense or Activation layer with a "
                f"softmax, or a linear output. Received last layer {last.name!r} "
                f"({type(last).__name__}, activation {activation}); pass score='probability'."
            )
    return keras.Model(model.input, [*extras, head]), finish


def _identity(x):
    return x
