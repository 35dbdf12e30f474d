"""The Python examples in the README and docs/ name only what the package really has.

Each ```python block is parsed; every ``from cnn_lectures... import name`` must import and
``name`` must exist, and every ``import cnn_lectures.x`` must import. A renamed or removed
function then fails here, not in a reader's terminal (docs/distributed_training.md once
imported ``train_preset`` from a module that no longer had it).
"""

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(path):
    """``(line number, source)`` of each ```python block in ``path``."""
    text = path.read_text(encoding="utf-8")
    return [(text[: match.start()].count("\n") + 2, match.group(1)) for match in BLOCK.finditer(text)]


def package_imports(source):
    """``(module, name or None, line)`` for each import of cnn_lectures in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "cnn_lectures":
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names if alias.name.startswith("cnn_lectures")]
    return found


BLOCKS = [(path, line, source) for path in DOCUMENTS for line, source in python_blocks(path)]


def test_the_documents_have_python_examples():
    assert len(BLOCKS) >= 3, [str(path) for path in DOCUMENTS]


@pytest.mark.parametrize(
    ("path", "line", "source"), BLOCKS, ids=[f"{p.relative_to(ROOT)}:{line}" for p, line, _ in BLOCKS]
)
def test_example_imports_exist(path, line, source):
    try:
        imports = package_imports(source)
    except SyntaxError as error:
        pytest.fail(f"{path.relative_to(ROOT)}:{line + (error.lineno or 1) - 1}: not valid Python: {error.msg}")
    for module, name, offset in imports:
        where = f"{path.relative_to(ROOT)}:{line + offset - 1}"
        try:
            imported = importlib.import_module(module)
        except ImportError as error:
            pytest.fail(f"{where}: `{module}` does not import: {error}")
        if name is not None and name != "*" and not hasattr(imported, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ImportError:
                pytest.fail(f"{where}: `{module}` has no `{name}`")


def test_the_check_catches_a_missing_name():
    source = "from cnn_lectures.training import train_preset\n"
    ((module, name, _),) = package_imports(source)
    assert not hasattr(importlib.import_module(module), name)
