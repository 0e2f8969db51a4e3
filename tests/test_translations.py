"""Every interface string has a French translation, and the catalogue knows every string."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from eventsvc import config

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT / "eventsvc" / "translations"
METHOD_MAP = [
    ("eventsvc/**.py", "python"),
    ("templates/**.html", "jinja2.ext:babel_extract"),
    ("templates/**.txt", "jinja2.ext:babel_extract"),
]
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}


def source_msgids() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string the code and templates translate."""
    found = set()
    for _, _, message, _, context in extract_from_dir(ROOT, METHOD_MAP, keywords=KEYWORDS):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def catalogue(locale: str):
    with open(CATALOGUE_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def translated_locales() -> list[str]:
    """Every supported locale but English, the language the source strings are written in."""
    return [locale for locale in config.SUPPORTED_LOCALES if locale != "en"]


@pytest.mark.parametrize("locale", translated_locales())
def test_every_source_string_is_in_the_catalogue(locale):
    known = {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in catalogue(locale)
    }
    missing = sorted(source_msgids() - known, key=str)
    assert not missing, f"run `make extract` and translate: {missing[:20]}"


@pytest.mark.parametrize("locale", translated_locales())
def test_every_catalogue_entry_is_translated(locale):
    untranslated = [
        message.id
        for message in catalogue(locale)
        if message.id
        and (
            not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
            or message.fuzzy
        )
    ]
    assert not untranslated, f"untranslated or fuzzy in {locale}: {untranslated[:20]}"
