"""What a registrant does from a message (issue 13, point 4, and the smaller points of 16): join
with a button, reach the personal page with a button, add the event to Google, Outlook.com,
Microsoft 365 or Apple Calendar, and read the time in their own zone as well as the event's."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar

from eventsvc.ics import join_url, manage_url
from eventsvc.models import MessageKind, RegistrationStatus
from eventsvc.models.registration import FOLLOWS_FLOOR
from tests.mail.reading import html_of, text_of

JOIN = "https://meet.example.org/gps-launch"


@pytest.fixture
def event(make_event):
    """13:30–14:30 in Paris on Sunday 6 December 2026."""
    return make_event(slug="gps", online_url=JOIN)


def soup_of(message) -> BeautifulSoup:
    return BeautifulSoup(html_of(message), "html.parser")


def test_confirmation_has_a_join_button_and_a_personal_page_button(event, make_registration, built):
    registration = make_registration(event, language="en")

    html = soup_of(built(MessageKind.CONFIRMATION, registration))

    join = html.select_one("a.join-button")
    assert (join.get_text(strip=True), join["href"]) == ("Join the meeting", join_url(registration))
    assert JOIN not in html.decode()
    manage = html.select_one("a.manage-button")
    assert manage.get_text(strip=True) == "Your registration: change or cancel"
    assert manage["href"] == manage_url(registration)


def test_confirmation_offers_the_calendars_pointing_at_the_personal_page(
    event, make_registration, built, client
):
    registration = make_registration(event, language="en")
    link = manage_url(registration)

    html = soup_of(built(MessageKind.CONFIRMATION, registration))

    links = {a.get_text(strip=True): a["href"] for a in html.select(".calendar-links a")}
    google = parse_qs(urlsplit(links["Google Calendar"]).query)
    assert google["dates"] == ["20261206T123000Z/20261206T133000Z"]
    assert link in google["details"][0]
    for name, host in [
        ("Outlook.com", "outlook.live.com"),
        ("Microsoft 365", "outlook.office.com"),
    ]:
        url = urlsplit(links[name])
        assert url.netloc == host
        query = parse_qs(url.query)
        assert query["startdt"] == ["2026-12-06T12:30:00Z"]
        assert link in query["body"][0]
    ics = links["Apple Calendar, other apps (.ics)"]
    assert ics == f"{link}/invite.ics"
    response = client.get(urlsplit(ics).path)
    assert response.status_code == 200
    assert 'filename="gps.ics"' in response.headers["Content-Disposition"]
    assert Calendar.from_ical(response.data).events[0]["DTSTART"].dt.isoformat() == (
        "2026-12-06T13:30:00+01:00"
    )


def test_waitlist_notice_offers_no_calendar_and_says_waitlist(make_event, make_registration, built):
    full = make_event(slug="gps", capacity=1, online_url=JOIN)
    make_registration(full)
    waiting = make_registration(full, language="en")
    assert waiting.status == RegistrationStatus.WAITLISTED

    message = built(MessageKind.WAITLISTED, waiting)

    assert message["Subject"] == "You are on the waitlist: Launch of gps"
    html = soup_of(message)
    assert html.select(".calendar-links") == [] and html.select("a.join-button") == []
    for body in (text_of(message), html.get_text(" ")):
        assert "waiting list" not in body
        assert "waitlist" in body


@pytest.mark.parametrize(
    ("zone", "country", "expected"),
    [
        (
            "America/New_York",
            "FR",
            "Your time (New York): Sunday, 6 December 2026, 07:30–08:30 EST (UTC-05:00)",
        ),
        ("", "SN", "Your time (Dakar): Sunday, 6 December 2026, 12:30–13:30 GMT (UTC+00:00)"),
        ("", "JP", "Your time (Tokyo): Sunday, 6 December 2026, 21:30–22:30 JST (UTC+09:00)"),
    ],
)
def test_mail_gives_the_registrants_own_time_when_known(
    event, make_registration, built, zone, country, expected
):
    registration = make_registration(event, language="en", country=country, timezone=zone)

    message = built(MessageKind.CONFIRMATION, registration)

    assert "When: Sunday, 6 December 2026, 13:30–14:30 CET (UTC+01:00)" in text_of(message)
    assert expected in text_of(message)
    assert expected.split(": ", 1)[1] in soup_of(message).get_text()


@pytest.mark.parametrize(
    ("zone", "country"),
    [("", "US"), ("", "FR"), ("Europe/Berlin", "US"), ("", "")],
    ids=["several-zones", "same-zone", "same-clock", "unknown"],
)
def test_mail_gives_no_second_time_when_unknown_or_the_same(
    event, make_registration, built, zone, country
):
    registration = make_registration(event, language="en", country=country, timezone=zone)

    message = built(MessageKind.CONFIRMATION, registration)

    assert "Your time" not in text_of(message)
    assert "Your time" not in html_of(message)


def test_french_html_footer_puts_a_no_break_space_before_its_colon(event, make_registration, built):
    registration = make_registration(event, language="fr")

    html = soup_of(built(MessageKind.CONFIRMATION, registration))

    footer = html.find("hr").find_next("p").get_text()
    assert "Votre inscription\xa0: modifier vos langues ou annuler." in footer
    # Every colon of the French text has its no-break space (clock times and URLs aside).
    assert not re.search(r"[^\xa0\d]:(?!//)", html.get_text())


def test_mail_names_the_interpretation_language_but_not_the_floor_answer(
    event, make_registration, built
):
    floor = make_registration(event, language="en", interpretation_language=FOLLOWS_FLOOR)
    english = make_registration(event, language="fr", interpretation_language="en")

    assert "interpretation language" not in text_of(built(MessageKind.CONFIRMATION, floor))
    assert "Votre langue d’interprétation\xa0: anglais" in text_of(
        built(MessageKind.CONFIRMATION, english)
    )


def test_a_fan_out_encodes_the_calendar_links_once_and_each_carries_its_own_link(
    event, make_registration, built, monkeypatch
):
    from eventsvc import calendar_links as links_module
    from eventsvc.calendar_links import _links, calendar_links

    _links.cache_clear()
    encoded = []
    real_urlencode = links_module.urlencode
    monkeypatch.setattr(
        links_module, "urlencode", lambda query: encoded.append(1) or real_urlencode(query)
    )
    people = [make_registration(event, language="en", email=f"p{n}@example.org") for n in range(5)]

    for person in people:
        html = soup_of(built(MessageKind.CONFIRMATION, person))
        link = manage_url(person)
        expected = calendar_links(
            event, "en", details_url=link, ics_url=f"{link}/invite.ics", location=link
        )
        shown = [a["href"] for a in html.select(".calendar-links a")]
        assert shown == [
            expected.google,
            expected.outlook_com,
            expected.microsoft_365,
            expected.ics,
        ]

    # two queries for the marked links, then two for each ``expected`` above
    assert len(encoded) == 2 + 2 * len(people)
