"""Every shipped catalogue (French, and Spanish before it is enabled) knows every interface string,
translates each one with the msgid's placeholders, and follows its language's typography."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
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


def shipped_locales() -> list[str]:
    """Every catalogue in the package, enabled or not: Spanish is checked before it is enabled."""
    return sorted(
        path.parent.parent.name for path in CATALOGUE_DIR.glob("*/LC_MESSAGES/messages.po")
    )


def forms(message) -> list[tuple[str, str]]:
    """(source, translation) pairs: a plural's first form answers msgid, the others the plural."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    return [(message.id[0 if n == 0 else 1], text) for n, text in enumerate(message.string)]


def test_every_enabled_locale_ships_a_catalogue():
    assert set(translated_locales()) <= set(shipped_locales())
    assert {"fr", "es"} <= set(shipped_locales())


@pytest.mark.parametrize("locale", shipped_locales())
def test_every_source_string_is_in_the_catalogue(locale):
    known = {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in catalogue(locale)
    }
    missing = sorted(source_msgids() - known, key=str)
    assert not missing, f"run `make extract` and translate: {missing[:20]}"


@pytest.mark.parametrize("locale", shipped_locales())
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


PLACEHOLDER = re.compile(r"%\((\w+)\)([sdifr])")


@pytest.mark.parametrize("locale", shipped_locales())
def test_every_catalogue_compiles_without_an_error(locale):
    """What ``pybabel compile`` checks (python-format placeholders, plural forms), read through
    Babel's own checkers, and the compiled catalogue written as ``make translations`` would."""
    parsed = catalogue(locale)
    problems = [
        f"{message.id!r}: {error}" for message, errors in parsed.check() for error in errors
    ]
    assert not problems, "\n".join(problems)
    compiled = io.BytesIO()
    write_mo(compiled, parsed)
    assert compiled.getbuffer().nbytes > 1000


@pytest.mark.parametrize("locale", shipped_locales())
def test_translations_keep_the_msgids_placeholders(locale):
    """A missing, renamed or retyped ``%(name)s`` raises or drops a value when the text is
    formatted; a lone ``%`` raises too (``%%`` is how a per cent sign is written)."""
    wrong = []
    for message in catalogue(locale):
        if not message.id or not message.python_format:
            continue
        for source, text in forms(message):
            expected = sorted(PLACEHOLDER.findall(source))
            lone = PLACEHOLDER.sub("", text).replace("%%", "")
            if sorted(PLACEHOLDER.findall(text)) != expected or "%" in lone:
                wrong.append((source, text))
    assert not wrong, f"placeholders differ in {locale}: {wrong[:10]}"


@pytest.mark.parametrize("locale", shipped_locales())
def test_translations_keep_the_msgids_markup(locale):
    """Strings rendered as HTML (a link in the privacy lines) keep their tags as written."""
    wrong = [
        (source, text)
        for message in catalogue(locale)
        if message.id
        for source, text in forms(message)
        if sorted(re.findall(r"<[^>]+>", text)) != sorted(re.findall(r"<[^>]+>", source))
    ]
    assert not wrong, wrong[:10]


NBSP = "\u00a0"


def test_french_puts_a_no_break_space_before_high_punctuation_and_inside_guillemets():
    wrong = []
    for message in catalogue("fr"):
        for _, text in forms(message) if message.id else ():
            # Punctuation that ends a clause (followed by a space or the end); a JSON example's
            # {“en”: “…”} keeps its code spacing.
            before = re.findall(r"([^”])([:;?!»])(?=\s|$)", text)
            if any(char != NBSP for char, _ in before) or re.search(f"«[^{NBSP}]", text):
                wrong.append(text)
    assert not wrong, wrong[:10]


