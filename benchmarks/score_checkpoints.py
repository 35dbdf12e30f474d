"""Score the shipped checkpoints on Kaggle's validation split, as their manifests were scored.

CNN_LECTURES_DATA=../shared/digit-recognizer .venv/bin/python benchmarks/score_checkpoints.py
"""

from cnn_lectures import runtime

runtime.configure_environment()
from cnn_lectures.checkpoints import load_checkpoint, validation_accuracy, validation_split  # noqa: E402
from cnn_lectures.data import load_digit_recognizer  # noqa: E402
from cnn_lectures.presets import get_preset  # noqa: E402

data = load_digit_recognizer(source="kaggle")
for name in ("lecture", "best"):
    model, manifest = load_checkpoint(name)
    preset = get_preset(name)
    _, x_val, _, y_val = validation_split(data, preset)
    print(name, f"{validation_accuracy(model, preset, x_val, y_val):.4f} on {len(y_val):,} images")
