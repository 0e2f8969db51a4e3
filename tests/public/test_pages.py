"""The public pages in both locales: list, event page, thank-you page, privacy notice."""

from datetime import timedelta

import pytest

from eventsvc.extensions import db
from eventsvc.models import EventStatus
from tests.public.html import language_switch, page, text


def card_titles(soup, section_id):
    section = soup.find(id=section_id).find_parent("section")
    return [text(title) for title in section.select(".card-title")]


def test_list_shows_upcoming_soonest_first_and_past_apart_most_recent_first(client, make_event):
    make_event(
        slug="later", start="2026-12-20T10:00", end="2026-12-20T11:00", title={"en": "Later"}
    )
    make_event(
        slug="sooner", start="2026-12-06T13:30", end="2026-12-06T14:30", title={"en": "Sooner"}
    )
    make_event(slug="old", start="2026-10-01T10:00", end="2026-10-01T11:00", title={"en": "Old"})
    make_event(
        slug="recent", start="2026-11-02T10:00", end="2026-11-02T11:00", title={"en": "Recent"}
    )
    make_event(slug="draft", status=EventStatus.DRAFT, title={"en": "Draft"})

    soup = page(client.get("/en/"))

    assert card_titles(soup, "upcoming-heading") == ["Sooner", "Later"]
    assert card_titles(soup, "past-heading") == ["Recent", "Old"]
    assert "Draft" not in text(soup)


@pytest.mark.parametrize(
    ("lang", "title", "date"),
    [
        ("en", "Launch of gps", "Sunday, 6 December 2026"),
        ("fr", "Lancement de gps", "dimanche 6 décembre 2026"),
    ],
)
def test_list_renders_in_each_locale(client, make_event, lang, title, date):
    make_event(slug="gps")

    response = client.get(f"/{lang}/")

    assert response.status_code == 200
    soup = page(response)
    assert soup.html["lang"] == lang
    card = soup.select_one(".card")
    assert text(card.select_one(".card-title")) == title
    assert card.select_one(".card-title a")["href"] == f"/{lang}/events/gps"
    assert date in text(card.select_one(".card-when"))
    assert "CET" in text(card.select_one(".card-when"))


def test_list_cards_show_partners_and_status_badges(
    client, make_event, make_partner, make_registration
):
    unesco = make_partner("UNESCO")
    make_event(slug="open", partners=[unesco], title={"en": "Open"})
    make_event(slug="cancelled", status=EventStatus.CANCELLED, title={"en": "Called off"})
    full = make_event(slug="full", capacity=1, title={"en": "Full"})
    make_registration(full)
    make_event(slug="closed", registration_closes="2026-11-21T12:00", title={"en": "Closed"})

    soup = page(client.get("/en/"))
    cards = {text(card.select_one(".card-title")): card for card in soup.select(".card")}

    assert "UNESCO" in text(cards["Open"].select_one(".card-partners"))
    assert cards["Open"].select(".badge") == []
    assert text(cards["Called off"].select_one(".badge")) == "Cancelled"
    assert text(cards["Full"].select_one(".badge")) == "Waitlist only"
    assert text(cards["Closed"].select_one(".badge")) == "Registration closed"


def test_list_without_events_says_so(client):
    soup = page(client.get("/en/"))

    assert len(soup.select(".empty-state")) == 2
    assert soup.select(".card") == []


@pytest.mark.parametrize(
    ("start", "end", "abbreviation", "offset", "utc_start"),
    [
        ("2026-12-06T13:30", "2026-12-06T14:30", "CET", "UTC+01:00", "2026-12-06T12:30:00Z"),
        ("2027-06-15T13:30", "2027-06-15T14:30", "CEST", "UTC+02:00", "2027-06-15T11:30:00Z"),
    ],
)
def test_event_page_names_the_zone_cet_in_winter_and_cest_in_summer(
    client, make_event, start, end, abbreviation, offset, utc_start
):
    make_event(slug="talk", start=start, end=end)

    when = page(client.get("/fr/events/talk")).select_one("time[data-localtime]")

    assert f"13:30–14:30 {abbreviation} ({offset})" in text(when)
    assert when["datetime"] == utc_start


def test_event_page_in_english_and_french(client, make_event, make_partner):
    omep = make_partner("OMEP", website="https://omep.org")
    make_event(slug="gps", partners=[omep], floor_language="fr", interpretation_languages=["en"])

    english = page(client.get("/en/events/gps"))
    french = page(client.get("/fr/events/gps"))

    assert text(english.h1) == "Launch of gps"
    assert text(french.h1) == "Lancement de gps"
    assert "Sunday, 6 December 2026" in text(english.select_one(".event-when"))
    assert "dimanche 6 décembre 2026, 13:30–14:30 CET" in text(french.select_one(".event-when"))
    assert text(english.select_one(".event-essentials .essential + .essential")) == (
        "Languages In French, with interpretation into English"
    )
    # Inside a sentence French writes language names in lower case.
    assert text(french.select_one(".event-essentials .essential + .essential")) == (
        "Langues En français, avec interprétation en anglais"
    )
    partner = french.select_one(".partners a")
    assert partner["href"] == "https://omep.org"
    assert text(partner) == "OMEP (fr)"


def test_event_page_renders_the_description_without_scripts(client, make_event):
    event = make_event(slug="gps")
    event.set_content(
        "en", description="## Aims\n\n**Share** the strategy.\n\n<script>alert('x')</script>"
    )
    db.session.commit()

    soup = page(client.get("/en/events/gps"))
    description = soup.select_one(".event-description")

    assert description.find("strong").string == "Share"
    assert description.find("h3").string == "Aims"
    assert description.find("script") is None
    # Every script is a file; the one inline block is data (schema.org JSON-LD), never run.
    scripts = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
    assert all(script.get("src") for script in scripts)


