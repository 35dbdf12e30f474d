"""How nbval checks the notebooks (decided once, here, for every notebook).

- Outputs on **stdout** and results (``execute_result``, ``display_data`` text) are compared
  with the stored outputs; cells marked ``# NBVAL_IGNORE_OUTPUT`` (training, timings) are run
  but not compared. Images are never compared byte for byte (nbval's default).
- **stderr is never compared.** TensorFlow writes ``oneDNN custom operations are on ...``,
  absl and CUDA-probe lines to stderr whatever ``TF_CPP_MIN_LOG_LEVEL`` says, and their
  wording changes between releases; nothing a notebook teaches is printed there.
- Cells whose output depends on the full Kaggle data carry the comment ``# KAGGLE_DATA_OUTPUT``.
  Their stored outputs come from a run on Kaggle's files; on a machine without those files
  (the embedded sample) they are run but not compared.
- **Recorded results** (``cnn_lectures.results.record``) are not compared as text: after the
  last cell of each notebook, one more test item, ``<notebook>::recorded results``, compares
  the fresh run's results -- those of ``NBVAL_IGNORE_OUTPUT`` cells included -- with the
  expected ones, an accuracy as a binomial proportion, anything else by its recorded tolerance.
  Like is compared with like: a quick run (``CNN_LECTURES_QUICK=1``, ``make notebook-test``)
  with ``expected/quick/<notebook>.json`` (written by ``make notebook-expectations``), a full
  run (``CNN_LECTURES_QUICK=0``, ``make notebook-test-full``) with the results stored in the
  notebook's own outputs (written by ``make notebooks``). Values are compared only when the
  run used the same data files as the expected one (their fingerprint is stored with them);
  otherwise the summary says that they were not compared, and why. See docs/results.md.
"""

import importlib.metadata
import json
import platform
from pathlib import Path

import nbval.plugin
import pytest

from cnn_lectures import results
from cnn_lectures.data.archive import has_kaggle_files
from cnn_lectures.data.loader import default_kaggle_dir

KAGGLE_MARKER = "# KAGGLE_DATA_OUTPUT"
EXPECTED_DIR = Path(__file__).resolve().parent / "expected"
VERSIONS_OF = ("tensorflow", "keras", "numpy")

_transform_streams = nbval.plugin.transform_streams_for_comparison


def _compared_outputs(outputs):
    # stderr is never compared; record()'s outputs are compared by the results item, not as text.
    return [
        output
        for output in _transform_streams(outputs)
        if not (output.get("output_type") == "stream" and "stderr" in output)
        and not results.is_output_of_record(output)
    ]


nbval.plugin.transform_streams_for_comparison = _compared_outputs

_FRESH = pytest.StashKey()  # on a notebook's collector: {name: entry} of this run's results
_SUMMARY = pytest.StashKey()  # on the config: the lines for the terminal summary


def pytest_addoption(parser):
    parser.addoption(
        "--write-expectations",
        action="store_true",
        default=False,
        help="instead of comparing recorded results, write them as the quick-mode expectations "
        "(notebooks/expected/quick/<notebook>.json); used by `make notebook-expectations`",
    )


def _kaggle_data_available():
    # The folder the notebooks' load_digit_recognizer() will use, found the same way.
    folder = default_kaggle_dir()
    return folder is not None and has_kaggle_files(folder)


def pytest_collection_modifyitems(config, items):
    kaggle = _kaggle_data_available()
    with_results = []
    for index, item in enumerate(items):
        cell = getattr(item, "cell", None)
        if cell is not None and not kaggle and KAGGLE_MARKER in cell.get("source", ""):
            item.options["check"] = False
        with_results.append(item)
        following = items[index + 1] if index + 1 < len(items) else None  # not len(with_results): it grows
        if isinstance(item, nbval.plugin.IPyNbCell) and getattr(following, "parent", None) is not item.parent:
            with_results.append(RecordedResults.from_parent(item.parent, name="recorded results"))
    items[:] = with_results


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield
    outputs = getattr(item, "test_outputs", None)  # nbval fills it while it runs the cell
    if isinstance(item, nbval.plugin.IPyNbCell) and outputs:
        fresh = item.parent.stash.setdefault(_FRESH, {})
        for entry in results.results_in_outputs(outputs):
            fresh[entry["name"]] = entry  # a later record of the same name wins, as in the notebook


class RecordedResults(pytest.Item):
    """The results one notebook's fresh run recorded, against the expected ones."""

    def runtest(self):
        notebook = Path(str(self.parent.fspath))
        fresh = self.parent.stash.get(_FRESH, {})
        quick = results.quick_mode()
        if self.config.getoption("write_expectations", default=False):
            self._note(write_expectations(notebook, fresh, quick=quick))
            return
        expected, source = expected_results(notebook, quick=quick)
        problems, note = check(notebook.stem, expected, fresh, source=source, quick=quick)
        self._note(note)
        if problems:
            raise ResultsDiffer(problems, notebook=notebook.stem, source=source, quick=quick)

    def _note(self, line):
        self.config.stash.setdefault(_SUMMARY, []).append(line)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ResultsDiffer):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::recorded results"


