"""Which pixels matter? Saliency, Grad-CAM, occlusion and guided backpropagation.

Each method takes one NHWC float32 image of shape (height, width, channels), for example
(28, 28, 1) with values in [0, 1], and returns a map over its pixels. A batch of one,
(1, 28, 28, 1), is accepted too. Class indices are integers; ``None`` means the class the
model predicts.
"""

import contextlib

import numpy as np
import tensorflow as tf
from keras import ops

from cnn_lectures._validation import check_int, get_layer
from cnn_lectures._validation import check_nhwc_image as check_image
from cnn_lectures.interpret._common import class_score_model, last_conv_layer_name
from cnn_lectures.interpret.features import feature_extractor, predict_in_batches

RULES = ("guided", "deconvnet", "gradient")


def _pick_class(scores, class_index):
    """``class_index`` checked against the number of classes, or the predicted class."""
    num_classes = scores.shape[-1]
    if class_index is None:
        return int(ops.argmax(scores[0]))
    return check_int(class_index, "class_index", min_value=0, max_value=num_classes - 1)


def saliency_map(model, image, class_index=None, *, score="logit"):
    """Gradient saliency (Simonyan, Vedaldi & Zisserman 2013): how much each pixel moves the class score.

    Args:
        model: a Keras classifier taking images of shape (batch, height, width, channels).
        image: one float32 NHWC image of shape (height, width, channels).
        class_index: the class to explain (int), or ``None`` for the predicted class.
        score: ``"logit"`` (pre-softmax class score, as in the paper) or ``"probability"``.

    Returns:
        float32 array of shape (height, width), values >= 0: the largest absolute gradient
        ``|d score / d pixel|`` over the channels. Not normalised; a pixel the model never
        looks at gets exactly 0.
    """
    image = check_image(image)
    score_model, finish = class_score_model(model, score=score)
    x = tf.convert_to_tensor(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = finish(score_model(x, training=False))
        target = scores[0, _pick_class(scores, class_index)]
    gradient = tape.gradient(target, x)[0]
    return ops.convert_to_numpy(ops.max(ops.abs(gradient), axis=-1)).astype(np.float32)


def grad_cam(model, image, class_index=None, layer_name=None, *, score="logit", upsample=True):
    """Grad-CAM (Selvaraju et al. 2017): where in a conv layer's feature maps the class evidence lies.

    Each feature map ``A_k`` of ``layer_name`` is weighted by the spatial mean of
    ``d score / d A_k``; the heatmap is ``relu(sum_k weight_k A_k)``.

    Args:
        model: a Keras classifier taking images of shape (batch, height, width, channels).
        image: one float32 NHWC image of shape (height, width, channels).
        class_index: the class to explain (int), or ``None`` for the predicted class.
        layer_name: a layer with 4-D output; ``None`` takes the last ``Conv2D`` layer.
        score: ``"logit"`` (pre-softmax) or ``"probability"``.
        upsample: resize the heatmap bilinearly to the image's (height, width); otherwise keep
            the layer's resolution.

    Returns:
        float32 array of shape (height, width) (or the layer's (h, w)), values in [0, 1]:
        divided by its maximum, so the peak is 1; all zeros when no location supports the class.
    """
    image = check_image(image)
    if layer_name is None:
        layer_name = last_conv_layer_name(model)
    layer = get_layer(model, layer_name)
    if len(layer.output.shape) != 4:
        raise ValueError(
            f"grad_cam needs a layer with 4-D output (batch, h, w, channels). "
            f"Received layer {layer_name!r} with output shape {layer.output.shape}."
        )
    score_model, finish = class_score_model(model, score=score, extra_layer_names=[layer_name])
    x = tf.convert_to_tensor(image[None])
    with tf.GradientTape() as tape:
        feature_maps, head = score_model(x, training=False)
        scores = finish(head)
        target = scores[0, _pick_class(scores, class_index)]
    gradients = tape.gradient(target, feature_maps)
    weights = ops.mean(gradients, axis=(1, 2), keepdims=True)
    cam = ops.relu(ops.sum(weights * feature_maps, axis=-1))[0]
    if upsample:
        cam = tf.image.resize(cam[..., None], image.shape[:2], method="bilinear")[..., 0]
    cam = ops.convert_to_numpy(cam).astype(np.float32)
    peak = cam.max()
    return np.clip(cam / peak, 0.0, 1.0) if peak > 0 else np.zeros_like(cam)


def _patch_starts(size, patch_size, stride):
    starts = list(range(0, size - patch_size + 1, stride))
    if starts[-1] != size - patch_size:
        starts.append(size - patch_size)  # cover the last rows/columns too
    return starts


def occlusion_map(model, image, class_index=None, *, patch_size=4, stride=2, fill_value=0.0, batch_size=256):
    """Occlusion sensitivity (Zeiler & Fergus 2014): slide a grey square and watch the class probability.

    Args:
        model: a Keras classifier returning class probabilities of shape (batch, num_classes).
        image: one float32 NHWC image of shape (height, width, channels).
        class_index: the class to explain (int), or ``None`` for the predicted class.
        patch_size: side of the square patch, in pixels.
        stride: step between patch positions, in pixels (the last row and column of
            positions are always included so every pixel is covered).
        fill_value: the value pasted over the patch (0 is the digits' background).
        batch_size: occluded images per forward pass.

    Returns:
        float32 array of shape (height, width): for each pixel, the mean drop in the class's
        probability, ``p(image) - p(occluded image)``, over the patches covering it. Positive where
        hiding the pixel hurts the class (evidence for it), negative where it helps.
    """
    image = check_image(image)
    height, width = image.shape[:2]
    patch_size = check_int(patch_size, "patch_size", min_value=1, max_value=min(height, width))
    stride = check_int(stride, "stride", min_value=1)
    reference = ops.convert_to_numpy(model(image[None], training=False))
    class_index = _pick_class(reference, class_index)
    corners = [
        (top, left)
        for top in _patch_starts(height, patch_size, stride)
        for left in _patch_starts(width, patch_size, stride)
    ]
    occluded = np.repeat(image[None], len(corners), axis=0)
    for i, (top, left) in enumerate(corners):
        occluded[i, top : top + patch_size, left : left + patch_size, :] = fill_value
    probabilities = predict_in_batches(model, occluded, batch_size)[:, class_index]
    drops = reference[0, class_index] - probabilities
    total = np.zeros((height, width), dtype=np.float64)
    count = np.zeros((height, width), dtype=np.float64)
    for drop, (top, left) in zip(drops, corners):
        total[top : top + patch_size, left : left + patch_size] += drop
        count[top : top + patch_size, left : left + patch_size] += 1
    return (total / count).astype(np.float32)


def _relu_with_backward_rule(rule):
    """ReLU whose backward pass follows ``rule``: the forward value is always ``max(x, 0)``.

    - ``"gradient"``: the true gradient, ``dy * (x > 0)``.
    - ``"deconvnet"`` (Zeiler & Fergus 2014): ``relu(dy)``, ignoring where x was positive.
    - ``"guided"`` (Springenberg et al. 2015): both masks, ``relu(dy) * (x > 0)``.
    """

    @tf.custom_gradient
    def relu(x):
        def backward(dy):
            if rule == "gradient":
                return dy * tf.cast(x > 0, dy.dtype)
            if rule == "deconvnet":
                return tf.nn.relu(dy)
            return tf.nn.relu(dy) * tf.cast(x > 0, dy.dtype)

        return tf.nn.relu(x), backward

    return relu


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


@contextlib.contextmanager
def _relus_replaced(model, replacement):
    """Temporarily give every layer with ``activation=relu`` the ``replacement`` function."""
    swapped = []
    try:
        for layer in _all_layers(model):
            activation = getattr(layer, "activation", None)
            if getattr(activation, "__name__", None) == "relu":
                swapped.append((layer, activation))
                layer.activation = replacement
        yield
    finally:
        for layer, activation in swapped:
            layer.activation = activation


def guided_backprop(model, image, layer_name, filter_index, *, keep="max", rule="guided"):
    """Project one activation back to pixel space ("reconstruction by deconvolution").

    The chosen activation is isolated (all others set to zero) and sent backwards through the
    network: through max pooling by the switches the forward pass recorded, through each
    convolution by its transposed convolution, and through each ReLU by ``rule``. Only layers
    built with ``activation="relu"`` get the rule; stand-alone ``ReLU`` layers keep their true
    gradient. The model is restored when the function returns.

    Args:
        model: a Keras model taking images of shape (batch, height, width, channels).
        image: one float32 NHWC image of shape (height, width, channels).
        layer_name: the layer whose activation is projected (conv, pooling or dense).
        filter_index: the feature map (4-D output) or unit (2-D output) to project.
        keep: for a 4-D output, ``"max"`` keeps only the strongest activation of the map (as
            Zeiler & Fergus do); ``"map"`` keeps the whole map.
        rule: ReLU backward rule, ``"guided"`` (Springenberg et al. 2015), ``"deconvnet"``
            (Zeiler & Fergus 2014) or ``"gradient"`` (plain saliency of that activation).

    Returns:
        float32 array of shape (height, width, channels), signed. Non-zero only inside the
        receptive field of the kept activation; all zeros if that activation is 0.
    """
    image = check_image(image)
    if keep not in ("max", "map"):
        raise ValueError(f"keep must be 'max' or 'map'. Received: {keep!r}.")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}. Received: {rule!r}.")
    features = feature_extractor(model, layer_name)
    channels = features.output.shape[-1]
    filter_index = check_int(filter_index, "filter_index", min_value=0, max_value=channels - 1)
    x = tf.convert_to_tensor(image[None])
    with _relus_replaced(model, _relu_with_backward_rule(rule)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            activation = features(x, training=False)[0, ..., filter_index]
            if keep == "max" and len(activation.shape) > 0:
                activation = ops.max(activation)
            target = ops.sum(activation)
        gradient = tape.gradient(target, x)[0]
    return ops.convert_to_numpy(gradient).astype(np.float32)
