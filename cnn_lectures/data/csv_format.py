"""Kaggle's Digit Recognizer CSV format: a fast reader and an exact validator.

``train.csv``: header ``label,pixel0,...,pixel783``, then rows of 785 integers
(label 0..9, pixels 0..255). ``test.csv``: header ``pixel0,...,pixel783``, rows of 784.

Reading has two paths that accept exactly the same files:

- the fast path parses with pyarrow's multithreaded CSV reader straight into uint8;
- anything the fast path rejects (or cannot prove valid) goes to :func:`_validate_and_parse`,
  a line-by-line reader that raises :class:`DataFormatError` naming the file, the line,
  the offending value and what was expected -- or, if the file turns out to be valid
  after all, parses it.

Accepted: ``\\n``, ``\\r\\n`` or ``\\r`` line ends, a missing final newline, empty lines
(skipped), a UTF-8 byte-order mark, spaces or tabs around a number.
"""

import re

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

NUM_PIXELS = 784
PIXEL_COLUMNS = tuple(f"pixel{i}" for i in range(NUM_PIXELS))
TRAIN_COLUMNS = ("label",) + PIXEL_COLUMNS
TEST_COLUMNS = PIXEL_COLUMNS

_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(r"\r\n|\r|\n")
_INTEGER = re.compile(r"[ \t]*([0-9]+)[ \t]*")
_NEGATIVE = re.compile(r"[ \t]*-[0-9]+[ \t]*")


class DataFormatError(ValueError):
    """A data file is not in the format Kaggle ships (the message names file, line and value)."""


def parse_train_csv(data, name="train.csv"):
    """Parse the bytes of a Kaggle ``train.csv``.

    Args:
        data: the file's bytes.
        name: how to call the file in error messages (a path or ``zip!member``).

    Returns:
        ``(x, y)``: uint8 pixels of shape (n, 784) and int64 labels of shape (n,).

    Raises:
        DataFormatError: the file is not a valid ``train.csv``.
    """
    table = _parse(data, name, TRAIN_COLUMNS)
    return table[:, 1:].copy(), table[:, 0].astype(np.int64)


def parse_test_csv(data, name="test.csv"):
    """Parse the bytes of a Kaggle ``test.csv`` into uint8 pixels of shape (m, 784)."""
    return _parse(data, name, TEST_COLUMNS)


def _parse(data, name, columns):
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    table = _fast_parse(data, columns)
    if table is None:
        table = _validate_and_parse(data, name, columns)
    return table


def _fast_parse(data, columns):
    """Parse with pyarrow; ``None`` when the file is not plainly valid."""
    types = {column: pa.uint8() for column in columns}
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),
            parse_options=pa_csv.ParseOptions(quote_char=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if tuple(table.column_names) != columns or table.num_rows == 0:
        return None
    out = np.empty((table.num_rows, len(columns)), dtype=np.uint8)
    for j, column in enumerate(table.columns):
        out[:, j] = column.to_numpy()
    if columns[0] == "label" and out[:, 0].max() > 9:
        return None
    return out


def _validate_and_parse(data, name, columns):
    """Check every line; raise ``DataFormatError`` at the first problem, else parse."""
    text = data.decode("latin-1")  # never fails: bad bytes are reported as values
    lines = _LINE_END.split(text)
    expected_header = ",".join(columns)
    header_index = next((i for i, line in enumerate(lines) if line), None)
    if header_index is None:
        raise DataFormatError(f"{name}: the file is empty; expected the header line '{_short(expected_header)}'.")
    header = lines[header_index].split(",")
    if tuple(header) != columns:
        raise DataFormatError(f"{name}, line {header_index + 1}: {_header_problem(header, columns)}")
    rows = []
    row_pattern = re.compile(",".join([_INTEGER.pattern] * len(columns)))
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        if not line:
            continue
        match = row_pattern.fullmatch(line)
        if match is None:
            _raise_row_problem(line, index + 1, name, columns)
        values = np.array(match.groups(), dtype=np.int64)
        _check_ranges(values, index + 1, name, columns)
        rows.append(values)
    if not rows:
        raise DataFormatError(f"{name}: the header is there but no data rows follow; expected at least one row.")
    return np.stack(rows).astype(np.uint8)


def _header_problem(header, columns):
    if len(header) != len(columns):
        extra = set(header) - set(columns)
        hint = ""
        if "label" in extra:
            hint = " It has a 'label' column: is this a train file given as test.csv?"
        elif "label" in columns and "label" not in header:
            hint = " The 'label' column is missing: is this a test file given as train.csv?"
        return (
            f"the header has {len(header)} columns; expected {len(columns)}: "
            f"'{_short(','.join(columns))}'.{hint}"
        )
    for position, (found, wanted) in enumerate(zip(header, columns), start=1):
        if found != wanted:
            return f"header column {position} is {found!r}; expected {wanted!r} ('{_short(','.join(columns))}')."
    return "unexpected header."  # unreachable: header == columns is handled by the caller


def _raise_row_problem(line, line_number, name, columns):
    fields = line.split(",")
    if len(fields) != len(columns):
        raise DataFormatError(
            f"{name}, line {line_number}: the row has {len(fields)} fields; expected {len(columns)} "
            f"({_what(columns)})."
        )
    for column, field in zip(columns, fields):
        if _NEGATIVE.fullmatch(field):
            raise DataFormatError(
                f"{name}, line {line_number}, column {column!r}: value {field.strip()} is out of range; "
                f"expected {_range(column)}."
            )
        if not _INTEGER.fullmatch(field):
            raise DataFormatError(
                f"{name}, line {line_number}, column {column!r}: value {field!r} is not an integer; "
                f"expected {_range(column)}."
            )
    raise DataFormatError(f"{name}, line {line_number}: the row cannot be parsed: {_short(line)!r}.")


def _check_ranges(values, line_number, name, columns):
    limits = np.full(len(columns), 255)
    if columns[0] == "label":
        limits[0] = 9
    bad = np.flatnonzero(values > limits)
    if bad.size:
        column = columns[bad[0]]
        raise DataFormatError(
            f"{name}, line {line_number}, column {column!r}: value {values[bad[0]]} is out of range; "
            f"expected {_range(column)}."
        )


def _range(column):
    return "a label 0..9" if column == "label" else "a pixel value 0..255"


def _what(columns):
    return "label + 784 pixels" if columns[0] == "label" else "784 pixels"


def _short(text, limit=60):
    return text if len(text) <= limit else text[: limit - 3] + "..."
