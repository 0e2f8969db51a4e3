"""On a phone (390 × 844), the event page's first screen holds what a visitor decides on: the
date, the time in the event's zone and in theirs, the languages and a Register action; the
calendar choices come only once registered (issue 13, points 2 and 6)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Registration
from tests.browser.pages import fill_registration, registration_form, submit_registration

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
LONG_DESCRIPTION = "\n\n".join(
    f"## Part {n}\n\n" + "A paragraph about the strategy and how partners take part. " * 12
    for n in range(1, 9)
)


@pytest.fixture
def long_event(gps_launch):
    """The GPS launch with a description several screens long, as the real one is."""
    for locale in ("en", "fr"):
        gps_launch.set_content(locale, description=LONG_DESCRIPTION)
    db.session.commit()
    return gps_launch


def assert_within_first_screen(page, locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE_390["height"], box


@pytest.mark.parametrize(
    ("lang", "locale", "action", "languages"),
    [
        ("en", "en-GB", "Register", "In French, with interpretation into English"),
        ("fr", "fr-FR", "S’inscrire", "En français, avec interprétation en anglais"),
    ],
)
def test_phone_first_screen_has_date_times_languages_and_register(
    new_page, long_event, lang, locale, action, languages
):
    page = new_page(
        viewport=PHONE_390,
        locale=locale,
        timezone_id="America/New_York",
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"/{lang}/events/{long_event.slug}")

    header = page.locator(".event-header")
    assert_within_first_screen(page, header.locator("time.event-when"))
    assert_within_first_screen(page, header.locator("[data-localtime-output]"))
    expect(header.locator("[data-localtime-output]")).to_contain_text("07:30")
    assert_within_first_screen(page, header.get_by_text(languages))
    register = header.get_by_role("link", name=action)
    assert_within_first_screen(page, register)

    register.click()
    expect(registration_form(page).locator("[name=full_name]")).to_be_in_viewport()


def test_calendar_choices_come_after_registering_not_before(new_page, long_event):
    page = new_page(
        viewport=PHONE_390, is_mobile=True, has_touch=True, timezone_id="America/New_York"
    )
    page.goto(f"/en/events/{long_event.slug}")
    expect(page.get_by_role("link", name="Google Calendar")).to_have_count(0)
    expect(page.locator("main a[href$='.ics']")).to_have_count(0)

    fill_registration(page, full_name="Awa Ndiaye", email="awa@omep-senegal.org")
    submit_registration(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for registering")
    expect(page.get_by_text("We have sent a message to awa@omep-senegal.org.")).to_be_visible()
    calendars = page.locator(".calendar-buttons")
    for name in ("Google Calendar", "Outlook.com", "Microsoft 365", "Apple Calendar"):
        expect(calendars.get_by_role("link", name=name)).to_be_visible()
    with page.expect_download() as download:
        calendars.get_by_role("link", name="Apple Calendar").click()
    assert download.value.suggested_filename.endswith(".ics")
    # The script told the server the browser's zone, for the registrant's own time in mail.
    db.session.expire_all()
    assert db.session.scalar(select(Registration.timezone)) == "America/New_York"
