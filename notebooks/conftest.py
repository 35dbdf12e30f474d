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
"""

import nbval.plugin

from cnn_lectures.data.archive import has_kaggle_files
from cnn_lectures.data.loader import default_kaggle_dir

KAGGLE_MARKER = "# KAGGLE_DATA_OUTPUT"

_transform_streams = nbval.plugin.transform_streams_for_comparison


def _without_stderr(outputs):
    return [
        output
        for output in _transform_streams(outputs)
        if not (output.get("output_type") == "stream" and "stderr" in output)
    ]


nbval.plugin.transform_streams_for_comparison = _without_stderr


def _kaggle_data_available():
    # The folder the notebooks' load_digit_recognizer() will use, found the same way.
    folder = default_kaggle_dir()
    return folder is not None and has_kaggle_files(folder)


def pytest_collection_modifyitems(config, items):
    if _kaggle_data_available():
        return
    for item in items:
        cell = getattr(item, "cell", None)
        if cell is not None and KAGGLE_MARKER in cell.get("source", ""):
            item.options["check"] = False
