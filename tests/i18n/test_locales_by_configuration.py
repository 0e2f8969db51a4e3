"""A fourth locale added by configuration: SUPPORTED_LOCALES plus a catalogue (issues 15 and 17).

The app boots with German configured and a tiny German catalogue (a handful of strings, compiled
by Babel as ``make translations`` would; everything else falls back to English), runs
``make run``'s steps (``init-db``, ``demo-data --once``, ``where``), and then every page a
visitor, a registrant and an organiser can reach by following links renders in German
(``<html lang="de">``), with the events' texts in the language they fall back to, marked with
that language. A published event stays editable, and mail to a German reader marks its fallback
title too and says so in German.
"""

import email
import json
from email import policy
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from bs4 import BeautifulSoup
from sqlalchemy import select

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus, Registration, Role
from eventsvc.services.organisers import NewOrganiser, create_organiser
from eventsvc.services.tokens import make_token
from eventsvc.unit_of_work import unit_of_work
from tests.clients import IsolatedClient

DEMO_FILE = Path(__file__).resolve().parents[2] / "eventsvc" / "demo" / "events.json"

EXTRA = "de"  # no catalogue is shipped for it, and the demo has no German text
PASSWORD = "correct horse battery staple"
#: The tiny catalogue a volunteer would start with (docs/translating.md).
GERMAN = {
    "Register": "Anmelden",
    "Upcoming events": "Kommende Veranstaltungen",
    "Registration confirmed: %(title)s": "Anmeldung bestätigt: %(title)s",
    "This event has no text in %(language)s yet: it is shown in %(other)s.": (
        "Diese Veranstaltung hat noch keinen Text auf %(language)s: sie wird auf %(other)s gezeigt."
    ),
}


def compile_catalogue(directory: Path, locale: str, messages: dict[str, str]) -> Path:
    """``messages.mo`` for ``locale`` under ``directory``, compiled by Babel."""
    catalogue = Catalog(locale=locale)
    for msgid, msgstr in messages.items():
        catalogue.add(msgid, msgstr)
    target = directory / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as mo:
        write_mo(mo, catalogue)
    return directory


@pytest.fixture
def app(tmp_path, monkeypatch):
    """Like the suite's ``app``, but an empty SQLite file migrated by ``init-db``, as ``make run``
    does, instead of the suite's ready-made schema."""
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    extra_catalogues = compile_catalogue(tmp_path / "translations", EXTRA, GERMAN)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'run.sqlite3'}",
            "SUPPORTED_LOCALES": ["en", "fr", EXTRA],
            "BABEL_TRANSLATION_DIRECTORIES": f"translations;{extra_catalogues}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": None,
            "CALENDAR_DOMAIN": "events.test",
            "PUBLIC_BASE_URL": "http://events.test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        runner = app.test_cli_runner()
        for command in (["init-db"], ["demo-data", "--once"], ["where"]):
            result = runner.invoke(args=command)
            assert result.exit_code == 0, (command, result.output)
        yield app
        db.session.remove()
        db.engine.dispose()


