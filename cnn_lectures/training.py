"""One training entry point for the CLI and the notebooks.

:func:`train` is the lecture's ``compile`` + ``fit`` (Adam, categorical cross-entropy,
accuracy, batch 250) with the options the later lectures add: three ways to augment,
learning-rate schedules, early stopping, seeding, op determinism, resuming an interrupted
run (``BackupAndRestore``) and a ``tf.distribute`` strategy (``MirroredStrategy`` on one
machine, ``MultiWorkerMirroredStrategy`` across machines; see docs/distributed_training.md).
:func:`train_preset` trains a named recipe from :mod:`cnn_lectures.presets`; the CLI calls it.

    >>> history = train(lecture_cnn(), x_train, y_train, validation_data=(x_val, y_val), epochs=10)
"""

import contextlib
import math
import secrets

import keras
import numpy as np
import tensorflow as tf

from cnn_lectures import augmentation
from cnn_lectures.augmentation import ROTATION, SHIFT, ZOOM, check_images, check_labels

AUGMENT_MODES = ("layers", "generator", None)
"""``"layers"``: the fast tf.data path (:func:`~cnn_lectures.augmentation.augmented_dataset`,
one fused warp per batch); ``"generator"``: the lecture's ``ImageDataGenerator``; None: none."""

REDUCE_LR_DEFAULTS = {"monitor": "val_accuracy", "factor": 0.5, "patience": 3, "min_lr": 1e-5, "verbose": 1}
"""``ReduceLROnPlateau`` settings used by ``reduce_lr=True`` (monitor ``accuracy`` without validation data)."""


