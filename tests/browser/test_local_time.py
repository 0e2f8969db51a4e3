"""The public pages tell visitors the time in their own zone (static/js/localtime.js).

The GPS launch is 13:30–14:30 in Paris on 6 December 2026 (CET, UTC+1); the summer webinar
14:00–15:00 in Paris on 15 June 2027 (CEST, UTC+2). The expected local times are written out
by hand rather than computed, so that a wrong offset anywhere shows.

English is formatted the en-GB way (``FORMAT_LOCALES``: 24-hour clock, day before month), as the
server formats it, whatever the page's bare ``lang="en"`` would give; the zone is written as the
server writes it, ``UTC±hh:mm``; a visitor in the event's own zone is not told the time twice.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: zone -> event -> (English start, end, date), (French start, end, date), offset
EXPECTED = {
    "America/New_York": {
        "winter": (
            ("07:30", "08:30", "6 December 2026"),
            ("07:30", "08:30", "6 décembre"),
            "UTC-05:00",
        ),
        "summer": (
            ("08:00", "09:00", "15 June 2027"),
            ("08:00", "09:00", "15 juin 2027"),
            "UTC-04:00",
        ),
    },
    "Asia/Tokyo": {
        "winter": (
            ("21:30", "22:30", "6 December 2026"),
            ("21:30", "22:30", "6 décembre"),
            "UTC+09:00",
        ),
        "summer": (
            ("21:00", "22:00", "15 June 2027"),
            ("21:00", "22:00", "15 juin 2027"),
            "UTC+09:00",
        ),
    },
}
EVENT_ZONE_ABBREVIATION = {"winter": "CET", "summer": "CEST"}


@pytest.fixture
def events(make_event):
    return {
        "winter": make_event(slug="gps-ecce-launch"),
        "summer": make_event(
            slug="play-based-learning", start="2027-06-15T14:00", end="2027-06-15T15:00"
        ),
    }


def plain(text: str) -> str:
    """``text`` with the narrow and no-break spaces ICU uses made plain."""
    for space in ("\u202f", "\xa0"):
        text = text.replace(space, " ")
    return text


def visitor_time(page) -> str:
    """The "Your time: …" line."""
    output = page.locator("[data-localtime-output]").first
    expect(output).to_be_visible()
    return plain(output.inner_text())


@pytest.mark.parametrize("zone", sorted(EXPECTED))
def test_event_page_shows_the_visitors_own_time_in_the_sites_format(new_page, events, zone):
    page = new_page(timezone_id=zone, locale="en-US")
    city = zone.split("/")[-1].replace("_", " ")
    for season, event in events.items():
        english, french, offset = EXPECTED[zone][season]
        for lang, (start, end, day) in zip(("en", "fr"), (english, french), strict=True):
            page.goto(f"/{lang}/events/{event.slug}")
            expect(page.locator("time[data-localtime]")).to_contain_text(
                EVENT_ZONE_ABBREVIATION[season]
            )
            shown = visitor_time(page)
            where = f"{zone}, {season}, /{lang}/: {shown!r}"
            assert f"{start}–{end} {offset} ({city})" in shown, where
            assert day in shown, where
            assert not re.search(r"\b(AM|PM|GMT)\b", shown), where


def test_a_visitor_in_the_events_zone_is_not_told_the_time_twice(new_page, events):
    page = new_page(timezone_id="Europe/Paris")
    for lang in ("en", "fr"):
        page.goto(f"/{lang}/events/{events['winter'].slug}")
        expect(page.locator("time[data-localtime]")).to_contain_text("CET")
        expect(page.locator("[data-localtime-output]")).to_be_hidden()


def test_event_list_shows_each_event_in_the_visitors_time_with_its_languages(new_page, events):
    page = new_page(timezone_id="Asia/Tokyo")
    page.goto("/en/")
    card = page.locator(".card", has_text="Launch of gps-ecce-launch")
    expect(card.locator("[data-localtime-output]")).to_be_visible()
    shown = plain(card.locator("[data-localtime-output]").inner_text())
    assert "21:30–22:30 UTC+09:00 (Tokyo)" in shown, shown
    expect(card.locator(".card-languages")).to_have_text(
        "In French, with interpretation into English"
    )


def test_event_page_states_the_time_without_the_script(new_page, events):
    page = new_page(timezone_id="Asia/Tokyo", java_script_enabled=False)
    page.goto(f"/en/events/{events['winter'].slug}")

    expect(page.locator("time[data-localtime]")).to_contain_text("CET")
    expect(page.locator("[data-localtime-output]")).to_be_hidden()
