"""cnn_lectures.distribute: the Keras version check and the fence around Keras internals.

Training under strategies (one machine, several workers) is tested in tests/test_distributed.py."""

import ast
from pathlib import Path

import keras
import pytest
import tensorflow as tf

from cnn_lectures import distribute

PACKAGE = Path(distribute.__file__).resolve().parent


@pytest.mark.parametrize("version", ["3.15.1", "3.14.1", "3.13.2"])
def test_tested_keras_versions_pass(version):
    assert distribute.check_keras_version(version) == version


@pytest.mark.parametrize("version", ["3.16.0", "3.12.4", "4.0.0", "2.15.0"])
def test_other_keras_versions_fail_with_what_to_do(version):
    with pytest.raises(distribute.UnsupportedKerasError, match=rf"Received: keras {version}\. Install a tested Keras"):
        distribute.check_keras_version(version)


def test_the_installed_keras_is_one_the_patch_was_tested_against():
    # Fails when an upgrade outruns TESTED_KERAS: rerun tests/test_distributed.py, then widen both pins.
    distribute.check_keras_version(keras.__version__)


def test_one_machine_strategies_and_none_are_not_multi_worker():
    assert not distribute.is_multi_worker(None)
    assert not distribute.is_multi_worker(tf.distribute.get_strategy())
    assert distribute.check_strategy(None) is None
    with pytest.raises(TypeError, match="Received: strategy='mirrored'"):
        distribute.check_strategy("mirrored")


def private_keras_imports(path):
    """Names of ``keras.src`` modules imported anywhere in the file (at the top or inside functions)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("keras.src"):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("keras.src")]
    return found


def test_only_distribute_imports_private_keras_modules():
    offenders = {
        str(path.relative_to(PACKAGE)): names
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "distribute.py" and (names := private_keras_imports(path))
    }
    assert offenders == {}
    assert private_keras_imports(PACKAGE / "distribute.py") == ["keras.src.backend.tensorflow"]
