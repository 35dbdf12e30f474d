"""Tests for cnn_lectures.training and cnn_lectures.presets: train() in each augment mode, its errors,
resuming, Preset.fit(), and the "best" preset with its model
(cnn_lectures.models.digits). Strategies: tests/test_distributed.py."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

from cnn_lectures import augmentation
from cnn_lectures.models import digit_cnn, lecture_cnn
from cnn_lectures.preprocessing import normalize, one_hot
from cnn_lectures.presets import (
    BEST,
    LECTURE,
    PRESETS,
    Preset,
    best_model,
    early_stopping,
    get_preset,
    reduce_lr_on_plateau,
    warmup_cosine_schedule,
)
from cnn_lectures.training import train


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


def test_train_accepts_integer_labels_a_builder_and_a_schedule_callback(sample_digits, capsys):
    x, y = sample_digits.x_train[:100], sample_digits.y_train[:100]  # uint8 rows, integer labels
    halve = keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.5**epoch)
    history = train(lecture_cnn, x, y, epochs=2, batch_size=50, augment="none", seed=0, verbose=2, callbacks=[halve])
    assert set(history.history) == {"loss", "accuracy", "learning_rate"}
    assert history.history["learning_rate"] == pytest.approx([1e-3, 5e-4])
    assert "Epoch 1/2" in capsys.readouterr().out


def test_train_takes_a_learning_rate_schedule_per_step(sample_digits):
    x, y = sample_digits.x_train[:100], sample_digits.y_train[:100]
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=1, decay_rate=0.5)
    history = train(
        lecture_cnn, x, y, epochs=1, batch_size=50, augment="none", seed=0, verbose=0, learning_rate=schedule
    )
    assert float(history.model.optimizer.learning_rate) == pytest.approx(1e-3 * 0.5**2)  # after 2 steps
    with pytest.raises(ValueError, match="needs an optimizer built here"):
        train(lecture_cnn, x, y, learning_rate=schedule, optimizer=keras.optimizers.SGD(), verbose=0)


@pytest.mark.slow
def test_same_seed_same_history(splits):
    # Pass the builder, not a built model: its weights must be drawn after train() seeds.
    (x, y), _ = splits
    runs = [train(lecture_cnn, x[:200], y[:200], epochs=1, batch_size=50, seed=3, verbose=0) for _ in range(2)]
    assert runs[0].history == runs[1].history


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"augment": "fancy"}, r"`augment` must be one of 'fast', 'generator', 'none'. Received: augment='fancy'"),
        ({"epochs": 0}, r"`epochs` must be an integer >= 1. Received: epochs=0"),
        ({"seed": -1}, "seed=-1"),
        ({"deterministic": True}, "needs a seed"),
        ({"validation_data": np.zeros((4, 28, 28, 1))}, "`validation_data` must be a pair"),
        ({"x": np.zeros((4, 32, 32, 1), np.float32)}, r"expects images of shape \(n, 28, 28, 1\)"),
        ({"y": np.zeros((3, 10), np.float32)}, "Received: 3"),
        ({"y": np.zeros((4, 9), np.float32)}, r"one-hot labels of shape \(n, 10\)"),
        ({"y": np.array([0, 1, 2, 10])}, r"labels 0..9. Received: y\[3\]=10"),
        ({"x": np.zeros((4, 28, 28, 1)) + 255.0}, "normalize"),
    ],
)
def test_bad_values_raise_value_error(kwargs, match):
    arguments = {"x": np.zeros((4, 28, 28, 1), np.float32), "y": one_hot(np.arange(4)), "verbose": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        train(lecture_cnn(), arguments.pop("x"), arguments.pop("y"), **arguments)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"batch_size": 2.5}, "`batch_size` must be an integer >= 1. Received: batch_size=2.5"),
        ({"epochs": True}, "epochs=True"),
        ({"strategy": "mirrored"}, "must be a tf.distribute.Strategy or None. Received: strategy='mirrored'"),
        ({"model_or_builder": 42}, "must be a keras.Model or a function that builds one"),
        ({"model_or_builder": lambda: 42}, "must return a keras.Model. Received: int"),
    ],
)
def test_bad_types_raise_type_error(kwargs, match):
    arguments = {"model_or_builder": lecture_cnn, "verbose": 0, **kwargs}
    with pytest.raises(TypeError, match=match):
        train(arguments.pop("model_or_builder"), np.zeros((4, 28, 28, 1), np.float32), np.arange(4), **arguments)


def test_train_refuses_a_model_without_one_class_output():
    inputs = keras.Input((28, 28, 1))
    two_heads = keras.Model(inputs, [keras.layers.Flatten()(inputs), keras.layers.Flatten()(inputs)])
    with pytest.raises(ValueError, match=r"one output of shape \(None, num_classes\)"):
        train(two_heads, np.zeros((4, 28, 28, 1), np.float32), np.arange(4), verbose=0)


@pytest.mark.slow
@pytest.mark.parametrize("augment", ["fast", "generator", "none"])
def test_every_augment_mode_learns_and_resumes_at_the_interrupted_epoch(splits, augment, tmp_path, capsys):
    (x, y), validation = splits
    settings = {
        "validation_data": validation,
        "epochs": 2,
        "batch_size": 32,
        "augment": augment,
        "learning_rate": 3e-3,
        "seed": 0,
        "backup_dir": tmp_path,
        "verbose": 2,
    }
    with pytest.raises(KeyboardInterrupt):  # as if the run were killed when epoch 2 begins
        train(lecture_cnn, x, y, callbacks=[StopAtEpoch(1)], **settings)
    assert "Epoch 1/2" in capsys.readouterr().out

    history = train(lecture_cnn, x, y, **settings)
    printed = capsys.readouterr().out
    assert "Epoch 2/2" in printed and "Epoch 1/2" not in printed
    assert isinstance(history, keras.callbacks.History) and history.epoch == [1]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["val_accuracy"][-1] > 0.3  # chance is 0.1


def test_preset_fit_overrides_the_preset_and_returns_a_history(splits, tmp_path):
    (x, y), validation = splits
    history = get_preset("lecture").fit(
        x[:100], y[:100], validation_data=validation, epochs=1, batch_size=50, augment="none", seed=0, verbose=0
    )
    assert isinstance(history, keras.callbacks.History) and isinstance(history.model, keras.Model)
    assert history.params["epochs"] == 1 and history.params["steps"] == 2
    history.model.save(tmp_path / "model.keras")
    assert keras.saving.load_model(tmp_path / "model.keras").count_params() == history.model.count_params()


def test_preset_fit_uses_the_preset_settings_when_not_overridden(splits):
    (x, y), _ = splits
    tiny = Preset(
        name="tiny",
        description="test",
        build_model=LECTURE.build_model,
        epochs=1,
        batch_size=100,
        augment="generator",
        learning_rate=2e-3,
    )
    history = tiny.fit(x[:200], y[:200], verbose=0)
    assert history.params["steps"] == 2
    assert float(history.model.optimizer.learning_rate) == pytest.approx(2e-3)


def test_preset_builds_its_plateau_and_early_stopping_callbacks(splits):
    (x, y), validation = splits
    patient = Preset(
        name="patient",
        description="test",
        build_model=lecture_cnn,
        epochs=1,
        batch_size=100,
        augment="none",
        learning_rate=1e-3,
        reduce_lr=True,
        early_stopping=2,
    )
    history = patient.fit(x[:200], y[:200], validation_data=validation, seed=0, verbose=0)
    assert "learning_rate" in history.history  # ReduceLROnPlateau logs the rate
    plateau, stopping = reduce_lr_on_plateau(), early_stopping(2, validation=False)
    assert (plateau.monitor, plateau.factor, plateau.patience, plateau.min_lr) == ("val_accuracy", 0.5, 3, 1e-5)
    assert (stopping.monitor, stopping.patience, stopping.restore_best_weights) == ("loss", 2, True)


def test_get_preset_names_the_choices():
    assert get_preset("lecture") is LECTURE
    with pytest.raises(ValueError, match="Unknown preset 'nope'"):
        get_preset("nope")


def run_in_fresh_python(script):
    """Run ``python -c script`` with the package importable; op determinism is process-wide."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=root, env=env
    )


