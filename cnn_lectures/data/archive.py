"""Finding and reading Kaggle's files: a folder of CSVs, a folder holding the zip, or the zip.

Zips are read in memory (never extracted to disk), member by member, with a cap on the
uncompressed size so that a zip bomb is refused instead of filling the memory.
"""

import io
import zipfile
from pathlib import Path

from cnn_lectures.data.csv_format import DataFormatError

ZIP_NAME = "digit-recognizer.zip"
MEMBERS = ("train.csv", "test.csv")
# Kaggle's train.csv is 77 MB uncompressed; 512 MiB leaves room and still refuses a bomb.
MAX_MEMBER_BYTES = 512 * 1024 * 1024
MAX_ZIP_BYTES = 1024 * 1024 * 1024

HOW_TO_GET = (
    "Get Kaggle's files with `kaggle competitions download -c digit-recognizer` "
    "(or from https://www.kaggle.com/competitions/digit-recognizer/data), then put "
    "digit-recognizer.zip, or train.csv and test.csv, in data/ "
    "(or point CNN_LECTURES_DATA at their folder)."
)


def locate(path):
    """Return the files that hold Kaggle's data under ``path``.

    Args:
        path: a folder with ``train.csv`` and ``test.csv``, a folder with
            ``digit-recognizer.zip``, or the zip itself.

    Returns:
        ``("csv", (train_path, test_path))`` or ``("zip", (zip_path,))``.

    Raises:
        FileNotFoundError: nothing usable there (the message says how to get the files).
    """
    path = Path(path).expanduser()
    if path.is_file():
        return "zip", (path,)
    if path.is_dir():
        csvs = tuple(path / member for member in MEMBERS)
        if all(p.is_file() for p in csvs):
            return "csv", csvs
        if (path / ZIP_NAME).is_file():
            return "zip", (path / ZIP_NAME,)
        missing = ", ".join(p.name for p in csvs if not p.is_file())
        raise FileNotFoundError(
            f"No Kaggle Digit Recognizer files in {path}: {missing} not found and no {ZIP_NAME}. {HOW_TO_GET}"
        )
    raise FileNotFoundError(f"Data path {path} does not exist. {HOW_TO_GET}")


def has_kaggle_files(path):
    """True when :func:`locate` finds Kaggle's files under ``path``."""
    try:
        locate(path)
    except FileNotFoundError:
        return False
    return True


def member_readers(kind, paths):
    """Readers for the raw bytes of train.csv and test.csv.

    Returns:
        ``[(name, read), (name, read)]`` for train and test: ``name`` is how to refer to the
        file in messages (``path`` or ``zip_path!member``), ``read()`` returns its bytes.
        The two readers may run in parallel threads (zlib releases the GIL).
    """
    if kind == "csv":
        return [(str(p), p.read_bytes) for p in paths]
    zip_path = paths[0]
    size = zip_path.stat().st_size
    if size > MAX_ZIP_BYTES:
        raise DataFormatError(f"{zip_path}: the zip is {size:,} bytes; refusing to read more than {MAX_ZIP_BYTES:,}.")
    raw = zip_path.read_bytes()
    with _open_zip(raw, zip_path) as archive:
        by_name = {Path(info.filename).name: info for info in archive.infolist() if not info.is_dir()}
    missing = [member for member in MEMBERS if member not in by_name]
    if missing:
        held = ", ".join(sorted(by_name)) or "nothing"
        raise DataFormatError(
            f"{zip_path}: the zip has no {' or '.join(missing)} (it holds: {held}); "
            f"expected Kaggle's digit-recognizer.zip with train.csv and test.csv."
        )

    def reader(info):
        def read():
            with _open_zip(raw, zip_path) as archive:  # one ZipFile per thread
                return _read_member(archive, info, zip_path)

        return read

    return [(f"{zip_path}!{member}", reader(by_name[member])) for member in MEMBERS]


def _open_zip(raw, zip_path):
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise DataFormatError(f"{zip_path}: not a valid zip file ({error}). {HOW_TO_GET}") from None


def _read_member(archive, info, zip_path):
    if info.file_size > MAX_MEMBER_BYTES:
        raise DataFormatError(
            f"{zip_path}: {info.filename} would unpack to {info.file_size:,} bytes, over the "
            f"{MAX_MEMBER_BYTES:,}-byte limit; refusing it (a zip bomb, or not Kaggle's file)."
        )
    try:
        with archive.open(info) as member:
            data = member.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
        raise DataFormatError(f"{zip_path}: cannot read {info.filename} ({error}).") from None
    except Exception as error:  # zlib.error and friends from a damaged stream
        raise DataFormatError(f"{zip_path}: {info.filename} is damaged ({error}).") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise DataFormatError(
            f"{zip_path}: {info.filename} unpacks to more than {MAX_MEMBER_BYTES:,} bytes; refusing it."
        )
    return data
