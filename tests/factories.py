"""What the tests make, in one place: events, partners, registrations, organiser accounts, the
forms people post and the import files organisers send.

The fixtures of ``tests/conftest.py`` (``make_event``, ``make_registration``, ``form_data``…)
call these; a test may call them directly too.
"""

import copy
import itertools
import json
import re
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail.dispatcher import expand_all
from eventsvc.models import (
    Event,
    EventPartner,
    EventStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Partner,
    Registration,
    RegistrationStatus,
    Role,
)
from eventsvc.services import broadcasts
from eventsvc.services.events import EventData
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.organisers import NewOrganiser, create_organiser
from eventsvc.services.registrations import register
from eventsvc.unit_of_work import unit_of_work

_numbers = itertools.count(1)


# --- events and partners ------------------------------------------------------------------------


def create_partner(acronym="OMEP", **kw) -> Partner:
    partner = Partner(acronym=acronym, website=kw.pop("website", "https://omep.org"))
    for locale in ("en", "fr"):
        partner.set_text(locale, name=kw.get("name", f"{acronym} ({locale})"), description="")
    db.session.add(partner)
    db.session.commit()
    return partner


def create_event(
    slug=None,
    start="2026-12-06T13:30",
    end="2026-12-06T14:30",
    timezone="Europe/Paris",
    status=EventStatus.PUBLISHED,
    capacity=None,
    registration_closes=None,
    partners=(),
    floor_language="fr",
    interpretation_languages=("en", "fr"),
    online_url="https://meet.example.org/gps-launch",
    title=None,
) -> Event:
    """An event; wall times are in ``timezone``. Defaults: the GPS launch, published."""
    slug = slug or f"event-{next(_numbers)}"
    event = Event(
        slug=slug,
        timezone=timezone,
        starts_at=clock.to_instant(clock.parse_wall(start), timezone),
        ends_at=clock.to_instant(clock.parse_wall(end), timezone),
        floor_language=floor_language,
        interpretation_languages=list(interpretation_languages),
        online_url=online_url,
        capacity=capacity,
        status=status,
        registration_closes_at=(
            clock.to_instant(clock.parse_wall(registration_closes), timezone)
            if registration_closes
            else None
        ),
    )
    titles = title or {"en": f"Launch of {slug}", "fr": f"Lancement de {slug}"}
    for locale, text in titles.items():
        event.set_content(
            locale,
            title=text,
            summary=f"Summary {locale}",
            description=f"**Description** {locale}",
        )
    for position, partner in enumerate(partners):
        event.partner_links.append(EventPartner(partner=partner, position=position))
    db.session.add(event)
    db.session.flush()
    # What ``services.events`` does on publishing: the event's reminders, one row per offset.
    broadcasts.sync_reminders(event)
    db.session.commit()
    return event


def gps_launch_data(**changes) -> EventData:
    """The GPS launch as an organiser would type it, published, both locales complete."""
    data = EventData(
        slug="gps-ecce-launch",
        timezone="Europe/Paris",
        start=clock.parse_wall("2026-12-06T13:30"),
        end=clock.parse_wall("2026-12-06T14:30"),
        texts={
            "en": {
                "title": "Launch of the Global Partnership Strategy",
                "summary": "An online launch with UNESCO and ECDAN.",
                "description": "Five strategies.",
            },
            "fr": {
                "title": "Lancement de la Stratégie de partenariat mondial",
                "summary": "Un lancement en ligne avec l’UNESCO et l’ECDAN.",
                "description": "Cinq stratégies.",
            },
        },
        floor_language="fr",
        interpretation_languages=["en", "fr"],
        online_url="https://meet.example.org/gps-launch",
        capacity=None,
        registration_closes=clock.parse_wall("2026-12-06T13:00"),
        partners=[],
        status=EventStatus.PUBLISHED,
    )
    return replace(data, **changes)


# --- registrations and the registration form ---------------------------------------------------


def register_someone(event, email=None, language="fr", **kw):
    """Register someone through the domain service, as the form would."""
    n = next(_numbers)
    data = RegistrationInput(
        full_name=kw.pop("full_name", f"Participant {n}"),
        email=email or f"person{n}@example.org",
        language=language,
        **kw,
    )
    with unit_of_work():
        return register(event, data).registration


def register_people(event, people) -> dict:
    """Register each of ``people`` (dicts of email, name, language, country: the sample attendance
    reports' roster), through the service; the registrations by address."""
    return {
        person["email"]: register_someone(
            event,
            email=person["email"],
            full_name=person["name"],
            language=person["language"],
            country=person["country"],
        )
        for person in people
    }


def bulk_registrations(event, n: int, status=RegistrationStatus.CONFIRMED, languages=("fr", "en")):
    """``n`` registrations of ``event`` in one statement (for audiences of thousands), the
    event's seat count kept as the services keep it. Returns their ids in order."""
    start = next(_numbers) * 1_000_000
    rows = [
        {
            "event_id": event.id,
            "status": status,
            "full_name": f"Bulk {start + i}",
            "email": f"bulk{start + i}@example.org",
            "email_normalised": f"bulk{start + i}@example.org",
            "language": languages[i % len(languages)],
        }
        for i in range(n)
    ]
    before = db.session.scalar(select(func.max(Registration.id))) or 0
    db.session.execute(insert(Registration), rows)
    if status == RegistrationStatus.CONFIRMED:
        events = Event.__table__
        db.session.execute(
            update(events)
            .where(events.c.id == event.id)
            .values(confirmed_seats=events.c.confirmed_seats + n)
        )
    db.session.commit()
    return list(
        db.session.scalars(
            select(Registration.id)
            .where(Registration.event_id == event.id, Registration.id > before)
            .order_by(Registration.id)
        )
    )


