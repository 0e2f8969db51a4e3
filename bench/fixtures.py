"""Data the benchmarks run on: one realistic bilingual webinar, and registrations written fast.

Rows are written with ``executemany`` through SQLAlchemy Core: seeding 100,000 registrations
through the registration service would take minutes and measure nothing of interest.
"""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update

from eventsvc import clock
from eventsvc.extensions import db
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
)

SLUG = "gps-launch"

DESCRIPTIONS = {
    "en": (
        "The **Global Partnership Strategy** for early childhood sets out how networks, "
        "governments and funders will work together until 2030.\n\n"
        "In this webinar the authors present the strategy and answer your questions:\n\n"
        "- what changes for national committees;\n"
        "- how to take part in the regional consultations;\n"
        "- the funding calendar for 2027.\n\n"
        "Interpretation is offered in English, French and Spanish. "
        "[Read the strategy](https://example.org/gps) before the session."
    ),
    "fr": (
        "La **Stratégie de partenariat mondial** pour la petite enfance décrit comment réseaux, "
        "gouvernements et bailleurs travailleront ensemble jusqu’en 2030.\n\n"
        "Pendant ce webinaire, ses auteurs la présentent et répondent à vos questions :\n\n"
        "- ce qui change pour les comités nationaux ;\n"
        "- comment participer aux consultations régionales ;\n"
        "- le calendrier de financement pour 2027.\n\n"
        "Interprétation en anglais, français et espagnol. "
        "[Lire la stratégie](https://example.org/gps) avant la séance."
    ),
}
TITLES = {
    "en": "Launch of the Global Partnership Strategy",
    "fr": "Lancement de la Stratégie de partenariat mondial",
}
SUMMARIES = {
    "en": "The authors present the strategy for 2030 and answer your questions.",
    "fr": "Les auteurs présentent la stratégie pour 2030 et répondent à vos questions.",
}
PARTNERS = {
    "OMEP": {
        "en": "World Organization for Early Childhood Education",
        "fr": "Organisation mondiale pour l’éducation préscolaire",
    },
    "ECDAN": {
        "en": "Early Childhood Development Action Network",
        "fr": "Réseau d’action pour le développement de la petite enfance",
    },
}


def create_event(
    starts_in: timedelta = timedelta(days=30), capacity: int | None = 100_000, slug: str = SLUG
) -> Event:
    """A published webinar on the real clock's future (servers' clocks are not frozen)."""
    wall = (datetime.now(UTC) + starts_in).astimezone(clock.zone("Europe/Paris"))
    starts = wall.replace(second=0, microsecond=0).astimezone(UTC)
    event = Event(
        slug=slug,
        timezone="Europe/Paris",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        floor_language="en",
        interpretation_languages=["fr", "es"],
        online_url="https://meet.example.org/j/81234567890?pwd=launch",
        capacity=capacity,
        status=EventStatus.PUBLISHED,
    )
    for locale in ("en", "fr"):
        event.set_content(
            locale,
            title=TITLES[locale],
            summary=SUMMARIES[locale],
            description=DESCRIPTIONS[locale],
        )
    for position, (acronym, names) in enumerate(PARTNERS.items()):
        partner = db.session.query(Partner).filter_by(acronym=acronym).one_or_none()
        if partner is None:
            partner = Partner(acronym=acronym, website=f"https://{acronym.lower()}.example.org")
            for locale, name in names.items():
                partner.set_text(locale, name=name, description=name)
        event.partner_links.append(EventPartner(partner=partner, position=position))
    db.session.add(event)
    db.session.commit()
    return event


def registration_rows(event_id: int, count: int, start: int = 0) -> list[dict]:
    """``count`` confirmed registrations, half in French, some with an interpretation language."""
    now = datetime.now(UTC)
    rows = []
    for n in range(start, start + count):
        email = f"participant{n}@example.org"
        rows.append(
            {
                "event_id": event_id,
                "status": RegistrationStatus.CONFIRMED,
                "full_name": f"Participant N°{n} Éloïse O’Brien",
                "email": email,
                "email_normalised": email,
                "organisation": "Comité national OMEP" if n % 3 else '=HYPERLINK("x")',
                "country": ("FR", "SN", "BR", "CA", "IN")[n % 5],
                "language": "fr" if n % 2 else "en",
                "interpretation_language": (None, "fr", "es")[n % 3],
                "question_for_speakers": "Comment participer aux consultations régionales ?"
                if n % 4
                else "",
                "newsletter": bool(n % 2),
                "consent_at": now,
                "consent_version": "2026-11",
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def insert_registrations(event_id: int, count: int, batch: int = 10_000) -> None:
    table = Registration.__table__
    for start in range(0, count, batch):
        size = min(batch, count - start)
        db.session.execute(insert(table), registration_rows(event_id, size, start))
    db.session.execute(
        update(Event.__table__)
        .where(Event.__table__.c.id == event_id)
        .values(confirmed_seats=Event.__table__.c.confirmed_seats + count)
    )
    db.session.commit()


def insert_sent_confirmations(event_id: int, sent_ago: timedelta = timedelta(days=2)) -> int:
    """The confirmation every registration of the event got, sent ``sent_ago``: the outbox a
    real event's stored registrations come with; returns how many."""
    registration_ids = db.session.scalars(
        db.select(Registration.id).where(Registration.event_id == event_id)
    ).all()
    then = datetime.now(UTC) - sent_ago
    rows = [
        {
            "kind": MessageKind.CONFIRMATION,
            "status": MessageStatus.SENT,
            "registration_id": registration_id,
            "event_id": event_id,
            "due_at": then,
            "payload": {},
            "message_id": f"<{uuid.uuid4().hex}@events.example.org>",
            "attempts": 1,
            "last_error": "",
            "created_at": then,
        }
        for registration_id in registration_ids
    ]
    for start in range(0, len(rows), 10_000):
        db.session.execute(insert(OutboxMessage.__table__), rows[start : start + 10_000])
    db.session.commit()
    return len(rows)


def insert_due_reminders(event_id: int) -> int:
    """One REMINDER, due now, for every registration of the event; returns how many."""
    registration_ids = db.session.scalars(
        db.select(Registration.id).where(Registration.event_id == event_id)
    ).all()
    now = datetime.now(UTC) - timedelta(seconds=1)
    rows = [
        {
            "kind": MessageKind.REMINDER,
            "status": MessageStatus.PENDING,
            "registration_id": registration_id,
            "event_id": event_id,
            "due_at": now,
            "payload": {"offset": 60},
            "message_id": f"<{uuid.uuid4().hex}@events.example.org>",
            "attempts": 0,
            "last_error": "",
            "created_at": now,
        }
        for registration_id in registration_ids
    ]
    db.session.execute(insert(OutboxMessage.__table__), rows)
    db.session.commit()
    return len(rows)