def test_event_page_offers_the_visitors_own_time_to_a_script_without_inline_code(
    client, make_event
):
    make_event(slug="gps")

    soup = page(client.get("/en/events/gps"))
    when = soup.select_one("time[data-localtime]")

    assert when["data-end"] == "2026-12-06T13:30:00Z"
    assert "{time}" in when["data-template"]
    assert soup.select_one("[data-localtime-output]").has_attr("hidden")
    scripts = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
    assert [script["src"] for script in scripts] == ["/static/js/localtime.js"]
    assert all(not script.string for script in scripts)


def test_event_page_offers_no_calendar_before_registering(client, make_event):
    """Adding the event before registering made people believe they were registered."""
    make_event(slug="gps", online_url="https://meet.example.org/secret-room")

    response = client.get("/en/events/gps")
    soup = page(response)

    assert "secret-room" not in response.get_data(as_text=True)
    assert soup.find("a", href="/en/events/gps.ics") is None
    assert not [a for a in soup.find_all("a") if "calendar.google.com" in a["href"]]


def test_event_page_shows_places_left(client, make_event, make_registration):
    event = make_event(slug="gps", capacity=3)
    make_registration(event)

    soup = page(client.get("/en/events/gps"))

    assert "2 places left." in text(soup.select_one(".facts"))


def test_full_event_still_offers_the_form_for_the_waitlist(client, make_event, make_registration):
    event = make_event(slug="gps", capacity=1)
    make_registration(event)

    soup = page(client.get("/en/events/gps"))

    assert soup.select_one("form.registration-form") is not None
    assert "waitlist" in text(soup.select_one("#register .notice"))
    assert text(soup.select_one("form.registration-form button")) == "Join the waitlist"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"status": EventStatus.CANCELLED}, "This event has been cancelled."),
        (
            {"start": "2026-11-20T10:00", "end": "2026-11-20T11:00"},
            "This event has already started or taken place.",
        ),
        ({"registration_closes": "2026-11-22T08:00"}, "Registration for this event has closed."),
    ],
    ids=["cancelled", "past", "deadline"],
)
def test_event_without_registration_says_why(client, make_event, setup, reason):
    make_event(slug="gps", **setup)

    soup = page(client.get("/en/events/gps"))

    assert soup.select_one("form.registration-form") is None
    assert reason in text(soup.select_one("#register"))


def test_draft_event_is_not_public(client, make_event):
    make_event(slug="secret", status=EventStatus.DRAFT)

    for url in ("/en/events/secret", "/en/events/secret.ics", "/en/events/secret/thanks"):
        assert client.get(url).status_code == 404
    assert client.post("/en/events/secret/register", data={}).status_code == 404


@pytest.mark.parametrize(
    "path", ["/events/gps", "/events/gps/thanks?status=waitlisted", "/privacy", "/"]
)
def test_language_switch_leads_to_the_same_page_in_the_other_locales(client, make_event, path):
    make_event(slug="gps")

    for lang in ("en", "fr", "es"):
        switch = language_switch(page(client.get(f"/{lang}{path}")))
        others = {code for code in ("en", "fr", "es") if code != lang}
        assert switch == {code: f"/{code}{path}" for code in others}, lang


def test_page_has_skip_link_landmarks_and_a_label_for_every_field(client, make_event):
    make_event(slug="gps")

    soup = page(client.get("/en/events/gps"))

    skip = soup.select_one("a.skip-link")
    assert skip["href"] == "#main" and soup.find("main", id="main") is not None
    assert soup.find("header") and soup.find("footer") and soup.find("nav")
    form = soup.select_one("form.registration-form")
    for control in form.select("input:not([type=hidden]), select, textarea"):
        assert form.find("label", attrs={"for": control["id"]}) is not None, control["id"]


@pytest.mark.parametrize(("lang", "heading"), [("en", "Thank you for registering"), ("fr", None)])
def test_thanks_page_in_each_locale(client, make_event, lang, heading):
    make_event(slug="gps")

    response = client.get(f"/{lang}/events/gps/thanks?status=confirmed")

    soup = page(response)
    assert response.status_code == 200
    assert soup.html["lang"] == lang
    assert soup.find("a", href=f"/{lang}/events/gps") is not None
    if heading:
        assert text(soup.h1) == heading
        assert "Check your email" in text(soup.main)


def test_thanks_page_for_the_waitlist_says_so(client, make_event):
    make_event(slug="gps")

    soup = page(client.get("/en/events/gps/thanks?status=waitlisted"))

    assert text(soup.h1) == "You are on the waitlist"


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_privacy_notice_shows_its_version_and_the_form_links_to_it(client, app, make_event, lang):
    make_event(slug="gps")
    version = app.config["PRIVACY_VERSION"]

    privacy = page(client.get(f"/{lang}/privacy"))
    event = page(client.get(f"/{lang}/events/gps"))

    assert privacy.html["lang"] == lang
    assert version in text(privacy.select_one(".meta"))
    assert event.select_one("#consent-hint").find("a")["href"] == f"/{lang}/privacy"
    assert "consent-hint" in event.find(id="consent")["aria-describedby"]


def test_past_events_move_to_the_past_section_as_time_passes(client, make_event, frozen_clock):
    make_event(slug="gps", title={"en": "GPS"})
    frozen_clock.advance(timedelta(days=30))

    soup = page(client.get("/en/"))

    assert card_titles(soup, "past-heading") == ["GPS"]
    assert card_titles(soup, "upcoming-heading") == []
