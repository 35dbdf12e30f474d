"""One training entry point: compile, build the dataset, fit.

:func:`train` is the lecture's ``compile`` + ``fit`` (Adam, categorical cross-entropy,
accuracy, batch 250) with three ways to augment, seeding, op determinism, resuming an
interrupted run (``BackupAndRestore``) and a ``tf.distribute`` strategy (see
docs/distributed_training.md). Learning-rate schedules, plateaus and early stopping are Keras's
own: pass a ``LearningRateSchedule`` as ``learning_rate`` or callbacks in ``callbacks``. Named
recipes that build those for you live in :mod:`cnn_lectures.presets` (``get_preset(name).fit``).

    >>> history = train(lecture_cnn, x_train, y_train, validation_data=(x_val, y_val), epochs=10)
    >>> model = history.model
"""

import contextlib
import secrets

import keras
import tensorflow as tf

from cnn_lectures import augmentation, distribute
from cnn_lectures._validation import check_augment, check_images, check_int, check_labels, check_seed
from cnn_lectures.augmentation import ROTATION, SHIFT, ZOOM


def train(
    model_or_builder,
    x,
    y,
    *,
    validation_data=None,
    epochs=10,
    batch_size=250,
    augment="fast",
    rotation=ROTATION,
    zoom=ZOOM,
    shift=SHIFT,
    learning_rate=1e-3,
    optimizer=None,
    callbacks=(),
    seed=None,
    deterministic=False,
    backup_dir=None,
    strategy=None,
    steps_per_execution=1,
    verbose="auto",
):
    """Compile and fit a classifier, printing Keras's usual ``Epoch K/N`` progress.

    The model is always (re)compiled here -- optimizer, categorical cross-entropy, accuracy --
    so one call gives one recipe; to train with your own ``compile`` settings call
    ``model.fit`` yourself (e.g. on :func:`~cnn_lectures.augmentation.augmented_dataset`).

    Args:
        model_or_builder: an uncompiled ``keras.Model``, or a zero-argument callable that builds
            one (required with ``strategy``: it is built and compiled inside ``strategy.scope()``).
            Pass the builder for repeatable runs too: a model built before the call drew its
            initial weights before ``seed`` took effect.
        x: training images: float32 (n, 28, 28, 1) in [0, 1]; uint8 pixels 0..255 and (n, 784)
            rows are accepted too.
        y: one-hot labels (n, num_classes) or integer labels (n,).
        validation_data: ``(x_val, y_val)`` in the same forms, or None.
        epochs: number of epochs.
        batch_size: images per gradient step (the global batch under a strategy).
        augment: ``"fast"`` (the tf.data path, one fused warp per batch), ``"generator"`` (the
            lecture's ``ImageDataGenerator``) or ``"none"``; ``"layers"`` and None are accepted
            as older spellings of ``"fast"`` and ``"none"``.
        rotation, zoom, shift: the augmentation's largest rotation (degrees), zoom and shift
            (fractions of the image size); the lecture's 5, 0.1 and 0.1 by default.
        learning_rate: a float, or a ``keras.optimizers.schedules.LearningRateSchedule`` (per step).
        optimizer: None for Adam, an optimizer name (built with ``learning_rate``) or a
            ``keras.optimizers.Optimizer`` instance (used as given; ``learning_rate`` is then unused).
        callbacks: ``keras.callbacks.Callback`` objects: ``ReduceLROnPlateau``, ``EarlyStopping``,
            ``LearningRateScheduler``, loggers.
        seed: integer seed for ``keras.utils.set_random_seed`` (Python, NumPy and TF global
            seeds), shuffling and augmentation; None draws a fresh one. A
            ``MultiWorkerMirroredStrategy`` needs it, the same on every worker.
        deterministic: also call ``tf.config.experimental.enable_op_determinism()``, so two
            runs with the same seed on the same machine give identical weights. It is a
            process-wide switch that cannot be undone; requires ``seed``.
        backup_dir: folder for ``keras.callbacks.BackupAndRestore``: a run that is killed
            resumes at the interrupted epoch when started again with the same folder.
        strategy: a ``tf.distribute.Strategy`` or None.
        steps_per_execution: gradient steps run by one call into TensorFlow (Keras's
            ``compile`` option): more than 1 saves Python's per-step overhead, and callbacks'
            ``on_train_batch_*`` then run once per that many steps.
        verbose: passed to ``model.fit``.

    Returns:
        ``keras.callbacks.History``; the trained model is ``history.model``. ``history.history``
        has ``loss``, ``accuracy`` and, with validation data, ``val_loss`` and ``val_accuracy``;
        after a resume it holds only the epochs run this time.
    """
    augment = check_augment(augment)
    epochs = check_int(epochs, "epochs", min_value=1)
    batch_size = check_int(batch_size, "batch_size", min_value=1)
    steps_per_execution = check_int(steps_per_execution, "steps_per_execution", min_value=1)
    seed = check_seed(seed)
    strategy = distribute.check_strategy(strategy)
    if deterministic and seed is None:
        raise ValueError("deterministic=True needs a seed. Received: seed=None.")
    if seed is None and distribute.is_multi_worker(strategy):
        raise ValueError(
            "MultiWorkerMirroredStrategy needs a seed, the same on every worker, so that the workers "
            "shuffle and augment alike and split each batch between them. Received: seed=None."
        )
    images = check_images(x, "x")
    if seed is not None:
        keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()

    model = _build_and_compile(model_or_builder, strategy, optimizer, learning_rate, steps_per_execution)
    num_classes = _num_classes(model)
    labels = check_labels(y, "y", num_classes=num_classes, num_samples=len(images))
    _check_input_shape(model, images)
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(
                "`validation_data` must be a pair (x_val, y_val). "
                f"Received: validation_data of type {type(validation_data).__name__}."
            )
        x_val = check_images(validation_data[0], "x_val")
        validation = (x_val, check_labels(validation_data[1], "y_val", num_classes=num_classes, num_samples=len(x_val)))

    data_seed = seed if seed is not None else secrets.randbits(31)
    fit_callbacks = []
    if augment == "generator":
        generator = augmentation.image_data_generator(
            rotation_range=rotation, zoom_range=zoom, width_shift_range=shift, height_shift_range=shift
        )
        data = generator.flow(images, labels, batch_size=batch_size, seed=data_seed)
    else:
        ranges = {"rotation": rotation, "zoom": zoom, "shift": shift}
        data, next_pass = augmentation.epoch_keyed_dataset(
            images, labels, batch_size=batch_size, augment=augment, seed=data_seed, num_classes=num_classes, **ranges
        )
        fit_callbacks.append(augmentation.SyncEpoch(next_pass))
    if backup_dir is not None:
        fit_callbacks.append(keras.callbacks.BackupAndRestore(str(backup_dir)))
    fit_callbacks += list(callbacks)
    with distribute.multi_worker_fit(model, strategy, images[:1], labels[:1]):
        return model.fit(data, epochs=epochs, validation_data=validation, validation_batch_size=batch_size,
                         shuffle=False, callbacks=fit_callbacks, verbose=verbose)  # fmt: skip


