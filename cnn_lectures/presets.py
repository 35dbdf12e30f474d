"""Named training recipes for the CLI (``--preset``) and the notebooks.

A preset bundles a model builder with the settings it is trained with. The CLI's
``--epochs``, ``--batch-size``, ``--augment`` and ``--seed`` override the preset's values;
:func:`cnn_lectures.training.train_preset` trains one.
"""

from dataclasses import dataclass
from typing import Callable, Optional, Union

from cnn_lectures.models import lecture_cnn


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
        learning_rate: Adam's learning rate.
        val_fraction: fraction of ``train.csv`` held out for validation.
        split_seed: ``random_state`` of the train/validation split (the lecture's is 2).
        reduce_lr: ``ReduceLROnPlateau``: False, True or a dict of settings (see ``training.train``).
        early_stopping: None or a patience in epochs.
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


LECTURE = Preset(
    name="lecture",
    description="the lecture's CNN and settings: Adam 1e-3, 10 epochs, batch 250, ImageDataGenerator",
    build_model=lecture_cnn,
    epochs=10,
    batch_size=250,
    augment="generator",
    learning_rate=1e-3,
)

PRESETS = {preset.name: preset for preset in (LECTURE,)}


def get_preset(name):
    """Return the preset called ``name``; ``ValueError`` naming the choices otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        choices = ", ".join(sorted(PRESETS))
        raise ValueError(f"Unknown preset {name!r}. Choose one of: {choices}.") from None
