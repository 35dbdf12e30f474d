"""Property: random edits to a valid train.csv either load correctly or raise DataFormatError.

Never another exception, and never silently wrong shapes: whenever the loader accepts an
edited file, its arrays equal those of a simple independent reference reader.
"""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cnn_lectures.data import DataFormatError, parse_test_csv, parse_train_csv

HEADER = "label," + ",".join(f"pixel{i}" for i in range(784))
FIELD = re.compile(r"[ \t]*([0-9]+)[ \t]*")


def valid_train_csv(rows=4, seed=0):
    rng = np.random.default_rng(seed)
    lines = [HEADER]
    for _ in range(rows):
        pixels = np.where(rng.random(784) < 0.2, rng.integers(0, 256, 784), 0)
        lines.append(",".join(map(str, [rng.integers(0, 10), *pixels])))
    return ("\n".join(lines) + "\n").encode()


VALID = valid_train_csv()


def reference_read(data, n_columns=785):
    """The format's definition, written plainly: arrays, or None when the file is invalid."""
    text = data.decode("latin-1")
    if text.startswith("\xef\xbb\xbf"):
        text = text[3:]
    lines = [line for line in re.split(r"\r\n|\r|\n", text) if line]
    if not lines or lines[0] != (HEADER if n_columns == 785 else HEADER[len("label,") :]):
        return None
    rows = []
    for line in lines[1:]:
        fields = line.split(",")
        if len(fields) != n_columns or not all(FIELD.fullmatch(f) for f in fields):
            return None
        values = [int(f) for f in fields]
        if max(values) > 255 or (n_columns == 785 and values[0] > 9):
            return None
        rows.append(values)
    return np.array(rows, dtype=np.int64) if rows else None


@st.composite
def edited(draw):
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 4))):
        lines = bytes(data).split(b"\n")
        kind = draw(st.sampled_from(["byte", "insert", "drop_field", "duplicate_line", "cut_line", "delete_range"]))
        if kind == "insert":  # at the start, middle or end of one field of one line
            index = draw(st.integers(0, len(lines) - 1))
            fields = lines[index].split(b",")
            j = draw(
                st.sampled_from([0, min(1, len(fields) - 1), len(fields) - 1, draw(st.integers(0, len(fields) - 1))])
            )
            cut = draw(st.integers(0, len(fields[j])))
            insert = draw(st.sampled_from([b"7", b"0", b"12", b",", b"\n", b"\r", b" ", b"-", b"x", b"\x00"]))
            fields[j] = fields[j][:cut] + insert + fields[j][cut:]
            lines[index] = b",".join(fields)
            data = bytearray(b"\n".join(lines))
        elif kind == "byte" and data:
            position = draw(st.integers(0, len(data) - 1))
            data[position] = draw(st.sampled_from([0, 9, 10, 13, 32, 44, 45, 46, 48, 49, 57, 97, 255]))
        elif kind == "drop_field":
            index = draw(st.integers(0, len(lines) - 1))
            fields = lines[index].split(b",")
            del fields[draw(st.integers(0, len(fields) - 1))]
            lines[index] = b",".join(fields)
            data = bytearray(b"\n".join(lines))
        elif kind == "duplicate_line":
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
            data = bytearray(b"\n".join(lines))
        elif kind == "cut_line":
            index = draw(st.integers(0, len(lines) - 1))
            lines[index] = lines[index][: draw(st.integers(0, max(len(lines[index]) - 1, 0)))]
            data = bytearray(b"\n".join(lines))
        elif data:
            start = draw(st.integers(0, len(data) - 1))
            del data[start : start + draw(st.integers(1, 50))]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
@example(VALID.replace(b"\n", b"\n7", 1))  # a label grows to two digits
@example(VALID.replace(b",0,", b",256,", 1))  # a pixel over 255
@example(VALID.replace(b",0,", b",,", 1))  # an empty field
@example(VALID.replace(b",0,", b",0\r,", 1))  # a lone carriage return splits a row
@example(VALID + VALID.split(b"\n")[1] + b"\n")  # a duplicated row is a valid file
@example(VALID[: len(VALID) // 2])  # a file cut mid-row
def test_edited_train_csv_loads_correctly_or_raises_data_format_error(data):
    expected = reference_read(data)
    try:
        x, y = parse_train_csv(data, "fuzzed/train.csv")
    except DataFormatError as error:
        assert "fuzzed/train.csv" in str(error)
        assert expected is None, f"valid file refused: {error}"
        return
    assert expected is not None, "invalid file accepted"
    assert x.shape == (expected.shape[0], 784) and x.dtype == np.uint8
    assert y.shape == (expected.shape[0],)
    np.testing.assert_array_equal(y, expected[:, 0])
    np.testing.assert_array_equal(x, expected[:, 1:])


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_crash_the_test_reader(data):
    try:
        x = parse_test_csv(data, "fuzzed/test.csv")
    except DataFormatError:
        return
    assert x.ndim == 2 and x.shape[1] == 784 and x.dtype == np.uint8


def test_the_unedited_file_loads():
    x, y = parse_train_csv(VALID)
    reference = reference_read(VALID)
    np.testing.assert_array_equal(x, reference[:, 1:])
    assert y.tolist() == reference[:, 0].tolist()


@pytest.mark.parametrize("payload", [b"\r\n".join(VALID.split(b"\n")), VALID.rstrip(b"\n"), b"\xef\xbb\xbf" + VALID])
def test_reference_and_loader_agree_on_accepted_variants(payload):
    x, _ = parse_train_csv(payload)
    np.testing.assert_array_equal(x, reference_read(payload)[:, 1:])


@pytest.mark.parametrize("piece_bytes", [1, 700, 5000])
def test_files_cut_into_many_pieces_parse_like_one(monkeypatch, piece_bytes):
    """Kaggle's files are parsed in ~8 MB pieces; small pieces exercise every cut on a small file."""
    from cnn_lectures.data import csv_format

    data = valid_train_csv(rows=30, seed=3)
    monkeypatch.setattr(csv_format, "_PIECE_BYTES", piece_bytes)
    fast = csv_format._fast_parse(data, csv_format.TRAIN_COLUMNS)  # not the line-by-line fallback
    assert fast is not None, "the vectorised path refused a valid file"
    np.testing.assert_array_equal(fast, reference_read(data))
    lines = data.split(b"\n")
    lines[27] = lines[27][:-1] + b"256"  # the last pixel of line 28, in one of the last pieces
    with pytest.raises(DataFormatError, match=r"line 28, column 'pixel783': value 256 is out of range"):
        parse_train_csv(b"\n".join(lines), "pieces/train.csv")
