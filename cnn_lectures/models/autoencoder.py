"""Convolutional autoencoder (lectures 000 and 002): encode an image into a small code and
decode it back, trained to reconstruct its own input (Hinton and Salakhutdinov, 2006,
"Reducing the dimensionality of data with neural networks", Science 313; Masci et al., 2011,
"Stacked convolutional auto-encoders for hierarchical feature extraction", ICANN).
"""

import keras
from keras import layers

from cnn_lectures._validation import check_int
from cnn_lectures.models._common import check_divisible, check_input_shape

__all__ = ["conv_encoder", "conv_decoder", "conv_autoencoder"]


def _check_filters(filters):
    if not isinstance(filters, (tuple, list)) or not filters:
        raise ValueError(f"`filters` must be a non-empty tuple of widths, e.g. (32, 64). Received: filters={filters!r}")
    return tuple(check_int(f, "filters", min_value=1) for f in filters)


def conv_encoder(*, input_shape=(28, 28, 1), filters=(32, 64), latent_dim=16, name="encoder"):
    """Encoder: strided 3x3 convs (each halves height and width) -> flatten -> bottleneck.

    Args:
        input_shape: (height, width, channels); height and width multiples of
            ``2 ** len(filters)``.
        filters: widths of the conv layers, first to last.
        latent_dim: size of the code (the ``bottleneck`` dense layer, linear).
        name: model name.

    Returns:
        Uncompiled ``keras.Model`` mapping (batch, *input_shape) to codes (batch, latent_dim).
        Layers ``encoder_conv1`` ..., ``encoder_flatten``, ``bottleneck``.
    """
    input_shape = check_input_shape(input_shape)
    filters = _check_filters(filters)
    latent_dim = check_int(latent_dim, "latent_dim", min_value=1)
    reason = f"{len(filters)} stride-2 convs"
    check_divisible(input_shape, 2 ** len(filters), model="conv_encoder", reason=reason)
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for i, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu", name=f"encoder_conv{i}")(x)
    x = layers.Flatten(name="encoder_flatten")(x)
    code = layers.Dense(latent_dim, name="bottleneck")(x)
    return keras.Model(inputs, code, name=name)


def conv_decoder(*, output_shape=(28, 28, 1), filters=(64, 32), latent_dim=16, name="decoder"):
    """Decoder, the encoder's mirror: dense -> reshape -> transposed 3x3/2 convs -> image.

    Args:
        output_shape: (height, width, channels) of the reconstruction; height and width
            multiples of ``2 ** len(filters)``.
        filters: widths of the transposed convs, first (smallest map) to last.
        latent_dim: size of the code it reads.
        name: model name.

    Returns:
        Uncompiled ``keras.Model`` mapping codes (batch, latent_dim) to images
        (batch, *output_shape) in [0, 1] (sigmoid, for inputs scaled to [0, 1] and a
        binary cross-entropy or MSE reconstruction loss). Layers ``decoder_dense``,
        ``decoder_reshape``, ``decoder_deconv1`` ..., ``reconstruction``.
    """
    output_shape = check_input_shape(output_shape)
    filters = _check_filters(filters)
    latent_dim = check_int(latent_dim, "latent_dim", min_value=1)
    factor = 2 ** len(filters)
    check_divisible(output_shape, factor, model="conv_decoder", reason=f"{len(filters)} stride-2 upsamplings")
    h, w = output_shape[0] // factor, output_shape[1] // factor
    codes = keras.Input(shape=(latent_dim,), name="code")
    x = layers.Dense(h * w * filters[0], activation="relu", name="decoder_dense")(codes)
    x = layers.Reshape((h, w, filters[0]), name="decoder_reshape")(x)
    for i, width in enumerate(filters, start=1):
        x = layers.Conv2DTranspose(width, 3, strides=2, padding="same", activation="relu", name=f"decoder_deconv{i}")(x)
    outputs = layers.Conv2D(output_shape[2], 3, padding="same", activation="sigmoid", name="reconstruction")(x)
    return keras.Model(codes, outputs, name=name)


def conv_autoencoder(*, input_shape=(28, 28, 1), filters=(32, 64), latent_dim=16, name="conv_autoencoder"):
    """Encoder and decoder chained: image -> code (``latent_dim`` numbers) -> image.

    Trained with the input as its own target (``model.fit(x, x)``), the bottleneck forces
    a compressed representation -- dimensionality reduction by a neural network.

    Args:
        input_shape: (height, width, channels); multiples of ``2 ** len(filters)``.
        filters: encoder widths; the decoder uses them in reverse.
        latent_dim: size of the code.
        name: model name.

    Returns:
        Uncompiled ``keras.Model`` mapping (batch, *input_shape) to reconstructions of the
        same shape. Its layers are the input, ``encoder`` and ``decoder``: use
        ``model.get_layer("encoder")`` to encode, ``model.get_layer("decoder")`` to decode,
        and ``model.get_layer("encoder").get_layer("bottleneck")`` for the code layer.
    """
    input_shape = check_input_shape(input_shape)
    filters = _check_filters(filters)
    encoder = conv_encoder(input_shape=input_shape, filters=filters, latent_dim=latent_dim)
    decoder = conv_decoder(output_shape=input_shape, filters=filters[::-1], latent_dim=latent_dim)
    inputs = keras.Input(shape=input_shape, name="image")
    outputs = decoder(encoder(inputs))
    return keras.Model(inputs, outputs, name=name)
