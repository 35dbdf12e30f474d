"""Multi-worker training: the one module that touches Keras internals.

``model.fit`` under a ``tf.distribute.MultiWorkerMirroredStrategy`` with several workers fails
twice in Keras 3 (keras-team/keras#20585, tensorflow/tensorflow#72388); :func:`multi_worker_fit`
works around both, only while ``fit`` runs and only for such a strategy. The workaround reaches
into private Keras code (``keras.src.backend.tensorflow.trainer.reduce_per_replica``,
``Model._symbolic_build``), so it is checked against the Keras versions it was written and tested
against (:data:`TESTED_KERAS`); on any other it raises :class:`UnsupportedKerasError` instead of
failing obscurely mid-epoch. One-machine strategies (``MirroredStrategy``) and no strategy use
public API only and work on any Keras 3.
"""

import contextlib

import keras
import tensorflow as tf

TESTED_KERAS = ((3, 13), (3, 14), (3, 15))
"""``(major, minor)`` Keras releases whose private trainer this module was tested against."""


class UnsupportedKerasError(RuntimeError):
    """Multi-worker training was asked for on a Keras version this module was not tested against."""


def check_strategy(strategy):
    """``strategy`` if it is a ``tf.distribute.Strategy`` or None, else ``TypeError``."""
    if strategy is not None and not isinstance(strategy, tf.distribute.Strategy):
        raise TypeError(f"`strategy` must be a tf.distribute.Strategy or None. Received: strategy={strategy!r}.")
    return strategy


def is_multi_worker(strategy):
    """True for a strategy whose replicas span several machines (processes)."""
    if not isinstance(strategy, tf.distribute.Strategy):
        return False
    try:
        local_devices = len(strategy.extended.worker_devices)
    except RuntimeError:  # the default strategy has no worker devices: one process
        return False
    return strategy.num_replicas_in_sync > local_devices


def check_keras_version(version=None):
    """Raise :class:`UnsupportedKerasError` unless ``version`` (default: the installed one) was tested."""
    version = keras.__version__ if version is None else version
    release = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if release not in TESTED_KERAS:
        tested = ", ".join(f"{major}.{minor}" for major, minor in TESTED_KERAS)
        raise UnsupportedKerasError(
            f"Multi-worker training patches private Keras code tested only with Keras {tested}. "
            f"Received: keras {version}. Install a tested Keras (pip install 'keras>=3.13,<3.16'), "
            "or train with MirroredStrategy on one machine, which needs no patch."
        )
    return version


@contextlib.contextmanager
def multi_worker_fit(model, strategy, x_sample, y_sample):
    """Let ``model.fit`` run under a ``MultiWorkerMirroredStrategy`` with several workers.

    Two fixes, both undone on exit:

    - before training, ``_maybe_symbolic_build`` averages one input batch across the workers
      with ``strategy.reduce`` on an ``(x, y)`` tuple, which the collective reduce rejects.
      That batch only serves to build the model's state, so it is built here instead, in the
      strategy's scope, from one sample, and the step is skipped;
    - after each step, ``reduce_per_replica`` averages the scalar metrics across workers "along
      axis 0", which fails on a scalar. The metric variables are mirrored with SUM aggregation,
      so every replica already holds the global values: reading the first replica's
      (``reduction="first"``, what Keras does on TPUs) gives them.

    Args:
        model: the compiled ``keras.Model`` about to be fitted.
        strategy: a ``tf.distribute.Strategy`` or None; anything but a multi-worker one is left alone.
        x_sample, y_sample: one training image and its label (arrays with a batch axis of 1).
    """
    if not is_multi_worker(strategy):
        yield
        return
    check_keras_version()
    from keras.src.backend.tensorflow import trainer as keras_tf_trainer

    with strategy.scope():
        model._symbolic_build(data_batch=(x_sample, y_sample))
    reduce_per_replica = keras_tf_trainer.reduce_per_replica

    def reduce_first(values, strategy, reduction):
        return reduce_per_replica(values, strategy, "first" if reduction == "auto" else reduction)

    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None
    keras_tf_trainer.reduce_per_replica = reduce_first
    try:
        yield
    finally:
        keras_tf_trainer.reduce_per_replica = reduce_per_replica
        del model._maybe_symbolic_build
