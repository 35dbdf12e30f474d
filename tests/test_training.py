"""Tests for cnn_lectures.training: train() in each augment mode, its errors, resuming, and train_preset()."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

from cnn_lectures.models import lecture_cnn
from cnn_lectures.presets import LECTURE, Preset
from cnn_lectures.preprocessing import normalize, one_hot
from cnn_lectures.training import train, train_preset


@pytest.fixture(scope="module")
def splits(sample_digits):
    """500 training and 500 validation digits: float32 images (n, 28, 28, 1), one-hot labels."""
    x = normalize(sample_digits.x_train[:1000]).reshape(-1, 28, 28, 1)
    y = one_hot(sample_digits.y_train[:1000])
    return (x[:500], y[:500]), (x[500:], y[500:])


class StopAtEpoch(keras.callbacks.Callback):
    """Simulate a killed run: raise when epoch ``epoch`` (0-based) begins."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt(f"interrupted at epoch {epoch}")


def test_train_accepts_integer_labels_a_builder_and_a_schedule(sample_digits, capsys):
    x, y = sample_digits.x_train[:100], sample_digits.y_train[:100]  # uint8 rows, integer labels
    history = train(lecture_cnn, x, y, epochs=2, batch_size=50, augment=None, seed=0, verbose=2,
                    schedule=lambda epoch: 1e-3 * 0.5**epoch)
    assert set(history.history) == {"loss", "accuracy", "learning_rate"}
    assert history.history["learning_rate"] == pytest.approx([1e-3, 5e-4])
    assert "Epoch 1/2" in capsys.readouterr().out


@pytest.mark.slow
def test_same_seed_same_history(splits):
    # Pass the builder, not a built model: its weights must be drawn after train() seeds.
    (x, y), _ = splits
    runs = [train(lecture_cnn, x[:200], y[:200], epochs=1, batch_size=50, seed=3, verbose=0) for _ in range(2)]
    assert runs[0].history == runs[1].history


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"augment": "fancy"}, r'augment must be "layers", "generator" or None. Received: augment=\'fancy\''),
        ({"epochs": 0}, "epochs=0"),
        ({"batch_size": 2.5}, "batch_size=2.5"),
        ({"deterministic": True}, "needs a seed"),
        ({"reduce_lr": True, "schedule": lambda epoch: 1e-3}, "either reduce_lr or schedule"),
        ({"early_stopping": -1}, "early_stopping must be"),
        ({"strategy": "mirrored"}, "pass a zero-argument function"),
        ({"validation_data": np.zeros((4, 28, 28, 1))}, "validation_data must be a pair"),
        ({"x": np.zeros((4, 32, 32, 1), np.float32)}, r"expects images of shape \(n, 28, 28, 1\)"),
        ({"y": np.zeros((3, 10), np.float32)}, "Received: 3"),
        ({"y": np.zeros((4, 9), np.float32)}, r"one-hot labels of shape \(n, 10\)"),
        ({"x": np.zeros((4, 28, 28, 1)) + 255.0}, "normalize"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    arguments = {"x": np.zeros((4, 28, 28, 1), np.float32), "y": one_hot(np.arange(4)), "verbose": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        train(lecture_cnn(), arguments.pop("x"), arguments.pop("y"), **arguments)


@pytest.mark.slow
@pytest.mark.parametrize("augment", ["layers", "generator", None])
def test_every_augment_mode_learns_and_resumes_at_the_interrupted_epoch(splits, augment, tmp_path, capsys):
    (x, y), validation = splits
    settings = {"validation_data": validation, "epochs": 2, "batch_size": 32, "augment": augment,
                "learning_rate": 3e-3, "seed": 0, "backup_dir": tmp_path, "verbose": 2}
    with pytest.raises(KeyboardInterrupt):  # as if the run were killed when epoch 2 begins
        train(lecture_cnn, x, y, callbacks=[StopAtEpoch(1)], **settings)
    assert "Epoch 1/2" in capsys.readouterr().out

    history = train(lecture_cnn, x, y, **settings)
    printed = capsys.readouterr().out
    assert "Epoch 2/2" in printed and "Epoch 1/2" not in printed
    assert isinstance(history, keras.callbacks.History) and history.epoch == [1]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["val_accuracy"][-1] > 0.3  # chance is 0.1


def test_train_preset_overrides_the_preset_and_returns_one_model(splits, tmp_path):
    (x, y), validation = splits
    model, history = train_preset("lecture", x[:100], y[:100], validation_data=validation, epochs=1,
                                  batch_size=50, augment=None, seed=0, verbose=0)
    assert isinstance(model, keras.Model) and model is history.model
    assert history.params["epochs"] == 1 and history.params["steps"] == 2
    model.save(tmp_path / "model.keras")
    assert keras.saving.load_model(tmp_path / "model.keras").count_params() == model.count_params()


def test_train_preset_uses_the_preset_settings_when_not_overridden(splits):
    (x, y), _ = splits
    tiny = Preset(name="tiny", description="test", build_model=LECTURE.build_model, epochs=1, batch_size=100,
                  augment="generator", learning_rate=2e-3)
    model, history = train_preset(tiny, x[:200], y[:200], verbose=0)
    assert history.params["steps"] == 2
    assert float(model.optimizer.learning_rate) == pytest.approx(2e-3)
    with pytest.raises(TypeError, match="Preset or a preset name"):
        train_preset(42, x, y)
    with pytest.raises(ValueError, match="Unknown preset 'nope'"):
        train_preset("nope", x, y)


@pytest.mark.slow
def test_deterministic_runs_give_byte_identical_predictions(tmp_path):
    # enable_op_determinism is process-wide and cannot be undone, so it runs in its own interpreter.
    script = textwrap.dedent("""
        import numpy as np
        from cnn_lectures.data import load_digit_recognizer
        from cnn_lectures.models import lecture_cnn
        from cnn_lectures.training import train
        data = load_digit_recognizer(source="sample")
        x, y = data.x_train[:300], data.y_train[:300]
        predictions = [
            train(lecture_cnn, x, y, epochs=1, batch_size=50, seed=4, deterministic=True, verbose=0)
            .model.predict(x[:50].reshape(-1, 28, 28, 1) / 255.0, verbose=0).tobytes()
            for _ in range(2)
        ]
        print("IDENTICAL" if predictions[0] == predictions[1] else "DIFFERENT")
    """)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=root, env=env)
    assert "IDENTICAL" in result.stdout, result.stderr[-2000:]