def _event(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _crawl(client, start: list[str], inside) -> dict[str, BeautifulSoup]:
    """Every HTML page reachable by links from ``start`` whose path ``inside`` accepts, each
    asserted to answer 200."""
    pages: dict[str, BeautifulSoup] = {}
    queue, seen = list(start), set(start)
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        assert response.status_code == 200, url
        if response.mimetype != "text/html":
            continue
        soup = pages[url] = _soup(response)
        for link in soup.find_all("a", href=True):
            target, _fragment = urldefrag(urljoin(url, link["href"]))
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or not inside(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def _public_path(path: str) -> bool:
    return path.startswith(f"/{EXTRA}/") and not path.endswith(".ics")


def _organiser_path(path: str) -> bool:
    skipped = ("/export", ".csv", ".xlsx", ".ics", "/logout")
    return path.startswith("/organiser/") and not any(part in path for part in skipped)


def test_the_demo_loads_and_every_public_page_renders_with_fallback_texts(app):
    client = app.test_client()
    pages = _crawl(client, [f"/{EXTRA}/", f"/{EXTRA}/privacy"], _public_path)

    assert all(soup.html["lang"] == EXTRA for soup in pages.values()), [
        url for url, soup in pages.items() if soup.html["lang"] != EXTRA
    ]
    events = list(db.session.scalars(select(Event)))
    assert len(events) == len(json.loads(DEMO_FILE.read_text())["events"])
    for event in events:
        page = pages[f"/{EXTRA}/events/{event.slug}"]
        shown = event.content(EXTRA)
        # No German text: the floor language's (French for the launch, English for the others;
        # the Spanish texts are not loaded, Spanish not being configured here).
        assert shown.locale == (event.floor_language if event.floor_language != "es" else "en")
        title = page.select_one("h1#event-title")
        assert (title.get_text(strip=True), title["lang"]) == (shown.title, shown.locale)
        assert page.select_one("p.lead")["lang"] == shown.locale
        assert page.select_one(".event-description div")["lang"] == shown.locale
        notice = page.select_one(".text-fallback").get_text(" ", strip=True)
        # The catalogue's words, language names from CLDR in German.
        fallback = {"fr": "Französisch", "en": "Englisch"}[shown.locale]
        assert notice == (
            "Diese Veranstaltung hat noch keinen Text auf Deutsch: "
            f"sie wird auf {fallback} gezeigt."
        )
    launch = pages[f"/{EXTRA}/events/gps-ecce-launch"]
    partners = launch.select("ul.partners li")
    assert partners and all(item["lang"] == "en" for item in partners)
    assert pages[f"/{EXTRA}/"].find(string="Kommende Veranstaltungen") is not None
    cards = pages[f"/{EXTRA}/"].select(".card-title")
    assert cards and all(card["lang"] in ("en", "fr") for card in cards)


def test_a_registrant_in_the_extra_locale_gets_its_pages_and_mail_with_fallback_texts(app):
    client = app.test_client()
    launch = _event("gps-ecce-launch")
    event_page = _soup(client.get(f"/{EXTRA}/events/{launch.slug}"))
    form = event_page.select_one("form.registration-form")
    data = _form_values(form)
    assert data["language"] == EXTRA  # the page's language is the registrant's by default
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Anmelden"
    data.update(full_name="Hanna Berg", email="hanna@example.org", country="DE", consent="y")

    registered = client.post(form["action"], data=data)

    assert registered.status_code == 303, _soup(registered).select(".errors")
    thanks = _soup(client.get(registered.headers["Location"]))
    assert thanks.html["lang"] == EXTRA
    assert thanks.select_one("p.lead")["lang"] == "fr"
    person = db.session.scalar(
        select(Registration).where(Registration.email == "hanna@example.org")
    )
    assert person.language == EXTRA

    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    mail = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(Path(app.instance_path, "mail").glob("*.eml"))
    ]
    assert [m["To"].addresses[0].addr_spec for m in mail] == [person.email]
    assert mail[0]["Content-Language"] == EXTRA
    assert mail[0]["Subject"] == f"Anmeldung bestätigt: {launch.content('fr').title}"
    html = BeautifulSoup(mail[0].get_body(("html",)).get_content(), "html.parser")
    assert html.html["lang"] == EXTRA
    title = html.find("td", string=launch.content("fr").title)
    assert title is not None and title["lang"] == "fr"
    assert html.select_one(".text-fallback").get_text(strip=True) == (
        "Diese Veranstaltung hat noch keinen Text auf Deutsch: sie wird auf Französisch gezeigt."
    )

    token = make_token(person)
    pages = _crawl(client, [f"/{EXTRA}/registrations/{token}"], _public_path)
    assert all(soup.html["lang"] == EXTRA for soup in pages.values())
    personal = pages[f"/{EXTRA}/registrations/{token}"]
    assert personal.select_one(".registration-summary dd")["lang"] == "fr"
    cancelled = client.post(f"/{EXTRA}/registrations/{token}/cancel")
    assert cancelled.status_code == 303
    assert _soup(client.get(cancelled.headers["Location"])).html["lang"] == EXTRA


def test_every_organiser_page_renders_and_a_published_event_stays_editable(app):
    with unit_of_work():
        admin = create_organiser(
            NewOrganiser(email="ada@example.org", password=PASSWORD, name="Ada", role=Role.ADMIN)
        )
    client = app.test_client()
    signed_in = client.post("/organiser/login", data={"email": admin.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(f"/locale/{EXTRA}?next=/organiser/").status_code == 302

    pages = _crawl(client, ["/organiser/"], _organiser_path)

    assert len(pages) > 20
    # The workspace in German; each preview in the language it previews.
    expected = {url: url.split("/preview/")[1] if "/preview/" in url else EXTRA for url in pages}
    assert {url: soup.html["lang"] for url, soup in pages.items()} == expected
    preview = pages["/organiser/events/gps-ecce-launch/preview/de"]
    assert preview.select_one("h1#event-title")["lang"] == "fr"
    editor = pages["/organiser/events/gps-ecce-launch/edit"]
    columns = {
        column["lang"]: column.select_one(".required-locale") is not None
        for column in editor.select(".locale-column")
    }
    assert columns == {"en": True, "fr": True, EXTRA: False}
    title = pages["/organiser/events/gps-ecce-launch"].select_one("h1 span")
    assert title["lang"] == "fr"

    form = _form_values(editor.select_one("form.event-form"))
    form.update({"en-summary": "A new summary, and still no German.", "confirmed": "1"})
    saved = client.post("/organiser/events/gps-ecce-launch/edit", data=form)

    assert saved.status_code == 302, _soup(saved).select_one(".error-summary")
    db.session.expire_all()
    launch = _event("gps-ecce-launch")
    assert launch.status == EventStatus.PUBLISHED
    assert launch.content("en").summary == "A new summary, and still no German."
    assert launch.publish_locales == ["en", "fr"]


def _form_values(form) -> dict[str, str | list[str]]:
    """What a browser would submit for ``form`` untouched (its submit buttons left out)."""
    values: dict[str, list[str]] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button"):
            continue
        if field.name == "textarea":
            chosen = [field.get_text()]
        elif field.name == "select":
            chosen = [o.get("value", o.get_text()) for o in field.find_all("option", selected=True)]
        elif field.get("type") in ("checkbox", "radio"):
            chosen = [field.get("value", "y")] if field.has_attr("checked") else []
        else:
            chosen = [field.get("value", "")]
        values.setdefault(name, []).extend(chosen)
    return {name: v if len(v) > 1 else v[0] for name, v in values.items() if v}
