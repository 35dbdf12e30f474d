"""ResNet (He, Zhang, Ren and Sun, 2016, "Deep residual learning for image recognition",
CVPR): residual blocks ``y = F(x) + x`` so that ``dy/dx = dF/dx + 1`` (lecture 004).
"""

import keras
from keras import layers

from cnn_lectures._validation import check_int
from cnn_lectures.models._common import (
    check_input_shape,
    check_num_classes,
    classifier_activation,
)

__all__ = ["residual_block", "bottleneck_block", "resnet", "RESNET_STAGES"]

#: Block type and blocks per stage (conv2_x ... conv5_x), the paper's Table 1.
RESNET_STAGES = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}

_BN_EPSILON = 1e-5


def _conv_bn(x, filters, kernel_size, *, stride=1, name):
    """Conv (no bias: batch norm's beta plays that role) then batch norm."""
    x = layers.Conv2D(filters, kernel_size, strides=stride, padding="same", use_bias=False, name=f"{name}_conv")(x)
    return layers.BatchNormalization(epsilon=_BN_EPSILON, name=f"{name}_bn")(x)


def _shortcut(x, out_channels, stride, name):
    """Identity, or a 1x1 projection + batch norm when the shape changes (option B)."""
    if stride == 1 and x.shape[-1] == out_channels:
        return x
    return _conv_bn(x, out_channels, 1, stride=stride, name=f"{name}_proj")


def residual_block(x, filters, *, stride=1, name):
    """Basic residual block (ResNet-18/34): 3x3 conv-BN-ReLU, 3x3 conv-BN, add, ReLU.

    Args:
        x: tensor of shape (batch, height, width, channels).
        filters: channels of both convs and of the output.
        stride: stride of the first conv (2 halves height and width).
        name: block name; layers ``f"{name}_1_conv"``, ``f"{name}_1_bn"``, ...,
            ``f"{name}_proj_conv"`` (if the shortcut needs a projection), ``f"{name}_add"``.

    Returns:
        Tensor of shape (batch, ceil(height / stride), ceil(width / stride), filters).
    """
    filters, stride = check_int(filters, "filters", min_value=1), check_int(stride, "stride", min_value=1)
    shortcut = _shortcut(x, filters, stride, name)
    y = _conv_bn(x, filters, 3, stride=stride, name=f"{name}_1")
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = _conv_bn(y, filters, 3, name=f"{name}_2")
    y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def bottleneck_block(x, filters, *, stride=1, name):
    """Bottleneck residual block (ResNet-50/101/152): 1x1 reduce, 3x3, 1x1 expand (4x).

    Args:
        x: tensor of shape (batch, height, width, channels).
        filters: channels of the 1x1 and 3x3 convs; the output has ``4 * filters``.
        stride: stride of the first 1x1 conv, as in the paper (2 halves height and width).
        name: block name; layers ``f"{name}_1_conv"`` ... ``f"{name}_3_bn"``,
            ``f"{name}_proj_conv"`` (if needed), ``f"{name}_add"``, ``f"{name}_out"``.

    Returns:
        Tensor of shape (batch, ceil(height / stride), ceil(width / stride), 4 * filters).
    """
    filters, stride = check_int(filters, "filters", min_value=1), check_int(stride, "stride", min_value=1)
    shortcut = _shortcut(x, 4 * filters, stride, name)
    y = _conv_bn(x, filters, 1, stride=stride, name=f"{name}_1")
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = _conv_bn(y, filters, 3, name=f"{name}_2")
    y = layers.Activation("relu", name=f"{name}_2_relu")(y)
    y = _conv_bn(y, 4 * filters, 1, name=f"{name}_3")
    y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def resnet(depth=50, *, input_shape=(224, 224, 3), num_classes=1000, base_filters=64, name=None):
    """ResNet-18/34/50/101/152.

    Stem: 7x7/2 conv (64) + BN + ReLU, 3x3/2 max pool; four stages of residual blocks
    (``conv2`` ... ``conv5``, widths 64, 128, 256, 512, the first block of stages 3-5
    with stride 2); global average pooling; one dense softmax layer. Convs have no bias
    (batch norm follows), as in the paper and torchvision.

    Args:
        depth: 18, 34 (basic blocks), 50, 101 or 152 (bottleneck blocks).
        input_shape: (height, width, channels); "same" padding, so 28x28 digits work
            (28 -> 14 -> 7 -> 7 -> 4 -> 2 -> 1).
        num_classes: output units (softmax; sigmoid if 1).
        base_filters: width of the stem and of stage conv2 (64 in the paper; 16 makes a
            CPU-sized network).
        name: model name, ``f"resnet{depth}"`` by default.

    Returns:
        Uncompiled ``keras.Model``, (batch, 224, 224, 3) -> (batch, num_classes). Trainable
        parameters at 224/1000 equal torchvision's: 11,689,512 (18), 21,797,672 (34),
        25,557,032 (50), 44,549,160 (101), 60,192,808 (152); ``count_params()`` adds batch
        norm's moving means and variances (e.g. 25,610,152 for ResNet-50).
    """
    if depth not in RESNET_STAGES:
        raise ValueError(f"`depth` must be one of {sorted(RESNET_STAGES)}. Received: depth={depth!r}")
    input_shape = check_input_shape(input_shape)
    num_classes = check_num_classes(num_classes)
    base_filters = check_int(base_filters, "base_filters", min_value=1)
    kind, blocks = RESNET_STAGES[depth]
    block_fn = residual_block if kind == "basic" else bottleneck_block

    inputs = keras.Input(shape=input_shape, name="image")
    x = _conv_bn(inputs, base_filters, 7, stride=2, name="conv1")
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        filters = base_filters * 2 ** (stage - 2)
        for block in range(1, count + 1):
            stride = 2 if block == 1 and stage > 2 else 1
            x = block_fn(x, filters, stride=stride, name=f"conv{stage}_block{block}")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(num_classes, activation=classifier_activation(num_classes), name="predictions")(x)
    return keras.Model(inputs, outputs, name=name or f"resnet{depth}")
