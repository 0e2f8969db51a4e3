"""Changes made by an import reach registrants' calendars: parsed from a real SMTP server."""

from datetime import UTC, datetime
from email.utils import parseaddr

from icalendar import Calendar
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import Event
from eventsvc.services.importer import import_events
from eventsvc.unit_of_work import unit_of_work
from tests.factories import as_json, document


def _calendar(message) -> Calendar:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_payload(decode=True))


def _vevent(message):
    return next(c for c in _calendar(message).walk() if c.name == "VEVENT")


def _drain(smtp) -> list:
    before = len(smtp.messages)
    dispatch_due()
    return smtp.messages[before:]


def test_reimported_new_time_sends_a_higher_sequence_invite(smtp_app, smtp, make_registration):
    with unit_of_work():
        import_events(as_json(document()))
    event = db.session.scalar(select(Event).where(Event.slug == "gps-ecce-launch"))
    registration = make_registration(event, email="amina@example.org", language="fr")
    [confirmation] = _drain(smtp)
    uid = str(_vevent(confirmation)["UID"])

    with unit_of_work():
        import_events(as_json(document(start="2026-12-06T15:00", end="2026-12-06T16:00")))
    [update] = _drain(smtp)

    assert parseaddr(update["To"])[1] == registration.email
    calendar = _calendar(update)
    vevent = _vevent(update)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]) == uid
    assert int(vevent["SEQUENCE"]) == 1
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND").astimezone(UTC) == datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


def test_reimported_cancellation_reaches_confirmed_and_waitlisted(
    smtp_app, smtp, make_registration
):
    """Only the confirmed registrant's calendar holds the event: only they get a CANCEL."""
    with unit_of_work():
        import_events(as_json(document(capacity=1)))
    event = db.session.scalar(select(Event).where(Event.slug == "gps-ecce-launch"))
    make_registration(event, email="first@example.org")
    make_registration(event, email="second@example.org")
    _drain(smtp)

    with unit_of_work():
        import_events(as_json(document(capacity=1, status="cancelled")))
    sent = {parseaddr(m["To"])[1]: m for m in _drain(smtp)}

    assert sorted(sent) == ["first@example.org", "second@example.org"]
    confirmed, waitlisted = sent["first@example.org"], sent["second@example.org"]
    assert str(_calendar(confirmed)["METHOD"]) == "CANCEL"
    vevent = _vevent(confirmed)
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 1

    parts = [part.get_content_type() for part in waitlisted.walk()]
    assert parts == ["multipart/alternative", "text/plain", "text/html"]
    text = waitlisted.get_body(("plain",)).get_content()
    assert "cancel" in text.lower() or "annul" in text.lower()
    assert "calendar" not in text and "calendrier" not in text
