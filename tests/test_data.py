"""The Kaggle loader on good and malformed inputs, the cache, the sample source, submissions."""

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnn_lectures.data import DataFormatError, DigitData, load_digit_recognizer, loader, write_submission
from cnn_lectures.data import cache as data_cache

CHECKOUT_DATA_DIR = loader.PROJECT_DATA_DIR  # before the fixture below replaces it

SHARED = Path(__file__).resolve().parents[2] / "shared" / "digit-recognizer"
TRAIN_HEADER = "label," + ",".join(f"pixel{i}" for i in range(784))
TEST_HEADER = ",".join(f"pixel{i}" for i in range(784))


def row(label=None, fill=0, **pixels):
    values = [fill] * 784
    for key, value in pixels.items():
        values[int(key[1:])] = value
    fields = [str(v) for v in values]
    return ",".join(([str(label)] if label is not None else []) + fields)


GOOD_TRAIN = "\n".join([TRAIN_HEADER, row(1, p5=255), row(0), row(9, p783=7)]) + "\n"
GOOD_TEST = "\n".join([TEST_HEADER, row(p0=3), row()]) + "\n"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LECTURES_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CNN_LECTURES_DATA", raising=False)
    monkeypatch.setattr(loader, "PROJECT_DATA_DIR", tmp_path / "no-project-data")
    monkeypatch.chdir(tmp_path)


def write_folder(folder, train=GOOD_TRAIN, test=GOOD_TEST, *, newline="\n"):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("train.csv", train), ("test.csv", test)):
        if text is not None:
            (folder / name).write_bytes(text.replace("\n", newline).encode("latin-1"))
    return folder


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


# --- good inputs ---------------------------------------------------------------------------


def test_folder_of_csvs_loads_with_kaggle_layout_and_describes_it_without_printing(tmp_path, capsys):
    data = load_digit_recognizer(write_folder(tmp_path / "kaggle"))
    assert isinstance(data, DigitData) and data.source == "kaggle"
    assert data.x_train.shape == (3, 784) and data.x_train.dtype == np.uint8
    assert data.y_train.tolist() == [1, 0, 9] and np.issubdtype(data.y_train.dtype, np.integer)
    assert data.x_test.shape == (2, 784) and data.x_test.dtype == np.uint8
    assert data.x_train[0, 5] == 255 and data.x_train[2, 783] == 7 and data.x_test[0, 0] == 3
    assert capsys.readouterr().out == ""  # the caller prints data.description if it wants to
    assert data.description.startswith("Using Kaggle's Digit Recognizer files (") and "3 labelled" in data.description


@pytest.mark.parametrize(
    "variant",
    ["crlf", "no_final_newline", "bom", "blank_lines", "padded_numbers"],
)
def test_accepted_variants_load_identically(tmp_path, variant):
    train, newline = GOOD_TRAIN, "\n"
    if variant == "crlf":
        newline = "\r\n"
    elif variant == "no_final_newline":
        train = GOOD_TRAIN.rstrip("\n")
    elif variant == "bom":
        train = "\ufeff".encode("utf-8").decode("latin-1") + GOOD_TRAIN
    elif variant == "blank_lines":
        train = GOOD_TRAIN.replace("\n", "\n\n", 1) + "\n"
    elif variant == "padded_numbers":
        train = GOOD_TRAIN.replace("\n1,", "\n 1 ,", 1)
    reference = load_digit_recognizer(write_folder(tmp_path / "ref"))
    data = load_digit_recognizer(write_folder(tmp_path / variant, train, newline=newline))
    np.testing.assert_array_equal(data.x_train, reference.x_train)
    np.testing.assert_array_equal(data.y_train, reference.y_train)
    np.testing.assert_array_equal(data.x_test, reference.x_test)


def test_zip_and_folder_holding_zip_load_in_memory(tmp_path):
    folder = tmp_path / "zipped"
    folder.mkdir()
    zip_path = write_zip(folder / "digit-recognizer.zip", {"train.csv": GOOD_TRAIN, "test.csv": GOOD_TEST})
    for path in (zip_path, folder):
        data = load_digit_recognizer(path)
        assert data.y_train.tolist() == [1, 0, 9] and data.x_test.shape == (2, 784)
    assert sorted(p.name for p in folder.iterdir()) == ["digit-recognizer.zip"]  # nothing extracted


# --- malformed inputs ----------------------------------------------------------------------

