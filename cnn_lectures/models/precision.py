"""Mixed precision for training, float32 for everything a trained model is used for.

A model built with ``dtype="mixed_bfloat16"`` keeps float32 weights and computes in bfloat16:
about twice as fast on CPUs with bfloat16 instructions, and emulated -- several times slower --
on the others. What a training run hands on -- the CLI's predictions and ``model.keras``, the
shipped checkpoints -- is the trained model's :func:`float32_copy`: the same layers, names and
weights with every layer computing in float32, so that it predicts alike, and at full speed, on
every machine.
"""


def is_mixed_precision(model):
    """True when some layer of ``model`` computes in another dtype than float32."""
    return any(layer.dtype_policy.compute_dtype != "float32" for layer in model.layers)


def float32_copy(model):
    """An uncompiled copy of ``model`` with its weights, every layer computing in float32.

    Args:
        model: a Functional or Sequential ``keras.Model`` whose layers are rebuilt from their
            configs (every builder of :mod:`cnn_lectures.models`), in any precision.

    Returns:
        A new, uncompiled ``keras.Model`` with the same name, layers and weights: no optimizer
        state travels with it, so its ``.keras`` file holds the model alone.
    """
    config = model.get_config()
    for layer in config["layers"]:
        layer["config"]["dtype"] = "float32"
    copy = model.__class__.from_config(config)
    copy.set_weights(model.get_weights())
    return copy
