"""The digit-recognizer CNN of lecture 003 ("Week 8 Deep Learning", Kaggle Digit Recognizer).

conv 8@5x5 same relu -> maxpool 2 -> dropout .25 -> conv 16@3x3 same relu -> maxpool 2
-> dropout .25 -> flatten -> dense 256 relu -> dropout .5 -> dense 10 softmax.

The slides end the model with ``Dense(10*10)`` + ``Reshape((10, 10, 1))`` and print label
shapes of ``(37800, 10, 10)``: a leftover from a segmentation example. The correct head,
used here, is ``Dense(num_classes, activation="softmax")`` with one-hot labels of shape
``(n, 10)``. Parameters: 208 + 1,168 + 200,960 + 2,570 = 204,906.
"""

import keras
from keras import layers


def lecture_cnn(*, input_shape=(28, 28, 1), num_classes=10, name="lecture_cnn"):
    """Build the lecture's digit CNN (uncompiled Functional model).

    Args:
        input_shape: shape of one image, (height, width, channels).
        num_classes: number of output classes (softmax units).
        name: model name.

    Returns:
        keras.Model mapping float images of shape (batch, *input_shape) to class
        probabilities of shape (batch, num_classes).
    """
    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(8, 5, padding="same", activation="relu", name="block1_conv")(inputs)
    x = layers.MaxPooling2D(2, name="block1_pool")(x)
    x = layers.Dropout(0.25, name="block1_dropout")(x)
    x = layers.Conv2D(16, 3, padding="same", activation="relu", name="block2_conv")(x)
    x = layers.MaxPooling2D(2, strides=2, name="block2_pool")(x)
    x = layers.Dropout(0.25, name="block2_dropout")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(256, activation="relu", name="fc1")(x)
    x = layers.Dropout(0.5, name="fc1_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
