"""Figures for the notebooks. Every helper draws and returns; none shows or saves.

Helpers with one panel take ``ax=None`` and return the Axes; helpers with a grid of panels take
``fig=None`` (a Figure or SubFigure to fill) and return the Figure. Call ``plt.show()`` or
``fig.savefig(...)`` yourself.

- :mod:`.digits`   -- ``plot_digits`` (labels and predictions), ``plot_augmentation``
- :mod:`.training` -- ``plot_training_curves``, ``plot_confusion_matrix``
- :mod:`.concepts` -- ``plot_activations`` (with derivatives), ``plot_convolution``
- :mod:`.network`  -- ``plot_filters``, ``plot_feature_maps``, ``plot_heatmap``

Only ``plot_feature_maps`` needs Keras, and imports it when called.
"""

from cnn_lectures.plotting.concepts import ACTIVATIONS, plot_activations, plot_convolution
from cnn_lectures.plotting.digits import plot_augmentation, plot_digits
from cnn_lectures.plotting.network import plot_feature_maps, plot_filters, plot_heatmap
from cnn_lectures.plotting.training import plot_confusion_matrix, plot_training_curves

__all__ = [
    "ACTIVATIONS",
    "plot_activations",
    "plot_augmentation",
    "plot_confusion_matrix",
    "plot_convolution",
    "plot_digits",
    "plot_feature_maps",
    "plot_filters",
    "plot_heatmap",
    "plot_training_curves",
]
