"""Named training recipes for the CLI (``--preset``) and the notebooks, and how a recipe trains itself.

A preset bundles a model builder with the settings it is trained with; ``preset.fit(x, y)``
builds what the recipe needs -- a warm-up + cosine learning-rate schedule, a plateau or
early-stopping callback -- and calls :func:`cnn_lectures.training.train`. The CLI's
``--epochs``, ``--batch-size``, ``--augment`` and ``--seed`` override the preset's values.

- ``lecture`` -- the lecture's CNN and settings, as on the slides, with the lecture's
  augmentation ranges (5 degrees, 10 % zoom, 10 % shift) drawn on the fast tf.data path;
  ``--augment generator`` (``fit(..., augment="generator")``) runs the lecture's literal
  ``ImageDataGenerator`` instead.
- ``best``    -- a recipe sized to train in under 20 minutes on two CPU cores: Chris
  Deotte's batch-normalised CNN (:func:`~cnn_lectures.models.digits.digit_cnn`), stronger
  augmentation and a warm-up + cosine learning rate; trained in bfloat16 mixed precision on
  CPUs that compute it natively (:func:`best_model`). Target: >= 99.6 % validation accuracy on
  the lecture's 90/10 split (37,800 / 4,200 images, ``random_state=2``).

    >>> history = get_preset("lecture").fit(x_train, y_train, validation_data=(x_val, y_val), seed=0)
    >>> history.model.save("lecture.keras")
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from cnn_lectures import runtime
from cnn_lectures._validation import check_augment, check_choice, check_int, check_number
from cnn_lectures.augmentation import ROTATION, SHIFT, ZOOM
from cnn_lectures.models import digit_cnn, lecture_cnn
from cnn_lectures.training import train

SCHEDULES = ("constant", "cosine")
"""``"constant"``: ``learning_rate`` throughout; ``"cosine"``: :func:`warmup_cosine_schedule`."""


@dataclass(frozen=True)
class Preset:
    """A training recipe.

    Attributes:
        name: the name used on the command line.
        description: one line for ``--help`` and the README.
        build_model: zero-argument callable returning an uncompiled Keras model.
        epochs: number of training epochs.
        batch_size: images per gradient step.
        augment: ``"fast"`` (the tf.data path), ``"generator"`` (the lectures'
            ``ImageDataGenerator``) or ``"none"``.
        learning_rate: Adam's learning rate (the peak rate with ``schedule="cosine"``).
        val_fraction: fraction of ``train.csv`` held out for validation.
        split_seed: ``random_state`` of the train/validation split (the lecture's is 2).
        reduce_lr: halve the learning rate when validation accuracy stalls
            (:func:`reduce_lr_on_plateau`).
        early_stopping: None, or a patience in epochs (:func:`early_stopping`).
        schedule: ``"constant"`` (None is read as that) or ``"cosine"``: one epoch of linear warm-up from
            ``learning_rate / 10``, then a cosine decay to 0 at the last step of the epochs
            actually run (:func:`warmup_cosine_schedule`).
        rotation, zoom, shift: augmentation ranges: degrees, and fractions of the image size.
        test_time_shift: 0, or N > 0 to predict (validation accuracy and submission) with the
            softmax averaged over each image and its four N-pixel shifts
            (:func:`cnn_lectures.prediction.predict_probabilities`).
        steps_per_execution: gradient steps per call into TensorFlow (Keras's ``compile``
            option); it changes how fast the steps run, not what they compute.
    """

    name: str
    description: str
    build_model: Callable
    epochs: int
    batch_size: int
    augment: str
    learning_rate: float
    val_fraction: float = 0.1
    split_seed: int = 2
    reduce_lr: bool = False
    early_stopping: int | None = None
    schedule: str = "constant"
    rotation: float = ROTATION
    zoom: float = ZOOM
    shift: float = SHIFT
    test_time_shift: int = 0
    steps_per_execution: int = 1

    def __post_init__(self):
        object.__setattr__(self, "augment", check_augment(self.augment))
        object.__setattr__(
            self, "schedule", check_choice(self.schedule, "schedule", SCHEDULES, aliases={None: "constant"})
        )
        check_number(self.rotation, "rotation", min_value=0)
        check_number(self.zoom, "zoom", min_value=0, max_value=1, include_max=False)
        check_number(self.shift, "shift", min_value=0, max_value=1)
        check_int(self.epochs, "epochs", min_value=1)
        check_int(self.batch_size, "batch_size", min_value=1)
        check_number(self.learning_rate, "learning_rate", min_value=0, include_min=False)
        if not isinstance(self.reduce_lr, bool):
            raise TypeError(f"`reduce_lr` must be True or False. Received: reduce_lr={self.reduce_lr!r}.")
        if self.early_stopping is not None:
            check_int(self.early_stopping, "early_stopping", min_value=0)
        if self.schedule == "cosine" and self.reduce_lr:
            raise ValueError("Use either reduce_lr or schedule='cosine', not both. Received both.")
        check_int(self.test_time_shift, "test_time_shift", min_value=0)
        check_int(self.steps_per_execution, "steps_per_execution", min_value=1)

    def fit(
        self,
        x,
        y,
        *,
        validation_data=None,
        epochs=None,
        batch_size=None,
        augment=None,
        seed=None,
        deterministic=False,
        callbacks=(),
        backup_dir=None,
        strategy=None,
        verbose="auto",
    ):
        """Build this preset's model and train it with this preset's settings.

        Args:
            x, y, validation_data, seed, deterministic, backup_dir, strategy, verbose: as for
                :func:`~cnn_lectures.training.train`.
            epochs, batch_size, augment: None for this preset's own values. With
                ``schedule="cosine"`` the schedule stretches over the epochs actually run.
            callbacks: more Keras callbacks, run after the preset's own (plateau, early stopping).

        Returns:
            ``keras.callbacks.History``; the trained model is ``history.model`` (one model that
            saves to one ``.keras`` file). The CLI and the checkpoints predict with and save
            :func:`~cnn_lectures.models.precision.float32_copy` of it, the same on every machine
            whatever precision it trained in.
        """
        epochs = self.epochs if epochs is None else check_int(epochs, "epochs", min_value=1)
        batch_size = self.batch_size if batch_size is None else check_int(batch_size, "batch_size", min_value=1)
        learning_rate = self.learning_rate
        if self.schedule == "cosine":
            steps_per_epoch = math.ceil(np.shape(x)[0] / batch_size)
            learning_rate = warmup_cosine_schedule(learning_rate, epochs=epochs, steps_per_epoch=steps_per_epoch)
        has_validation = validation_data is not None
        recipe_callbacks = []
        if self.reduce_lr:
            recipe_callbacks.append(reduce_lr_on_plateau(validation=has_validation))
        if self.early_stopping is not None:
            recipe_callbacks.append(early_stopping(self.early_stopping, validation=has_validation))
        return train(
            self.build_model,
            x,
            y,
            validation_data=validation_data,
            epochs=epochs,
            batch_size=batch_size,
            augment=self.augment if augment is None else augment,
            rotation=self.rotation,
            zoom=self.zoom,
            shift=self.shift,
            learning_rate=learning_rate,
            callbacks=[*recipe_callbacks, *callbacks],
            seed=seed,
            deterministic=deterministic,
            backup_dir=backup_dir,
            strategy=strategy,
            steps_per_execution=self.steps_per_execution,
            verbose=verbose,
        )


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
        ``keras.optimizers.schedules.CosineDecay``, to pass as ``train(..., learning_rate=...)``.
    """
    epochs = check_int(epochs, "epochs", min_value=1)
    steps_per_epoch = check_int(steps_per_epoch, "steps_per_epoch", min_value=1)
    warmup_epochs = check_int(warmup_epochs, "warmup_epochs", min_value=0)
    total = epochs * steps_per_epoch
    warmup = min(warmup_epochs, epochs - 1) * steps_per_epoch
    if warmup <= 0:
        return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=total)
    return keras.optimizers.schedules.CosineDecay(
        learning_rate / 10, decay_steps=total - warmup, warmup_target=learning_rate, warmup_steps=warmup
    )