def train(
    model,
    x,
    y,
    *,
    validation_data=None,
    epochs=10,
    batch_size=250,
    augment="layers",
    rotation=ROTATION,
    zoom=ZOOM,
    shift=SHIFT,
    learning_rate=1e-3,
    optimizer=None,
    reduce_lr=False,
    schedule=None,
    early_stopping=None,
    callbacks=(),
    strategy=None,
    seed=None,
    deterministic=False,
    backup_dir=None,
    verbose="auto",
):
    """Compile and fit a classifier, printing Keras's usual ``Epoch K/N`` progress.

    The model is always (re)compiled here -- optimizer, categorical cross-entropy, accuracy --
    so one call gives one recipe; to train with your own ``compile`` settings call
    ``model.fit`` yourself (e.g. on :func:`~cnn_lectures.augmentation.augmented_dataset`).

    Args:
        model: an uncompiled ``keras.Model``, or a zero-argument callable that builds one
            (required with ``strategy``: it is built and compiled inside ``strategy.scope()``).
            Pass the builder for repeatable runs too: a model built before the call drew its
            initial weights before ``seed`` took effect. The trained model is ``history.model``.
        x: training images: float32 (n, 28, 28, 1) in [0, 1] (uint8 0..255 and (n, 784) rows
            are accepted too, see :func:`~cnn_lectures.augmentation.check_images`).
        y: one-hot labels (n, num_classes) or integer labels (n,).
        validation_data: ``(x_val, y_val)`` in the same forms, or None.
        epochs: number of epochs.
        batch_size: images per gradient step.
        augment: ``"layers"`` (fast tf.data path), ``"generator"`` (the lecture's
            ``ImageDataGenerator``) or None (``"none"`` is accepted for None).
        rotation, zoom, shift: the augmentation's largest rotation (degrees), zoom and shift
            (fractions of the image size); the lecture's 5, 0.1 and 0.1 by default.
        learning_rate: the optimizer's learning rate.
        optimizer: None for Adam, an optimizer name (built with ``learning_rate``) or a
            ``keras.optimizers.Optimizer`` instance (used as given).
        reduce_lr: False, True (:data:`REDUCE_LR_DEFAULTS`) or a dict of ``ReduceLROnPlateau``
            arguments overriding those defaults.
        schedule: None, a ``keras.optimizers.schedules.LearningRateSchedule`` (per step,
            replaces ``learning_rate``) or a function ``epoch -> lr`` / ``(epoch, lr) -> lr``.
        early_stopping: None or a patience in epochs (monitors ``val_loss``, else ``loss``;
            restores the best weights).
        callbacks: more ``keras.callbacks.Callback`` objects.
        strategy: a ``tf.distribute.Strategy`` or None. ``batch_size`` is then the global
            batch, split across the replicas. ``MultiWorkerMirroredStrategy`` needs ``seed``,
            the same on every worker, so that all workers draw the same order and warps and
            each trains on its own share of every batch.
        seed: integer seed for ``keras.utils.set_random_seed`` (Python, NumPy and TF global
            seeds), shuffling and augmentation; None draws a fresh one.
        deterministic: also call ``tf.config.experimental.enable_op_determinism()``, so two
            runs with the same seed on the same machine give identical weights. It is a
            process-wide switch that cannot be undone; requires ``seed``.
        backup_dir: folder for ``keras.callbacks.BackupAndRestore``: a run that is killed
            resumes at the interrupted epoch when started again with the same folder.
        verbose: passed to ``model.fit``.

    Returns:
        ``keras.callbacks.History`` (``history.history`` has ``loss``, ``accuracy`` and, with
        validation data, ``val_loss`` and ``val_accuracy``; after a resume it holds only the
        epochs run this time).
    """
    augment = _check_augment(augment)
    _check_positive_int("epochs", epochs)
    _check_positive_int("batch_size", batch_size)
    if deterministic and seed is None:
        raise ValueError("deterministic=True needs a seed. Received: seed=None.")
    if seed is None and _is_multi_worker(strategy):
        raise ValueError(
            "MultiWorkerMirroredStrategy needs a seed, the same on every worker, so that the workers "
            "shuffle and augment alike and split each batch between them. Received: seed=None."
        )
    if reduce_lr and schedule is not None:
        raise ValueError("Use either reduce_lr or schedule, not both. Received both.")
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule) and not (
        optimizer is None or isinstance(optimizer, str)
    ):
        raise ValueError(
            "A LearningRateSchedule needs an optimizer built here (optimizer=None or a name); "
            f"set it on your optimizer instead. Received: optimizer={optimizer!r}."
        )
    lr_callbacks = _learning_rate_callbacks(reduce_lr, schedule, early_stopping, validation_data is not None)
    images = check_images(x)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()

    model = _build_and_compile(model, strategy=strategy, optimizer=optimizer,
                               learning_rate=schedule if _is_lr_schedule(schedule) else learning_rate)
    num_classes = _num_classes(model)
    labels = check_labels(y, num_classes=num_classes, num_samples=len(images))
    _check_input_shape(model, images)
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(f"validation_data must be a pair (x_val, y_val). Received: {type(validation_data)}.")
        x_val = check_images(validation_data[0])
        validation = (x_val, check_labels(validation_data[1], num_classes=num_classes, num_samples=len(x_val)))

    data_seed = seed if seed is not None else secrets.randbits(31)
    all_callbacks = []
    if augment == "generator":
        generator = augmentation.image_data_generator(
            rotation_range=rotation, zoom_range=zoom, width_shift_range=shift, height_shift_range=shift
        )
        data = generator.flow(images, labels, batch_size=batch_size, seed=data_seed)
    else:
        data, next_pass = augmentation.epoch_keyed_dataset(
            images, labels, batch_size=batch_size, augment=augment == "layers", seed=data_seed,
            rotation=rotation, zoom=zoom, shift=shift, num_classes=num_classes,
        )
        all_callbacks.append(augmentation.SyncEpoch(next_pass))
    if backup_dir is not None:
        all_callbacks.append(keras.callbacks.BackupAndRestore(str(backup_dir)))
    all_callbacks += lr_callbacks
    all_callbacks += list(callbacks)
    with _multi_worker_fit(model, strategy, images[:1], labels[:1]):
        return model.fit(data, epochs=epochs, validation_data=validation, validation_batch_size=batch_size,
                         shuffle=False, callbacks=all_callbacks, verbose=verbose)


class _PresetDefault:
    """Marks an argument left out of :func:`train_preset` (None is a real choice for ``augment``)."""

    def __repr__(self):
        return "<preset default>"


