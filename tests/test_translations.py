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


def test_start_up_logs_an_error_for_a_locale_without_compiled_catalogue(
    tmp_path, caplog, monkeypatch
):
    from eventsvc import create_app

    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    catalogues = tmp_path / "translations"
    (catalogues / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (catalogues / "fr" / "LC_MESSAGES" / "messages.po").write_text("")
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "BABEL_TRANSLATION_DIRECTORIES": str(catalogues),
        "SUPPORTED_LOCALES": ["en", "fr"],
    }
    with caplog.at_level("ERROR", logger="eventsvc.i18n"):
        create_app(config)
    assert [r.getMessage() for r in caplog.records if "'fr'" in r.getMessage()]

    caplog.clear()
    (catalogues / "fr" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    with caplog.at_level("ERROR", logger="eventsvc.i18n"):
        create_app(config)
    assert caplog.records == []


FRESH_INSTALL_SCRIPT = """
import sys
from datetime import timedelta

from eventsvc import clock, create_app
from eventsvc.extensions import db

app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1]})
with app.app_context():
    from eventsvc.mail import messages
    from eventsvc.models import Event, EventStatus, MessageKind, OutboxMessage
    from eventsvc.services.inputs.registration import RegistrationInput
    from eventsvc.services.registrations import register

    db.create_all()
    start = clock.now() + timedelta(days=30)
    event = Event(slug="gps", starts_at=start, ends_at=start + timedelta(hours=1),
                  floor_language="fr", status=EventStatus.PUBLISHED, timezone="Europe/Paris")
    for locale, title in (("en", "Launch"), ("fr", "Lancement")):
        event.set_content(locale, title=title, summary="", description="")
    db.session.add(event)
    db.session.commit()
    register(event, RegistrationInput(full_name="Amina", email="amina@example.org", language="fr"))
    kind = OutboxMessage.kind == MessageKind.CONFIRMATION
    message = db.session.scalars(db.select(OutboxMessage).where(kind)).one()
    sys.stdout.buffer.write(messages.build(message).as_bytes())
"""


@pytest.mark.slow
def test_a_fresh_install_sends_french_registrants_french_mail(tmp_path):
    """docs/production.md's install (a venv, ``pip install -e .``) from a clone that has never
    run ``make``: the build compiles the catalogues, so the confirmation comes out in French."""
    import email
    import email.policy
    import shutil
    import subprocess
    import sys

    source = tmp_path / "checkout"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "node_modules",
            "*.mo",
            "instance",
            "*.egg-info",
            "__pycache__",
            "bench",
            "test-results",
            ".*_cache",
        ),
    )
    assert not list(source.glob("eventsvc/translations/*/LC_MESSAGES/*.mo"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "-e", str(source)],
        check=True,
        capture_output=True,
    )
    built = subprocess.run(
        [str(venv / "bin" / "python"), "-c", FRESH_INSTALL_SCRIPT, str(tmp_path / "db.sqlite3")],
        capture_output=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "EVENTSVC_INSTANCE_PATH": str(tmp_path / "instance")},
    )
    assert built.returncode == 0, built.stderr.decode()
    message = email.message_from_bytes(built.stdout, policy=email.policy.default)

    assert message["Subject"] == "Inscription confirmée\u00a0: Lancement"
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour" in text or "inscription" in text.lower()
    assert "Registration confirmed" not in text
