"""Calendar files, parsed back with icalendar and checked against the instants they must name."""

import uuid
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from eventsvc import ics, urls
from eventsvc.models import EventStatus


def parsed(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def instant_by_vtimezone(calendar: Calendar, wall: datetime) -> datetime:
    """The UTC instant of ``wall`` read through the file's own VTIMEZONE, not the tz database."""
    (timezone,) = calendar.timezones
    return wall.replace(tzinfo=None, fold=0).replace(tzinfo=timezone.to_tz(lookup_tzid=False))


@pytest.mark.parametrize(
    ("zone", "start", "end", "utc_start", "utc_end"),
    [
        pytest.param(
            "Europe/Paris",
            "2026-12-06T13:30",
            "2026-12-06T14:30",
            datetime(2026, 12, 6, 12, 30, tzinfo=UTC),
            datetime(2026, 12, 6, 13, 30, tzinfo=UTC),
            id="winter-CET",
        ),
        pytest.param(
            "Europe/Paris",
            "2026-06-18T10:00",
            "2026-06-18T11:30",
            datetime(2026, 6, 18, 8, 0, tzinfo=UTC),
            datetime(2026, 6, 18, 9, 30, tzinfo=UTC),
            id="summer-CEST",
        ),
        pytest.param(
            "Europe/Paris",
            "2026-03-29T03:30",
            "2026-03-29T04:30",
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            datetime(2026, 3, 29, 2, 30, tzinfo=UTC),
            id="spring-forward-day",
        ),
        pytest.param(
            "Europe/Paris",
            "2026-03-29T01:00",
            "2026-03-29T03:30",
            datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            id="across-spring-forward",
        ),
        pytest.param(
            "Europe/Paris",
            "2026-10-25T00:30",
            "2026-10-25T01:30",
            datetime(2026, 10, 24, 22, 30, tzinfo=UTC),
            datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
            id="fall-back-day-CEST",
        ),
        pytest.param(
            "Europe/Paris",
            "2026-10-25T10:00",
            "2026-10-25T11:00",
            datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 10, 0, tzinfo=UTC),
            id="fall-back-day-CET",
        ),
        pytest.param(
            "America/New_York",
            "2026-12-06T09:00",
            "2026-12-06T10:00",
            datetime(2026, 12, 6, 14, 0, tzinfo=UTC),
            datetime(2026, 12, 6, 15, 0, tzinfo=UTC),
            id="new-york-EST",
        ),
        pytest.param(
            "America/New_York",
            "2026-03-08T09:00",
            "2026-03-08T10:00",
            datetime(2026, 3, 8, 13, 0, tzinfo=UTC),
            datetime(2026, 3, 8, 14, 0, tzinfo=UTC),
            id="new-york-spring-forward-day",
        ),
        pytest.param(
            "Europe/Paris",
            "2026-12-31T23:30",
            "2027-01-01T00:30",
            datetime(2026, 12, 31, 22, 30, tzinfo=UTC),
            datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
            id="across-new-year",
        ),
    ],
)
def test_invite_times_name_the_right_instants(
    make_event, make_registration, frozen_clock, zone, start, end, utc_start, utc_end
):
    frozen_clock.set(datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    event = make_event(timezone=zone, start=start, end=end)
    calendar = parsed(ics.invite(make_registration(event)))
    vevent = calendar.events[0]

    assert vevent["DTSTART"].params["TZID"] == zone
    assert vevent["DTEND"].params["TZID"] == zone
    assert vevent.start.astimezone(UTC) == utc_start
    assert vevent.end.astimezone(UTC) == utc_end
    assert [tz.tz_name for tz in calendar.timezones] == [zone]
    assert instant_by_vtimezone(calendar, vevent.start).astimezone(UTC) == utc_start
    assert instant_by_vtimezone(calendar, vevent.end).astimezone(UTC) == utc_end


def test_invite_is_a_personal_request_with_join_and_manage_links(
    make_event, make_registration, app
):
    event = make_event(online_url="https://meet.example.org/gps-launch")
    registration = make_registration(
        event, full_name="Zoë Dupont", email="zoe@example.org", interpretation_language="en"
    )
    calendar = parsed(ics.invite(registration))
    vevent = calendar.events[0]

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert vevent["UID"] == event.calendar_uid == ics.event_uid(event)
    assert vevent["SEQUENCE"] == event.sequence
    assert vevent["DTSTAMP"].dt == datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert vevent["STATUS"] == "CONFIRMED"
    personal = urls.join_url(registration)
    assert personal.startswith("http://events.test/fr/join/")
    assert vevent["LOCATION"] == personal
    assert vevent["URL"] == personal
    assert vevent["SUMMARY"] == "Lancement de " + event.slug
    assert vevent["SUMMARY"].params["LANGUAGE"] == "fr"
    description = str(vevent["DESCRIPTION"])
    assert f"Participer en ligne\u00a0: {personal}" in description
    assert b"meet.example.org" not in ics.invite(registration)
    assert urls.manage_url(registration) in description
    assert urls.manage_url(registration).startswith("http://events.test/fr/registrations/")
    assert "VALARM" not in [component.name for component in vevent.subcomponents]

    organizer = vevent["ORGANIZER"]
    assert organizer == "mailto:events@events.test"
    assert organizer.params["CN"] == "OMEP events"
    attendee = vevent["ATTENDEE"]
    assert attendee == "mailto:zoe@example.org"
    assert attendee.params["CN"] == "Zoë Dupont"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"


def test_manage_link_opens_the_registrants_page(make_event, make_registration, client):
    registration = make_registration(make_event(), full_name="Amina Diallo")
    path = urls.manage_url(registration).removeprefix("http://events.test")

    response = client.get(path)

    assert response.status_code == 200
    assert "Amina Diallo" in response.get_data(as_text=True)


def test_invite_uses_the_registrants_language(make_event, make_registration):
    event = make_event()
    english = parsed(ics.invite(make_registration(event, language="en"))).events[0]
    french = parsed(ics.invite(make_registration(event, language="fr"))).events[0]

    assert english["SUMMARY"] == f"Launch of {event.slug}"
    assert "/en/registrations/" in str(english["DESCRIPTION"])
    assert french["SUMMARY"] == f"Lancement de {event.slug}"
    assert "/fr/registrations/" in str(french["DESCRIPTION"])


@pytest.mark.parametrize(
    "title",
    [
        "Early years, care; and education\\ for all",
        "Стратегия глобального партнёрства, этап 1; обсуждение",
        "إطلاق الاستراتيجية العالمية للشراكة، المرحلة الأولى",
        'Quotes "here", colon: and a very long title that must be folded across several lines',
    ],
)
def test_text_round_trips_through_the_invite(make_event, make_registration, title):
    event = make_event(title={"en": title, "fr": title})
    event.set_content("fr", summary="Line one, with comma;\nline two\n\nparagraph")
    registration = make_registration(event, full_name='O\'Brien, "Ann"; Јована')
    vevent = parsed(ics.invite(registration)).events[0]

    assert vevent["SUMMARY"] == title
    assert str(vevent["DESCRIPTION"]).startswith("Line one, with comma;\nline two\n\nparagraph\n")
    # A straight double quote cannot be read back alike by every client: see ics.calendar_name.
    assert vevent["ATTENDEE"].params["CN"] == "O'Brien, “Ann”; Јована"


def test_line_breaks_in_a_name_do_not_break_the_calendar(make_event, make_registration):
    registration = make_registration(make_event(), full_name="Eve\r\nATTENDEE:mailto:x@evil.test")
    vevent = parsed(ics.invite(registration)).events[0]

    attendees = vevent["ATTENDEE"]
    assert attendees == f"mailto:{registration.email}"
    assert attendees.params["CN"] == "Eve ATTENDEE:mailto:x@evil.test"


def test_cancellation_has_same_uid_a_higher_sequence_and_cancelled_status(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event)
    invite = parsed(ics.invite(registration)).events[0]

    calendar = parsed(ics.cancellation(registration, sequence=event.sequence + 1))
    vevent = calendar.events[0]

    assert calendar["METHOD"] == "CANCEL"
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["UID"] == invite["UID"]
    assert vevent["SEQUENCE"] > invite["SEQUENCE"]
    assert vevent["ATTENDEE"] == f"mailto:{registration.email}"
    assert vevent["ORGANIZER"] == "mailto:events@events.test"
    assert vevent.start.astimezone(UTC) == invite.start.astimezone(UTC)


def test_cancellation_sequence_defaults_to_the_events(make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    event.sequence = 3

    assert parsed(ics.cancellation(registration)).events[0]["SEQUENCE"] == 3


def test_updated_event_gives_an_invite_with_the_new_time_and_higher_sequence(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event)
    before = parsed(ics.invite(registration)).events[0]

    event.starts_at = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    event.ends_at = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
    event.sequence += 1
    after = parsed(ics.invite(registration)).events[0]

    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.start.astimezone(UTC) == datetime(2026, 12, 6, 14, 0, tzinfo=UTC)


def test_event_in_utc_is_written_in_utc_without_vtimezone(make_event, make_registration):
    event = make_event(timezone="UTC", start="2026-12-06T12:30", end="2026-12-06T13:30")
    calendar = parsed(ics.invite(make_registration(event)))

    assert calendar.timezones == []
    assert calendar.events[0].start == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)


def test_public_calendar_has_no_join_link_and_no_attendee(make_event, make_registration):
    published = make_event(online_url="https://meet.example.org/secret-room")
    summer = make_event(start="2027-06-18T10:00", end="2027-06-18T11:00")
    cancelled = make_event(status=EventStatus.CANCELLED, timezone="America/New_York")
    make_registration(published)

    data = ics.publish([published, summer, cancelled], "fr")
    calendar = parsed(data)

    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"]
    assert b"secret-room" not in data
    assert b"ATTENDEE" not in data
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["America/New_York", "Europe/Paris"]
    paris = next(tz for tz in calendar.timezones if tz.tz_name == "Europe/Paris")
    summer_wall = datetime(2027, 6, 18, 10, 0, tzinfo=paris.to_tz(lookup_tzid=False))
    assert summer_wall.astimezone(UTC) == datetime(2027, 6, 18, 8, 0, tzinfo=UTC)
    by_uid = {str(vevent["UID"]): vevent for vevent in calendar.events}
    assert by_uid[ics.event_uid(cancelled)]["STATUS"] == "CANCELLED"
    assert by_uid[ics.event_uid(published)]["URL"].endswith(f"/fr/events/{published.slug}")
    assert by_uid[ics.event_uid(summer)].start.astimezone(UTC) == datetime(
        2027, 6, 18, 8, 0, tzinfo=UTC
    )


def test_uid_is_the_events_own_random_uid_at_the_calendar_domain(make_event, make_registration):
    """Two installations (or a restored backup) numbering events alike still send distinct UIDs."""
    first, second = make_event(), make_event()
    uids = [str(parsed(ics.invite(make_registration(e))).events[0]["UID"]) for e in (first, second)]

    assert uids[0] != uids[1]
    for uid in uids:
        local, _at, domain = uid.partition("@")
        assert domain == "events.test"
        assert uuid.UUID(local).version == 4
    assert f"event-{first.id}@" not in uids[0]
