"""Import documents for the tests, built as Python data and serialised as the CLI reads them."""

import copy
import json

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import MessageKind, MessageStatus, OutboxMessage

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
    query = select(OutboxMessage).where(
        OutboxMessage.kind == kind, OutboxMessage.status == MessageStatus.PENDING
    )
    if event is not None:
        query = query.where(OutboxMessage.event_id == event.id)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))
