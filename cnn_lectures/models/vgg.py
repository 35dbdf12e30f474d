"""VGG (Simonyan and Zisserman, 2015, "Very deep convolutional networks for large-scale image
recognition", ICLR), configurations A (11), B (13), D (16) and E (19): only 3x3 convolutions.
"""

import keras
from keras import layers

from cnn_lectures._validation import check_int
from cnn_lectures.models._common import (
    check_dropout,
    check_fits,
    check_input_shape,
    check_num_classes,
    classifier_activation,
)

__all__ = ["vgg", "VGG_CONV_LAYERS"]

#: Conv layers in each of the five blocks, per depth (the paper's Table 1, without LRN).
VGG_CONV_LAYERS = {
    11: (1, 1, 2, 2, 2),
    13: (2, 2, 2, 2, 2),
    16: (2, 2, 3, 3, 3),
    19: (2, 2, 4, 4, 4),
}


def vgg(
    depth=16,
    *,
    input_shape=(224, 224, 3),
    num_classes=1000,
    base_filters=64,
    fc_units=4096,
    dropout=0.5,
    name=None,
):
    """VGG-11/13/16/19: five blocks of 3x3 "same" convs + 2x2 max pool, then fc1, fc2, output.

    Stacking 3x3 convs gives the receptive field of a larger kernel with fewer weights and
    more non-linearities: three 3x3 layers see 7x7 with ``3 * 9 * C**2`` weights instead
    of ``49 * C**2`` (lecture 004). Layer names and weight shapes are those of
    ``keras.applications.VGG16``/``VGG19`` (``block1_conv1`` ... ``fc1``, ``fc2``,
    ``predictions``), plus the paper's dropout after fc1 and fc2.

    Args:
        depth: 11, 13, 16 or 19 weight layers.
        input_shape: (height, width, channels), at least 32x32 (five halvings).
        num_classes: output units (softmax; sigmoid if 1).
        base_filters: filters of block 1; blocks 2-5 have 2x, 4x, 8x, 8x (64 in the paper;
            16 makes a CPU-sized VGG).
        fc_units: width of fc1 and fc2 (4096 in the paper).
        dropout: rate after fc1 and fc2.
        name: model name, ``f"vgg{depth}"`` by default.

    Returns:
        Uncompiled ``keras.Model``, (batch, 224, 224, 3) -> (batch, num_classes). At
        224/1000: VGG-16 138,357,544 and VGG-19 143,667,240 parameters, exactly
        ``keras.applications.VGG16/VGG19(weights=None)``; 102,764,544 of them in fc1.
    """
    if depth not in VGG_CONV_LAYERS:
        raise ValueError(f"`depth` must be one of {sorted(VGG_CONV_LAYERS)}. Received: depth={depth!r}")
    input_shape = check_input_shape(input_shape)
    num_classes = check_num_classes(num_classes)
    base_filters = check_int(base_filters, "base_filters", min_value=1)
    fc_units = check_int(fc_units, "fc_units", min_value=1)
    dropout = check_dropout(dropout)
    check_fits(input_shape, [(2, 2, 0)] * 5, model=f"VGG-{depth}")

    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    widths = [base_filters * m for m in (1, 2, 4, 8, 8)]
    for block, (convs, filters) in enumerate(zip(VGG_CONV_LAYERS[depth], widths), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    for fc in ("fc1", "fc2"):
        x = layers.Dense(fc_units, activation="relu", name=fc)(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"{fc}_dropout")(x)
    outputs = layers.Dense(num_classes, activation=classifier_activation(num_classes), name="predictions")(x)
    return keras.Model(inputs, outputs, name=name or f"vgg{depth}")
