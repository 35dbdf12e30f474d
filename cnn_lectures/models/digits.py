"""A strong digit-recognizer CNN: the "best" preset's model (Kaggle Digit Recognizer, MNIST).

Chris Deotte's single model from "How to choose CNN Architecture MNIST" and "25 Million
Images! [0.99757] MNIST" (Kaggle, 2018), which reaches about 99.6-99.7 % on MNIST-sized
validation splits: two blocks of [conv 3x3 valid, BN, conv 3x3 valid, BN, conv 5x5 stride 2
same, BN, dropout] -- the strided 5x5 convolution replaces max pooling with a learnable
downsampling -- then a 4x4 convolution over the whole remaining 4x4 map, BN, dropout and a
softmax layer. Every convolution uses ReLU and is followed by batch normalisation.

Shapes for a 28x28 digit with the default ``filters=(32, 64, 128)``::

    28x28x1 -> 26x26x32 -> 24x24x32 -> 12x12x32          block1
            -> 10x10x64 ->  8x8x64  ->  4x4x64           block2
            -> 1x1x128 -> 128 -> num_classes             head

Parameters: 327,242 (326,410 trainable; the 832 others are BN moving statistics).
Training cost is about 15 M multiply-adds per image forward, ~75x the lecture CNN's.

Batch normalisation is :class:`~cnn_lectures.models.normalization.FusedBatchNormalization`:
Keras's ``BatchNormalization`` computed by one fused kernel: a training step 1.2x faster on a
CPU. ``dtype="mixed_bfloat16"`` runs the convolutions in bfloat16 (float32 weights and softmax),
which CPUs with AVX-512 BF16 instructions compute 1.4x faster again (benchmarks/bench_step.py)
(:func:`cnn_lectures.runtime.fast_mixed_precision` says whether this CPU has them).
"""

import keras
from keras import layers

from cnn_lectures.models.normalization import FusedBatchNormalization


def conv_bn(x, filters, kernel_size, *, stride=1, padding="valid", dtype=None, name):
    """Conv2D with ReLU followed by batch normalisation (Deotte's order), layers ``{name}`` and ``{name}_bn``.

    ``stride`` is the package's one spelling (as in ``residual_block`` and ``conv_output_size``);
    it is passed to Keras as ``strides``. ``dtype`` is the layers' Keras dtype policy (None: the global one).
    """
    options = {"strides": stride, "padding": padding, "activation": "relu", "dtype": dtype}
    x = layers.Conv2D(filters, kernel_size, **options, name=name)(x)
    return FusedBatchNormalization(dtype=dtype, name=f"{name}_bn")(x)


def downsampling_block(x, filters, *, dropout, dtype=None, name):
    """Two 3x3 valid convolutions and a 5x5 stride-2 same convolution, each with BN; then dropout.

    Maps (h, w, c) to (ceil((h - 4) / 2), ceil((w - 4) / 2), filters).
    """
    x = conv_bn(x, filters, 3, dtype=dtype, name=f"{name}_conv1")
    x = conv_bn(x, filters, 3, dtype=dtype, name=f"{name}_conv2")
    x = conv_bn(x, filters, 5, stride=2, padding="same", dtype=dtype, name=f"{name}_conv3")
    return layers.Dropout(dropout, dtype=dtype, name=f"{name}_dropout")(x)


def digit_cnn(
    *, input_shape=(28, 28, 1), num_classes=10, filters=(32, 64, 128), dropout=0.4, dtype=None, name="digit_cnn"
):
    """Build Deotte's digit CNN (uncompiled Functional model).

    Args:
        input_shape: shape of one image, (height, width, channels); 28x28 leaves the 4x4 map
            the head's 4x4 convolution expects.
        num_classes: number of output classes (softmax units).
        filters: widths of block 1, block 2 and the head convolution.
        dropout: dropout rate after each block and before the softmax layer.
        dtype: Keras dtype policy of every layer but the softmax layer, which stays float32 so
            that probabilities near 1 keep their precision: None (Keras's global policy, float32
            unless changed), "float32" or "mixed_bfloat16".
        name: model name.

    Returns:
        keras.Model mapping float images of shape (batch, *input_shape) in [0, 1] to class
        probabilities of shape (batch, num_classes).
    """
    if len(filters) != 3:
        raise ValueError(f"filters must give 3 widths (block1, block2, head). Received: filters={filters!r}.")
    inputs = keras.Input(shape=input_shape, name="image")
    x = downsampling_block(inputs, filters[0], dropout=dropout, dtype=dtype, name="block1")
    x = downsampling_block(x, filters[1], dropout=dropout, dtype=dtype, name="block2")
    x = conv_bn(x, filters[2], 4, dtype=dtype, name="head_conv")
    x = layers.Flatten(dtype=dtype, name="flatten")(x)
    x = layers.Dropout(dropout, dtype=dtype, name="head_dropout")(x)
    head_dtype = None if dtype is None else "float32"
    outputs = layers.Dense(num_classes, activation="softmax", dtype=head_dtype, name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
