"""Compiles the translation catalogues (``.po`` → ``.mo``) whenever the package is built.

Everything else is in ``pyproject.toml``. Without this, only ``make`` compiled them: a plain
``pip install`` (wheel or editable) left them out, and French registrants got English mail.
``build_py`` runs for a wheel and for an editable install alike; the ``.mo`` files are written
beside the ``.po`` files and shipped as package data.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TRANSLATIONS = Path(__file__).resolve().parent / "eventsvc" / "translations"


def compile_catalogues() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


class BuildPyWithCatalogues(build_py):
    def run(self):
        compile_catalogues()
        super().run()


setup(cmdclass={"build_py": BuildPyWithCatalogues})