BAD_TRAIN = {
    "empty file": ("", r"train\.csv: the file is empty"),
    "header only": (TRAIN_HEADER + "\n", r"no data rows"),
    "wrong header": (
        TRAIN_HEADER.replace("pixel7,", "pixel_7,") + "\n" + row(1) + "\n",
        r"line 1: header column 9 is 'pixel_7'; expected 'pixel7'",
    ),
    "no label column": (TEST_HEADER + "\n" + row() + "\n", r"line 1: .*785.*'label' column is missing"),
    "duplicate header column": (
        TRAIN_HEADER.replace("pixel1,", "pixel0,") + "\n" + row(1) + "\n",
        r"line 1: header column 3 is 'pixel0'; expected 'pixel1'",
    ),
    "extra field": (GOOD_TRAIN.replace(row(0), row(0) + ",0"), r"line 3: the row has 786 fields; expected 785"),
    "short row": (GOOD_TRAIN.replace(row(0), row(0)[:-2]), r"line 3: the row has 784 fields; expected 785"),
    "non-numeric": (
        GOOD_TRAIN.replace(row(0), row(0, p10="x")),
        r"line 3, column 'pixel10': value 'x' is not an integer; expected a pixel value 0\.\.255",
    ),
    "fractional": (
        GOOD_TRAIN.replace(row(0), row(0, p2="1.5")),
        r"line 3, column 'pixel2': value '1\.5' is not an integer",
    ),
    "pixel out of range": (
        GOOD_TRAIN.replace(row(0), row(0, p3=256)),
        r"line 3, column 'pixel3': value 256 is out of range; expected a pixel value 0\.\.255",
    ),
    "negative pixel": (GOOD_TRAIN.replace(row(0), row(0, p3=-1)), r"line 3, column 'pixel3': value -1 is out of range"),
    "label out of range": (
        GOOD_TRAIN.replace(row(0), row(10)),
        r"line 3, column 'label': value 10 is out of range; expected a label 0\.\.9",
    ),
    "empty field": (GOOD_TRAIN.replace(row(0), row(0, p4="")), r"line 3, column 'pixel4': value '' is not an integer"),
    "quoted value": (GOOD_TRAIN.replace(row(0), row(0, p4='"4"')), r"line 3, column 'pixel4': value '\"4\"'"),
    "binary garbage": (GOOD_TRAIN.replace(row(0), row(0, p9="\x00\xff")), r"line 3, column 'pixel9'"),
}


@pytest.mark.parametrize("case", sorted(BAD_TRAIN))
def test_malformed_train_raises_data_format_error_naming_file_line_value(tmp_path, case):
    text, message = BAD_TRAIN[case]
    folder = write_folder(tmp_path / "bad", text)
    with pytest.raises(DataFormatError, match=message) as error:
        load_digit_recognizer(folder)
    assert str(folder / "train.csv") in str(error.value)
    assert isinstance(error.value, ValueError)


def test_test_file_with_label_column_is_refused(tmp_path):
    folder = write_folder(tmp_path / "bad", test=GOOD_TRAIN)
    with pytest.raises(DataFormatError, match=r"test\.csv, line 1: .*'label' column: is this a train file"):
        load_digit_recognizer(folder)


def test_missing_file_names_path_and_how_to_get_the_data(tmp_path):
    folder = write_folder(tmp_path / "half", test=None)
    with pytest.raises(
        FileNotFoundError, match=r"test\.csv not found.*kaggle competitions download -c digit-recognizer"
    ):
        load_digit_recognizer(folder)
    with pytest.raises(FileNotFoundError, match=r"nowhere does not exist.*kaggle competitions download"):
        load_digit_recognizer(tmp_path / "nowhere")


def test_corrupt_zip_names_the_zip(tmp_path):
    bad = tmp_path / "digit-recognizer.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(DataFormatError, match=r"digit-recognizer\.zip: not a valid zip file"):
        load_digit_recognizer(bad)


def test_zip_without_train_csv_names_the_zip_and_its_contents(tmp_path):
    path = write_zip(tmp_path / "digit-recognizer.zip", {"test.csv": GOOD_TEST, "sample_submission.csv": "x"})
    with pytest.raises(
        DataFormatError,
        match=r"digit-recognizer\.zip: the zip has no train\.csv \(it holds: sample_submission\.csv, test\.csv\)",
    ):
        load_digit_recognizer(path)


def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch):
    from cnn_lectures.data import archive

    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 64 * 1024)
    path = write_zip(tmp_path / "bomb.zip", {"train.csv": TRAIN_HEADER + "\n" + "0," * 400_000, "test.csv": GOOD_TEST})
    assert path.stat().st_size < 64 * 1024  # tiny on disk, large unpacked
    with pytest.raises(DataFormatError, match=r"bomb\.zip: train\.csv would unpack to .* refusing it"):
        load_digit_recognizer(path)


