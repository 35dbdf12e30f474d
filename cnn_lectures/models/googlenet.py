"""GoogLeNet / Inception v1 (Szegedy et al., 2015, "Going deeper with convolutions", CVPR;
arXiv 2014): stacked Inception modules with 1x1 dimension reductions (lecture 004).
"""

import keras
from keras import layers

from cnn_lectures._validation import check_int
from cnn_lectures.models._common import (
    check_dropout,
    check_input_shape,
    check_num_classes,
    classifier_activation,
)

__all__ = ["inception_module", "googlenet", "GOOGLENET_MODULES"]

#: The paper's Table 1: (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj) per module.
GOOGLENET_MODULES = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}


def inception_module(x, filters, *, name):
    """Inception module with dimension reductions (the paper's Figure 2b).

    Four parallel branches on the same input, concatenated along channels:
    1x1 conv; 1x1 reduce -> 3x3 conv; 1x1 reduce -> 5x5 conv; 3x3/1 max pool -> 1x1 proj.
    The 1x1 reductions keep the 3x3 and 5x5 convolutions cheap. All convs use ReLU and
    "same" padding, so height and width are kept.

    Args:
        x: tensor of shape (batch, height, width, channels).
        filters: the six widths ``(1x1, 3x3_reduce, 3x3, 5x5_reduce, 5x5, pool_proj)``,
            one row of :data:`GOOGLENET_MODULES`.
        name: block name; layers are ``f"{name}_1x1"``, ``f"{name}_3x3_reduce"``, ...,
            ``f"{name}_concat"``.

    Returns:
        Tensor of shape (batch, height, width, 1x1 + 3x3 + 5x5 + pool_proj).
    """
    if not isinstance(filters, (tuple, list)) or len(filters) != 6:
        raise ValueError(
            "`filters` must be six widths (1x1, 3x3_reduce, 3x3, 5x5_reduce, 5x5, pool_proj). "
            f"Received: filters={filters!r}"
        )
    f1, f3r, f3, f5r, f5, fp = (check_int(f, "filters", min_value=1) for f in filters)

    def conv(t, width, size, suffix):
        return layers.Conv2D(width, size, padding="same", activation="relu", name=f"{name}_{suffix}")(t)

    branch1 = conv(x, f1, 1, "1x1")
    branch3 = conv(conv(x, f3r, 1, "3x3_reduce"), f3, 3, "3x3")
    branch5 = conv(conv(x, f5r, 1, "5x5_reduce"), f5, 5, "5x5")
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    branch_pool = conv(pooled, fp, 1, "pool_proj")
    return layers.Concatenate(name=f"{name}_concat")([branch1, branch3, branch5, branch_pool])


def googlenet(*, input_shape=(224, 224, 3), num_classes=1000, dropout=0.4, name="googlenet"):
    """GoogLeNet without its auxiliary classifiers: stem, nine Inception modules, global
    average pooling, dropout 40%, one linear layer -- no fully connected layers in between.

    Stem: conv 7x7/2 (64), max pool 3x3/2, conv 1x1 (64), conv 3x3 (192), max pool 3x3/2;
    then 3a, 3b, pool, 4a-4e, pool, 5a, 5b (22 layers with weights). Local response
    normalisation is left out. Pools use "same" padding, so any input size works
    (224 -> 7x7 before the average pool, as in the paper; 96 -> 3x3; 28 -> 1x1).

    Args:
        input_shape: (height, width, channels).
        num_classes: output units (softmax; sigmoid if 1).
        dropout: rate before the classifier.
        name: model name.

    Returns:
        Uncompiled ``keras.Model``, (batch, 224, 224, 3) -> (batch, num_classes); 6,998,552
        parameters at 224/1000 (the paper: about 6.8 million; "5 million" in lecture 004),
        1,025,000 of them in the classifier.
    """
    input_shape = check_input_shape(input_shape)
    num_classes = check_num_classes(num_classes)
    dropout = check_dropout(dropout)

    def pool(t, block):
        return layers.MaxPooling2D(3, strides=2, padding="same", name=f"{block}_pool")(t)

    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(64, 7, strides=2, padding="same", activation="relu", name="stem_conv1")(inputs)
    x = pool(x, "stem1")
    x = layers.Conv2D(64, 1, activation="relu", name="stem_conv2_reduce")(x)
    x = layers.Conv2D(192, 3, padding="same", activation="relu", name="stem_conv2")(x)
    x = pool(x, "stem2")
    for module, widths in GOOGLENET_MODULES.items():
        if module in ("4a", "5a"):
            x = pool(x, f"stage{module[0]}")
        x = inception_module(x, widths, name=f"inception_{module}")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout:
        x = layers.Dropout(dropout, name="avg_pool_dropout")(x)
    outputs = layers.Dense(num_classes, activation=classifier_activation(num_classes), name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
