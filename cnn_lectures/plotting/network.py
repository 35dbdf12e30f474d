"""Inside a trained network: filters, feature maps, and heatmaps laid over an image."""

import matplotlib.pyplot as plt
import numpy as np

from cnn_lectures._validation import check_int, check_nhwc_image, get_layer
from cnn_lectures.plotting._common import grid, hide_ticks


def plot_filters(layer_or_kernel, *, input_channel=0, ncols=8, fig=None, cmap="RdBu_r"):
    """The filters of a convolutional layer, one panel each, on one colour scale centred on 0.

    Only the first layer's filters look at pixels, so only they read as pictures (edge and
    blob detectors, lecture 004); deeper filters mix feature maps.

    Args:
        layer_or_kernel: a ``keras.layers.Conv2D`` (for example ``model.get_layer("block1_conv")``)
            or its kernel, an array of shape (kh, kw, in_channels, filters) (Keras layout).
        input_channel: which input channel of each filter to draw, 0..in_channels-1.
        ncols: panels per row.
        fig: a Figure (or SubFigure) to draw in; a new one if ``None``.
        cmap: diverging colour map: negative weights one colour, positive the other.

    Returns:
        the matplotlib Figure.
    """
    kernel = layer_or_kernel
    if hasattr(layer_or_kernel, "kernel"):
        kernel = layer_or_kernel.get_weights()[0]
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4:
        raise ValueError(
            "plot_filters needs a Conv2D layer or a kernel of shape (kh, kw, in_channels, filters). "
            f"Received shape: {kernel.shape}."
        )
    input_channel = check_int(input_channel, "input_channel", min_value=0, max_value=kernel.shape[2] - 1)
    weights = kernel[:, :, input_channel, :]
    limit = np.abs(weights).max() or 1.0
    fig, axes = grid(fig, weights.shape[-1], ncols)
    for index, ax in enumerate(axes):
        image = ax.imshow(weights[:, :, index], cmap=cmap, vmin=-limit, vmax=limit)
        hide_ticks(ax)
        ax.set_title(str(index), fontsize=8)
    fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    return fig


def plot_feature_maps(model, image, *, layer_names=None, max_maps=8, fig=None, cmap="viridis"):
    """The feature maps of every convolutional layer for one image: one row per layer.

    Early layers keep the digit's shape; deeper ones are coarser and sparser (lecture 004).

    Args:
        model: a Functional Keras model taking images of shape (batch, 28, 28, 1).
        image: one float32 NHWC image of shape (28, 28, 1) (or the model's input shape).
        layer_names: layers to show; default every ``Conv2D`` layer in order.
        max_maps: show at most this many maps (the first ones) per layer.
        fig: a Figure (or SubFigure) to draw in; a new one if ``None``.
        cmap: colour map; each map is scaled on its own (brightest = its maximum).

    Returns:
        the matplotlib Figure; each row is labelled with the layer's name and output shape.
    """
    import keras

    image = check_nhwc_image(image, "image")
    if layer_names is None:
        layer_names = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if not layer_names:
        raise ValueError(f"Model {model.name!r} has no Conv2D layer; pass layer_names.")
    max_maps = check_int(max_maps, "max_maps", min_value=1)
    outputs = [get_layer(model, name).output for name in layer_names]
    for name, output in zip(layer_names, outputs):
        if len(output.shape) != 4:
            raise ValueError(f"Layer {name!r} has output shape {output.shape}; feature maps need 4-D output.")
    activations = keras.Model(model.input, outputs)(image[None], training=False)
    activations = [np.asarray(a)[0] for a in (activations if isinstance(activations, (list, tuple)) else [activations])]
    ncols = min(max_maps, max(a.shape[-1] for a in activations))
    if fig is None:
        fig = plt.figure(figsize=(1.3 * ncols + 0.8, 1.4 * len(activations)), layout="constrained")
    axes = fig.subplots(len(activations), ncols, squeeze=False)
    for row, (name, maps) in enumerate(zip(layer_names, activations)):
        for col in range(ncols):
            ax = axes[row, col]
            hide_ticks(ax)
            if col >= maps.shape[-1]:
                ax.set_axis_off()
                continue
            ax.imshow(maps[:, :, col], cmap=cmap)
            if row == 0:
                ax.set_title(f"map {col}", fontsize=7)
        axes[row, 0].set_ylabel(f"{name}\n{'×'.join(map(str, maps.shape))}", fontsize=8)
    return fig


def plot_heatmap(image, heatmap, *, ax=None, alpha=0.5, cmap=None, title=None):
    """A saliency, Grad-CAM or occlusion map laid over the image it explains.

    Args:
        image: one image, shape (h, w) or (h, w, 1), any value range.
        heatmap: shape (h, w), for example from ``cnn_lectures.interpret.saliency_map``. Signed
            maps (with negative values, such as occlusion maps) get a diverging colour map
            centred on 0; non-negative ones a sequential map.
        ax: the Axes to draw on; a new figure if ``None``.
        alpha: opacity of the heatmap, in [0, 1].
        cmap: colour map; default ``"RdBu_r"`` for signed maps, ``"inferno"`` otherwise.
        title: optional Axes title.

    Returns:
        the matplotlib Axes.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    heatmap = np.asarray(heatmap, dtype=np.float64)
    if image.ndim != 2 or heatmap.shape != image.shape:
        raise ValueError(
            f"image must be (h, w) or (h, w, 1) and heatmap (h, w) of the same size. "
            f"Received shapes: {image.shape} and {heatmap.shape}."
        )
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1]. Received: {alpha}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3), layout="constrained")
    ax.imshow(image, cmap="gray")
    if heatmap.min() < 0:
        limit = np.abs(heatmap).max()
        shown = ax.imshow(heatmap, cmap=cmap or "RdBu_r", alpha=alpha, vmin=-limit, vmax=limit)
    else:
        shown = ax.imshow(heatmap, cmap=cmap or "inferno", alpha=alpha)
    ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    hide_ticks(ax)
    if title:
        ax.set_title(title)
    return ax
