"""Tests and benchmarks share ``testkit/``; the tests never import the benchmarks."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_no_test_imports_the_benchmarks():
    offenders = {
        f"{path.relative_to(TESTS)}: {module}"
        for path in TESTS.rglob("*.py")
        for module in _imported_modules(path)
        if module == "bench" or module.startswith("bench.")
    }
    assert not offenders


def test_no_test_imports_a_conftest():
    """Fixtures are shared through tests/conftest.py, helpers through modules of their own."""
    offenders = {
        f"{path.relative_to(TESTS)}: {module}"
        for path in TESTS.rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("tests.") and module.split(".")[-1] == "conftest"
    }
    assert not offenders
