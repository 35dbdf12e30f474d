"""U-Net (Ronneberger, Fischer and Brox, 2015, "U-Net: convolutional networks for biomedical
image segmentation", MICCAI): a contracting path, an expanding path and skip connections
that hand each resolution's features across (lecture 000).
"""

import keras
from keras import layers

from cnn_lectures._validation import check_int
from cnn_lectures.models._common import (
    check_divisible,
    check_input_shape,
    check_num_classes,
    classifier_activation,
)

__all__ = ["unet"]


def _double_conv(x, filters, name):
    for i in (1, 2):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}_conv{i}")(x)
    return x


def unet(*, input_shape=(128, 128, 1), num_classes=2, depth=4, base_filters=64, name="unet"):
    """U-Net for per-pixel classification (segmentation).

    Contracting path: ``depth`` times two 3x3 convs + 2x2 max pool, doubling the filters;
    bottom: two 3x3 convs; expanding path: 2x2 transposed conv ("up-convolution") that
    halves the filters, concatenation with the same-resolution features of the
    contracting path (the skip connection), two 3x3 convs; then a 1x1 conv to
    ``num_classes``. Convs pad "same", so the output has the input's height and width
    (the paper's unpadded convs shrink 572 to 388 and crop the skips).

    Args:
        input_shape: (height, width, channels); height and width multiples of
            ``2 ** depth``.
        num_classes: classes per pixel (softmax over the last axis; a sigmoid mask if 1).
        depth: number of poolings (4 in the paper).
        base_filters: filters at the top level (64 in the paper; 1024 at the bottom).
        name: model name.

    Returns:
        Uncompiled ``keras.Model`` mapping (batch, h, w, c) to (batch, h, w, num_classes).
        Layers ``down1_conv1`` ..., ``down1_pool``, ``bottom_conv1``, ``up4_upconv``,
        ``up4_concat``, ``up4_conv1`` ..., ``segmentation``. With the paper's settings
        (depth 4, 64 filters, 1 channel in, 2 classes): 31,030,658 parameters
        (31,031,810 for RGB input).
    """
    input_shape = check_input_shape(input_shape)
    num_classes = check_num_classes(num_classes)
    depth = check_int(depth, "depth", min_value=1)
    base_filters = check_int(base_filters, "base_filters", min_value=1)
    check_divisible(input_shape, 2**depth, model="U-Net", reason=f"depth={depth} poolings")

    inputs = keras.Input(shape=input_shape, name="image")
    x, skips = inputs, []
    for level in range(1, depth + 1):
        x = _double_conv(x, base_filters * 2 ** (level - 1), f"down{level}")
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"down{level}_pool")(x)
    x = _double_conv(x, base_filters * 2**depth, "bottom")
    for level in range(depth, 0, -1):
        filters = base_filters * 2 ** (level - 1)
        x = layers.Conv2DTranspose(filters, 2, strides=2, name=f"up{level}_upconv")(x)
        x = layers.Concatenate(name=f"up{level}_concat")([skips[level - 1], x])
        x = _double_conv(x, filters, f"up{level}")
    outputs = layers.Conv2D(num_classes, 1, activation=classifier_activation(num_classes), name="segmentation")(x)
    return keras.Model(inputs, outputs, name=name)
