"""Making images by gradient steps: activation maximisation and code inversion.

Both start from an image (grey plus noise unless ``initial`` is given), change its pixels by
gradient steps computed with ``tf.GradientTape`` and keep them in [0, 1]. Both return one
float32 NHWC image of shape (height, width, channels), the model's input shape.
"""

import numpy as np
import tensorflow as tf
from keras import ops
from scipy import ndimage

from cnn_lectures._validation import check_int, check_nhwc, get_layer
from cnn_lectures.interpret._common import class_score_model
from cnn_lectures.interpret.features import feature_extractor


def _objective_model(model, layer_name):
    """Model and head function whose output is the layer's activation (logits for the last layer)."""
    layer = get_layer(model, layer_name)
    if layer is model.layers[-1]:
        try:
            return class_score_model(model, score="logit")
        except ValueError:
            return class_score_model(model, score="probability")
    return feature_extractor(model, layer_name), _identity


def _identity(x):
    return x


def _start_image(initial, shape, seed):
    if initial is None:
        rng = np.random.default_rng(seed)
        return np.clip(0.5 + 0.1 * rng.standard_normal(shape), 0.0, 1.0).astype(np.float32)
    initial = np.array(initial, dtype=np.float32)  # a copy: the caller's array is left alone
    if initial.shape != tuple(shape):
        raise ValueError(f"initial must have the model's input shape {tuple(shape)}. Received shape: {initial.shape}.")
    return initial


def _check_steps(steps):
    return check_int(steps, "steps", min_value=0)


def mean_activation(model, layer_name, filter_index, images):
    """The quantity :func:`activation_maximization` maximises, for a batch of images.

    Args:
        model: a Keras model taking images of shape (batch, height, width, channels).
        layer_name: a layer of ``model``. For the model's last layer the pre-softmax logit is used
            when it can be found.
        filter_index: feature map (4-D output) or unit (2-D output) of that layer.
        images: float32 NHWC batch of shape (n, height, width, channels).

    Returns:
        float32 array of shape (n,): the unit's value, or the feature map's spatial mean.
    """
    objective_model, finish = _objective_model(model, layer_name)
    filter_index = check_int(
        filter_index, "filter_index", min_value=0, max_value=get_layer(model, layer_name).output.shape[-1] - 1
    )
    outputs = finish(objective_model(check_nhwc(images, "images"), training=False))
    values = outputs[..., filter_index]
    values = ops.reshape(values, (ops.shape(values)[0], -1))
    return ops.convert_to_numpy(ops.mean(values, axis=1)).astype(np.float32)


def activation_maximization(
    model,
    layer_name,
    filter_index,
    *,
    steps=200,
    learning_rate=0.05,
    l2_decay=0.01,
    blur_every=4,
    blur_sigma=0.5,
    jitter=1,
    initial=None,
    seed=0,
):
    """Gradient ascent on the input: the image a unit likes most (Erhan et al. 2009; Yosinski et al. 2015).

    Plain ascent yields high-frequency noise that fires the unit but looks like nothing. Four
    regularisers from Yosinski et al. keep the picture readable: each step is a normalised
    gradient step on a randomly shifted copy (``jitter``), pixels decay towards the black
    background (``l2_decay``), the image is blurred every few steps (``blur_every``,
    ``blur_sigma``), and pixels are clipped to [0, 1].

    Args:
        model: a Keras model taking images of shape (batch, height, width, channels).
        layer_name: the layer holding the unit; for the model's last layer the class logit is
            maximised when it can be found (maximising a probability mostly pushes other classes down).
        filter_index: feature map (its spatial mean is maximised) or dense unit.
        steps: number of gradient steps.
        learning_rate: step size in pixel units; each step moves pixels by about this much (RMS).
        l2_decay: fraction by which every pixel shrinks towards 0 at each step.
        blur_every: blur every this many steps (0 switches blurring off).
        blur_sigma: standard deviation of the Gaussian blur, in pixels.
        jitter: largest random shift, in pixels, of the image before each gradient step.
        initial: start image of the model's input shape, values in [0, 1]; default grey plus noise.
        seed: seed of the start noise and of the jitter.

    Returns:
        float32 array of shape (height, width, channels), values in [0, 1].
    """
    _check_steps(steps)
    objective_model, finish = _objective_model(model, layer_name)
    filter_index = check_int(
        filter_index, "filter_index", min_value=0, max_value=get_layer(model, layer_name).output.shape[-1] - 1
    )
    x = _start_image(initial, model.input_shape[1:], seed)
    rng = np.random.default_rng(seed)

    @tf.function  # traced once per call: the loop below runs several times faster than eagerly
    def objective_gradient(images):
        with tf.GradientTape() as tape:
            tape.watch(images)
            objective = ops.mean(finish(objective_model(images, training=False))[..., filter_index])
        return tape.gradient(objective, images)[0]

    for step in range(steps):
        shift = tuple(rng.integers(-jitter, jitter + 1, size=2)) if jitter else (0, 0)
        gradient = objective_gradient(tf.convert_to_tensor(np.roll(x, shift, axis=(0, 1))[None]))
        gradient = np.roll(gradient.numpy(), [-s for s in shift], axis=(0, 1))
        x = x + learning_rate * gradient / (np.sqrt(np.mean(gradient**2)) + 1e-8)
        x = x * (1.0 - l2_decay)
        if blur_every and (step + 1) % blur_every == 0:
            x = ndimage.gaussian_filter(x, sigma=(blur_sigma, blur_sigma, 0))
        x = np.clip(x, 0.0, 1.0).astype(np.float32)
    return x


