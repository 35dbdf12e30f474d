"""A validated on-disk cache of parsed Kaggle files (uncompressed ``.npz``).

The cache is keyed on the source files (resolved path, size, modification time and a hash
of their first and last 64 KiB), which is stored inside the cache file as a stamp. On load
the file is opened with ``allow_pickle=False`` and checked -- keys, dtypes, shapes, label
range, stamp -- so a stale, corrupted or foreign cache is rebuilt, never served.

Location: ``$CNN_LECTURES_CACHE``, else ``$XDG_CACHE_HOME/cnn_lectures``, else
``~/.cache/cnn_lectures``. Caching is best effort: an unwritable location only costs speed.
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from cnn_lectures.files import atomic_path

FORMAT_VERSION = 1
_EDGE_BYTES = 64 * 1024
_KEYS = ("x_train", "y_train", "x_test", "stamp")


def cache_dir():
    """The folder that holds the cache files."""
    if os.environ.get("CNN_LECTURES_CACHE"):
        return Path(os.environ["CNN_LECTURES_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnn_lectures"


def stamp(paths):
    """A string that changes whenever one of ``paths`` changes."""
    parts = [f"cnn_lectures-cache-v{FORMAT_VERSION}"]
    for path in paths:
        path = Path(path).resolve()
        info = path.stat()
        digest = hashlib.blake2b(digest_size=16)
        with path.open("rb") as handle:
            digest.update(handle.read(_EDGE_BYTES))
            if info.st_size > _EDGE_BYTES:
                handle.seek(max(info.st_size - _EDGE_BYTES, _EDGE_BYTES))
                digest.update(handle.read(_EDGE_BYTES))
        parts.append(f"{path}|{info.st_size}|{info.st_mtime_ns}|{digest.hexdigest()}")
    return json.dumps(parts)


def cache_file(paths):
    """Where the cache for ``paths`` lives (one file per source, overwritten when it changes)."""
    key = "|".join(str(Path(p).resolve()) for p in paths)
    return cache_dir() / f"digits-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"


def load(paths):
    """Return ``(x_train, y_train, x_test)`` from a valid, current cache, else ``None``."""
    file = cache_file(paths)
    try:
        expected = stamp(paths)
        with np.load(file, allow_pickle=False) as archive:
            if sorted(archive.files) != sorted(_KEYS) or str(archive["stamp"]) != expected:
                return None
            x_train, y_train, x_test = archive["x_train"], archive["y_train"], archive["x_test"]
    except Exception:  # missing, truncated, not a zip, pickled objects...: rebuild
        return None
    if not _valid(x_train, y_train, x_test):
        return None
    return x_train, y_train, x_test


def store(paths, x_train, y_train, x_test):
    """Write the cache for ``paths`` atomically; silently skip when the folder is unwritable."""
    file = cache_file(paths)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(file) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, x_train=x_train, y_train=y_train, x_test=x_test, stamp=np.array(stamp(paths)))
    except OSError:
        return None
    return file


def _valid(x_train, y_train, x_test):
    return (
        x_train.dtype == np.uint8
        and x_test.dtype == np.uint8
        and y_train.dtype == np.int64
        and x_train.ndim == 2
        and x_test.ndim == 2
        and x_train.shape[1] == 784
        and x_test.shape[1] == 784
        and y_train.shape == (x_train.shape[0],)
        and x_train.shape[0] > 0
        and x_test.shape[0] > 0
        and int(y_train.min()) >= 0
        and int(y_train.max()) <= 9
    )
