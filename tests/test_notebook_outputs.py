"""What a student sees on GitHub: the stored outputs hold no stderr, no machine paths, no failures.

The outputs are written by ``make notebooks`` (a full run on Kaggle's files). TensorFlow's
start-up lines (absl, oneDNN, the CUDA probe) belong on no page of the course, nor does the
absolute path of someone's data folder or Keras cache, nor a traceback. Recorded results
(``cnn_lectures.results.record``) must come from that full run on Kaggle's data.
"""

import json
import re
from pathlib import Path

import pytest

from cnn_lectures.results import read_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

MACHINE_PATH = re.compile(
    r"(?<![\w.])(?:/work/|/root/|/home/|/tmp/|/Users/|/private/var/|/var/folders/|[A-Za-z]:\\\\Users\\\\)"
    r"|site-packages|dist-packages"
)
TEXT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex", "application/javascript")


def _text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def problems_in(notebook):
    """``[(cell index, what is wrong, an excerpt)]`` for a notebook's stored outputs."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                found.append((index, f"an error output ({output.get('ename')})", _text(output.get("evalue", ""))))
                continue
            texts = []
            if kind == "stream":
                if output.get("name") == "stderr":
                    found.append((index, "a stderr stream", _text(output.get("text", ""))))
                texts.append(_text(output.get("text", "")))
            for mime, value in (output.get("data") or {}).items():
                if mime in TEXT_MIME:
                    texts.append(_text(value))
            for text in texts:
                if "Traceback (most recent call last)" in text:
                    found.append((index, "a traceback", text))
                for match in MACHINE_PATH.finditer(text):
                    line_start = text.rfind("\n", 0, match.start()) + 1
                    line_end = text.find("\n", match.end())
                    found.append((index, "a machine path", text[line_start : line_end if line_end >= 0 else None]))
    return [(index, what, " ".join(excerpt.split())[:160]) for index, what, excerpt in found]


def _load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda path: path.stem)
def test_stored_outputs_hold_no_stderr_machine_paths_or_errors(path):
    problems = problems_in(_load(path))
    assert not problems, (
        f"{path.name}: {len(problems)} stored outputs a student would read as noise or failure "
        "(re-execute with `make notebooks`, whose kernel keeps TensorFlow's start-up log off stderr):\n"
        + "\n".join(f"  cell {index}: {what}: {excerpt}" for index, what, excerpt in problems)
    )


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda path: path.stem)
def test_stored_results_come_from_one_full_run_on_kaggles_files(path):
    stored = read_notebook(path)
    quick = sorted(name for name, entry in stored.items() if entry.get("quick"))
    assert not quick, f"{path.name}: {quick} were stored by a quick run (CNN_LECTURES_QUICK=1); run `make notebooks`"
    data = {entry.get("data") for entry in stored.values()}
    assert len(data) <= 1, f"{path.name}: results stored from different data {sorted(map(str, data))}"
    assert all(str(fingerprint).startswith("kaggle:") for fingerprint in data), (
        f"{path.name}: results stored from {data}, not Kaggle's files: run `make notebooks` with CNN_LECTURES_DATA set"
    )


@pytest.mark.parametrize(
    "output, what",
    [
        ({"output_type": "stream", "name": "stderr", "text": "E0000 00:00 failed call to cuInit"}, "a stderr stream"),
        (
            {"output_type": "stream", "name": "stdout", "text": "Using files (/work/shared/digit-recognizer)"},
            "a machine path",
        ),
        (
            {"output_type": "display_data", "data": {"text/plain": "saved to /home/ana/.keras/models/x.keras"}},
            "a machine path",
        ),
        (
            {
                "output_type": "stream",
                "name": "stdout",
                "text": "warn at .venv/lib/python3.11/site-packages/keras/src/x.py:12",
            },
            "a machine path",
        ),
        ({"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": []}, "an error output"),
        (
            {"output_type": "stream", "name": "stdout", "text": "Traceback (most recent call last):\n  ..."},
            "a traceback",
        ),
    ],
)
def test_the_check_finds_each_kind_of_problem(output, what):
    problems = problems_in({"cells": [{"cell_type": "code", "source": "", "outputs": [output]}]})
    assert problems and problems[0][1].startswith(what), problems


def test_relative_paths_and_clean_outputs_pass():
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "Using Kaggle's files (data/)\nsaved outputs/model.keras"},
        {"output_type": "display_data", "data": {"text/plain": "accuracy 0.988 on /4200 images"}},
    ]
    assert problems_in({"cells": [{"cell_type": "code", "source": "", "outputs": outputs}]}) == []
