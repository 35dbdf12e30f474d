"""Visualising and understanding CNNs (lecture 004, section 3), with ``tf.GradientTape``.

The lecture's list, and where each item lives:

- visualising filters and activations      -> :mod:`cnn_lectures.plotting` (``plot_filters``,
  ``plot_feature_maps``), with :func:`feature_extractor` to cut a model at a layer
- nearest neighbours in feature space      -> :func:`nearest_neighbors`, beside
  :func:`pixel_nearest_neighbors`
- reconstruction by deconvolution          -> :func:`guided_backprop` (``rule="deconvnet"`` or
  ``"guided"``)
- activation maximisation                  -> :func:`activation_maximization`
  (and :func:`mean_activation`, what it maximises)
- saliency maps                            -> :func:`saliency_map`, :func:`grad_cam`,
  :func:`occlusion_map`
- code inversion                           -> :func:`invert_features`

Images are float32 NHWC. Functions explaining one image take shape (height, width, channels),
e.g. (28, 28, 1); functions over many images take (n, height, width, channels).
"""

from cnn_lectures.interpret.attribution import grad_cam, guided_backprop, occlusion_map, saliency_map
from cnn_lectures.interpret.features import feature_extractor, nearest_neighbors, pixel_nearest_neighbors
from cnn_lectures.interpret.synthesis import activation_maximization, invert_features, mean_activation

__all__ = [
    "activation_maximization",
    "feature_extractor",
    "grad_cam",
    "guided_backprop",
    "invert_features",
    "mean_activation",
    "nearest_neighbors",
    "occlusion_map",
    "pixel_nearest_neighbors",
    "saliency_map",
]
