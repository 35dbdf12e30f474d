"""Named training recipes for the CLI (``--preset``) and the notebooks.

A preset bundles a model builder with the settings it is trained with. The CLI's
``--epochs``, ``--batch-size``, ``--augment`` and ``--seed`` override the preset's values;
:func:`cnn_lectures.training.train_preset` trains one.

- ``lecture`` -- the lecture's CNN and settings, as on the slides.
- ``best``    -- a recipe sized to train in under 20 minutes on two CPU cores: Chris
  Deotte's batch-normalised CNN (:func:`~cnn_lectures.models.digits.digit_cnn`), stronger
  augmentation and a warm-up + cosine learning rate. Target: >= 99.6 % validation accuracy on
  the lecture's 90/10 split (37,800 / 4,200 images, ``random_state=2``).
"""

from dataclasses import dataclass
from typing import Callable, Optional, Union

from cnn_lectures.augmentation import ROTATION, SHIFT, ZOOM
from cnn_lectures.models import digit_cnn, lecture_cnn

AUGMENT_CHOICES = ("layers", "generator", None)
SCHEDULE_CHOICES = (None, "cosine")


@dataclass(frozen=True)
class Preset:
    """A training recipe.

    Attributes:
        name: the name used on the command line.
        description: one line for ``--help`` and the README.
        build_model: zero-argument callable returning an uncompiled Keras model.
        epochs: number of training epochs.
        batch_size: images per gradient step.
        augment: ``"generator"`` (the lectures' ImageDataGenerator), ``"layers"``
            (the fast tf.data path) or ``None``.
        learning_rate: Adam's learning rate (the peak rate with ``schedule="cosine"``).
        val_fraction: fraction of ``train.csv`` held out for validation.
        split_seed: ``random_state`` of the train/validation split (the lecture's is 2).
        reduce_lr: ``ReduceLROnPlateau``: False, True or a dict of settings (see ``training.train``).
        early_stopping: None or a patience in epochs.
        schedule: None (constant ``learning_rate``) or ``"cosine"``: one epoch of linear warm-up
            from ``learning_rate / 10``, then a cosine decay to 0 at the last step of the epochs
            actually run (see ``training.warmup_cosine_schedule``).
        rotation, zoom, shift: augmentation ranges: degrees, and fractions of the image size.
        test_time_shift: 0, or N > 0 to predict (validation accuracy and submission) with the
            softmax averaged over each image and its four N-pixel shifts
            (:func:`cnn_lectures.prediction.predict_probabilities`).
    """

    name: str
    description: str
    build_model: Callable
    epochs: int
    batch_size: int
    augment: Optional[str]
    learning_rate: float
    val_fraction: float = 0.1
    split_seed: int = 2
    reduce_lr: Union[bool, dict] = False
    early_stopping: Optional[int] = None
    schedule: Optional[str] = None
    rotation: float = ROTATION
    zoom: float = ZOOM
    shift: float = SHIFT
    test_time_shift: int = 0

    def __post_init__(self):
        if self.augment not in AUGMENT_CHOICES:
            raise ValueError(f'augment must be "layers", "generator" or None. Received: augment={self.augment!r}.')
        if self.schedule not in SCHEDULE_CHOICES:
            raise ValueError(f'schedule must be None or "cosine". Received: schedule={self.schedule!r}.')
        if self.schedule is not None and self.reduce_lr:
            raise ValueError("Use either reduce_lr or schedule, not both. Received both.")
        if not isinstance(self.test_time_shift, int) or self.test_time_shift < 0:
            raise ValueError(f"test_time_shift must be an int >= 0. Received: {self.test_time_shift!r}.")


LECTURE = Preset(
    name="lecture",
    description="the lecture's CNN and settings: Adam 1e-3, 10 epochs, batch 250, ImageDataGenerator",
    build_model=lecture_cnn,
    epochs=10,
    batch_size=250,
    augment="generator",
    learning_rate=1e-3,
)

BEST = Preset(
    name="best",
    description="Deotte's BN CNN, 13 epochs, batch 64, Adam 2e-3 warm-up + cosine, rotation 10, "
    "predictions averaged over 1-pixel shifts: about 18 minutes on 2 CPU cores",
    build_model=digit_cnn,
    epochs=13,  # 74-91 s an epoch on an idle 2-core machine: 15 epochs took 20.6 min at best, over budget
    batch_size=64,
    augment="layers",
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
    except KeyError:
        choices = ", ".join(sorted(PRESETS))
        raise ValueError(f"Unknown preset {name!r}. Choose one of: {choices}.") from None
