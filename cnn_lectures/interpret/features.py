"""Feature space: a model cut at a named layer, and nearest neighbours there and in pixel space.

Lecture 004 (section 3): in pixel space a digit drawn on the left is far from the same digit
drawn on the right; in a translation-invariant feature space they can be neighbours.
"""

import keras
import numpy as np
from keras import ops
from sklearn.neighbors import NearestNeighbors

from cnn_lectures._validation import check_choice, check_int, check_nhwc, get_layer

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
    batch_size = check_int(batch_size, "batch_size", min_value=1)
    outputs = [
        ops.convert_to_numpy(model(images[start : start + batch_size], training=False))
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(outputs, axis=0)


def _embed(feature_model, images, batch_size):
    return predict_in_batches(feature_model, images, batch_size).reshape(len(images), -1)


def _neighbours(query_features, pool_features, k, metric, return_distance):
    metric = check_choice(metric, "metric", METRICS)
    k = check_int(k, "k", min_value=1, max_value=len(pool_features))  # at most the pool size
    if query_features.shape[1] != pool_features.shape[1]:
        raise ValueError(
            "queries and pool must have the same image shape. "
            f"Received {query_features.shape[1]} and {pool_features.shape[1]} values per image."
        )
    search = NearestNeighbors(n_neighbors=k, algorithm="brute", metric=metric).fit(pool_features)
    distances, indices = search.kneighbors(query_features)
    if not return_distance:
        return indices.astype(np.int64)
    return distances.astype(np.float64), indices.astype(np.int64)


def nearest_neighbors(feature_model, queries, pool, k=5, *, metric="euclidean", batch_size=256, return_distance=True):
    """The ``k`` images of ``pool`` closest to each query in the feature space of ``feature_model``.

    Args:
        feature_model: a Keras model mapping images to features of any shape (they are
            flattened), for example ``feature_extractor(model, "flatten")``.
        queries: float32 NHWC batch of shape (n_queries, height, width, channels).
        pool: float32 NHWC batch of shape (n_pool, height, width, channels) to search.
        k: neighbours per query, 1..n_pool.
        metric: ``"euclidean"`` or ``"cosine"`` (1 - cosine similarity).
        batch_size: images per forward pass.
        return_distance: False to return the indices only.

    Returns:
        ``(distances, indices)``, in scikit-learn's ``kneighbors`` order: float64 and int64
        arrays of shape (n_queries, k), nearest first; ``indices`` index into ``pool``. Ties come
        in no guaranteed order. Only ``indices`` with ``return_distance=False``.
    """
    queries = check_nhwc(queries, "queries")
    pool = check_nhwc(pool, "pool")
    return _neighbours(
        _embed(feature_model, queries, batch_size), _embed(feature_model, pool, batch_size), k, metric, return_distance
    )


def pixel_nearest_neighbors(queries, pool, k=5, *, metric="euclidean", return_distance=True):
    """The ``k`` images of ``pool`` closest to each query in pixel space (the baseline).

    Args:
        queries: float32 NHWC batch of shape (n_queries, height, width, channels).
        pool: float32 NHWC batch of shape (n_pool, height, width, channels) to search.
        k: neighbours per query, 1..n_pool.
        metric: ``"euclidean"`` or ``"cosine"``.
        return_distance: False to return the indices only.

    Returns:
        ``(distances, indices)`` as in :func:`nearest_neighbors`.
    """
    queries = check_nhwc(queries, "queries")
    pool = check_nhwc(pool, "pool")
    return _neighbours(queries.reshape(len(queries), -1), pool.reshape(len(pool), -1), k, metric, return_distance)
