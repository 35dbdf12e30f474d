"""Every figure a notebook's prose states is printed by that notebook, written in its code, or cited.

A *figure* is a number in a markdown cell written with a decimal point (``0.528``), a thousands
separator (``204,906``) or a percent sign (``98 %``). It is *backed* when, rounded to the
precision it is written with, it equals a number in the notebook's stored outputs (stdout,
text and HTML results, recorded results) or a number literal in its code cells -- a percentage
or a number of "points" may also be a printed fraction times 100, and ``62.4 M`` may be a
printed 62,378,344. Otherwise the paragraph it sits in must cite its source -- a lecture by
number, or a paper with its year -- or the figure must be in :data:`ALLOWLIST` with the
reason. A figure that a re-run would contradict is a defect: when this test fails, re-read
the outputs and correct the prose (or cite where the figure is from).
"""

import io
import json
import math
import re
import tokenize
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

# (notebook stem, figure as written) -> why it needs neither an output nor a citation.
ALLOWLIST = {}

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+"
FIGURE = re.compile(
    rf"(?<![\w.,])(?P<number>{_NUMBER})"
    r"(?P<percent>\s?%)?"
    r"(?:\s?(?P<scale>k|K|M|B|G|thousand|million|billion)\b)?"
    r"(?P<points>\s+(?:percentage\s+)?points?\b)?"
    r"(?![\w]|\.\d)"
)
SCALES = {"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "B": 1e9, "G": 1e9, "billion": 1e9}
CITATION = re.compile(
    r"\b[Ll]ectures?\s+\d+"  # lecture 003, Lecture 2
    # He et al., 2015
    r"|\b[A-Z][\w-]+(?:\s+(?:et\s+al\.?|and\s+[A-Z][\w-]+|&\s+[A-Z][\w-]+))?,?\s+\(?(?:19|20)\d\d[a-z]?\)?"
    r"|\((?:19|20)\d\d[a-z]?\)"  # *Deep Learning* (2016)
    r"|arXiv:\s?\d{4}\.\d{4,5}"
)
NOT_PROSE = re.compile(
    r"```.*?```"  # fenced code
    r"|`[^`\n]*`"  # inline code
    r"|\]\([^)]*\)|<[^>\n]*>|https?://\S+"  # link targets, HTML tags, URLs
    r"|!\[[^\]]*\]\([^)]*\)"  # images
    r"|\b(?:TensorFlow|Keras|Python|NumPy|nbval|version|v)\s?\d+(?:\.\d+)+"  # versions are no figures
    r"|\b\d+(?:\.\d+){2,}\b"  # 2.21.0, 1.2.3.4
    r"|§\s?\d+(?:\.\d+)*",  # section numbers
    re.DOTALL,
)
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=[A-Z(\"'*_$\[])|\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.|\||#))")
HAYSTACK_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
TAG = re.compile(r"<[^>]+>")
TEXT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex")


def _cell_text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def sentences(markdown):
    """The markdown's prose split into sentences (list items, table rows and headings apart)."""
    return [part for part in SENTENCE_END.split(markdown) if part and part.strip()]


def paragraphs(markdown):
    return [part for part in re.split(r"\n\s*\n", markdown) if part.strip()]


def figures(markdown):
    """``[(figure as written, value, decimals, as_percent, scale, sentence, its paragraph)]``."""
    found = []
    for paragraph in paragraphs(markdown):
        found += _figures_in(paragraph)
    return found


def _figures_in(paragraph):
    found = []
    for sentence in sentences(paragraph):
        prose = NOT_PROSE.sub(lambda match: " " * len(match.group()), sentence)
        for match in FIGURE.finditer(prose):
            number = match.group("number")
            percent = bool(match.group("percent") or match.group("points"))
            if "." not in number and "," not in number and not percent:
                continue  # a plain integer: a count, a layer number, a year -- not a stated figure
            decimals = len(number.split(".")[1]) if "." in number else 0
            scale = SCALES.get(match.group("scale") or "", 1.0)
            found.append(
                (
                    match.group().strip(),
                    float(number.replace(",", "")),
                    decimals,
                    percent,
                    scale,
                    sentence.strip(),
                    paragraph,
                )
            )
    return found


def _decimals(number):
    mantissa, _, exponent = number.lower().partition("e")
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return places - int(exponent or 0)


def _numbers_in(text):
    """``[(value, decimal places printed)]`` for every number in ``text``."""
    return [(float(number.replace(",", "")), _decimals(number)) for number in HAYSTACK_NUMBER.findall(text)]


def _code_numbers(source):
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _numbers_in(re.sub(r"#.*", "", source))
    numbers = []
    for token in tokens:
        if token.type == tokenize.NUMBER:
            literal = token.string.replace("_", "").rstrip("jJ")
            try:
                numbers.append((float(literal), _decimals(literal)))
            except ValueError:  # 0x1F, 0o7, 0b1
                numbers.append((float(int(literal, 0)), 0))
    return numbers


def backing_numbers(notebook):
    """``(absolute value, decimal places)`` of every number the notebook prints or writes in its code."""
    numbers = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        numbers += _code_numbers(_cell_text(cell))
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                numbers += _numbers_in(_cell_text({"source": output.get("text", "")}))
            for kind, value in (output.get("data") or {}).items():
                if kind in TEXT_MIME:
                    text = "".join(value) if isinstance(value, list) else value
                    numbers += _numbers_in(TAG.sub(" ", text) if kind == "text/html" else text)
                elif kind.startswith("application/") and kind.endswith("json") and isinstance(value, dict):
                    numbers += [
                        (v, 15) for v in value.values() if isinstance(v, (int, float)) and not isinstance(v, bool)
                    ]
    return sorted({(abs(number), places) for number, places in numbers})


def is_backed(value, decimals, percent, scale, numbers):
    """True when a number in ``numbers``, printed at least as precisely, rounds to the figure."""
    half = 0.5 * 10.0**-decimals + 1e-9
    shift = round(math.log10(scale))
    for number, places in numbers:
        if places + shift >= decimals and abs(number / scale - value) <= half:
            return True
        if percent and number <= 1.0 and places - 2 >= decimals and abs(number * 100 - value) <= half:
            return True
    return False


def unbacked_figures(notebook, name):
    """``[(cell index, figure, sentence)]`` for each figure with no output, code or citation behind it."""
    numbers = backing_numbers(notebook)
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for written, value, decimals, percent, scale, sentence, paragraph in figures(_cell_text(cell)):
            if (name, written) in ALLOWLIST:
                continue
            if CITATION.search(NOT_PROSE.sub(" ", paragraph)):  # cited nearby: in the same paragraph
                continue
            if not is_backed(abs(value), decimals, percent, scale, numbers):
                problems.append((index, written, " ".join(sentence.split())))
    return problems


def _load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda path: path.stem)
def test_every_figure_in_the_prose_is_printed_written_in_code_or_cited(path):
    problems = unbacked_figures(_load(path), path.stem)
    assert not problems, (
        f"{path.name}: {len(problems)} figures in the prose that no output prints, no code "
        "writes and nothing cites (re-read the outputs and correct them, or cite the lecture/paper):\n"
        + "\n".join(f"  cell {index}: {figure!r} in: {sentence}" for index, figure, sentence in problems)
    )


def test_the_allowlist_is_short_and_every_entry_is_still_in_its_notebook():
    assert len(ALLOWLIST) <= 12, "the allowlist is for a few figures a reader knows; cite or print the rest"
    for (name, written), reason in ALLOWLIST.items():
        assert reason.strip(), f"{name}: {written!r} needs a reason"
        notebook = _load(NOTEBOOKS / f"{name}.ipynb")
        written_there = [
            figure[0]
            for cell in notebook["cells"]
            if cell["cell_type"] == "markdown"
            for figure in figures(_cell_text(cell))
        ]
        assert written in written_there, f"{name}: allowlisted {written!r} is no longer in its prose: drop the entry"


# -- the checker itself, on a small notebook ----------------------------------------------------


def _notebook(markdown, code="", stdout=""):
    cells = [
        {
            "cell_type": "code",
            "source": code,
            "metadata": {},
            "execution_count": 1,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": stdout}],
        }
    ]
    cells.append({"cell_type": "markdown", "source": markdown, "metadata": {}})
    return {"cells": cells}


@pytest.mark.parametrize(
    "markdown, stdout, backed",
    [
        ("The CNN reached 98.8 % on the validation images.", "val accuracy 0.98762", True),
        ("The CNN reached 98.76 % on the validation images.", "val accuracy: 98.76 %", True),
        ("The CNN reached 98.9 % on the validation images.", "val accuracy 0.98762", False),  # stale
        ("The CNN reached 89.0 % on the validation images.", "val accuracy 0.89", False),  # not that precise
        ("Its summary counts 204,906 parameters.", "Total params: 204,906", True),
        ("Its summary counts 204,960 parameters.", "Total params: 204,906", False),
        ("AlexNet has 62.4 M parameters.", "62,378,344", True),
        ("Transfer gained +14.3 points.", "gain 0.1432", True),
        ("The loss fell to 0.031.", "loss: 0.0312 - val_loss 0.040", True),
        ("The loss fell to 0.030.", "loss: 0.0312", False),
        ("Training takes 3 epochs of 250 images.", "", True),  # plain integers are not figures
        ("The slide's 1.7M images (He et al., 2015) are 1,281,167.", "", True),  # cited
        ("Lecture 003 quotes 99.1 %.", "", True),
        ("The course's notes quote 99.1 %.", "", False),
        ("Goodfellow et al.'s *Deep Learning* (2016), §6.1, uses 0.5.", "", True),
        ("Lecture 003 said so.\n\nA later paragraph claims 97.3 %.", "", False),  # cited elsewhere
        ("The rate is `0.001` here.", "", True),  # inline code is code, not prose
    ],
)
def test_a_figure_is_backed_by_an_output_rounded_as_written_or_by_a_citation(markdown, stdout, backed):
    problems = unbacked_figures(_notebook(markdown, stdout=stdout), "demo")
    assert (not problems) == backed, problems


def test_figures_written_in_code_back_the_prose_but_comments_do_not():
    markdown = "We train at a learning rate of 0.001 and drop 25.0 % of the units."
    assert unbacked_figures(_notebook(markdown, code="LEARNING_RATE = 0.001\nDROPOUT = 0.250"), "demo") == []
    problems = unbacked_figures(_notebook(markdown, code="# 0.001 and 0.25 in the lecture"), "demo")
    assert [figure for _, figure, _ in problems] == ["0.001", "25.0 %"]


def test_a_failure_names_the_cell_the_figure_and_its_sentence():
    notebook = _notebook("# Results\n\nFirst sentence. The old run gave 89.0 % here.", stdout="0.871")
    assert unbacked_figures(notebook, "demo") == [(1, "89.0 %", "The old run gave 89.0 % here.")]
