"""The Kaggle "Digit Recognizer" data: loading, validation, caching, and the submission file.

>>> from cnn_lectures.data import load_digit_recognizer
>>> data = load_digit_recognizer()          # Kaggle's files if present, else the embedded sample
>>> data.x_train.shape, data.y_train.shape  # (n, 784) uint8, (n,) int64
"""

from cnn_lectures.data.archive import HOW_TO_GET
from cnn_lectures.data.csv_format import DataFormatError, parse_test_csv, parse_train_csv
from cnn_lectures.data.loader import DigitData, load_digit_recognizer, load_kaggle
from cnn_lectures.data.submission import write_submission

__all__ = [
    "HOW_TO_GET",
    "DataFormatError",
    "DigitData",
    "load_digit_recognizer",
    "load_kaggle",
    "parse_test_csv",
    "parse_train_csv",
    "write_submission",
]
