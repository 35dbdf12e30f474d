"""Small model surgery shared by the interpretation methods (their argument checks: cnn_lectures._validation)."""

import keras
from keras import layers, ops

from cnn_lectures._validation import check_choice, get_layer

SCORES = ("logit", "probability")


def last_conv_layer_name(model):
    """Name of the last layer with a 4-D (batch, height, width, channels) output."""
    for layer in reversed(model.layers):
        if isinstance(layer, layers.Conv2D):
            return layer.name
    raise ValueError(f"Model {model.name!r} has no Conv2D layer; pass layer_name explicitly.")


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
    score = check_choice(score, "score", SCORES)
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
