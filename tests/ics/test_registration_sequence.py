"""A person who cancels and registers again sees the new invite replace the cancellation."""

from icalendar import Calendar
from sqlalchemy import select

from eventsvc import ics
from eventsvc.extensions import db
from eventsvc.models import MessageKind, OutboxMessage
from eventsvc.services.registrations import cancel
from eventsvc.unit_of_work import unit_of_work


def _sequence(calendar_bytes: bytes) -> int:
    return int(Calendar.from_ical(calendar_bytes).walk("VEVENT")[0]["SEQUENCE"])


def test_invite_after_cancel_and_reregistration_has_a_higher_sequence(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event, email="lea@example.org")
    first_invite = _sequence(ics.invite(registration))

    with unit_of_work():
        cancel(registration)
    cancel_row = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.REGISTRATION_CANCELLED)
    ).one()
    cancel_sequence = _sequence(ics.cancellation(registration, cancel_row.payload["sequence"]))

    again = make_registration(event, email="Lea@Example.org")
    assert again.id == registration.id
    assert first_invite < cancel_sequence < _sequence(ics.invite(again))
