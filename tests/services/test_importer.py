from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import (
    AuditEntry,
    Event,
    EventStatus,
    MessageKind,
    OutboxMessage,
    Partner,
    RegistrationStatus,
)
from eventsvc.services import broadcasts
from eventsvc.services.importer import ImportFailed, import_events, plan
from eventsvc.unit_of_work import unit_of_work
from tests.factories import GPS_LAUNCH, as_json, document, pending


def _event(slug="gps-ecce-launch") -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _problems(doc) -> list[str]:
    with pytest.raises(ImportFailed) as failure, unit_of_work():
        import_events(as_json(doc) if isinstance(doc, dict) else doc)
    return [str(problem) for problem in failure.value.problems]


def test_import_creates_partners_and_events_at_the_right_instants(app):
    with unit_of_work():
        report = import_events(as_json(document()))

    assert report.partners_created == ["OMEP", "UNESCO"]
    assert report.created == ["gps-ecce-launch"]
    event = _event()
    assert event.starts_at == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 12, 6, 13, 30, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert event.status == EventStatus.PUBLISHED
    assert event.capacity == 500
    assert [p.acronym for p in event.partners] == ["OMEP", "UNESCO"]
    assert event.content("fr").title == "Lancement de la GPS"
    omep = db.session.scalar(select(Partner).where(Partner.acronym == "OMEP"))
    assert omep.text("fr").name == "Organisation mondiale pour l’éducation préscolaire"
    assert omep.website == "https://omep.org"


def test_import_reads_utf8_bytes_with_a_byte_order_mark(app):
    with unit_of_work():
        import_events("\ufeff".encode() + as_json(document()).encode())
    assert _event().content("fr").summary == "Lancement en ligne."


def test_optional_keys_take_their_documented_defaults(app):
    minimal = {
        "slug": "minimal",
        "start": "2027-01-12T10:00",
        "end": "2027-01-12T11:00",
        "title": {"en": "A draft"},
        "floor_language": "en",
    }
    with unit_of_work():
        import_events(as_json({"events": [minimal]}))
    event = _event("minimal")
    assert event.timezone == "Europe/Paris"
    assert event.status == EventStatus.DRAFT
    assert event.capacity is None
    assert event.online_url == ""
    assert event.interpretation_languages == []
    assert event.registration_closes_at is None
    assert event.starts_at == datetime(2027, 1, 12, 9, 0, tzinfo=UTC)


def test_reimporting_the_same_file_changes_nothing_and_queues_nothing(app, make_registration):
    with unit_of_work():
        import_events(as_json(document()))
    make_registration(_event())
    queued = _count(OutboxMessage)
    audits = _count(AuditEntry)

    with unit_of_work():
        report = import_events(as_json(document()))

    assert report.unchanged == ["gps-ecce-launch"]
    assert report.partners_unchanged == ["OMEP", "UNESCO"]
    assert report.created == report.updated == []
    assert report.notified == 0
    assert _event().sequence == 0
    assert _count(OutboxMessage) == queued
    assert _count(AuditEntry) == audits + 1  # only the "imported" entry


def test_reimport_without_status_keeps_a_published_event_published(app):
    with unit_of_work():
        import_events(as_json(document()))
    launch = dict(GPS_LAUNCH)
    del launch["status"]
    with unit_of_work():
        report = import_events(as_json(document(events=[launch])))
    assert report.unchanged == ["gps-ecce-launch"]
    assert _event().status == EventStatus.PUBLISHED


def test_reimport_with_a_new_time_tells_registrants_and_the_waitlist(app, make_registration):
    with unit_of_work():
        import_events(as_json(document(capacity=1)))
    event = _event()
    confirmed = make_registration(event)
    waitlisted = make_registration(event)
    assert waitlisted.status == RegistrationStatus.WAITLISTED

    with unit_of_work():
        report = import_events(
            as_json(document(capacity=1, start="2026-12-06T15:00", end="2026-12-06T16:00"))
        )

    assert report.updated == ["gps-ecce-launch"]
    assert report.notified == 2
    db.session.refresh(event)
    assert event.sequence == 1
    assert event.starts_at == datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    updates = pending(MessageKind.EVENT_UPDATED)
    assert sorted(m.registration_id for m in updates) == [confirmed.id, waitlisted.id]
    update = updates[0]
    assert update.payload["old_start"] == "2026-12-06T12:30:00+00:00"
    assert update.payload["old_end"] == "2026-12-06T13:30:00+00:00"
    assert update.payload["changes"] == ["time"]
    reminders = broadcasts.live(event, (MessageKind.REMINDER,))  # one row per offset, moved
    assert {b.due_at for b in reminders} == {
        event.starts_at - timedelta(days=1),
        event.starts_at - timedelta(hours=1),
    }
    updated = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "updated"))
    assert updated.details["source"] == "import"
    assert updated.details["fields"] == ["start", "end"]