class ResultsDiffer(AssertionError):
    def __init__(self, problems, *, notebook, source, quick):
        refresh = (
            "make notebook-expectations (a quick run; commit notebooks/expected/quick/)"
            if quick
            else "make notebooks (a full run on Kaggle's files; commit the notebooks)"
        )
        super().__init__(
            f"{notebook}: recorded results differ from {source}:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
            + f"\nIf the change is intended (a new TensorFlow, a changed notebook), refresh them with: {refresh}."
            "\nSee docs/results.md."
        )


def quick_expectations_path(notebook):
    return Path(notebook).resolve().parent / "expected" / "quick" / f"{Path(notebook).stem}.json"


def expected_results(notebook, *, quick):
    """``({name: entry} or None, where they come from)`` for ``notebook`` in this run's mode."""
    if quick:
        path = quick_expectations_path(notebook)
        source = f"the quick-mode expectations {_shown(path)}"
        if not path.is_file():
            return None, source
        return json.loads(path.read_text(encoding="utf-8"))["results"], source
    return results.read_notebook(notebook), f"the results stored in {_shown(notebook)}"


def check(notebook, expected, fresh, *, source, quick):
    """``(problems, summary line)``: what fails, and what the summary says about this notebook."""
    mode = "quick" if quick else "full"
    if expected is None:
        if not fresh:
            return [], f"{notebook}: no results recorded"
        return [
            f"{notebook}: the run recorded {len(fresh)} results but there are no {source[4:]}; "
            "record them with `make notebook-expectations`"
        ], f"{notebook}: FAILED, no expectations"
    wrong_mode = sorted(name for name, entry in expected.items() if entry.get("quick") is not quick)
    if wrong_mode:
        return [
            f"{notebook}: {', '.join(wrong_mode)} in {source} come from a "
            f"{'full' if quick else 'quick'} run, this is a {mode} run: compare like with like"
        ], f"{notebook}: FAILED, expectations from the other mode"
    stored_data = {entry.get("data") for entry in expected.values()}
    fresh_data = {entry.get("data") for entry in fresh.values()}
    if fresh and stored_data != fresh_data:
        # Values from other data are not comparable, but the same results must still be recorded.
        as_stored = {name: expected.get(name, entry) for name, entry in fresh.items()}
        return results.compare(expected, as_stored, notebook=notebook), (
            f"{notebook}: {len(fresh)} results NOT compared: this run used {_data(fresh_data)}, "
            f"{source} come from {_data(stored_data)}"
        )
    problems = results.compare(expected, fresh, notebook=notebook)
    if problems:
        return problems, f"{notebook}: FAILED, {len(problems)} of {len(expected.keys() | fresh.keys())} results differ"
    return [], f"{notebook}: {len(fresh)} results agree with {source} ({mode} mode, {_data(fresh_data)})"


def write_expectations(notebook, fresh, *, quick):
    """Write ``fresh`` as ``notebook``'s quick-mode expectations; the summary line."""
    if not quick:
        raise pytest.UsageError(
            "--write-expectations writes quick-mode expectations (CNN_LECTURES_QUICK=1). A full run's "
            "results are the notebooks' stored outputs: refresh them with `make notebooks`."
        )
    path = quick_expectations_path(notebook)
    if not fresh:
        if path.exists():
            path.unlink()
        return f"{Path(notebook).stem}: no results recorded, no expectations file"
    fingerprints = sorted({entry["data"] for entry in fresh.values()})
    document = {
        "notebook": Path(notebook).stem,
        "mode": "quick",
        "data": fingerprints[0] if len(fingerprints) == 1 else fingerprints,
        "versions": {"python": platform.python_version(), **{name: _version(name) for name in VERSIONS_OF}},
        "results": {name: fresh[name] for name in sorted(fresh)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
    return f"{Path(notebook).stem}: wrote {len(fresh)} results to {_shown(path)}"


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(_SUMMARY, [])
    if lines:
        terminalreporter.section("recorded results (cnn_lectures.results; see docs/results.md)")
        for line in lines:
            terminalreporter.write_line(line)


def _data(fingerprints):
    named = []
    for fingerprint in sorted(fingerprints, key=str):
        kind = str(fingerprint).split(":", 1)[0]
        what = {"kaggle": "Kaggle's files", "sample": "the embedded sample"}.get(kind, "unknown data")
        named.append(f"{what} ({fingerprint})")
    return " and ".join(named)


def _shown(path):
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
