"""The personal page beyond languages and cancelling (issue 13, point 4): the personal join
link (issue 18: saying when it opens before then, the recording after), the calendars,
and correcting one's name, organisation and country."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from eventsvc.extensions import db
from eventsvc.models import Registration, RegistrationStatus
from eventsvc.urls import join_url
from tests.attendee.test_self_service import fresh, page_url, parse

JOIN = "https://meet.example.org/gps-launch"


@pytest.fixture
def event(make_event):
    """13:30–14:30 in Paris on Sunday 6 December 2026."""
    return make_event(slug="gps", online_url=JOIN)


@pytest.fixture
def person(event, make_registration) -> Registration:
    return make_registration(
        event, language="en", full_name="Amina Dialo", organisation="OMEP", country="FR"
    )


def personal_join_link(person) -> str:
    return url_path(join_url(person))


def url_path(url: str) -> str:
    return urlsplit(url).path


def test_before_the_opening_the_page_gives_the_personal_link_and_says_when_it_opens(
    client, event, person, frozen_clock
):
    frozen_clock.set(event.starts_at - timedelta(minutes=31))

    response = client.get(page_url(person))

    assert JOIN not in response.get_data(as_text=True)
    doc = parse(response)
    assert doc.select_one(".join a.button")["href"] == personal_join_link(person)
    later = doc.select_one(".join-later").get_text(" ", strip=True)
    assert later == (
        "Your link opens at Sunday, 6 December 2026, 13:00 CET (UTC+01:00); "
        "before then it shows how long is left."
    )


def test_from_the_opening_the_page_gives_the_personal_link_never_the_meeting_address(
    client, event, person, frozen_clock
):
    frozen_clock.set(event.starts_at - timedelta(minutes=30))

    response = client.get(page_url(person))

    assert JOIN not in response.get_data(as_text=True)
    join = parse(response).select_one(".join a.button")
    assert (join.get_text(strip=True), join["href"]) == (
        "Join the meeting",
        personal_join_link(person),
    )


def test_how_early_the_link_opens_is_the_events_setting(client, event, person, frozen_clock):
    event.join_opens_minutes = 120
    db.session.commit()
    frozen_clock.set(event.starts_at - timedelta(minutes=90))

    assert parse(client.get(page_url(person))).select_one(".join-later") is None


def test_after_the_end_and_grace_the_page_offers_the_recording(client, event, person, frozen_clock):
    event.recording_url = "https://video.example.org/gps"
    db.session.commit()
    frozen_clock.set(event.ends_at + timedelta(minutes=event.join_grace_minutes))

    doc = parse(client.get(page_url(person)))

    assert doc.select_one(".join a.button") is None
    assert doc.select_one(".join .join-recording")["href"] == "https://video.example.org/gps"


def test_waitlisted_person_gets_no_join_link_and_no_calendar(
    client, make_event, make_registration, frozen_clock
):
    full = make_event(slug="gps", capacity=1, online_url=JOIN)
    make_registration(full)
    waiting = make_registration(full, language="en")
    assert waiting.status == RegistrationStatus.WAITLISTED
    frozen_clock.set(full.starts_at - timedelta(minutes=5))

    response = client.get(page_url(waiting))

    assert JOIN not in response.get_data(as_text=True)
    assert parse(response).select(".calendar-buttons") == []


def test_personal_page_offers_the_calendars_with_the_personal_invite(client, person):
    doc = parse(client.get(page_url(person)))

    links = {a.get_text(" ", strip=True): a["href"] for a in doc.select(".calendar-buttons a")}
    assert links["Apple Calendar, other apps (.ics)"] == page_url(person, suffix="/invite.ics")
    assert "calendar.google.com" in links["Google Calendar (opens in a new tab)"]
    assert "outlook.live.com" in links["Outlook.com (opens in a new tab)"]
    assert "outlook.office.com" in links["Microsoft 365 (opens in a new tab)"]


def test_personal_calendar_links_point_at_the_public_address_whatever_the_host_header(
    client, person
):
    response = client.get(page_url(person), headers={"Host": "evil.example"})
    doc = parse(response)

    google = doc.select(".calendar-buttons a")[0]["href"]
    location = parse_qs(urlsplit(google).query)["location"][0]
    assert location.startswith("http://events.test/")
    assert "evil.example" not in response.get_data(as_text=True)


def test_person_corrects_name_organisation_and_country(client, person):
    response = client.post(
        page_url(person, suffix="/details"),
        data={
            "details-full_name": "  Amina Diallo ",
            "details-organisation": "OMEP Sénégal",
            "details-country": "SN",
        },
    )

    assert response.status_code == 303
    saved = fresh(person)
    assert (saved.full_name, saved.organisation, saved.country) == (
        "Amina Diallo",
        "OMEP Sénégal",
        "SN",
    )
    assert "Your details have been saved." in client.get(page_url(person)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value"), [("details-full_name", " "), ("details-country", "XX")]
)
def test_a_bad_correction_is_refused_beside_its_field_keeping_what_was_typed(
    client, person, field, value
):
    data = {
        "details-full_name": "Amina Diallo",
        "details-organisation": "OMEP Sénégal",
        "details-country": "SN",
        field: value,
    }

    response = client.post(page_url(person, suffix="/details"), data=data)

    assert response.status_code == 400
    doc = parse(response)
    assert doc.select_one(f".field-invalid [name={field}]") is not None
    assert doc.select_one("[name=details-organisation]")["value"] == "OMEP Sénégal"
    # The languages form beside it still shows what is stored.
    assert doc.select_one("input[name=language][checked]")["value"] == "en"
    db.session.expire_all()
    assert fresh(person).full_name == "Amina Dialo"