def test_spanish_typography_opens_questions_and_exclamations_and_spaces_nothing_before_them():
    wrong = []
    for message in catalogue("es"):
        for _, text in forms(message) if message.id else ():
            if (
                re.search(r"[\s\u00a0][:;?!»]|«[\s\u00a0]", text)
                or text.count("¿") != text.count("?")
                or text.count("¡") != text.count("!")
                or re.search(r"[¿¡][^?!]*$", text)  # opened and never closed
                or "’" in text
                or "'" in text
            ):
                wrong.append(text)
    assert not wrong, wrong[:10]


#: Spanish strings read without placeholders, markup, addresses and commands.
NOT_PROSE = re.compile(r"%\(\w+\)[sd]|<[^>]+>|\S+://\S*|\S+@\S+|\(flask [^)]*\)")


def spanish_prose():
    for message in catalogue("es"):
        for source, text in forms(message) if message.id else ():
            yield source, NOT_PROSE.sub(" ", text)


def test_spanish_addresses_readers_as_usted_and_says_correo_electronico():
    """The network writes to teachers and officials: usted throughout, no tú forms, no anglicism."""
    wrong = [
        text
        for _, text in spanish_prose()
        if re.search(r"\b(tú|tu|tus|te|ti|contigo|e-?mails?|mails?)\b", text, re.IGNORECASE)
    ]
    assert not wrong, wrong[:10]


@pytest.mark.parametrize(
    "english, spanish",
    [
        (r"\bwaitlist", "lista de espera"),
        (r"\bspeakers?\b", "ponentes"),
        (r"\bnewsletter\b", "boletín"),
        (r"\binterpretation\b", "interpretación"),
        (r"\bpersonal link\b", "enlace personal"),
    ],
)
def test_spanish_uses_the_networks_vocabulary(english, spanish):
    wrong = [
        (source, text)
        for source, text in spanish_prose()
        if re.search(english, source, re.IGNORECASE) and spanish not in text.lower()
    ]
    assert not wrong, wrong[:10]


class TestWithSpanishConfigured:
    """``es`` is not enabled by default yet (slice D makes a locale without content safe); an app
    that configures it serves the catalogue: the mail, its dates and language names, the pages."""

    @pytest.fixture
    def app_config(self):
        return {"SUPPORTED_LOCALES": ["en", "fr", "es"]}

    @pytest.fixture
    def spanish_event(self, make_event):
        return make_event(
            slug="derecho-al-cuidado",
            floor_language="es",
            title={
                "en": "The right to care",
                "fr": "Le droit aux soins",
                "es": "El derecho al cuidado",
            },
        )

    def test_a_spanish_registrant_gets_a_spanish_confirmation(
        self, spanish_event, make_registration
    ):
        import email
        import email.policy

        from eventsvc.extensions import db
        from eventsvc.mail import messages
        from eventsvc.models import MessageKind, OutboxMessage

        make_registration(spanish_event, full_name="Lucía Pérez", language="es")
        kind = OutboxMessage.kind == MessageKind.CONFIRMATION
        outbox = db.session.scalars(db.select(OutboxMessage).where(kind)).one()
        message = email.message_from_bytes(
            messages.build(outbox).as_bytes(), policy=email.policy.default
        )

        assert message["Subject"] == "Inscripción confirmada: El derecho al cuidado"
        text = message.get_body(("plain",)).get_content()
        assert "Hola, Lucía Pérez:" in text
        assert "Su plaza está confirmada." in text
        assert "domingo, 6 de diciembre de 2026" in text  # Babel's Spanish dates
        assert "Interpretación: inglés y francés" in text  # and language names
        html = message.get_body(("html",)).get_content()
        assert '<html lang="es" dir="ltr">' in html
        assert "Entrar en la reunión" in html

    def test_the_public_pages_speak_spanish(self, client, spanish_event):
        from bs4 import BeautifulSoup

        page = client.get("/es/events/derecho-al-cuidado")
        assert page.status_code == 200
        doc = BeautifulSoup(page.get_data(as_text=True), "html.parser")
        assert doc.html["lang"] == "es"
        assert doc.h1.get_text(strip=True) == "El derecho al cuidado"
        assert "Inscribirse" in {b.get_text(strip=True) for b in doc.select("button")}


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
