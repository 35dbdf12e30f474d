"""Transfer learning, the lecture's recipe (lectures 000 and 002):

1. pre-train a CNN on a large data set (ImageNet, or digits in the notebooks);
2. freeze the weights of its first N convolutional layers;
3. train the remaining weights on the data set of interest, with a lower learning rate
   so the pre-trained weights do not change too drastically.

``transfer_model`` replaces the output layer ("remove the output layer and add our own"),
``freeze``/``unfreeze`` do step 2, and the caller compiles with e.g.
``keras.optimizers.Adam(learning_rate=1e-4)`` (10x below the usual 1e-3) for step 3.
"""

import os

import keras
from keras import layers

from cnn_lectures._validation import check_int
from cnn_lectures.models._common import (
    check_dropout,
    check_input_shape,
    check_num_classes,
    classifier_activation,
)

__all__ = [
    "WeightsUnavailableError",
    "conv_layers",
    "freeze",
    "unfreeze",
    "transfer_model",
    "resnet50_imagenet",
]

_CONV_TYPES = (
    layers.Conv1D,
    layers.Conv2D,
    layers.Conv3D,
    layers.Conv1DTranspose,
    layers.Conv2DTranspose,
    layers.Conv3DTranspose,
    layers.DepthwiseConv1D,
    layers.DepthwiseConv2D,
    layers.SeparableConv1D,
    layers.SeparableConv2D,
)

_RESNET50_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"


def _keras_home():
    """Keras' cache folder by Keras' own rule: ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras``
    when the home folder is not writable). Keras keeps the folder behind a private name, so the
    rule is restated here rather than imported."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    return os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")


class WeightsUnavailableError(OSError):
    """Pre-trained weights are neither in the Keras cache nor downloadable (e.g. offline)."""


def _leaf_layers(model):
    """Every non-container layer in order, looking inside nested models (e.g. a base model)."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer)
        else:
            yield layer


def _containers(model):
    yield model
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _containers(layer)


def _check_model(model):
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model. Received: {type(model).__name__}")
    return model


def conv_layers(model):
    """The convolutional layers of ``model`` (nested models included), input side first."""
    return [layer for layer in _leaf_layers(_check_model(model)) if isinstance(layer, _CONV_TYPES)]


def _check_n_conv(model, n_layers):
    available = len(conv_layers(model))
    n = check_int(n_layers, "n_layers", min_value=0)
    if n > available:
        raise ValueError(
            f"Model '{model.name}' has {available} conv layers, fewer than requested. Received: n_layers={n_layers}"
        )
    return n


def freeze(model, n_layers=None):
    """Freeze the first ``n_layers`` *convolutional* layers -- the lecture's "first N conv layers".

    Counting conv layers (not all layers) matches the lecture's recipe: in a ResNet the
    batch-norm, activation and pooling layers between the convs are not counted. Every
    layer up to and including the ``n_layers``-th conv layer (batch norm included, which
    then runs in inference mode) is made non-trainable and every later layer trainable,
    so calling ``freeze`` again with another N simply moves the boundary. Layers of nested
    models (a base inside a transfer model) are counted in order.

    Args:
        model: a ``keras.Model``; changed in place.
        n_layers: how many conv layers to freeze, from the input side; ``None`` freezes
            every layer (pure feature extraction); 0 freezes none.

    Returns:
        ``model``, for chaining. Compile (again) after freezing: trainability is read when
        the training step is built.
    """
    _check_model(model)
    leaves = list(_leaf_layers(model))
    for container in _containers(model):
        container.trainable = True  # a frozen container would hide its layers' settings
    if n_layers is None:
        cut = len(leaves)
    else:
        n = _check_n_conv(model, n_layers)
        convs = [i for i, layer in enumerate(leaves) if isinstance(layer, _CONV_TYPES)]
        cut = convs[n - 1] + 1 if n else 0
    for i, layer in enumerate(leaves):
        layer.trainable = i >= cut
    return model


def unfreeze(model, n_layers=None):
    """Make layers trainable again, for fine-tuning after feature extraction.

    Args:
        model: a ``keras.Model``; changed in place.
        n_layers: ``None`` makes every layer trainable; N makes the *last* N conv layers,
            and every layer after the first of them, trainable (earlier layers keep their
            setting).

    Returns:
        ``model``, for chaining. Recompile, with a low learning rate, before training.
    """
    _check_model(model)
    leaves = list(_leaf_layers(model))
    if n_layers is None:
        start = 0
    else:
        n = _check_n_conv(model, n_layers)
        convs = [i for i, layer in enumerate(leaves) if isinstance(layer, _CONV_TYPES)]
        start = convs[len(convs) - n] if n else len(leaves)
    for container in _containers(model):
        if not container.trainable:
            frozen = [layer.trainable for layer in _leaf_layers(container)]
            container.trainable = True
            for layer, value in zip(_leaf_layers(container), frozen):
                layer.trainable = value
    for layer in leaves[start:]:
        layer.trainable = True
    return model


