"""NumPy reference layers: NHWC, Keras weight layouts, each forward next to its backward.

Layers follow CS231n's convention: ``out, cache = layer_forward(x, ...)`` and
``dx, ... = layer_backward(dout, cache)``. Activations are plain functions with a
``*_grad`` derivative. Everything is checked against TensorFlow (``tf.GradientTape``)
and against :func:`numerical_gradient` in ``tests/test_scratch.py``.

- ``activations`` -- ReLU, sigmoid, tanh, leaky ReLU (0.1), ELU, maxout
- ``dense``, ``conv``, ``pooling`` -- the layers
- ``losses`` -- softmax cross-entropy, mean squared error
- ``gradcheck`` -- numerical gradients and relative errors
- ``training`` -- a tiny MLP and a tiny CNN trained with these pieces alone
"""

from cnn_lectures.scratch.activations import (
    elu,
    elu_grad,
    leaky_relu,
    leaky_relu_grad,
    maxout,
    maxout_backward,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)
from cnn_lectures.scratch.conv import conv2d_backward, conv2d_forward
from cnn_lectures.scratch.dense import dense_backward, dense_forward
from cnn_lectures.scratch.gradcheck import numerical_gradient, relative_error
from cnn_lectures.scratch.losses import mse, softmax, softmax_cross_entropy
from cnn_lectures.scratch.pooling import (
    avg_pool_backward,
    avg_pool_forward,
    channel_max_pool_backward,
    channel_max_pool_forward,
    max_pool_backward,
    max_pool_forward,
)
from cnn_lectures.scratch.training import (
    init_mlp,
    init_tiny_cnn,
    mlp_loss,
    mlp_predict,
    sgd_step,
    sgd_train,
    tiny_cnn_loss,
    tiny_cnn_predict,
)

__all__ = [
    "avg_pool_backward",
    "avg_pool_forward",
    "channel_max_pool_backward",
    "channel_max_pool_forward",
    "conv2d_backward",
    "conv2d_forward",
    "dense_backward",
    "dense_forward",
    "elu",
    "elu_grad",
    "init_mlp",
    "init_tiny_cnn",
    "leaky_relu",
    "leaky_relu_grad",
    "max_pool_backward",
    "max_pool_forward",
    "maxout",
    "maxout_backward",
    "mlp_loss",
    "mlp_predict",
    "mse",
    "numerical_gradient",
    "relative_error",
    "relu",
    "relu_grad",
    "sgd_step",
    "sgd_train",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_cross_entropy",
    "tanh",
    "tanh_grad",
    "tiny_cnn_loss",
    "tiny_cnn_predict",
]