_PRESET_DEFAULT = _PresetDefault()


def train_preset(
    preset,
    x,
    y,
    *,
    validation_data=None,
    epochs=None,
    batch_size=None,
    augment=_PRESET_DEFAULT,
    seed=None,
    deterministic=False,
    strategy=None,
    callbacks=(),
    backup_dir=None,
    verbose="auto",
):
    """Build a preset's model and train it with the preset's settings, some overridden.

    Args:
        preset: a :class:`~cnn_lectures.presets.Preset` or its name.
        x, y, validation_data, seed, deterministic, strategy, callbacks, backup_dir, verbose:
            as for :func:`train`.
        epochs, batch_size: None for the preset's values. A preset with ``schedule="cosine"``
            stretches its schedule over the epochs actually run.
        augment: ``"layers"``, ``"generator"`` or None; left out, the preset's choice.

    Returns:
        ``(model, history)``: the trained ``keras.Model`` (one model that saves to one
        ``.keras`` file) and its ``keras.callbacks.History``.
    """
    from cnn_lectures.presets import Preset, get_preset

    if isinstance(preset, str):
        preset = get_preset(preset)
    elif not isinstance(preset, Preset):
        raise TypeError(f"preset must be a Preset or a preset name. Received: {preset!r}.")
    epochs = _check_positive_int("epochs", preset.epochs if epochs is None else epochs)
    batch_size = _check_positive_int("batch_size", preset.batch_size if batch_size is None else batch_size)
    schedule = None
    if preset.schedule == "cosine":
        steps_per_epoch = math.ceil(np.shape(x)[0] / batch_size)
        schedule = warmup_cosine_schedule(preset.learning_rate, epochs=epochs, steps_per_epoch=steps_per_epoch)
    history = train(
        preset.build_model,
        x,
        y,
        validation_data=validation_data,
        epochs=epochs,
        batch_size=batch_size,
        augment=preset.augment if augment is _PRESET_DEFAULT else augment,
        rotation=preset.rotation,
        zoom=preset.zoom,
        shift=preset.shift,
        learning_rate=preset.learning_rate,
        reduce_lr=preset.reduce_lr,
        schedule=schedule,
        early_stopping=preset.early_stopping,
        callbacks=callbacks,
        strategy=strategy,
        seed=seed,
        deterministic=deterministic,
        backup_dir=backup_dir,
        verbose=verbose,
    )
    return history.model, history


def warmup_cosine_schedule(learning_rate, *, epochs, steps_per_epoch, warmup_epochs=1):
    """A per-step learning rate: linear warm-up, then a cosine decay to 0 at the last step.

    The rate climbs from ``learning_rate / 10`` to ``learning_rate`` over the first
    ``warmup_epochs`` (none when training lasts only that long), then follows half a cosine
    down to 0 (Loshchilov and Hutter, 2017, without restarts; warm-up: Goyal et al., 2017).

    Args:
        learning_rate: the peak learning rate.
        epochs: number of epochs trained.
        steps_per_epoch: gradient steps per epoch, ``ceil(n / batch_size)``.
        warmup_epochs: epochs of warm-up.

    Returns:
        ``keras.optimizers.schedules.CosineDecay``, to pass as ``train(..., schedule=...)``.
    """
    total = _check_positive_int("epochs", epochs) * _check_positive_int("steps_per_epoch", steps_per_epoch)
    warmup = min(warmup_epochs, epochs - 1) * steps_per_epoch
    if warmup <= 0:
        return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=total)
    return keras.optimizers.schedules.CosineDecay(
        learning_rate / 10, decay_steps=total - warmup, warmup_target=learning_rate, warmup_steps=warmup
    )


def _check_positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}.")
    return int(value)


def _is_multi_worker(strategy):
    """True for a strategy whose replicas span several machines (processes)."""
    return isinstance(strategy, tf.distribute.Strategy) and (
        strategy.num_replicas_in_sync > len(strategy.extended.worker_devices)
    )


