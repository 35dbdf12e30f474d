"""LeNet-5 (LeCun, Bottou, Bengio and Haffner, 1998, "Gradient-based learning applied to
document recognition", Proc. IEEE 86(11)), the network lecture 003 compares with AlexNet.
"""

import keras
from keras import layers

from cnn_lectures.models._common import (
    check_fits,
    check_input_shape,
    check_num_classes,
    classifier_activation,
)

__all__ = ["lenet5"]


def lenet5(*, input_shape=(28, 28, 1), num_classes=10, activation="tanh", name="lenet5"):
    """LeNet-5: C1 conv 6@5x5 -> S2 avg pool -> C3 conv 16@5x5 -> S4 avg pool -> C5 conv
    120@5x5 -> F6 dense 84 -> output.

    The paper feeds 32x32 images: 28x28 digits padded by 2 pixels. Here C1 pads "same",
    which is that padding, so 28x28 digits go in directly and C5 sees 5x5 maps, as in the
    paper. Modern simplifications: C3 connects to all six S2 maps (the paper's sparse
    table has 1,516 weights, here 2,416), S2/S4 are plain average pools (no trainable
    coefficient) and the RBF output is a dense softmax layer.

    Args:
        input_shape: (height, width, channels); at least 28x28.
        num_classes: output units (softmax; sigmoid if 1).
        activation: of C1, C3, C5 and F6; the paper's squashing function is a scaled tanh.
        name: model name.

    Returns:
        Uncompiled ``keras.Model``, (batch, 28, 28, 1) -> (batch, num_classes). At 28x28
        with 10 classes: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 parameters.
    """
    input_shape = check_input_shape(input_shape)
    num_classes = check_num_classes(num_classes)
    check_fits(
        input_shape,
        [(5, 1, "same"), (2, 2, 0), (5, 1, 0), (2, 2, 0), (5, 1, 0)],
        model="LeNet-5",
    )
    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(6, 5, padding="same", activation=activation, name="c1_conv")(inputs)
    x = layers.AveragePooling2D(2, name="s2_pool")(x)
    x = layers.Conv2D(16, 5, activation=activation, name="c3_conv")(x)
    x = layers.AveragePooling2D(2, name="s4_pool")(x)
    x = layers.Conv2D(120, 5, activation=activation, name="c5_conv")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(84, activation=activation, name="f6_dense")(x)
    outputs = layers.Dense(num_classes, activation=classifier_activation(num_classes), name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