def test_a_failed_load_leaves_nothing_behind(tmp_path):
    folder = write_folder(tmp_path / "bad", BAD_TRAIN["short row"][0])
    with pytest.raises(DataFormatError):
        load_digit_recognizer(folder)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
    assert sorted(p.name for p in folder.iterdir()) == ["test.csv", "train.csv"]


# --- sources and the cache ----------------------------------------------------------------


def test_unknown_source_is_refused():
    with pytest.raises(ValueError, match=r"source must be one of 'auto', 'kaggle', 'sample', 'mnist'. Received: 'web'"):
        load_digit_recognizer(source="web")


def test_sample_source_is_real_digits_in_kaggle_layout(sample_digits):
    data = sample_digits
    assert data.source == "sample"
    assert data.x_train.shape == (4000, 784) and data.x_test.shape == (1000, 784)
    assert data.x_train.dtype == np.uint8 and data.x_train.max() == 255
    assert np.bincount(data.y_train).tolist() == [400] * 10


def test_sample_is_cached_and_identical_from_the_cache():
    first = load_digit_recognizer(source="sample")
    again = load_digit_recognizer(source="sample")  # served from the cache this time
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_train, again.y_train)
    np.testing.assert_array_equal(first.x_test, again.x_test)
    assert any(data_cache.cache_dir().glob("digits-*.npz"))


def test_auto_falls_back_to_sample_but_kaggle_never_does(tmp_path):
    assert load_digit_recognizer().source == "sample"  # empty ./data, no CNN_LECTURES_DATA
    with pytest.raises(FileNotFoundError, match="kaggle competitions download"):
        load_digit_recognizer(source="kaggle")


def test_auto_prefers_env_folder_then_data_folder(tmp_path, monkeypatch):
    write_folder(tmp_path / "data")  # ./data (cwd is tmp_path)
    assert load_digit_recognizer().y_train.tolist() == [1, 0, 9]
    env_folder = write_folder(tmp_path / "elsewhere", GOOD_TRAIN.replace(row(9, p783=7), row(4)))
    monkeypatch.setenv("CNN_LECTURES_DATA", str(env_folder))
    assert load_digit_recognizer().y_train.tolist() == [1, 0, 4]


def test_auto_finds_the_checkouts_data_folder_from_another_folder(tmp_path, monkeypatch):
    # A notebook's kernel starts in notebooks/, where ./data is not the checkout's data/.
    checkout = tmp_path / "checkout"
    monkeypatch.setattr(loader, "PROJECT_DATA_DIR", write_folder(checkout / "data"))
    (checkout / "notebooks").mkdir()
    monkeypatch.chdir(checkout / "notebooks")
    assert loader.default_kaggle_dir() == checkout / "data"
    assert load_digit_recognizer().y_train.tolist() == [1, 0, 9]
    assert load_digit_recognizer(source="kaggle").source == "kaggle"


def test_the_checkouts_data_folder_is_this_projects():
    assert CHECKOUT_DATA_DIR.name == "data"
    assert (CHECKOUT_DATA_DIR.parent / "pyproject.toml").is_file()


def test_an_installed_package_has_no_checkout_data_folder(tmp_path, monkeypatch):
    # In a wheel the package sits in site-packages, whose parent is no checkout: no data/ there.
    installed = tmp_path / "lib" / "python3.11" / "site-packages" / "cnn_lectures" / "data"
    installed.mkdir(parents=True)
    (installed.parents[1] / "pyproject.toml").write_text("")  # even a stray file there does not count
    monkeypatch.setattr(loader, "__file__", str(installed / "loader.py"))
    assert loader._checkout_data_dir() is None
    checkout = tmp_path / "checkout"
    (checkout / "cnn_lectures" / "data").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("")
    monkeypatch.setattr(loader, "__file__", str(checkout / "cnn_lectures" / "data" / "loader.py"))
    assert loader._checkout_data_dir() == checkout.resolve() / "data"
    monkeypatch.setattr(loader, "PROJECT_DATA_DIR", None)
    assert loader.default_kaggle_dir() is None  # and auto falls back to the sample