def _total_variation(x):
    """Mean squared difference between neighbouring pixels of a (1, h, w, c) batch."""
    down = ops.mean(ops.square(x[:, 1:, :, :] - x[:, :-1, :, :]))
    right = ops.mean(ops.square(x[:, :, 1:, :] - x[:, :, :-1, :]))
    return down + right


def invert_features(
    feature_model,
    target,
    *,
    steps=300,
    learning_rate=0.05,
    tv_weight=0.05,
    initial=None,
    seed=0,
):
    """Code inversion (Mahendran & Vedaldi 2015): an image whose features match ``target``.

    Minimises ``||phi(x) - target||^2 / ||target||^2 + tv_weight * TV(x)`` over the pixels ``x``
    with Adam, where ``phi`` is ``feature_model`` and ``TV`` (total variation, the mean squared
    difference of neighbouring pixels) prefers smooth images among the many with the same
    features. What survives the inversion is what the features remember of the image.

    Args:
        feature_model: a Keras model from images to features, for example
            ``feature_extractor(model, "block2_conv")``.
        target: features of one image: ``feature_model.output.shape[1:]``, or with a leading
            batch axis of 1 (``feature_model(x[:1])``).
        steps: number of Adam steps.
        learning_rate: Adam's step size, in pixel units.
        tv_weight: weight of the smoothness term (0 switches it off).
        initial: start image of the model's input shape, values in [0, 1]; default grey plus noise.
        seed: seed of the start noise.

    Returns:
        float32 array of shape (height, width, channels), values in [0, 1].
    """
    _check_steps(steps)
    expected = tuple(feature_model.output.shape[1:])
    target = np.asarray(target, dtype=np.float32)
    if target.shape == (1, *expected):
        target = target[0]
    if target.shape != expected:
        raise ValueError(
            f"target must have the feature model's output shape {expected} (one image). Received shape: {target.shape}."
        )
    target = tf.convert_to_tensor(target[None])
    scale = float(ops.sum(ops.square(target))) + 1e-12
    x = tf.Variable(_start_image(initial, feature_model.input_shape[1:], seed)[None])
    first_moment = tf.zeros_like(x)
    second_moment = tf.zeros_like(x)
    beta1, beta2 = 0.9, 0.999

    @tf.function  # traced once per call
    def loss_gradient():
        with tf.GradientTape() as tape:
            features = feature_model(x, training=False)
            loss = ops.sum(ops.square(features - target)) / scale + tv_weight * _total_variation(x)
        return tape.gradient(loss, x)

    for step in range(1, steps + 1):
        gradient = loss_gradient()
        # Adam (Kingma & Ba 2015), written out: running means of the gradient and its square.
        first_moment = beta1 * first_moment + (1 - beta1) * gradient
        second_moment = beta2 * second_moment + (1 - beta2) * tf.square(gradient)
        corrected = (first_moment / (1 - beta1**step)) / (tf.sqrt(second_moment / (1 - beta2**step)) + 1e-8)
        x.assign(tf.clip_by_value(x - learning_rate * corrected, 0.0, 1.0))
    return x.numpy()[0].astype(np.float32)