def reduce_lr_on_plateau(*, validation=True):
    """Halve the learning rate after 3 epochs without a better accuracy, down to 1e-5 (printed).

    Monitors ``val_accuracy`` (``accuracy`` when ``validation`` is False: no validation data).
    """
    return keras.callbacks.ReduceLROnPlateau(
        monitor="val_accuracy" if validation else "accuracy", factor=0.5, patience=3, min_lr=1e-5, verbose=1
    )


def early_stopping(patience, *, validation=True):
    """Stop after ``patience`` epochs without a lower loss and restore the best weights.

    Monitors ``val_loss`` (``loss`` when ``validation`` is False: no validation data).
    """
    patience = check_int(patience, "patience", min_value=0)
    return keras.callbacks.EarlyStopping(
        monitor="val_loss" if validation else "loss", patience=patience, restore_best_weights=True
    )


LECTURE = Preset(
    name="lecture",
    description="the lecture's CNN and settings: Adam 1e-3, 10 epochs, batch 250, the lecture's augmentation "
    "(5 degrees, 10 % zoom and shift) on the fast tf.data path; --augment generator for its ImageDataGenerator",
    build_model=lecture_cnn,
    epochs=10,
    batch_size=250,
    augment="fast",
    learning_rate=1e-3,
    steps_per_execution=8,  # the same weights as 1 (tests/test_training.py), a few per cent faster
)


def best_model():
    """:func:`~cnn_lectures.models.digit_cnn` in bfloat16 mixed precision where this CPU computes
    bfloat16 natively, in float32 elsewhere (:func:`cnn_lectures.runtime.fast_mixed_precision`)."""
    return digit_cnn(dtype=runtime.fast_mixed_precision())


BEST = Preset(
    name="best",
    description="Deotte's BN CNN (fused batch norm, bfloat16 where the CPU computes it), 13 epochs, batch 64, "
    "Adam 2e-3 warm-up + cosine, rotation 10, predictions averaged over 1-pixel shifts",
    build_model=best_model,
    epochs=13,  # sized for the slowest 2-core machines seen: 74-91 s an epoch before the fused batch norm
    batch_size=64,
    augment="fast",
    learning_rate=2e-3,
    schedule="cosine",
    rotation=10.0,
    test_time_shift=1,
)

PRESETS = {preset.name: preset for preset in (LECTURE, BEST)}


def get_preset(name):
    """Return the preset called ``name``; ``ValueError`` naming the choices otherwise."""
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        choices = ", ".join(sorted(PRESETS))
        raise ValueError(f"Unknown preset {name!r}. Choose one of: {choices}.") from None