def test_reimport_as_cancelled_tells_everyone_and_drops_reminders(app, make_registration):
    with unit_of_work():
        import_events(as_json(document(capacity=1)))
    event = _event()
    confirmed = make_registration(event)
    waitlisted = make_registration(event)

    with unit_of_work():
        import_events(as_json(document(capacity=1, status="cancelled")))

    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED
    assert event.sequence == 1
    cancellations = pending(MessageKind.EVENT_CANCELLED)
    assert {m.registration_id for m in cancellations} == {confirmed.id, waitlisted.id}
    assert pending(MessageKind.REMINDER) == []


def test_capacity_increase_in_an_import_promotes_from_the_waitlist(app, make_registration):
    with unit_of_work():
        import_events(as_json(document(capacity=1)))
    event = _event()
    make_registration(event)
    waiting = make_registration(event)

    with unit_of_work():
        import_events(as_json(document(capacity=2)))

    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert [m.registration_id for m in pending(MessageKind.PROMOTED)] == [waiting.id]


def test_changed_partner_is_updated_by_acronym(app):
    with unit_of_work():
        import_events(as_json(document()))
    partners = document()["partners"]
    partners[1]["name"]["fr"] = "Organisation des Nations Unies pour l’éducation"
    with unit_of_work():
        report = import_events(as_json(document(file_partners=partners)))
    assert report.partners_updated == ["UNESCO"]
    unesco = db.session.scalar(select(Partner).where(Partner.acronym == "UNESCO"))
    assert unesco.text("fr").name == "Organisation des Nations Unies pour l’éducation"
    assert _count(Partner) == 2


def test_partner_already_in_the_database_may_be_referenced(app, make_partner):
    make_partner("ECDAN")
    with unit_of_work():
        import_events(
            as_json(document(file_partners=[], events=[{**GPS_LAUNCH, "partners": ["ECDAN"]}]))
        )
    assert [p.acronym for p in _event().partners] == ["ECDAN"]


def test_import_records_an_audit_entry(app):
    with unit_of_work():
        import_events(as_json(document()), source="events.json")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "imported"))
    assert entry.details["source"] == "events.json"
    assert entry.details["events_created"] == ["gps-ecce-launch"]
    created = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "created"))
    assert created.event_id == _event().id