def registration_form(**overrides) -> dict[str, str]:
    """A valid registration form as the public page posts it; ``None`` removes a field."""
    data = {
        "full_name": "Amina Diallo",
        "email": "amina@example.org",
        "organisation": "OMEP Sénégal",
        "country": "SN",
        "language": "fr",
        "interpretation_language": "floor",
        "question_for_speakers": "",
        "consent": "y",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def new_registrant_form(**overrides) -> dict[str, str]:
    """``registration_form`` for a person not seen before (numbered name and address), with no
    interpretation preference."""
    n = next(_numbers)
    return registration_form(
        **{
            "full_name": f"Awa Diop {n}",
            "email": f"awa.diop{n}@example.org",
            "interpretation_language": "",
            **overrides,
        }
    )


# --- organiser accounts -------------------------------------------------------------------------

#: The tests' frozen "now" (the autouse ``frozen_clock`` fixture of tests/conftest.py).
DEFAULT_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

PASSWORD = "correct horse battery staple"


def create_account(
    email="olga@example.org", name="Olga Organiser", role=Role.ORGANISER, password=PASSWORD
):
    with unit_of_work():
        return create_organiser(NewOrganiser(email=email, password=password, name=name, role=role))


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/organiser/login", data={"email": email, "password": password})


def csrf_token_of(html: str) -> str:
    """The CSRF token in a page's form (tests run with ``WTF_CSRF_ENABLED``, as in production)."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_in_with_token(client, email: str, password: str = PASSWORD):
    """Sign in as the login page does when CSRF protection is on: its token, then the post."""
    token = csrf_token_of(client.get("/organiser/login").text)
    return client.post(
        "/organiser/login", data={"email": email, "password": password, "csrf_token": token}
    )


# --- import documents ---------------------------------------------------------------------------

PARTNERS = [
    {
        "acronym": "OMEP",
        "website": "https://omep.org",
        "name": {
            "en": "World Organization for Early Childhood Education",
            "fr": "Organisation mondiale pour l’éducation préscolaire",
        },
        "description": {"en": "Early childhood rights.", "fr": "Droits de la petite enfance."},
    },
    {
        "acronym": "UNESCO",
        "website": "https://www.unesco.org",
        "name": {"en": "UNESCO", "fr": "UNESCO"},
    },
]

GPS_LAUNCH = {
    "slug": "gps-ecce-launch",
    "timezone": "Europe/Paris",
    "start": "2026-12-06T13:30",
    "end": "2026-12-06T14:30",
    "title": {"en": "Launch of the GPS", "fr": "Lancement de la GPS"},
    "summary": {"en": "Online launch.", "fr": "Lancement en ligne."},
    "description": {"en": "- five strategies", "fr": "- cinq stratégies"},
    "floor_language": "fr",
    "interpretation_languages": ["en", "fr"],
    "partners": ["OMEP", "UNESCO"],
    "online_url": "https://meet.example.org/gps",
    "capacity": 500,
    "registration_closes": "2026-12-06T13:00",
    "status": "published",
}


def document(events=None, file_partners=None, **event_changes) -> dict:
    """A file with the two partners and the GPS launch (changed by ``event_changes``)."""
    launch = copy.deepcopy(GPS_LAUNCH)
    launch.update(event_changes)
    return {
        "partners": copy.deepcopy(PARTNERS) if file_partners is None else file_partners,
        "events": [launch] if events is None else events,
    }


def as_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


def pending(kind: MessageKind, event=None) -> list[OutboxMessage]:
    """The unsent rows of ``kind``, once the worker has written the deliveries of every message
    to many that is due (as it does before each batch it sends)."""
    expand_all()
    query = select(OutboxMessage).where(
        OutboxMessage.kind == kind, OutboxMessage.status == MessageStatus.PENDING
    )
    if event is not None:
        query = query.where(OutboxMessage.event_id == event.id)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def valid_import_document() -> dict:
    """A small file the importer accepts: one partner, one event."""
    return {
        "partners": [
            {
                "acronym": "OMEP",
                "website": "https://omep.org",
                "name": {"en": "World Organisation for Early Childhood Education", "fr": "OMEP"},
                "description": {"en": "A network.", "fr": "Un réseau."},
            }
        ],
        "events": [
            {
                "slug": "fuzz-import",
                "timezone": "Europe/Paris",
                "start": "2026-12-06T13:30",
                "end": "2026-12-06T14:30",
                "title": {"en": "Launch", "fr": "Lancement"},
                "summary": {"en": "Summary", "fr": "Résumé"},
                "description": {"en": "**Aims**", "fr": "**Objectifs**"},
                "floor_language": "fr",
                "interpretation_languages": ["en", "fr"],
                "partners": ["OMEP"],
                "online_url": "https://meet.example.org/launch",
                "capacity": 500,
                "registration_closes": "2026-12-06T13:00",
                "status": "published",
            }
        ],
    }
