"""Batch normalisation computed by one fused TensorFlow kernel: Keras's maths, fewer ops.

Keras 3's ``BatchNormalization`` builds its training step from about twenty small ops (mean,
squared difference, variance, scale, shift, each with its gradient). On a CPU each op costs a
pass over the activations, and for :func:`~cnn_lectures.models.digits.digit_cnn` those passes
took a third of the training step. :class:`FusedBatchNormalization` computes the same thing
with TensorFlow's ``FusedBatchNormV3`` (oneDNN's batch-normalisation primitive when oneDNN is
on) and its fused gradient:

- training: the batch mean and the biased batch variance normalise the batch, and the moving
  statistics follow Keras's rule ``moving = momentum * moving + (1 - momentum) * batch``, with
  Keras's biased variance (TensorFlow's kernel returns the unbiased one; it is rescaled);
- inference: the moving mean and variance, as in Keras;
- bfloat16 or float16 activations (a ``mixed_*`` dtype policy) go into the kernel as they are;
  the statistics and the parameters stay float32.

Outputs, gradients and moving statistics agree with ``keras.layers.BatchNormalization`` to
float32 rounding (tests/test_models.py). Whatever the fused kernel cannot do -- another axis
than the last, a 2-D input, a mask, ``renorm``, ``synchronized``, another backend than
TensorFlow -- falls back to Keras's own computation.

The class is registered with Keras (``cnn_lectures>FusedBatchNormalization``), so a ``.keras``
file holding it loads wherever ``cnn_lectures.models`` has been imported.
"""

import keras
from keras import layers


@keras.saving.register_keras_serializable(package="cnn_lectures")
class FusedBatchNormalization(layers.BatchNormalization):
    """``keras.layers.BatchNormalization`` (same arguments, weights and results) run by one fused kernel."""

    def call(self, inputs, training=None, mask=None):
        if not self._can_fuse(inputs, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        x = tf.convert_to_tensor(inputs)
        if x.dtype not in (tf.float32, tf.bfloat16, tf.float16):
            x = tf.cast(x, tf.float32)
        channels = x.shape[-1]
        scale = tf.cast(self.gamma, tf.float32) if self.scale else tf.ones([channels], tf.float32)
        offset = tf.cast(self.beta, tf.float32) if self.center else tf.zeros([channels], tf.float32)
        if training and self.trainable:
            empty = tf.constant([], tf.float32)
            y, mean, unbiased, _, _, _ = tf.raw_ops.FusedBatchNormV3(
                x=x, scale=scale, offset=offset, mean=empty, variance=empty,
                epsilon=self.epsilon, data_format="NHWC", is_training=True,
            )  # fmt: skip
            count = tf.cast(tf.size(x) // channels, tf.float32)
            variance = unbiased * tf.maximum(count - 1.0, 0.0) / count  # Keras keeps the biased variance
            momentum = self.momentum
            self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
            self.moving_variance.assign(self.moving_variance * momentum + variance * (1.0 - momentum))
        else:
            y, _, _, _, _, _ = tf.raw_ops.FusedBatchNormV3(
                x=x, scale=scale, offset=offset,
                mean=tf.cast(self.moving_mean, tf.float32), variance=tf.cast(self.moving_variance, tf.float32),
                epsilon=self.epsilon, data_format="NHWC", is_training=False,
            )  # fmt: skip
        return tf.cast(y, self.compute_dtype)

    def _can_fuse(self, inputs, mask):
        axis = self.axis if isinstance(self.axis, int) else None
        rank = len(inputs.shape)
        return (
            keras.backend.backend() == "tensorflow"
            and mask is None
            and rank == 4
            and axis in (-1, rank - 1)
            and not self.renorm
            and not self.synchronized
        )
