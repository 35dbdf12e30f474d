"""Writing files atomically (a reader sees the old file or the new one, never half of one),
and saying in plain words why a write failed (:func:`resource_fault`)."""

import contextlib
import errno
import os
import re
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    If the body raises, the temporary file is removed and ``path`` is left untouched
    (absent if it was absent), so a failed or killed write leaves nothing half-written.

    Example::

        with atomic_path("outputs/model.keras") as tmp:
            model.save(tmp)
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    # The temporary name keeps the suffix last: Keras and matplotlib read the format from it.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file ordinary permissions
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path, text, *, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically (temporary file, then rename)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")


# What a failed write means to a user, by errno (the causes a full or locked-down disk gives).
_CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large (the file-size limit, `ulimit -f`, was reached)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "input/output error",
}
_ERRNO_IN_TEXT = re.compile(r"errno\s*=\s*(\d+)|\[Errno (\d+)\]")


def resource_fault(error):
    """``(cause, path)`` when ``error`` is a failed write that the user can fix, else None.

    A cause is one of a few plain phrases (no space left, quota, file-size limit, read-only
    file system, permission). The error itself, its ``__cause__``/``__context__`` chain and, for
    libraries that wrap ``OSError`` in their own text (HDF5 via h5py: ``errno = 28``), the
    errno numbers in the message are looked at. ``path`` is the file named by the error, or None.

    Example::

        >>> resource_fault(OSError(errno.ENOSPC, "No space left on device", "out/model.keras"))
        ('no space left on the device', 'out/model.keras')
    """
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in _CAUSES:
            return _CAUSES[error.errno], error.filename
        for match in _ERRNO_IN_TEXT.finditer(str(error)):
            number = int(match.group(1) or match.group(2))
            if number in _CAUSES:
                return _CAUSES[number], getattr(error, "filename", None)
        error = error.__cause__ or error.__context__
    return None