def test_cache_is_used_never_stale_and_rebuilt_when_corrupt(tmp_path):
    folder = write_folder(tmp_path / "k")
    paths = (folder / "train.csv", folder / "test.csv")
    first = load_digit_recognizer(folder)
    cache_file = data_cache.cache_file(paths)
    assert cache_file.is_file() and data_cache.load(paths) is not None

    # Changed source (same size, new content and mtime): the cache must not be served.
    (folder / "train.csv").write_text(GOOD_TRAIN.replace(row(9, p783=7), row(8, p783=7)))
    os.utime(folder / "train.csv", ns=(1, 1))
    assert data_cache.load(paths) is None
    assert load_digit_recognizer(folder).y_train.tolist() == [1, 0, 8]

    # Corrupted cache: rebuilt, not served.
    cache_file.write_bytes(b"garbage")
    assert load_digit_recognizer(folder).y_train.tolist() == [1, 0, 8]
    assert data_cache.load(paths) is not None
    assert first.y_train.tolist() == [1, 0, 9]


def test_foreign_or_pickled_cache_is_rebuilt(tmp_path):
    folder = write_folder(tmp_path / "k")
    paths = (folder / "train.csv", folder / "test.csv")
    load_digit_recognizer(folder)
    file = data_cache.cache_file(paths)
    stamp = data_cache.stamp(paths)
    # Right stamp, wrong shapes: refused.
    np.savez(
        file,
        x_train=np.zeros((2, 10), np.uint8),
        y_train=np.zeros(2, np.int64),
        x_test=np.zeros((1, 784), np.uint8),
        stamp=np.array(stamp),
    )
    assert data_cache.load(paths) is None
    # Object arrays need pickle, which is never allowed.
    with open(file, "wb") as handle:
        np.savez(
            handle,
            x_train=np.array([object()], dtype=object),
            y_train=np.zeros(1),
            x_test=np.zeros(1),
            stamp=np.array(stamp),
        )
    assert data_cache.load(paths) is None
    assert load_digit_recognizer(folder).x_train.shape == (3, 784)


@pytest.mark.skipif(not (SHARED / "digit-recognizer.zip").is_file(), reason="Kaggle files not beside the project")
def test_shared_kaggle_files_match_the_lecture():
    data = load_digit_recognizer(SHARED, source="kaggle")
    assert data.x_train.shape == (42000, 784) and data.x_test.shape == (28000, 784)
    assert data.y_train[:5].tolist() == [1, 0, 1, 4, 0]
    assert np.bincount(data.y_train).tolist() == [4132, 4684, 4177, 4351, 4072, 3795, 4137, 4401, 4063, 4188]


# --- the submission writer ----------------------------------------------------------------


def test_write_submission_matches_kaggle_format(tmp_path):
    path = write_submission(np.array([3, 0, 9]), tmp_path / "submission.csv")
    assert Path(path).read_text() == "ImageId,Label\n1,3\n2,0\n3,9\n"
    assert [p.name for p in tmp_path.iterdir()] == ["submission.csv"]


@pytest.mark.parametrize(
    "labels, error, message",
    [
        (np.array([1, 10]), ValueError, r"`labels` must hold labels 0..9. Received: labels\[1\]=10"),
        (np.array([-1, 2]), ValueError, r"Received: labels\[0\]=-1"),
        (np.array([1.5, 2.0]), ValueError, r"whole-number labels. Received: labels\[0\]=1.5"),
        (np.array([1.0, np.nan]), ValueError, r"Received: labels\[1\]=nan"),
        (np.zeros((2, 10), int), ValueError, r"integers 0-9 of shape \(n,\).*Received: labels.shape=\(2, 10\)"),
        (np.array(["1", "2"]), TypeError, r"Received: labels.dtype=<U1"),
        (np.array([True, False]), TypeError, r"Received: labels.dtype=bool"),
        (np.array([], int), ValueError, r"Received: labels.shape=\(0,\)"),
    ],
)
def test_write_submission_rejects_bad_labels_and_leaves_no_file(tmp_path, labels, error, message):
    with pytest.raises(error, match=message):
        write_submission(labels, tmp_path / "submission.csv")
    assert list(tmp_path.iterdir()) == []


def test_frames_have_kaggles_columns_and_shapes(tmp_path):
    data = load_digit_recognizer(write_folder(tmp_path / "k"))
    train, test = data.train_frame(), data.test_frame()
    assert train.shape == (3, 785) and list(train.columns[:2]) == ["label", "pixel0"]
    assert train["label"].tolist() == [1, 0, 9] and train["pixel5"].tolist() == [255, 0, 0]
    assert test.shape == (2, 784) and test.columns[-1] == "pixel783"
