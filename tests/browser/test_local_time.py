"""The event page tells visitors the time in their own zone (static/js/localtime.js).

The GPS launch is 13:30–14:30 in Paris on 6 December 2026 (CET, UTC+1); the summer webinar
14:00–15:00 in Paris on 15 June 2027 (CEST, UTC+2). The expected local times are written out
by hand rather than computed, so that a wrong offset anywhere shows.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: zone -> event -> (English 12-hour start, end, date), (French 24-hour start, end, date)
EXPECTED = {
    "America/New_York": {
        "winter": (("7:30 AM", "8:30 AM", "December 6, 2026"), ("07:30", "08:30", "6 décembre")),
        "summer": (("8:00 AM", "9:00 AM", "June 15, 2027"), ("08:00", "09:00", "15 juin 2027")),
    },
    "Asia/Tokyo": {
        "winter": (("9:30 PM", "10:30 PM", "December 6, 2026"), ("21:30", "22:30", "6 décembre")),
        "summer": (("9:00 PM", "10:00 PM", "June 15, 2027"), ("21:00", "22:00", "15 juin 2027")),
    },
    "Europe/Paris": {
        "winter": (("1:30 PM", "2:30 PM", "December 6, 2026"), ("13:30", "14:30", "6 décembre")),
        "summer": (("2:00 PM", "3:00 PM", "June 15, 2027"), ("14:00", "15:00", "15 juin 2027")),
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


def visitor_time(page) -> str:
    """The "Your time: …" line, with the narrow and no-break spaces ICU uses made plain."""
    output = page.locator("[data-localtime-output]")
    expect(output).to_be_visible()
    text = output.inner_text()
    for space in ("\u202f", "\xa0"):
        text = text.replace(space, " ")
    return text


def clock_time(text: str) -> str:
    """A pattern for ``07:30`` that also takes ``7:30`` (browsers differ on the leading zero)."""
    hours, rest = text.split(":", 1)
    return rf"(?<![0-9])0?{int(hours)}:{re.escape(rest)}"


@pytest.mark.parametrize("zone", sorted(EXPECTED))
def test_event_page_shows_the_visitors_own_time(new_page, events, zone):
    page = new_page(timezone_id=zone)
    for season, event in events.items():
        for lang, (start, end, day) in zip(("en", "fr"), EXPECTED[zone][season], strict=True):
            page.goto(f"/{lang}/events/{event.slug}")
            expect(page.locator("time[data-localtime]")).to_contain_text(
                EVENT_ZONE_ABBREVIATION[season]
            )
            shown = visitor_time(page)
            where = f"{zone}, {season}, /{lang}/: {shown!r}"
            assert re.search(clock_time(start), shown), where
            assert re.search(clock_time(end), shown), where
            assert day in shown, where
            assert zone.replace("_", " ") in shown, where
            if lang == "fr":  # one hour style for both ends: "07:30–08:30", never "7:30–08:30"
                assert re.search(r"(?<![0-9])[0-9]{2}:[0-9]{2} ?– ?[0-9]{2}:[0-9]{2}", shown), where


def test_event_page_states_the_time_without_the_script(new_page, events):
    page = new_page(timezone_id="Asia/Tokyo", java_script_enabled=False)
    page.goto(f"/en/events/{events['winter'].slug}")

    expect(page.locator("time[data-localtime]")).to_contain_text("CET")
    expect(page.locator("[data-localtime-output]")).to_be_hidden()
