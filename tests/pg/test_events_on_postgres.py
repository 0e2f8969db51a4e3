"""The importer and the event services on PostgreSQL (row locks, JSON columns, one transaction)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus, MessageKind, Partner, RegistrationStatus
from eventsvc.services.events import cancel_event, update_event
from eventsvc.services.importer import ImportFailed, import_events
from eventsvc.unit_of_work import unit_of_work
from tests.factories import GPS_LAUNCH, as_json, document, pending

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_uri(postgres_database):
    return postgres_database


def _launch() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == "gps-ecce-launch"))


def test_import_update_and_cancel_on_postgres(app, make_registration, event_data):
    with unit_of_work():
        import_events(as_json(document(capacity=1)))
    event = _launch()
    assert event.starts_at == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    confirmed = make_registration(event)
    waiting = make_registration(event)

    with unit_of_work():
        import_events(
            as_json(document(capacity=1, start="2026-12-06T15:00", end="2026-12-06T16:00"))
        )
    # A time change reaches the waitlist too (without an invite: it holds no place yet).
    told = sorted(m.registration_id for m in pending(MessageKind.EVENT_UPDATED))
    assert told == [confirmed.id, waiting.id]

    moved = event_data(
        capacity=2,
        start=clock.parse_wall("2026-12-06T15:00"),
        end=clock.parse_wall("2026-12-06T16:00"),
        partners=["OMEP", "UNESCO"],
    )
    with unit_of_work():
        update_event(event, moved)
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED

    with unit_of_work():
        cancel_event(event)
    assert event.status == EventStatus.CANCELLED
    assert len(pending(MessageKind.EVENT_CANCELLED)) == 2


def test_a_bad_file_imports_nothing_on_postgres(app):
    bad = document(events=[GPS_LAUNCH, {**GPS_LAUNCH, "slug": "other", "capacity": 0}])
    with pytest.raises(ImportFailed), unit_of_work():
        import_events(as_json(bad))
    assert db.session.scalar(select(func.count(Partner.id))) == 0