def assert_runs_identical(script):
    """Run ``script`` in a fresh interpreter; it leaves two byte strings in ``runs``, which must be equal."""
    result = run_in_fresh_python(script + 'print("IDENTICAL" if runs[0] == runs[1] else "DIFFERENT")\n')
    assert "IDENTICAL" in result.stdout, result.stderr[-2000:]


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
        runs = [
            train(lecture_cnn, x, y, epochs=1, batch_size=50, seed=4, deterministic=True, verbose=0)
            .model.predict(x[:50].reshape(-1, 28, 28, 1) / 255.0, verbose=0).tobytes()
            for _ in range(2)
        ]
    """)
    assert_runs_identical(script)


@pytest.mark.slow
def test_steps_per_execution_changes_the_speed_not_the_weights():
    # The lecture preset runs 8 steps per call into TensorFlow; the steps must be the same steps.
    script = textwrap.dedent("""
        from cnn_lectures.data import load_digit_recognizer
        from cnn_lectures.models import lecture_cnn
        from cnn_lectures.training import train
        data = load_digit_recognizer(source="sample")
        x, y = data.x_train[:300], data.y_train[:300]
        runs = [
            b"".join(w.tobytes() for w in train(
                lecture_cnn, x, y, epochs=2, batch_size=32, seed=4, deterministic=True,
                steps_per_execution=spe, verbose=0).model.get_weights())
            for spe in (1, 4)  # 10 steps an epoch: the last call runs the 2 left over
        ]
    """)
    assert_runs_identical(script)


def test_steps_per_execution_is_checked(splits):
    (x, y), _ = splits
    with pytest.raises(ValueError, match="steps_per_execution"):
        train(lecture_cnn, x, y, steps_per_execution=0)
    assert LECTURE.steps_per_execution == 8 and BEST.steps_per_execution == 1


def test_preset_fit_passes_deterministic_and_strategy_through(splits):
    (x, y), _ = splits
    with pytest.raises(ValueError, match="deterministic=True needs a seed"):
        LECTURE.fit(x, y, deterministic=True)
    with pytest.raises(TypeError, match="must be a tf.distribute.Strategy or None. Received: strategy='any'"):
        LECTURE.fit(x, y, strategy="any")


@pytest.mark.slow
def test_deterministic_best_preset_gives_byte_identical_predictions():
    # What `cnn-lectures train --preset best --seed N` relies on; batch norm and the fused warp included.
    script = textwrap.dedent("""
        from cnn_lectures.data import load_digit_recognizer
        from cnn_lectures.presets import get_preset
        data = load_digit_recognizer(source="sample")
        x, y = data.x_train[:128], data.y_train[:128]
        runs = [
            get_preset("best").fit(x, y, epochs=1, seed=4, deterministic=True, verbose=0).model
            .predict(x[:50].reshape(-1, 28, 28, 1) / 255.0, verbose=0).tobytes()
            for _ in range(2)
        ]
    """)
    assert_runs_identical(script)


# The "best" preset and its model.


def test_digit_cnn_has_deottes_layers_shapes_and_parameter_count():
    model = digit_cnn()
    assert model.name == "digit_cnn" and model.output_shape == (None, 10)
    assert model.count_params() == 327_242  # 326,410 trainable + 832 batch-norm moving statistics
    shapes = {layer.name: layer.output.shape[1:] for layer in model.layers}
    assert shapes["block1_conv2"] == (24, 24, 32) and shapes["block1_conv3"] == (12, 12, 32)
    assert shapes["block2_conv2"] == (8, 8, 64) and shapes["block2_conv3"] == (4, 4, 64)
    assert shapes["head_conv"] == (1, 1, 128)
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers) == 7
    assert digit_cnn(num_classes=3, filters=(8, 16, 32), name="small").output_shape == (None, 3)
    with pytest.raises(ValueError, match=r"filters must give 3 widths.*Received: filters=\(8, 16\)"):
        digit_cnn(filters=(8, 16))


def test_presets_are_registered_and_the_lecture_draws_its_ranges_on_the_fast_path():
    assert get_preset("best") is BEST and get_preset("lecture") is LECTURE and set(PRESETS) == {"lecture", "best"}
    assert BEST.build_model is best_model and LECTURE.build_model is lecture_cnn
    assert LECTURE.augment == BEST.augment == "fast"
    assert (
        Preset(
            name="old",
            description="",
            build_model=lecture_cnn,
            epochs=1,
            batch_size=1,
            augment="layers",
            learning_rate=1e-3,
            schedule=None,
        ).augment
        == "fast"
    )  # older spellings still read


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"schedule": "linear"}, r"`schedule` must be one of 'constant', 'cosine'"),
        ({"augment": "fancy"}, "`augment` must be one of"),
        ({"schedule": "cosine", "reduce_lr": True}, "either reduce_lr or schedule"),
        ({"epochs": 0}, "epochs=0"),
        ({"zoom": 1.0}, r"`zoom` must be a number >= 0 and < 1"),
        ({"early_stopping": -1}, "early_stopping=-1"),
    ],
)
def test_bad_presets_raise_value_error(kwargs, match):
    settings = {
        "name": "bad",
        "description": "test",
        "build_model": lecture_cnn,
        "epochs": 1,
        "batch_size": 10,
        "augment": "none",
        "learning_rate": 1e-3,
        **kwargs,
    }
    with pytest.raises(ValueError, match=match):
        Preset(**settings)


def test_preset_fit_refuses_an_unknown_override(splits):
    (x, y), _ = splits
    with pytest.raises(TypeError, match="rotation"):
        LECTURE.fit(x, y, rotation=3.0)


def test_warmup_cosine_schedule_climbs_for_an_epoch_then_decays_to_zero():
    schedule = warmup_cosine_schedule(2e-3, epochs=3, steps_per_epoch=10)
    rates = [float(schedule(step)) for step in (0, 5, 10, 20, 30)]
    assert rates == pytest.approx([2e-4, 1.1e-3, 2e-3, 1e-3, 0.0], abs=1e-9)
    assert float(warmup_cosine_schedule(1e-3, epochs=1, steps_per_epoch=4)(0)) == pytest.approx(1e-3)  # no warm-up
    with pytest.raises(ValueError, match="steps_per_epoch=0"):
        warmup_cosine_schedule(1e-3, epochs=3, steps_per_epoch=0)


@pytest.mark.slow
def test_best_preset_trains_with_its_augmentation_and_schedule(splits, monkeypatch):
    (x, y), validation = splits
    seen = {}
    original = augmentation.epoch_keyed_dataset

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(augmentation, "epoch_keyed_dataset", spy)
    history = BEST.fit(x[:200], y[:200], validation_data=validation, epochs=2, seed=0, verbose=0)
    model = history.model
    assert model.name == "digit_cnn" and history.params["steps"] == 4  # ceil(200 / 64)
    assert (seen["rotation"], seen["zoom"], seen["shift"], seen["batch_size"]) == (10.0, 0.1, 0.1, 64)
    learning_rate = model.optimizer.learning_rate  # the schedule's value after the last step: 0
    assert float(learning_rate) == pytest.approx(0.0, abs=1e-9)
    assert isinstance(model.optimizer._learning_rate, keras.optimizers.schedules.CosineDecay)
