"""What a person meets right after registering: the thank-you page repeats the date, the time and
the address the mail went to, and offers the calendars (issue 13, points 4 and 6); the form's
address opened again leads back to the form (point 16)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.public.html import page, text


@pytest.fixture
def event(make_event):
    return make_event(slug="gps", online_url="https://meet.example.org/secret-room")


def register(client, form_data, **overrides):
    response = client.post("/en/events/gps/register", data=form_data(**overrides))
    assert response.status_code == 303
    return client.get(response.headers["Location"])


def test_thank_you_page_repeats_the_time_and_the_address_the_mail_went_to(client, event, form_data):
    soup = page(register(client, form_data, email="amina@example.org"))

    assert "Sunday, 6 December 2026, 13:30–14:30 CET (UTC+01:00)" in text(
        soup.select_one("time.event-when")
    )
    assert "We have sent a message to amina@example.org." in text(soup.select_one(".sent-to"))


def test_thank_you_page_offers_google_outlook_microsoft_365_and_ics(client, event, form_data):
    response = register(client, form_data)
    soup = page(response)

    buttons = {text(a): a["href"] for a in soup.select(".calendar-buttons a")}
    google = parse_qs(urlsplit(buttons["Google Calendar (opens in a new tab)"]).query)
    assert google["dates"] == ["20261206T123000Z/20261206T133000Z"]
    assert google["ctz"] == ["Europe/Paris"]
    assert google["text"] == ["Launch of gps"]
    for name, host in [
        ("Outlook.com (opens in a new tab)", "outlook.live.com"),
        ("Microsoft 365 (opens in a new tab)", "outlook.office.com"),
    ]:
        url = urlsplit(buttons[name])
        query = parse_qs(url.query)
        assert url.netloc == host
        assert (query["startdt"], query["enddt"]) == (
            ["2026-12-06T12:30:00Z"],
            ["2026-12-06T13:30:00Z"],
        )
        assert query["subject"] == ["Launch of gps"]
    assert buttons["Apple Calendar, other apps (.ics)"] == "/en/events/gps.ics"
    assert "secret-room" not in response.get_data(as_text=True)


def test_calendar_links_point_at_the_public_address_whatever_the_host_header(
    client, event, form_data
):
    client.post("/fr/events/gps/register", data=form_data(), headers={"Host": "evil.example"})
    soup = page(client.get("/fr/events/gps/thanks", headers={"Host": "evil.example"}))

    buttons = [a["href"] for a in soup.select(".calendar-buttons a")]
    details = parse_qs(urlsplit(buttons[0]).query)["details"][0]
    assert "http://events.test/fr/events/gps" in details
    assert "evil.example" not in " ".join(buttons)


def test_waitlisted_thank_you_page_offers_no_calendar(
    client, make_event, make_registration, form_data
):
    full = make_event(slug="gps", capacity=1)
    make_registration(full)

    soup = page(register(client, form_data))

    assert "You are on the waitlist" in text(soup.h1)
    assert soup.select(".calendar-buttons") == []


def test_thank_you_page_without_a_registration_in_this_browser_names_no_address(client, event):
    soup = page(client.get("/en/events/gps/thanks?status=confirmed"))
    assert soup.select(".sent-to") == []


def test_the_form_address_opened_again_leads_to_the_form_not_a_405(client, event):
    response = client.get("/fr/events/gps/register")
    assert response.status_code == 303
    assert response.headers["Location"] == "/fr/events/gps#register"


def test_event_page_leads_to_the_form_from_its_header(client, event, make_event):
    soup = page(client.get("/en/events/gps"))
    action = soup.select_one(".event-header .event-cta a")
    assert (text(action), action["href"]) == ("Register", "#register")
    assert soup.find(id="register").find("form") is not None
    languages = text(soup.select_one(".event-header .event-essentials"))
    assert "In French, with interpretation into English" in languages


def test_the_address_is_shown_once_not_to_the_next_user_of_the_browser(client, event, form_data):
    register(client, form_data, email="amina@example.org")

    again = page(client.get("/en/events/gps/thanks?status=confirmed"))

    assert again.select(".sent-to") == []
