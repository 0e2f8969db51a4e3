"""Every kind of calendar file eventsvc sends, read by libical, ical.js, vobject and icalendar:
the right instants (local -> UTC through the file's VTIMEZONE, and UTC -> local around every
change), UID, METHOD, ORGANIZER and names exactly as the parsers give them back."""

import email
import email.policy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from eventsvc import clock, ics
from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.models import Event, MessageKind
from eventsvc.services import outbox
from tests.ics.test_vtimezone import ZONES, changes_by_zoneinfo

NAME = 'Zoë "ZZ" O\'Brien, Jr.; Paris: 東京 Ελένη'
PLAIN_NAMES = [
    "Dr. Jean O'Neil, PhD; Lyon: Bâtiment A",
    "Јована Петровић",
    "إطلاق الشراكة، المرحلة",
    "Nguyễn Thị Minh Khai",
    "王小明",
]


def calendar_bytes(message) -> bytes:
    raw = messages.build(message).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    return part.get_payload(decode=True)


def first_change(zone: str, year: int) -> datetime | None:
    found = [c for c in changes_by_zoneinfo(zone) if c.year == year]
    return found[0] if found else None


def wall(instant: datetime, zone: str) -> str:
    return clock.to_wall(instant, zone).strftime("%Y-%m-%dT%H:%M")


def events_across_changes(make_event):
    """Per zone: an event spanning its first change of 2027, and one in summer 2033."""
    events = []
    for zone in ZONES:
        change = first_change(zone, 2027) or datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
        start, end = change - timedelta(hours=3), change + timedelta(hours=3)
        events.append(make_event(timezone=zone, start=wall(start, zone), end=wall(end, zone)))
        events.append(make_event(timezone=zone, start="2033-07-14T10:00", end="2033-07-14T11:30"))
    return events


def expected_event(event) -> dict:
    return {
        "uid": event.calendar_uid,
        "start": int(event.starts_at.timestamp()),
        "end": int(event.ends_at.timestamp()),
        "organizer": "mailto:events@events.test",
        "organizer_cn": "OMEP events",
    }


def seen_event(read: dict) -> dict:
    return {key: read[key] for key in ("uid", "start", "end", "organizer", "organizer_cn")}


def test_every_kind_of_message_reads_back_right(reader, make_event, make_registration, client):
    files, expected = [], []
    for index, event in enumerate(events_across_changes(make_event)):
        registration = make_registration(event, full_name=NAME)
        kinds = [MessageKind.CONFIRMATION, MessageKind.EVENT_CANCELLED]
        if index == 0:
            kinds += [
                MessageKind.PROMOTED,
                MessageKind.REMINDER,
                MessageKind.EVENT_UPDATED,
                MessageKind.REGISTRATION_CANCELLED,
            ]
        for kind in kinds:
            cancelling = kind in (MessageKind.EVENT_CANCELLED, MessageKind.REGISTRATION_CANCELLED)
            payload = {"sequence": event.sequence + 1, "calendar": True} if cancelling else {}
            message = outbox.enqueue(kind, registration, payload=payload)
            db.session.commit()
            files.append(calendar_bytes(message))
            method = "CANCEL" if cancelling else "REQUEST"
            attendee = [f"mailto:{registration.email}", ics.calendar_name(NAME)]
            expected.append((method, [expected_event(event)], attendee))
    feed = client.get("/fr/events.ics").data
    files.append(feed)
    feed_events = sorted(Calendar.from_ical(feed).events, key=lambda e: str(e["UID"]))
    by_uid = {e.calendar_uid: e for e in db.session.scalars(db.select(Event))}
    expected.append(("PUBLISH", [expected_event(by_uid[str(e["UID"])]) for e in feed_events], None))

    answers = reader.run(files=files)["files"]

    assert len(answers) == len(expected)
    for answer, (method, events, attendee) in zip(answers, expected, strict=True):
        assert answer["method"] == method
        assert answer.get("itip_errors", []) == []  # libical's RFC 5546 check
        seen = sorted((seen_event(e) for e in answer["events"]), key=lambda e: e["uid"])
        assert seen == sorted(events, key=lambda e: e["uid"])
        if attendee is not None:
            assert [e["attendees"] for e in answer["events"]] == [[attendee]]


def test_names_come_back_as_typed(reader, make_event, make_registration):
    event = make_event()
    files = [ics.invite(make_registration(event, full_name=name)) for name in [*PLAIN_NAMES, NAME]]

    answers = reader.run(files=files)["files"]

    names = [answer["events"][0]["attendees"][0][1] for answer in answers]
    assert names[:-1] == PLAIN_NAMES
    assert names[-1] == "Zoë “ZZ” O'Brien, Jr.; Paris: 東京 Ελένη"


def test_utc_to_local_around_every_change_2027_to_2040(reader, make_event, make_registration):
    jobs, expected = [], []
    for zone in ZONES:
        event = make_event(timezone=zone, start="2027-06-18T10:00", end="2027-06-18T11:00")
        data = ics.invite(make_registration(event))
        (timezone,) = Calendar.from_ical(data).timezones
        holder = Calendar()
        holder.add_component(timezone)
        changes = [c for c in changes_by_zoneinfo(zone) if c.year >= 2027]
        changes = changes or [datetime(2030, 6, 1, tzinfo=UTC)]
        instants = [
            c + timedelta(minutes=minutes) for c in changes for minutes in range(-120, 121, 15)
        ]
        jobs.append(
            {
                "ics": holder.to_ical().decode(),
                "tzid": zone,
                "instants": [int(i.timestamp()) for i in instants],
            }
        )
        tz = ZoneInfo(zone)
        expected.append([i.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S") for i in instants])

    answers = reader.run(conversions=jobs)["conversions"]

    for zone, answer, walls in zip(ZONES, answers, expected, strict=True):
        wrong = [(got, want) for got, want in zip(answer, walls, strict=True) if got != want]
        assert wrong == [], zone
