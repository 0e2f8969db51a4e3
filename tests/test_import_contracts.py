"""The layers hold: ``lint-imports`` (the contracts in pyproject.toml, also run by ``make lint``)
passes on the code, and fails on a copy of it given one upward or cyclic import."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the package found in ``root`` (not the installed one)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


#: (module, line added to it, what the report then says); one copy gets them all: one run.
UPWARD = [
    # a service reaching up into mail, even from inside a function
    (
        "services/registrations.py",
        "def _late():\n    from eventsvc.mail import messages  # noqa\n",
        "eventsvc.services is not allowed to import eventsvc.mail",
    ),
    # mail reaching up into a blueprint
    (
        "mail/messages.py",
        "from eventsvc.organiser import presenters  # noqa\n",
        "eventsvc.mail is not allowed to import eventsvc.organiser",
    ),
    # the models reaching the services through a shared helper
    (
        "passwords.py",
        "from eventsvc.services import audit  # noqa\n",
        "eventsvc.models is not allowed to import eventsvc.services",
    ),
]


def test_an_upward_import_breaks_the_layers(tmp_path):
    result = lint_imports(copy_with(tmp_path, UPWARD))

    assert result.returncode == 1, result.stdout + result.stderr
    for _module, _added, broken in UPWARD:
        assert broken in result.stdout


def test_a_cycle_between_helpers_breaks_the_acyclic_contract(tmp_path):
    """Neither is in a layer, but i18n already imports clock."""
    cycle = [("clock.py", "from eventsvc import i18n  # noqa\n", "")]

    result = lint_imports(copy_with(tmp_path, cycle))

    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "No import cycle between sibling modules or packages, at any depth BROKEN" in result.stdout
    )
    assert "- .i18n -> .clock" in result.stdout or "- .clock -> .i18n" in result.stdout


def copy_with(root: Path, additions: list[tuple[str, str, str]]) -> Path:
    """A copy of the package's Python files and of pyproject.toml under ``root``, with a line
    added at the end of some modules."""
    shutil.copytree(ROOT / "eventsvc", root / "eventsvc", ignore=_not_python)
    shutil.copy(ROOT / "pyproject.toml", root)
    for module, added, _broken in additions:
        with (root / "eventsvc" / module).open("a") as source:
            source.write("\n\n" + added)
    return root


def _not_python(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name in ("__pycache__", "translations", "migrations")]
