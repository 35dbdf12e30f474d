"""Tests for cnn_lectures.evaluation: counts, reports, confident mistakes, Wilson intervals."""

import keras
import numpy as np
import pytest

from cnn_lectures.evaluation import (
    accuracy_with_ci,
    classification_report,
    confusion_matrix,
    rank_mistakes,
    top_mistakes,
    wilson_interval,
)


def _labels_and_predictions(n=300, num_classes=10, error_rate=0.2, seed=0):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, num_classes, size=n)
    y_pred = y_true.copy()
    wrong = rng.random(n) < error_rate
    y_pred[wrong] = rng.integers(0, num_classes, size=wrong.sum())
    return y_true, y_pred


def _one_hot(y, num_classes=10):
    return np.eye(num_classes, dtype=np.float32)[y]


# --- confusion_matrix ------------------------------------------------------------------------


def test_confusion_matrix_rows_sum_to_class_counts_and_columns_to_prediction_counts():
    y_true, y_pred = _labels_and_predictions()
    cm = confusion_matrix(y_true, y_pred)
    assert cm.shape == (10, 10)
    assert cm.dtype == np.int64
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true, minlength=10))
    np.testing.assert_array_equal(cm.sum(axis=0), np.bincount(y_pred, minlength=10))
    assert np.trace(cm) == np.sum(y_true == y_pred)


def test_confusion_matrix_puts_true_class_on_rows():
    cm = confusion_matrix([3, 3, 3], [5, 5, 3])
    assert cm[3, 5] == 2  # two 3s predicted as 5
    assert cm[5, 3] == 0
    assert cm[3, 3] == 1


@pytest.mark.parametrize("encode_true, encode_pred", [(False, True), (True, False), (True, True)])
def test_confusion_matrix_accepts_one_hot_and_probabilities(encode_true, encode_pred):
    y_true, y_pred = _labels_and_predictions(n=50)
    expected = confusion_matrix(y_true, y_pred)
    rng = np.random.default_rng(1)
    probabilities = _one_hot(y_pred) * 0.9 + rng.random((50, 10)) * 0.05  # argmax stays y_pred
    got = confusion_matrix(
        _one_hot(y_true) if encode_true else y_true,
        probabilities if encode_pred else y_pred,
    )
    np.testing.assert_array_equal(got, expected)


def test_confusion_matrix_keeps_absent_classes():
    cm = confusion_matrix([0, 1], [0, 1], num_classes=4)
    assert cm.shape == (4, 4)
    np.testing.assert_array_equal(cm.sum(axis=1), [1, 1, 0, 0])


