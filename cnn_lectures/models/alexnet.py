"""AlexNet (Krizhevsky, Sutskever and Hinton, 2012, "ImageNet classification with deep
convolutional neural networks", NIPS), as described in lectures 003 and 004.
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

__all__ = ["alexnet"]


def alexnet(*, input_shape=(227, 227, 3), num_classes=1000, fc_units=4096, dropout=0.5, name="alexnet"):
    """AlexNet: five conv layers (11x11/4, 5x5, 3x3 x3) with overlapping 3x3/2 max pools,
    then three fully connected layers with dropout in the first two.

    Single-tower version: the paper split conv2, conv4 and conv5 across two GPUs (grouped
    convolutions, which TensorFlow does not run on CPUs); local response normalisation is
    left out (it has no parameters and later work dropped it). ReLU everywhere.

    Args:
        input_shape: (height, width, channels); 227x227x3 gives the paper's 55x55 conv1
            maps (the paper's "224" does not divide). At least 67x67.
        num_classes: output units (softmax; sigmoid if 1).
        fc_units: width of fc6 and fc7 (4096 in the paper; smaller to train on a CPU).
        dropout: rate after fc6 and fc7.
        name: model name.

    Returns:
        Uncompiled ``keras.Model``, (batch, 227, 227, 3) -> (batch, num_classes). At
        227/1000: 62,378,344 parameters, 37,752,832 (60.5%) of them in fc6 -- "around 60
        million, over half in the first fully connected layer" (lecture 004).
    """
    input_shape = check_input_shape(input_shape)
    num_classes = check_num_classes(num_classes)
    fc_units = check_int(fc_units, "fc_units", min_value=1)
    dropout = check_dropout(dropout)
    pool = (3, 2, 0)
    check_fits(
        input_shape,
        [(11, 4, 0), pool, (5, 1, "same"), pool, (3, 1, "same"), pool],
        model="AlexNet",
    )

    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(256, 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv4")(x)
    x = layers.Conv2D(256, 3, padding="same", activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = layers.Flatten(name="flatten")(x)
    for fc in ("fc6", "fc7"):
        x = layers.Dense(fc_units, activation="relu", name=fc)(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"{fc}_dropout")(x)
    outputs = layers.Dense(num_classes, activation=classifier_activation(num_classes), name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
