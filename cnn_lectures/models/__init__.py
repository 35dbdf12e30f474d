"""Keras model builders: plain functions returning uncompiled Functional models.

One vocabulary everywhere: ``input_shape=``, ``num_classes=``, options keyword-only; every
layer named from its block. One module per family:

- ``mlp``         -- ``mlp``, ``xor_mlp``, ``xor_exact_weights`` (lecture 003)
- ``lecture``     -- ``lecture_cnn``, the lecture's digit model (204,906 parameters)
- ``lenet``       -- ``lenet5`` (LeCun et al., 1998)
- ``alexnet``     -- ``alexnet`` (Krizhevsky et al., 2012)
- ``vgg``         -- ``vgg`` 11/13/16/19 (Simonyan and Zisserman, 2015)
- ``googlenet``   -- ``inception_module``, ``googlenet`` (Szegedy et al., 2015)
- ``resnet``      -- ``residual_block``, ``bottleneck_block``, ``resnet`` 18-152 (He et al., 2016)
- ``autoencoder`` -- ``conv_encoder``, ``conv_decoder``, ``conv_autoencoder``
- ``unet``        -- ``unet`` (Ronneberger et al., 2015)
- ``transfer``    -- ``freeze``, ``unfreeze``, ``transfer_model``, ``resnet50_imagenet``

Two helpers the builders share: ``normalization`` (``FusedBatchNormalization``, Keras's batch
normalisation in one fused kernel) and ``precision`` (``float32_copy``, ``is_mixed_precision``).
"""

from cnn_lectures.models.alexnet import alexnet
from cnn_lectures.models.autoencoder import conv_autoencoder, conv_decoder, conv_encoder
from cnn_lectures.models.digits import digit_cnn
from cnn_lectures.models.googlenet import GOOGLENET_MODULES, googlenet, inception_module
from cnn_lectures.models.lecture import lecture_cnn
from cnn_lectures.models.lenet import lenet5
from cnn_lectures.models.mlp import mlp, xor_exact_weights, xor_mlp
from cnn_lectures.models.resnet import RESNET_STAGES, bottleneck_block, residual_block, resnet
from cnn_lectures.models.transfer import (
    WeightsUnavailableError,
    conv_layers,
    freeze,
    resnet50_imagenet,
    transfer_model,
    unfreeze,
)
from cnn_lectures.models.unet import unet
from cnn_lectures.models.vgg import VGG_CONV_LAYERS, vgg

__all__ = [
    "GOOGLENET_MODULES",
    "RESNET_STAGES",
    "VGG_CONV_LAYERS",
    "WeightsUnavailableError",
    "alexnet",
    "bottleneck_block",
    "conv_autoencoder",
    "conv_decoder",
    "conv_encoder",
    "conv_layers",
    "digit_cnn",
    "freeze",
    "googlenet",
    "inception_module",
    "lecture_cnn",
    "lenet5",
    "mlp",
    "residual_block",
    "resnet",
    "resnet50_imagenet",
    "transfer_model",
    "unet",
    "unfreeze",
    "vgg",
    "xor_exact_weights",
    "xor_mlp",
]
