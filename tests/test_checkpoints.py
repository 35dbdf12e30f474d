"""The shipped checkpoints (cnn_lectures.checkpoints): they load, match their builders, still score."""

import json

import pytest

from cnn_lectures.checkpoints import (
    NAMES,
    checkpoint_paths,
    load_checkpoint,
    read_manifest,
    stale_reasons,
    train_checkpoint,
)
from cnn_lectures.data.archive import has_kaggle_files
from cnn_lectures.data.loader import default_kaggle_dir


@pytest.fixture(scope="module")
def kaggle_data():
    from cnn_lectures.data import load_digit_recognizer

    folder = default_kaggle_dir()
    if folder is None or not has_kaggle_files(folder):
        pytest.skip("Kaggle's files are not here: a checkpoint's accuracy is only re-scored on them")
    return load_digit_recognizer(folder, source="kaggle")


@pytest.mark.parametrize("name", NAMES)
def test_each_checkpoint_is_shipped_with_a_complete_manifest(name):
    manifest = read_manifest(name)
    assert manifest["preset"] == name
    assert 0.9 < manifest["val_accuracy"] <= 1 and manifest["val_images"] == 4200
    assert {"tensorflow", "keras", "cnn_lectures"} <= set(manifest["versions"])
    assert len(manifest["data_fingerprint"]) == 16


@pytest.mark.parametrize("name", NAMES)
def test_each_checkpoint_loads_safely_and_has_its_builders_layers(name):
    assert stale_reasons(name) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_checkpoint_still_scores_its_manifests_accuracy_on_kaggles_split(name, kaggle_data):
    assert stale_reasons(name, kaggle_data) == []


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory, sample_digits):
    folder = tmp_path_factory.mktemp("pretrained")
    manifest = train_checkpoint("lecture", sample_digits, folder=folder, epochs=1, verbose=0)
    return folder, manifest


@pytest.mark.slow
def test_train_checkpoint_writes_a_model_and_its_manifest(tiny_checkpoint):
    folder, manifest = tiny_checkpoint
    model, stored = load_checkpoint("lecture", folder)
    assert stored == manifest and manifest["epochs"] == 1 and manifest["seed"] == 0
    assert manifest["val_images"] + manifest["train_images"] == 4000
    assert model.output_shape == (None, 10)
    assert sorted(p.name for p in folder.iterdir()) == ["lecture.json", "lecture.keras"]


@pytest.mark.slow
def test_a_checkpoint_of_other_data_or_another_accuracy_is_stale(tiny_checkpoint, sample_digits):
    folder, manifest = tiny_checkpoint
    assert stale_reasons("lecture", sample_digits, folder) == []
    manifest_file = checkpoint_paths("lecture", folder)[1]
    try:
        manifest_file.write_text(json.dumps({**manifest, "val_accuracy": manifest["val_accuracy"] - 0.01}))
        (reason,) = stale_reasons("lecture", sample_digits, folder)
        assert "validation accuracy" in reason and "±3 images" in reason
        manifest_file.write_text(json.dumps({**manifest, "data_fingerprint": "0" * 16}))
        (reason,) = stale_reasons("lecture", sample_digits, folder)
        assert "trained on data 0000000000000000" in reason
    finally:
        manifest_file.write_text(json.dumps(manifest))


@pytest.mark.slow
def test_a_checkpoint_of_another_architecture_is_stale(tmp_path, tiny_checkpoint):
    from cnn_lectures.models import digit_cnn

    _, manifest = tiny_checkpoint
    digit_cnn().save(tmp_path / "lecture.keras")  # a lecture.keras that is not the lecture CNN
    (tmp_path / "lecture.json").write_text(json.dumps(manifest))
    (reason,) = stale_reasons("lecture", None, tmp_path)
    assert "layers differ from lecture_cnn()" in reason


def test_a_missing_checkpoint_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="make models"):
        load_checkpoint("best", tmp_path)
    with pytest.raises(ValueError, match="Unknown checkpoint 'huge'"):
        load_checkpoint("huge")
