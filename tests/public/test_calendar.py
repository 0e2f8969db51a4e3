"""Public calendar files: one event's "add to calendar" file and the subscription feed."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from eventsvc.models import EventStatus

JOIN_LINK = "https://meet.example.org/secret-room"


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_event_calendar_file_publishes_the_event_without_the_join_link(client, make_event):
    make_event(slug="gps", online_url=JOIN_LINK)

    response = client.get("/fr/events/gps.ics")
    calendar = parse(response)

    assert str(calendar["METHOD"]) == "PUBLISH"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Lancement de gps"
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    assert vevent.decoded("DTEND").astimezone(UTC) == datetime(2026, 12, 6, 13, 30, tzinfo=UTC)
    assert "secret-room" not in response.data.decode()
    assert 'filename="gps.ics"' in response.headers["Content-Disposition"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_feed_lists_every_public_event_in_the_page_language(client, make_event, lang):
    make_event(slug="one", online_url=JOIN_LINK)
    make_event(slug="two", start="2027-06-15T10:00", end="2027-06-15T11:00")
    make_event(slug="called-off", status=EventStatus.CANCELLED)
    make_event(slug="draft", status=EventStatus.DRAFT)

    response = client.get(f"/{lang}/events.ics")
    calendar = parse(response)

    assert str(calendar["METHOD"]) == "PUBLISH"
    summaries = {str(vevent["SUMMARY"]): vevent for vevent in calendar.walk("VEVENT")}
    prefix = "Launch of" if lang == "en" else "Lancement de"
    assert set(summaries) == {f"{prefix} one", f"{prefix} two", f"{prefix} called-off"}
    assert str(summaries[f"{prefix} called-off"]["STATUS"]) == "CANCELLED"
    assert "secret-room" not in response.data.decode()
    assert "Content-Disposition" not in response.headers


def test_calendar_of_an_unknown_event_is_404(client):
    assert client.get("/en/events/nothing.ics").status_code == 404


@pytest.mark.parametrize(
    ("accept", "prefix"),
    [("fr-FR,fr;q=0.9", "Lancement de"), ("en-GB", "Launch of"), (None, "Launch of")],
)
@pytest.mark.parametrize("path", ["/events.ics", "/events/gps.ics"])
def test_addresses_without_language_answer_in_the_visitors_language(
    client, make_event, path, accept, prefix
):
    """The short addresses people paste into "subscribe": Accept-Language, else the first
    configured locale (en)."""
    make_event(slug="gps")
    headers = {"Accept-Language": accept} if accept else {}

    response = client.get(path, headers=headers)

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    [vevent] = parse(response).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == f"{prefix} gps"


def test_first_configured_locale_is_the_default_of_the_short_addresses(app, client, make_event):
    make_event(slug="gps")
    app.config["SUPPORTED_LOCALES"] = ["fr", "en"]

    [vevent] = parse(client.get("/events/gps.ics")).walk("VEVENT")

    assert str(vevent["SUMMARY"]) == "Lancement de gps"


@pytest.mark.parametrize("path", ["/fr/events.ics", "/en/events/gps.ics"])
def test_language_addresses_answer_text_calendar_utf8(client, make_event, path):
    make_event(slug="gps")
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_short_address_of_an_unknown_event_is_404(client):
    assert client.get("/events/nothing.ics").status_code == 404


@pytest.mark.parametrize("path", ["/fr/events.ics", "/en/events/gps.ics"])
def test_public_files_name_the_organizer(client, make_event, path):
    """RFC 5546 §3.2.1: METHOD:PUBLISH requires ORGANIZER."""
    make_event(slug="gps")
    for vevent in parse(client.get(path)).walk("VEVENT"):
        assert str(vevent["ORGANIZER"]) == "mailto:events@events.test"
        assert vevent["ORGANIZER"].params["CN"] == "OMEP events"