@contextlib.contextmanager
def _multi_worker_fit(model, strategy, x_sample, y_sample):
    """Let ``model.fit`` run under a ``MultiWorkerMirroredStrategy`` with several workers.

    Keras 3.15's ``fit`` fails there twice (keras-team/keras#20585, tensorflow/tensorflow#72388);
    both fixes touch Keras internals, only inside this context and only for such a strategy:

    - before training, ``_maybe_symbolic_build`` averages one input batch across the workers
      with ``strategy.reduce`` on an ``(x, y)`` tuple, which the collective reduce rejects.
      That batch only serves to build the model's state, so it is built here instead, in the
      strategy's scope, from one sample, and the step is skipped;
    - after each step, ``reduce_per_replica`` averages the scalar metrics across workers "along
      axis 0", which fails on a scalar. The metric variables are mirrored with SUM aggregation,
      so every replica already holds the global values: reading the first replica's
      (``reduction="first"``, what Keras does on TPUs) gives them.

    Single-machine strategies (``MirroredStrategy``) and no strategy are left alone.
    """
    if not _is_multi_worker(strategy):
        yield
        return
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


def _check_augment(augment):
    if augment == "none":
        return None
    if augment not in AUGMENT_MODES:
        raise ValueError(f'augment must be "layers", "generator" or None. Received: augment={augment!r}.')
    return augment


def _is_lr_schedule(schedule):
    return isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule)


def _build_and_compile(model, *, strategy, optimizer, learning_rate):
    if isinstance(model, keras.Model):
        if strategy is not None:
            raise ValueError(
                "With a strategy, pass a zero-argument function that builds the model, so that it is "
                f"built inside strategy.scope(). Received a built model: {model.name!r}."
            )
        builder = lambda: model  # noqa: E731
    elif callable(model):
        builder = model
    else:
        raise TypeError(f"model must be a keras.Model or a function that builds one. Received: {model!r}.")
    if strategy is not None and not isinstance(strategy, tf.distribute.Strategy):
        raise TypeError(f"strategy must be a tf.distribute.Strategy or None. Received: strategy={strategy!r}.")
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        built = builder()
        if not isinstance(built, keras.Model):
            raise TypeError(f"The model builder must return a keras.Model. Received: {type(built).__name__}.")
        if optimizer is None:
            optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
        elif isinstance(optimizer, str):
            optimizer = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
        built.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return built


def _num_classes(model):
    try:
        return int(model.output_shape[-1])
    except (AttributeError, TypeError, ValueError):
        return 10


def _check_input_shape(model, images):
    try:
        expected = tuple(model.input_shape[1:])
    except (AttributeError, TypeError, ValueError):
        return
    if all(e is None or e == r for e, r in zip(expected, images.shape[1:])) and len(expected) == 3:
        return
    raise ValueError(
        f"The model expects images of shape (n, {', '.join(map(str, expected))}). "
        f"Received images of shape {images.shape}."
    )


def _learning_rate_callbacks(reduce_lr, schedule, early_stopping, has_validation):
    found = []
    if reduce_lr:
        settings = dict(REDUCE_LR_DEFAULTS)
        if not has_validation:
            settings["monitor"] = "accuracy"
        if isinstance(reduce_lr, dict):
            settings.update(reduce_lr)
        elif reduce_lr is not True:
            raise TypeError(f"reduce_lr must be True, False or a dict of settings. Received: {reduce_lr!r}.")
        found.append(keras.callbacks.ReduceLROnPlateau(**settings))
    if schedule is not None and not _is_lr_schedule(schedule):
        if not callable(schedule):
            raise TypeError(f"schedule must be a LearningRateSchedule or a function of the epoch. Received: {schedule!r}.")
        found.append(keras.callbacks.LearningRateScheduler(schedule))
    if early_stopping is not None:
        if not isinstance(early_stopping, (int, np.integer)) or isinstance(early_stopping, bool) or early_stopping < 0:
            raise ValueError(f"early_stopping must be a patience in epochs (an integer >= 0). Received: {early_stopping!r}.")
        found.append(keras.callbacks.EarlyStopping(
            monitor="val_loss" if has_validation else "loss", patience=int(early_stopping), restore_best_weights=True
        ))
    return found