def _bad_event(**changes) -> dict:
    return document(**changes)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            _bad_event(title={"en": "Launch of the GPS"}),
            "events[0].title.fr: A title in French is needed to publish.",
        ),
        (
            _bad_event(timezone="Europe/Pariss"),
            "events[0].timezone: Unknown time zone “Europe/Pariss”: use an IANA name such as "
            "Europe/Paris.",
        ),
        (
            _bad_event(start="2026-03-29T02:30", end="2026-03-29T04:00", registration_closes=None),
            "events[0].start: 2026-03-29 02:30 does not exist in Europe/Paris: the clocks go "
            "forward then. Choose a time outside the change.",
        ),
        (
            _bad_event(start="2026-10-25T02:30", end="2026-10-25T04:00", registration_closes=None),
            "events[0].start: 2026-10-25 02:30 happens twice in Europe/Paris: the clocks go back "
            "then. Choose a time outside the change.",
        ),
        (
            _bad_event(end="2026-12-06T12:00"),
            "events[0].end: The end must be after the start.",
        ),
        (
            _bad_event(partners=["OMEP", "UNICEF"]),
            "events[0].partners: Unknown partner “UNICEF”.",
        ),
        (
            _bad_event(online_url="meet.example.org/gps"),
            "events[0].online_url: The join link must be a web address starting with https://.",
        ),
        (
            _bad_event(capacity=-10),
            "events[0].capacity: The capacity must be a whole number of at least 1, or empty.",
        ),
        (
            _bad_event(capacity="500"),
            "events[0].capacity: Must be a whole number, or null.",
        ),
        (
            _bad_event(start="6/12/2026 13:30"),
            "events[0].start: “6/12/2026 13:30” is not a local time: write YYYY-MM-DDTHH:MM, "
            "without an offset.",
        ),
        (
            _bad_event(start="2026-12-06T13:30+01:00"),
            "events[0].start: “2026-12-06T13:30+01:00” is not a local time: write "
            "YYYY-MM-DDTHH:MM, without an offset.",
        ),
        (
            _bad_event(registration_closes="2026-12-07T09:00"),
            "events[0].registration_closes: Registration must close before the event starts.",
        ),
        (
            _bad_event(status="live"),
            "events[0].status: Unknown status “live”: use draft, published or cancelled.",
        ),
        (
            _bad_event(registration_close="2026-12-06T13:00"),
            "events[0].registration_close: Unknown key: did you mean “registration_closes”?",
        ),
        (
            _bad_event(title="Launch"),
            "events[0].title: Must be an object of texts by language, like {“en”: “…”}.",
        ),
        (
            _bad_event(slug="GPS launch"),
            "events[0].slug: The slug may contain only lowercase letters, digits and single "
            "hyphens, at most 100 characters (for example gps-ecce-launch).",
        ),
        (
            document(
                file_partners=[{"acronym": "OMEP", "website": "omep.org", "name": {"en": "x"}}]
            ),
            "partners[0].website: Must be a web address starting with https://.",
        ),
        (
            document(file_partners=[{"acronym": "OMEP"}]),
            "partners[0].name: Give the partner's name in at least one language.",
        ),
        (
            {"events": [GPS_LAUNCH, "gps"]},
            "events[1]: Each entry must be a JSON object.",
        ),
        (
            {"events": {"slug": "x"}},
            "events: Must be a list.",
        ),
        (
            '{"events": [\n  {"slug": "a",}\n]}',
            "line 2, column 16: The file is not valid JSON: Expecting property name enclosed in "
            "double quotes.",
        ),
        (
            "[]",
            "The file must hold one JSON object with “partners” and “events”.",
        ),
        (
            b"\xff\xfe{}",
            "The file is not UTF-8 text (byte 0).",
        ),
    ],
)
def test_bad_input_is_reported_by_position_and_field_and_nothing_is_imported(app, doc, expected):
    assert expected in _problems(doc)
    assert _count(Event) == 0
    assert _count(Partner) == 0
    assert _count(AuditEntry) == 0


def test_every_problem_of_every_record_is_reported_at_once(app):
    events = [
        {**GPS_LAUNCH, "slug": "first"},
        {**GPS_LAUNCH, "slug": "second", "capacity": 0, "end": "2026-12-06T13:00"},
        {**GPS_LAUNCH, "slug": "first"},
    ]
    problems = _problems(document(events=events))
    assert problems == [
        "events[1].end: The end must be after the start.",
        "events[1].capacity: The capacity must be a whole number of at least 1, or empty.",
        "events[2].slug: “first” appears twice in this file (first at events[0]).",
    ]


def test_a_bad_record_stops_the_good_ones_and_existing_data_stays(app, make_registration):
    with unit_of_work():
        import_events(as_json(document()))
    registration = make_registration(_event())
    queued = _count(OutboxMessage)
    good_change = {**GPS_LAUNCH, "start": "2026-12-06T15:00", "end": "2026-12-06T16:00"}
    bad_new = {**GPS_LAUNCH, "slug": "another", "timezone": "Mars/Olympus"}

    _problems(document(events=[good_change, bad_new]))

    event = _event()
    assert event.starts_at == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    assert event.sequence == 0
    assert _event("another") is None
    assert _count(OutboxMessage) == queued
    assert registration.status == RegistrationStatus.CONFIRMED


def test_plan_checks_without_writing(app):
    checked = plan(as_json(document()))
    assert [e.slug for e in checked.events] == ["gps-ecce-launch"]
    assert _count(Event) == 0
