"""Feature space: a model cut at a named layer, and nearest neighbours there and in pixel space.

Lecture 004 (section 3): in pixel space a digit drawn on the left is far from the same digit
drawn on the right; in a translation-invariant feature space they can be neighbours.
"""

import keras
import numpy as np
from keras import ops
from sklearn.neighbors import NearestNeighbors

from cnn_lectures.interpret._common import check_images, get_layer

METRICS = ("euclidean", "cosine")


def feature_extractor(model, layer_name):
    """A Keras model from ``model``'s input to the output of the layer called ``layer_name``.

    It shares the layers (and so the weights) of ``model``; nothing is copied.

    Args:
        model: a built Functional Keras model.
        layer_name: name of one of its layers, for example ``"block2_conv"``.

    Returns:
        keras.Model mapping images of shape (batch, *model.input_shape[1:]) to that layer's
        activations, for example (batch, 14, 14, 16) for the lecture CNN's ``"block2_conv"``.
    """
    layer = get_layer(model, layer_name)
    return keras.Model(model.input, layer.output, name=f"{model.name}_to_{layer_name}")


def predict_in_batches(model, images, batch_size=256):
    """``model(batch, training=False)`` over ``images`` in batches, as one NumPy array.

    Direct calls instead of ``model.predict``: no per-call tracing, which dominates on small inputs.
    """
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer. Received: {batch_size!r}.")
    outputs = [
        ops.convert_to_numpy(model(images[start:start + batch_size], training=False))
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(outputs, axis=0)


def _embed(feature_model, images, batch_size):
    return predict_in_batches(feature_model, images, batch_size).reshape(len(images), -1)


def _neighbours(query_features, pool_features, k, metric):
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}. Received: {metric!r}.")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 1 <= k <= len(pool_features):
        raise ValueError(f"k must be an integer in 1..{len(pool_features)} (the pool size). Received: {k!r}.")
    if query_features.shape[1] != pool_features.shape[1]:
        raise ValueError(
            "queries and pool must have the same image shape. "
            f"Received {query_features.shape[1]} and {pool_features.shape[1]} values per image."
        )
    search = NearestNeighbors(n_neighbors=k, algorithm="brute", metric=metric).fit(pool_features)
    distances, indices = search.kneighbors(query_features)
    return indices.astype(np.int64), distances.astype(np.float64)


def nearest_neighbors(feature_model, queries, pool, k=5, *, metric="euclidean", batch_size=256):
    """The ``k`` images of ``pool`` closest to each query in the feature space of ``feature_model``.

    Args:
        feature_model: a Keras model mapping images to features of any shape (they are
            flattened), for example ``feature_extractor(model, "flatten")``.
        queries: float32 NHWC batch of shape (n_queries, height, width, channels).
        pool: float32 NHWC batch of shape (n_pool, height, width, channels) to search.
        k: neighbours per query, 1..n_pool.
        metric: ``"euclidean"`` or ``"cosine"`` (1 - cosine similarity).
        batch_size: images per forward pass.

    Returns:
        ``(indices, distances)``: int64 and float64 arrays of shape (n_queries, k), nearest first;
        ``indices`` index into ``pool``. Ties come in no guaranteed order.
    """
    queries = check_images(queries, name="queries")
    pool = check_images(pool, name="pool")
    return _neighbours(_embed(feature_model, queries, batch_size), _embed(feature_model, pool, batch_size), k, metric)


def pixel_nearest_neighbors(queries, pool, k=5, *, metric="euclidean"):
    """The ``k`` images of ``pool`` closest to each query in pixel space (the baseline).

    Args:
        queries: float32 NHWC batch of shape (n_queries, height, width, channels).
        pool: float32 NHWC batch of shape (n_pool, height, width, channels) to search.
        k: neighbours per query, 1..n_pool.
        metric: ``"euclidean"`` or ``"cosine"``.

    Returns:
        ``(indices, distances)`` as in :func:`nearest_neighbors`.
    """
    queries = check_images(queries, name="queries")
    pool = check_images(pool, name="pool")
    return _neighbours(queries.reshape(len(queries), -1), pool.reshape(len(pool), -1), k, metric)
