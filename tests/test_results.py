"""cnn_lectures.results: recording named results and comparing two runs of a notebook."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnn_lectures import results
from cnn_lectures.results import MIME_TYPE, compare, compare_one, proportion_tolerance, read_notebook, record


def accuracy(value, n, name="lecture_cnn.val_accuracy"):
    return {"name": name, "value": value, "n": n, "rel_tol": None, "abs_tol": None, "reason": None}


def measured(value, name="unet.iou", *, rel_tol=None, abs_tol=None, reason="IoU moves a few % between seeds"):
    return {"name": name, "value": value, "n": None, "rel_tol": rel_tol, "abs_tol": abs_tol, "reason": reason}


# -- record -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value, options, error, match",
    [
        ("accuracy", 0.9, {"n": 10}, ValueError, "dotted words"),
        ("lecture cnn.accuracy", 0.9, {"n": 10}, ValueError, "dotted words"),
        (3, 0.9, {"n": 10}, ValueError, "dotted words"),
        ("bad.value", "0.9", {"n": 10}, TypeError, "must be a real number. Received: '0.9'"),
        ("bad.value", True, {"n": 10}, TypeError, "must be a real number"),
        ("bad.value", float("nan"), {"n": 10}, ValueError, "must be finite"),
        ("bad.value", np.array([0.1, 0.2]), {"n": 10}, TypeError, "must be a real number"),
        ("bad.accuracy", 1.2, {"n": 10}, ValueError, r"proportion in \[0, 1\]. Received: 1.2"),
        ("bad.accuracy", -0.1, {"n": 10}, ValueError, r"proportion in \[0, 1\]"),
        ("bad.n", 0.9, {"n": 0}, ValueError, "n must be a positive whole number of images. Received: n=0"),
        ("bad.n", 0.9, {"n": 4200.0}, ValueError, "positive whole number"),
        ("bad.n", 0.9, {"n": True}, ValueError, "positive whole number"),
        ("bad.both", 0.9, {"n": 10, "rel_tol": 0.1}, ValueError, "not both"),
        ("bad.nothing", 0.9, {}, ValueError, "give n .* or rel_tol/abs_tol with a reason"),
        ("bad.reason", 0.9, {"rel_tol": 0.05}, ValueError, "a tolerance needs a reason"),
        ("bad.reason", 0.9, {"rel_tol": 0.05, "reason": "  "}, ValueError, "a tolerance needs a reason"),
        ("bad.tol", 0.9, {"rel_tol": -0.05, "reason": "r"}, ValueError, "rel_tol must be >= 0"),
        ("bad.tol", 0.9, {"abs_tol": "1", "reason": "r"}, TypeError, "abs_tol must be a real number"),
    ],
)
def test_record_refuses_malformed_results(name, value, options, error, match):
    with pytest.raises(error, match=match):
        record(name, value, **options)


@pytest.mark.parametrize(
    "name, value, options, line",
    [
        ("test_print.accuracy", 0.98, {"n": 4200}, "test_print.accuracy = 0.9800 (98.00 % of 4,200 images; 84 wrong)"),
        (
            "test_print.perfect",
            np.float32(1.0),
            {"n": 28},
            "test_print.perfect = 1.0000 (100.00 % of 28 images; 0 wrong)",
        ),
        (
            "test_print.iou",
            0.812345678,
            {"rel_tol": 0.05, "reason": "r"},
            "test_print.iou = 0.812346 (re-runs agree within ±5 %)",
        ),
        (
            "test_print.mistakes",
            np.int64(52),
            {"abs_tol": 15, "reason": "r"},
            "test_print.mistakes = 52 (re-runs agree within ±15)",
        ),
        ("test_print.norm", 2.5, {"rel_tol": 0.1, "abs_tol": 0.01, "reason": "r"}, "within ±10 % or ±0.01)"),
    ],
)
def test_record_prints_one_line_outside_a_notebook_and_returns_the_value(name, value, options, line, capsys):
    assert record(name, value, **options) is value
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and line in printed


def test_a_name_is_recorded_once_per_run():
    record("test_unique.accuracy", 0.5, n=10)
    with pytest.raises(ValueError, match="test_unique.accuracy was already recorded in this run"):
        record("test_unique.accuracy", 0.6, n=10)


def run_cells(sources):
    """Execute ``sources`` as one notebook in a fresh kernel; the executed notebook."""
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(notebook, timeout=120, allow_errors=True, kernel_name="python3")
    with client.setup_kernel():  # the kernel inherits this process's environment
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
            if index == 0:  # the same cell run again replaces its result
                client.execute_cell(cell, index)
    return notebook


@pytest.mark.slow  # runs a notebook in a fresh kernel
def test_in_a_notebook_the_result_is_stored_in_the_cells_outputs(monkeypatch, tiny_kaggle):
    monkeypatch.setenv("CNN_LECTURES_DATA", str(tiny_kaggle))
    monkeypatch.setenv("CNN_LECTURES_QUICK", "1")
    notebook = run_cells(
        [
            "from cnn_lectures.results import record\nacc = record('demo.val_accuracy', 0.875, n=400)",
            "record('demo.iou', 0.8, rel_tol=0.05, reason='IoU moves between seeds');",
            "record('demo.val_accuracy', 0.9, n=400)",  # another cell reusing the name
        ]
    )
    first, second, third = notebook.cells
    assert [output["output_type"] for output in first.outputs] == ["display_data"]
    bundle = first.outputs[0]["data"]
    assert bundle["text/plain"] == "demo.val_accuracy = 0.8750 (87.50 % of 400 images; 50 wrong)"
    assert bundle[MIME_TYPE]["value"] == 0.875 and bundle[MIME_TYPE]["n"] == 400
    assert bundle[MIME_TYPE]["quick"] is True
    assert bundle[MIME_TYPE]["data"] == results._fingerprint("kaggle", str(tiny_kaggle.resolve()))
    assert second.outputs[0]["data"][MIME_TYPE]["reason"] == "IoU moves between seeds"
    assert third.outputs[-1]["output_type"] == "error"
    assert "demo.val_accuracy was already recorded in this run" in third.outputs[-1]["evalue"]
    # What a test reads back: both results, from the notebook as nbformat writes it.
    stored = read_notebook(json.loads(nbformat.writes(notebook)))
    assert sorted(stored) == ["demo.iou", "demo.val_accuracy"]
    assert stored["demo.val_accuracy"]["value"] == 0.875


def test_the_data_fingerprint_is_of_the_files_contents_not_their_place_or_packaging(tiny_kaggle, tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    with zipfile.ZipFile(folder / "digit-recognizer.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for member in ("train.csv", "test.csv"):
            archive.write(tiny_kaggle / member, member)
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "train.csv").write_bytes((tiny_kaggle / "train.csv").read_bytes().replace(b"\n0,", b"\n1,", 1))
    (changed / "test.csv").write_bytes((tiny_kaggle / "test.csv").read_bytes())

    as_csvs = results._fingerprint("kaggle", str(tiny_kaggle))
    assert as_csvs.startswith("kaggle:")
    assert results._fingerprint("kaggle", str(folder)) == as_csvs
    assert results._fingerprint("kaggle", str(changed)) != as_csvs
    assert results._fingerprint("sample", "").startswith("sample:")


def test_without_kaggle_files_the_fingerprint_names_the_sample(monkeypatch, tmp_path):
    monkeypatch.delenv("CNN_LECTURES_DATA", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./data here
    monkeypatch.setattr("cnn_lectures.data.loader.PROJECT_DATA_DIR", tmp_path / "no-data")
    assert results.data_fingerprint().startswith("sample:")


# -- comparing accuracies -------------------------------------------------------------------


@pytest.mark.parametrize(
    "stored, new, agree",
    [
        ((0.9876, 4200), (0.9876, 4200), True),
        ((0.9876, 4200), (0.9850, 4200), True),  # 11 more mistakes in 4,200: noise
        ((0.9876, 4200), (0.9776, 4200), False),  # one point lower: a regression
        ((0.98, 4200), (0.90, 4200), False),  # the 98 % -> 90 %
        ((1.0, 100), (0.99, 100), True),  # near 1 the interval does not collapse to zero
        ((1.0, 100), (0.90, 100), False),
        ((0.0, 50), (0.0, 50), True),
        ((0.62, 200), (0.55, 200), True),  # a 1-epoch quick run on 200 images: wide
        ((0.62, 200), (0.45, 200), False),
        ((0.9876, 4200), (0.985, 28000), True),  # different n, same accuracy
    ],
)
def test_accuracies_are_compared_as_two_binomial_proportions(stored, new, agree):
    problem = compare_one(accuracy(*stored), accuracy(*new))
    assert (problem is None) == agree, problem


def test_the_accuracy_tolerance_is_the_99_percent_interval_of_the_difference():
    difference, half_width = proportion_tolerance(0.98, 4200, 0.98, 4200)
    p = (0.98 * 4200 + 1) / 4202
    assert difference == 0
    assert half_width == pytest.approx(2.576 * np.sqrt(2 * p * (1 - p) / 4202))
    assert half_width == pytest.approx(0.0079, abs=1e-4)  # ±0.8 points on 4,200 images at 98 %


@pytest.mark.parametrize("p, n", [(0.98, 4200), (0.60, 500), (0.995, 1000)])
def test_binomial_noise_between_two_runs_passes_about_99_percent_of_the_time(p, n):
    rng = np.random.default_rng(15)
    stored = rng.binomial(n, p, size=2000) / n
    new = rng.binomial(n, p, size=2000) / n
    false_alarms = sum(compare_one(accuracy(a, n), accuracy(b, n)) is not None for a, b in zip(stored, new))
    assert false_alarms / 2000 <= 0.025  # a 99 % interval: about 1 % of pure-noise pairs fail


@pytest.mark.parametrize("p, drop, n", [(0.98, 0.02, 4200), (0.90, 0.10, 500), (0.99, 0.015, 4200)])
def test_a_real_drop_in_accuracy_is_caught_despite_the_noise(p, drop, n):
    rng = np.random.default_rng(16)
    stored = rng.binomial(n, p, size=500) / n
    new = rng.binomial(n, p - drop, size=500) / n
    caught = sum(compare_one(accuracy(a, n), accuracy(b, n)) is not None for a, b in zip(stored, new))
    assert caught / 500 >= 0.95


# -- comparing other quantities -------------------------------------------------------------


@pytest.mark.parametrize(
    "stored, new, tolerance, agree",
    [
        (0.80, 0.83, {"rel_tol": 0.05}, True),
        (0.80, 0.77, {"rel_tol": 0.05}, True),
        (0.80, 0.85, {"rel_tol": 0.05}, False),
        (52, 60, {"abs_tol": 10}, True),
        (52, 70, {"abs_tol": 10}, False),
        (0.001, 0.004, {"rel_tol": 0.1, "abs_tol": 0.005}, True),  # the larger tolerance applies
        (0.001, 0.008, {"rel_tol": 0.1, "abs_tol": 0.005}, False),
    ],
)
def test_other_results_are_compared_with_their_recorded_tolerance(stored, new, tolerance, agree):
    problem = compare_one(measured(stored, **tolerance), measured(new, **tolerance))
    assert (problem is None) == agree, problem


def test_binomial_noise_on_a_count_within_its_tolerance_passes():
    rng = np.random.default_rng(17)
    mistakes = rng.binomial(4200, 0.012, size=(2, 200))  # ~50 mistakes; a difference's sd is ~10
    entries = [[measured(int(m), "lecture_cnn.mistakes", abs_tol=40) for m in row] for row in mistakes]
    assert all(compare_one(a, b) is None for a, b in zip(*entries))


def test_a_failure_names_the_notebook_result_values_and_tolerance():
    problems = compare(
        {"lecture_cnn.val_accuracy": accuracy(0.98, 4200), "unet.iou": measured(0.80, rel_tol=0.05)},
        {"lecture_cnn.val_accuracy": accuracy(0.90, 4200), "unet.iou": measured(0.70, rel_tol=0.05)},
        notebook="08_digit_recognizer_cnn",
    )
    assert len(problems) == 2
    accuracy_problem, iou_problem = problems
    assert accuracy_problem.startswith("08_digit_recognizer_cnn: lecture_cnn.val_accuracy: stored 0.9800 (n=4,200)")
    assert "new 0.9000 (n=4,200)" in accuracy_problem and "tolerance ±0.0" in accuracy_problem
    assert "binomial" in accuracy_problem
    assert iou_problem.startswith("08_digit_recognizer_cnn: unet.iou: stored 0.8, new 0.7")
    assert "tolerance ±5 % (= ±0.04; IoU moves a few % between seeds)" in iou_problem


def test_missing_extra_and_changed_results_are_reported():
    stored = {
        "a.kept": accuracy(0.9, 100, "a.kept"),
        "a.gone": accuracy(0.9, 100, "a.gone"),
        "a.kind": accuracy(0.9, 100, "a.kind"),
    }
    new = {
        "a.kept": accuracy(0.9, 100, "a.kept"),
        "a.added": measured(1.5, "a.added", abs_tol=0.1),
        "a.kind": measured(0.9, "a.kind", rel_tol=0.1),
    }
    problems = compare(stored, new, notebook="nb")
    assert len(problems) == 3
    assert problems[0].startswith("nb: a.gone is stored (a.gone = 0.9000") and "did not record it" in problems[0]
    assert problems[1].startswith("nb: a.added was recorded by the new run") and "nothing is stored" in problems[1]
    assert problems[2] == "nb: a.kind: was recorded as an accuracy with n, now as a value with a tolerance"
    assert compare(stored, dict(stored), notebook="nb") == []


def test_results_are_read_back_from_outputs_whichever_way_json_is_stored():
    bundle = accuracy(0.5, 10, "x.y")
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "hello"},
        {"output_type": "display_data", "data": {MIME_TYPE: bundle, "text/plain": "x.y = 0.5"}, "metadata": {}},
        {
            "output_type": "display_data",
            "data": {MIME_TYPE: json.dumps(measured(2.0, "x.z", abs_tol=1)), "text/plain": ""},
            "metadata": {},
        },
        {"output_type": "display_data", "data": {"text/plain": "0.5"}, "metadata": {}},
    ]
    found = results.results_in_outputs(outputs)
    assert [entry["name"] for entry in found] == ["x.y", "x.z"]
    assert [results.is_output_of_record(output) for output in outputs] == [False, True, True, False]


# -- the nbval wiring (notebooks/conftest.py) on a throwaway notebook -------------------------

ROOT = Path(__file__).resolve().parents[1]
DEMO_CELLS = [
    "import os\nfrom cnn_lectures.results import record\n"
    "acc = float(os.environ.get('DEMO_ACC', '0.9'))\nloss = float(os.environ.get('DEMO_LOSS', '0.30'))",
    # A cell must not end with a bare record(...): nbval runs cells with store_history=False,
    # where IPython ignores a trailing ';' and would show the returned value.
    "# NBVAL_IGNORE_OUTPUT\nprint('training... 12 ms/step')\nacc = record('demo.val_accuracy', acc, n=1000)",
    "print('worked: 2 + 2 =', 2 + 2)\n"
    "loss = record('demo.loss', loss, rel_tol=0.1, reason='a 1-epoch loss moves a few %')",
]


@pytest.fixture(scope="module")
def demo_notebooks(tmp_path_factory, tiny_kaggle):
    """A folder like notebooks/: the real conftest.py and one notebook executed in full mode."""
    folder = tmp_path_factory.mktemp("nbs")
    shutil.copy(ROOT / "notebooks" / "conftest.py", folder / "conftest.py")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in DEMO_CELLS]
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    env = {"CNN_LECTURES_QUICK": "0", "CNN_LECTURES_DATA": str(tiny_kaggle)}
    with _environment(env):
        from nbclient import NotebookClient

        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    nbformat.write(notebook, folder / "demo.ipynb")
    other = tmp_path_factory.mktemp("other-data")  # Kaggle's layout, other digits
    (other / "train.csv").write_bytes((tiny_kaggle / "train.csv").read_bytes().replace(b"\n0,", b"\n1,", 1))
    shutil.copy(tiny_kaggle / "test.csv", other / "test.csv")
    return folder, tiny_kaggle, other


class _environment:
    def __init__(self, values):
        self.values, self.saved = values, {}

    def __enter__(self):
        for name, value in self.values.items():
            self.saved[name] = os.environ.get(name)
            os.environ[name] = value

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def nbval(folder, *options, quick, data, **variables):
    """Run nbval on the throwaway notebook as `make notebook-test` does; (exit code, output)."""
    env = {
        **os.environ,
        "CNN_LECTURES_QUICK": "1" if quick else "0",
        "CNN_LECTURES_DATA": str(data),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **variables,
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "--nbval",
        "--rootdir",
        str(folder),
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval_sanitize.cfg"),
        *options,
        "demo.ipynb",
    ]
    run = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    return run.returncode, run.stdout + run.stderr


@pytest.mark.slow  # runs a notebook in a fresh kernel
def test_a_full_run_agrees_with_the_results_stored_in_the_notebook(demo_notebooks):
    folder, data, _ = demo_notebooks
    code, output = nbval(folder, quick=False, data=data, DEMO_ACC="0.91", DEMO_LOSS="0.31")
    assert code == 0, output
    assert "demo: 2 results agree with the results stored in demo.ipynb (full mode, Kaggle's files" in output


@pytest.mark.slow  # runs a notebook in a fresh kernel
def test_a_planted_regression_fails_even_in_a_cell_whose_output_is_ignored(demo_notebooks):
    folder, data, _ = demo_notebooks
    code, output = nbval(folder, quick=False, data=data, DEMO_ACC="0.80")
    assert code == 1, output
    assert "demo: recorded results differ from the results stored in demo.ipynb" in output
    assert "demo: demo.val_accuracy: stored 0.9000 (n=1,000), new 0.8000 (n=1,000)" in output
    assert "more than the tolerance ±0.04" in output
    assert "1 failed, 3 passed" in output  # the cells pass: record()'s output is not compared as text


@pytest.mark.slow  # runs a notebook in a fresh kernel
def test_quick_runs_are_compared_with_quick_expectations_once_written(demo_notebooks):
    folder, data, _ = demo_notebooks
    code, output = nbval(folder, quick=True, data=data, DEMO_ACC="0.5")
    assert code == 1 and "no quick-mode expectations" in output and "make notebook-expectations" in output

    code, output = nbval(folder, "--write-expectations", quick=True, data=data, DEMO_ACC="0.5", DEMO_LOSS="2.0")
    written = folder / "expected" / "quick" / "demo.json"
    assert code == 0 and f"demo: wrote 2 results to {written}" in output.replace("\n", " ") or written.is_file(), output
    document = json.loads(written.read_text(encoding="utf-8"))
    assert document["mode"] == "quick" and document["data"].startswith("kaggle:")
    assert document["results"]["demo.val_accuracy"]["value"] == 0.5 and document["versions"]["numpy"]

    code, output = nbval(folder, quick=True, data=data, DEMO_ACC="0.52", DEMO_LOSS="2.1")
    assert code == 0 and "demo: 2 results agree with the quick-mode expectations" in output, output
    code, output = nbval(folder, quick=True, data=data, DEMO_ACC="0.52", DEMO_LOSS="2.5")
    assert code == 1, output
    assert "demo: demo.loss: stored 2, new 2.5: they differ by 0.5, more than the tolerance ±10 % (= ±0.2;" in output


@pytest.mark.slow  # runs a notebook in a fresh kernel
def test_results_from_other_data_are_not_compared_and_the_summary_says_why(demo_notebooks):
    folder, _, other = demo_notebooks
    code, output = nbval(folder, quick=False, data=other, DEMO_ACC="0.5")
    assert code == 0, output
    assert "demo: 2 results NOT compared: this run used Kaggle's files (kaggle:" in output
    assert "the results stored in demo.ipynb come from Kaggle's files (kaggle:" in output