def transfer_model(base, *, num_classes, frozen_conv_layers=None, dropout=0.2, name="transfer"):
    """A pre-trained ``base`` with a new output layer for ``num_classes`` classes.

    If ``base`` ends in a classifier (2-D output), its last layer is removed and the new
    head reads the features that fed it; if it ends in feature maps (4-D, e.g. a
    ``include_top=False`` application), they are global-average pooled first. The new
    model shares the base's layers (and so its weights).

    Args:
        base: a pre-trained ``keras.Model`` (e.g. :func:`resnet50_imagenet` or a
            ``resnet(...)`` trained on digits).
        num_classes: classes of the new task (softmax; sigmoid if 1).
        frozen_conv_layers: if given, ``freeze(model, frozen_conv_layers)`` is applied;
            ``None`` leaves everything trainable (call :func:`freeze` later).
        dropout: rate before the new output layer (0 for none).
        name: model name and prefix of the new layers (``f"{name}_pool"``,
            ``f"{name}_dropout"``, ``f"{name}_predictions"``).

    Returns:
        Uncompiled ``keras.Model`` mapping the base's inputs to (batch, num_classes).
        Compile it with a lower learning rate than for training from scratch.
    """
    _check_model(base)
    num_classes = check_num_classes(num_classes)
    dropout = check_dropout(dropout)
    rank = len(base.output.shape)
    if rank == 2:
        last = base.layers[-1]
        if last.output is not base.output:
            raise ValueError(
                f"Cannot find the output layer of '{base.name}' to replace: its last layer "
                f"'{last.name}' does not produce the model's output."
            )
        features = last.input
    elif rank == 4:
        features = layers.GlobalAveragePooling2D(name=f"{name}_pool")(base.output)
    else:
        raise ValueError(
            "`base` must output class scores (batch, classes) or feature maps "
            f"(batch, h, w, c). Received: an output of shape {tuple(base.output.shape)}"
        )
    x = layers.Dropout(dropout, name=f"{name}_dropout")(features) if dropout else features
    outputs = layers.Dense(num_classes, activation=classifier_activation(num_classes), name=f"{name}_predictions")(x)
    inputs = base.inputs[0] if len(base.inputs) == 1 else base.inputs
    model = keras.Model(inputs, outputs, name=name)
    if frozen_conv_layers is not None:
        freeze(model, frozen_conv_layers)
    return model


def resnet50_imagenet(*, input_shape=(224, 224, 3), include_top=False, weights="imagenet"):
    """ResNet-50 from ``keras.applications``, pre-trained on ImageNet (lecture 000's example).

    The weights come from the Keras cache (``~/.keras/models``, or ``$KERAS_HOME/models``)
    or are downloaded once (about 95 MB; 100 MB with the top). Offline and without the
    cached file this raises :class:`WeightsUnavailableError` instead of Keras' bare
    "URL fetch failure".

    Args:
        input_shape: (height, width, 3), at least 32x32; must be (224, 224, 3) when
            ``include_top=True``. Grey digits need resizing and 3 channels.
        include_top: keep the 1000-class ImageNet classifier; ``False`` (default) ends in
            feature maps (batch, h/32, w/32, 2048) for :func:`transfer_model`.
        weights: ``"imagenet"``, ``None`` (random weights, works offline) or a path to a
            weights file.

    Returns:
        Uncompiled ``keras.Model`` named ``"resnet50"``.

    Raises:
        WeightsUnavailableError: ``weights="imagenet"`` but the file is not cached and
            cannot be downloaded; the message says where to put it.
    """
    input_shape = check_input_shape(input_shape)
    if not (weights in ("imagenet", None) or (isinstance(weights, str) and os.path.exists(weights))):
        raise ValueError(
            f"`weights` must be 'imagenet', None or the path to an existing weights file. Received: weights={weights!r}"
        )
    build = dict(include_top=include_top, weights=weights, input_shape=input_shape)
    if weights != "imagenet":
        return keras.applications.ResNet50(**build)
    fname = (
        "resnet50_weights_tf_dim_ordering_tf_kernels.h5"
        if include_top
        else "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    )
    cache = os.path.join(_keras_home(), "models")
    try:
        return keras.applications.ResNet50(**build)
    except ValueError:
        raise  # a wrong argument (e.g. input_shape with include_top=True): Keras' message
    except Exception as error:  # Keras raises a plain Exception("URL fetch failure ...")
        raise WeightsUnavailableError(
            f"The ImageNet weights of ResNet50 are not in the Keras cache and could not be "
            f"downloaded ({type(error).__name__}: {error}). To fix: run once on a machine "
            f"with internet access, or copy {fname} (from {_RESNET50_URL}{fname}) into "
            f"{cache}. To build the same network untrained, offline, pass weights=None."
        ) from error