def _build_and_compile(model_or_builder, strategy, optimizer, learning_rate, steps_per_execution=1):
    if isinstance(model_or_builder, keras.Model):
        if strategy is not None:
            raise ValueError(
                "With a strategy, pass a zero-argument function that builds the model, so that it is "
                f"built inside strategy.scope(). Received a built model: {model_or_builder.name!r}."
            )
    elif not callable(model_or_builder):
        raise TypeError(
            f"`model_or_builder` must be a keras.Model or a function that builds one. Received: {model_or_builder!r}."
        )
    if isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        if not (optimizer is None or isinstance(optimizer, str)):
            raise ValueError(
                "A LearningRateSchedule needs an optimizer built here (optimizer=None or a name); "
                f"set it on your optimizer instead. Received: optimizer={optimizer!r}."
            )
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        model = model_or_builder if isinstance(model_or_builder, keras.Model) else model_or_builder()
        if not isinstance(model, keras.Model):
            raise TypeError(f"The model builder must return a keras.Model. Received: {type(model).__name__}.")
        if optimizer is None:
            optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
        elif isinstance(optimizer, str):
            optimizer = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
        model.compile(
            optimizer=optimizer,
            loss="categorical_crossentropy",
            metrics=["accuracy"],
            steps_per_execution=steps_per_execution,
        )
    return model


def _num_classes(model):
    """The width of the model's one output: a classifier ends in (None, num_classes)."""
    shape = model.output_shape
    if not (isinstance(shape, tuple) and len(shape) == 2 and isinstance(shape[-1], int)):
        raise ValueError(
            "train() needs a classifier with one output of shape (None, num_classes). "
            f"Received: a model {model.name!r} with output shape {shape}."
        )
    return shape[-1]


def _check_input_shape(model, images):
    shape = model.input_shape
    expected = tuple(shape[1:]) if isinstance(shape, tuple) else shape
    if (
        isinstance(shape, tuple)
        and len(expected) == 3
        and all(e in (None, r) for e, r in zip(expected, images.shape[1:]))
    ):
        return
    layout = f"(n, {', '.join(map(str, expected))})" if isinstance(shape, tuple) else f"{shape}"
    raise ValueError(f"The model expects images of shape {layout}. Received: images of shape {images.shape}.")
