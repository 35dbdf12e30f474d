"""Tests for the training-speed pieces of the models: the fused batch normalisation, mixed
precision and the float32 copy a trained model leaves training as.

The fused layer is checked against Keras's own ``BatchNormalization`` (the reference), on the
same weights and inputs: outputs, gradients and moving statistics.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnn_lectures import runtime
from cnn_lectures.models import digit_cnn
from cnn_lectures.models.normalization import FusedBatchNormalization
from cnn_lectures.models.precision import float32_copy, is_mixed_precision


def _pair(options, shape, rng):
    """Keras's layer and the fused one, built and given the same random weights."""
    reference, fused = keras.layers.BatchNormalization(**options), FusedBatchNormalization(**options)
    reference.build(shape)
    fused.build(shape)
    for a, b in zip(reference.weights, fused.weights):
        value = np.abs(rng.normal(1.0, 0.3, a.shape)).astype("float32")
        a.assign(value)
        b.assign(value)
    return reference, fused


def _train_step(layer, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = tf.reduce_sum(y * tf.sin(y))
    gradients = tape.gradient(loss, [x, *layer.trainable_weights])
    return y.numpy(), [g.numpy() for g in gradients], [w.numpy() for w in layer.non_trainable_weights]


@pytest.mark.parametrize(
    "options",
    [{}, {"scale": False}, {"center": False, "momentum": 0.9, "epsilon": 1e-5}],
    ids=["default", "no-scale", "no-center"],
)
def test_fused_batch_normalization_computes_what_keras_computes(options):
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(2.0, 3.0, (8, 5, 5, 6)).astype("float32"))
    reference, fused = _pair(options, x.shape, rng)
    y_ref, grads_ref, stats_ref = _train_step(reference, x)
    y_fused, grads_fused, stats_fused = _train_step(fused, x)
    np.testing.assert_allclose(y_fused, y_ref, rtol=1e-5, atol=1e-5)
    for g_fused, g_ref in zip(grads_fused, grads_ref):
        np.testing.assert_allclose(g_fused, g_ref, rtol=1e-4, atol=1e-4 * np.abs(g_ref).max())
    for s_fused, s_ref in zip(stats_fused, stats_ref):  # moving mean and (biased) variance, after one update
        np.testing.assert_allclose(s_fused, s_ref, rtol=1e-5)
    np.testing.assert_allclose(fused(x, training=False).numpy(), reference(x, training=False).numpy(), atol=1e-5)


def test_fused_batch_normalization_falls_back_to_keras_where_the_kernel_cannot_go():
    x = tf.constant(np.random.default_rng(1).normal(size=(16, 7)).astype("float32"))  # 2-D: Dense activations
    reference, fused = _pair({}, x.shape, np.random.default_rng(2))
    np.testing.assert_allclose(fused(x, training=True).numpy(), reference(x, training=True).numpy(), atol=1e-6)
    channels_first = FusedBatchNormalization(axis=1)
    images = tf.ones((2, 3, 4, 4))
    assert channels_first(images, training=True).shape == (2, 3, 4, 4)


def test_a_model_with_the_fused_layer_saves_and_loads_safely(tmp_path):
    model = digit_cnn(filters=(4, 4, 8))
    path = tmp_path / "digits.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True, compile=False)
    assert sum(isinstance(layer, FusedBatchNormalization) for layer in loaded.layers) == 7
    images = np.random.default_rng(3).uniform(size=(4, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-6)


def test_digit_cnn_in_mixed_precision_keeps_float32_weights_and_a_float32_softmax():
    model = digit_cnn(filters=(4, 4, 8), dtype="mixed_bfloat16")
    assert is_mixed_precision(model)
    assert model.get_layer("block1_conv1").compute_dtype == "bfloat16"
    assert model.get_layer("block1_conv1_bn").compute_dtype == "bfloat16"
    assert model.get_layer("predictions").compute_dtype == "float32"
    assert all(weight.dtype == "float32" for weight in model.weights)
    assert model.count_params() == digit_cnn(filters=(4, 4, 8)).count_params()
    assert not is_mixed_precision(digit_cnn(filters=(4, 4, 8)))


def test_float32_copy_is_uncompiled_has_the_weights_and_names_and_predicts_in_float32():
    mixed = digit_cnn(filters=(4, 4, 8), dtype="mixed_bfloat16")
    copy = float32_copy(mixed)
    assert copy is not mixed and not is_mixed_precision(copy) and copy.name == mixed.name
    assert [layer.name for layer in copy.layers] == [layer.name for layer in mixed.layers]
    for a, b in zip(copy.get_weights(), mixed.get_weights()):
        np.testing.assert_array_equal(a, b)
    images = np.random.default_rng(4).uniform(size=(8, 28, 28, 1)).astype("float32")
    probabilities = copy.predict(images, verbose=0)
    assert probabilities.dtype == np.float32
    # bfloat16 keeps 8 bits of mantissa: the mixed model's answers are close to the copy's, not equal
    np.testing.assert_allclose(mixed.predict(images, verbose=0), probabilities, atol=0.05)
    plain = digit_cnn(filters=(4, 4, 8))
    plain.compile(optimizer="adam", loss="categorical_crossentropy")
    copy = float32_copy(plain)
    assert copy is not plain and not copy.compiled  # the model alone: no optimizer in its file


@pytest.mark.parametrize(
    "environ, flags, expected",
    [
        ({}, {"avx2", "avx512f", "avx512_bf16"}, "mixed_bfloat16"),
        ({}, {"avx2", "amx_bf16"}, "mixed_bfloat16"),
        ({}, {"avx2", "fma"}, None),  # the AVX2 EPYC of the speed issue: bfloat16 would be emulated
        ({}, set(), None),  # no /proc/cpuinfo (macOS, Windows)
        ({"CNN_LECTURES_PRECISION": "float32"}, {"avx512_bf16"}, None),
        ({"CNN_LECTURES_PRECISION": "mixed_bfloat16"}, set(), "mixed_bfloat16"),
        ({"CNN_LECTURES_PRECISION": " Auto "}, {"avx512_bf16"}, "mixed_bfloat16"),
    ],
)
def test_fast_mixed_precision_follows_the_cpu_unless_the_environment_decides(environ, flags, expected):
    assert runtime.fast_mixed_precision(environ, flags=flags) == expected


def test_an_unknown_precision_setting_is_named_with_the_choices():
    with pytest.raises(ValueError, match=r"CNN_LECTURES_PRECISION must be one of auto, float32.*Received: 'fp16'"):
        runtime.fast_mixed_precision({"CNN_LECTURES_PRECISION": "fp16"}, flags=set())


def test_cpu_flags_reads_the_flags_line(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512_bf16\nbugs\t\t: none\n")
    assert runtime.cpu_flags(cpuinfo) == {"fpu", "avx2", "avx512_bf16"}
    assert runtime.cpu_flags(tmp_path / "missing") == set()