@pytest.mark.parametrize(
    "y_true, y_pred, error, match",
    [
        ([0, 1, 2], [0, 1], ValueError, "same length"),
        ([0, 10], [0, 1], ValueError, r"labels 0\.\.9"),
        ([0, -1], [0, 1], ValueError, r"labels 0\.\.9"),
        ([0.5, 1.0], [0, 1], ValueError, r"whole-number labels. Received: y_true\[0\]=0.5"),
        (["0", "1"], [0, 1], TypeError, "y_true.dtype=<U1"),
        (np.zeros((2, 2, 2)), [0, 1], ValueError, r"Received: y_true.shape=\(2, 2, 2\)"),
        (np.eye(3), [0, 1, 2], ValueError, r"one-hot rows of shape \(n, 10\). Received: y_true.shape=\(3, 3\)"),
    ],
)
def test_confusion_matrix_rejects_bad_labels(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        confusion_matrix(y_true, y_pred)


# --- classification_report -------------------------------------------------------------------


def test_classification_report_matches_hand_counts():
    # class 0: 2 images, both right; class 1: 2 images, one predicted as 2; class 2: 1 image, right.
    report = classification_report([0, 0, 1, 1, 2], [0, 0, 1, 2, 2], num_classes=3)
    assert list(report.columns) == ["precision", "recall", "f1", "support"]
    assert list(report.index) == ["0", "1", "2", "macro avg", "weighted avg"]
    np.testing.assert_allclose(report.loc["1", ["precision", "recall"]], [1.0, 0.5])
    np.testing.assert_allclose(report.loc["2", ["precision", "recall"]], [0.5, 1.0])
    np.testing.assert_allclose(report.loc["1", "f1"], 2 / 3)
    assert report["support"].tolist() == [2, 2, 1, 5, 5]
    np.testing.assert_allclose(report.loc["macro avg", "recall"], (1 + 0.5 + 1) / 3)
    np.testing.assert_allclose(report.loc["weighted avg", "recall"], 4 / 5)  # = accuracy


def test_classification_report_values_are_in_unit_range_and_support_matches_confusion_matrix():
    y_true, y_pred = _labels_and_predictions(n=200)
    report = classification_report(y_true, y_pred, class_names=[f"digit {c}" for c in range(10)])
    cm = confusion_matrix(y_true, y_pred)
    per_class = report.iloc[:10]
    assert per_class.index[3] == "digit 3"
    np.testing.assert_array_equal(per_class["support"], cm.sum(axis=1))
    np.testing.assert_allclose(per_class["recall"], np.diag(cm) / cm.sum(axis=1))
    values = report[["precision", "recall", "f1"]].to_numpy()
    assert np.all((values >= 0) & (values <= 1))


def test_classification_report_class_never_predicted_scores_zero_without_warning():
    with np.errstate(all="raise"):
        report = classification_report([0, 1], [0, 0], num_classes=2)
    assert report.loc["1", "precision"] == 0.0
    assert report.loc["1", "recall"] == 0.0


def test_classification_report_rejects_wrong_number_of_names():
    with pytest.raises(ValueError, match="class_names must have num_classes=10 entries. Received: 2"):
        classification_report([0], [0], class_names=["a", "b"])


# --- rank_mistakes / top_mistakes ------------------------------------------------------------


def _probabilities():
    # row: true label, predicted (argmax), confidence of the prediction
    return np.array(
        [
            [0.90, 0.05, 0.05],  # true 0, right
            [0.60, 0.30, 0.10],  # true 1, predicted 0 at 0.60
            [0.05, 0.05, 0.90],  # true 1, predicted 2 at 0.90
            [0.20, 0.70, 0.10],  # true 2, predicted 1 at 0.70
            [0.10, 0.10, 0.80],  # true 2, right
        ],
        dtype=np.float32,
    )


TRUE = np.array([0, 1, 1, 2, 2])


def test_rank_mistakes_orders_errors_by_confidence():
    mistakes = rank_mistakes(_probabilities(), TRUE, k=10)
    assert list(mistakes.columns) == ["index", "true", "predicted", "confidence", "true_probability"]
    assert mistakes["index"].tolist() == [2, 3, 1]  # only the wrong rows, most confident first
    assert mistakes["true"].tolist() == [1, 2, 1]
    assert mistakes["predicted"].tolist() == [2, 1, 0]
    np.testing.assert_allclose(mistakes["confidence"], [0.9, 0.7, 0.6], rtol=1e-6)
    np.testing.assert_allclose(mistakes["true_probability"], [0.05, 0.1, 0.3], rtol=1e-6)


def test_rank_mistakes_k_limits_rows_and_no_mistakes_gives_empty_table():
    assert len(rank_mistakes(_probabilities(), TRUE, k=2)) == 2
    perfect = rank_mistakes(np.eye(3), [0, 1, 2], k=5)
    assert perfect.empty
    assert list(perfect.columns) == ["index", "true", "predicted", "confidence", "true_probability"]


@pytest.mark.parametrize(
    "k, error, match",
    [
        (0, ValueError, "`k` must be an integer >= 1. Received: k=0"),
        (2.5, TypeError, "Received: k=2.5"),
        (True, TypeError, "Received: k=True"),
    ],
)
def test_rank_mistakes_rejects_bad_k(k, error, match):
    with pytest.raises(error, match=match):
        rank_mistakes(_probabilities(), TRUE, k=k)


def _pass_through_model(num_classes=3):
    """A Keras model whose 'prediction' is its input: lets tests choose the probabilities."""
    inputs = keras.Input(shape=(num_classes,))
    return keras.Model(inputs, keras.layers.Identity()(inputs))


def test_top_mistakes_runs_the_model_and_accepts_one_hot_labels():
    mistakes = top_mistakes(_pass_through_model(), _probabilities(), _one_hot(TRUE, 3), k=2)
    assert mistakes["index"].tolist() == [2, 3]
    assert mistakes["confidence"].iloc[0] == pytest.approx(0.9)


def test_top_mistakes_on_the_lecture_cnn_returns_valid_rows():
    from cnn_lectures.models import lecture_cnn

    model = lecture_cnn()
    rng = np.random.default_rng(0)
    x = rng.random((16, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, size=16)
    mistakes = top_mistakes(model, x, y, k=5)
    assert 1 <= len(mistakes) <= 5
    assert np.all(mistakes["true"] != mistakes["predicted"])
    assert np.all(np.diff(mistakes["confidence"]) <= 0)
    assert np.all((mistakes["confidence"] > 0) & (mistakes["confidence"] <= 1))


def test_top_mistakes_rejects_mismatched_lengths_and_non_models():
    with pytest.raises(ValueError, match="same number of rows. Received: 5 and 4"):
        top_mistakes(_pass_through_model(), _probabilities(), TRUE[:4])
    with pytest.raises(TypeError, match="Received: ndarray"):
        top_mistakes(_probabilities(), _probabilities(), TRUE)


# --- Wilson interval -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "successes, n, confidence, expected",
    [
        # Closed forms: with 0 successes the upper end is z^2 / (n + z^2), with n successes the
        # lower end is n / (n + z^2).
        (0, 10, 0.95, (0.0, 1.959964**2 / (10 + 1.959964**2))),
        (10, 10, 0.95, (10 / (10 + 1.959964**2), 1.0)),
        # Newcombe (1998), Stat. Med. 17:857, Table II, method 3 (score interval).
        (81, 263, 0.95, (0.2553, 0.3662)),
        (15, 148, 0.95, (0.0624, 0.1605)),
        (0, 20, 0.95, (0.0, 0.1611)),
        (1, 29, 0.95, (0.0061, 0.1718)),
    ],
)
def test_wilson_interval_matches_reference_values(successes, n, confidence, expected):
    low, high = wilson_interval(successes, n, confidence=confidence)
    np.testing.assert_allclose((low, high), expected, atol=1e-4)


def test_wilson_interval_covers_the_true_proportion_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    n, p = 60, 0.9
    draws = rng.binomial(n, p, size=4000)
    covered = np.mean([low <= p <= high for low, high in (wilson_interval(s, n) for s in draws)])
    assert 0.93 <= covered <= 0.97


def test_wilson_interval_narrows_with_more_images_and_widens_with_confidence():
    widths = [np.subtract(*wilson_interval(int(0.98 * n), n)[::-1]) for n in (100, 1000, 10000)]
    assert widths[0] > widths[1] > widths[2]
    low95, high95 = wilson_interval(90, 100, confidence=0.95)
    low99, high99 = wilson_interval(90, 100, confidence=0.99)
    assert low99 < low95 < 0.9 < high95 < high99


@pytest.mark.parametrize(
    "successes, n, confidence, match",
    [
        (1, 0, 0.95, "`n` must be an integer >= 1. Received: n=0"),
        (11, 10, 0.95, r"`successes` must be an integer in \[0, 10\]. Received: successes=11"),
        (5, 10, 1.0, "`confidence` must be a number > 0 and < 1. Received: confidence=1.0"),
        (5, 10, 0.0, "Received: confidence=0.0"),
    ],
)
def test_wilson_interval_rejects_bad_arguments(successes, n, confidence, match):
    with pytest.raises(ValueError, match=match):
        wilson_interval(successes, n, confidence=confidence)


def test_accuracy_with_ci_shows_98_1_and_98_3_percent_on_4200_images_are_noise():
    n = 4200
    y_true = np.zeros(n, dtype=int)
    run_a = y_true.copy()
    run_a[: round(0.019 * n)] = 1  # 80 errors: 98.1 %
    run_b = y_true.copy()
    run_b[: round(0.017 * n)] = 1  # 71 errors: 98.3 %
    acc_a, low_a, high_a = accuracy_with_ci(y_true, run_a)
    acc_b, low_b, high_b = accuracy_with_ci(y_true, run_b)
    assert acc_a == pytest.approx(1 - 80 / 4200)
    assert low_a < acc_a < high_a
    assert low_a == pytest.approx(0.976, abs=1e-3) and high_a == pytest.approx(0.985, abs=1e-3)
    assert low_a < acc_b < high_a and low_b < acc_a < high_b  # each inside the other's interval


def test_accuracy_with_ci_accepts_probabilities_and_rejects_empty_input():
    accuracy, low, high = accuracy_with_ci([0, 1], np.array([[0.9, 0.1], [0.2, 0.8]]))
    assert accuracy == 1.0 and high == 1.0 and 0 < low < 1
    with pytest.raises(ValueError, match="n_samples == 0"):
        accuracy_with_ci([], [])
