"""A personal join link in a real browser (issue 18): before the opening the waiting page shows
the start in the event's zone and the visitor's, counts down, and moves on by itself to the
meeting (the opening counted); after the end and the grace period, the over page offers the
recording.

The app's clock runs (not frozen) a few seconds before the opening, set with ``clock.set_skew``,
so that the server sees the opening come while the browser counts down in real time.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.urls import join_url
from tests.browser.test_accessibility import BROWSER_LOCALES, check_all

pytestmark = pytest.mark.browser

RECORDING = "https://video.example.org/gps-ecce-launch"
#: How long before the opening the visitor arrives.
EARLY = timedelta(seconds=4)


@pytest.fixture
def running_clock():
    """The app's clock running from a chosen instant; frozen again afterwards."""

    def start_at(instant):
        clock.freeze(None)
        clock.set_skew(instant - clock.now())

    yield start_at
    clock.set_skew(timedelta(0))


@pytest.fixture
def meeting(live_server, make_event):
    """The GPS launch whose meeting address is a page of the live server (no network)."""
    event = make_event(slug="gps-ecce-launch")
    event.online_url = f"{live_server.url}/en/events/gps-ecce-launch?meeting=1"
    event.recording_url = RECORDING
    db.session.commit()
    return event


def test_the_waiting_page_counts_down_and_moves_on_to_the_meeting(
    new_page, meeting, make_registration, running_clock
):
    person = make_registration(meeting, language="en")
    link = urlsplit(join_url(person)).path
    page = new_page(timezone_id="Asia/Tokyo")
    running_clock(meeting.starts_at - timedelta(minutes=meeting.join_opens_minutes) - EARLY)

    page.goto(link)

    expect(page.locator("h1")).to_have_text("The meeting is not open yet")
    assert "13:30" in page.locator("time.event-when").inner_text()
    expect(page.locator("[data-localtime-output]")).to_contain_text("21:30")
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_have_text(re.compile(r"^Opens in 0 min 0[1-5] s$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3_000)
    page.wait_for_url(meeting.online_url, timeout=15_000)
    expect(page.locator("h1")).to_contain_text("Launch of gps-ecce-launch")
    db.session.expire_all()
    assert db.session.get(Registration, person.id).join_count == 1


def test_after_the_end_the_link_offers_the_recording(
    new_page, meeting, make_registration, frozen_clock
):
    person = make_registration(meeting, language="fr")
    frozen_clock.set(meeting.ends_at + timedelta(minutes=meeting.join_grace_minutes, seconds=1))
    page = new_page(locale="fr-FR")

    page.goto(urlsplit(join_url(person)).path)

    expect(page.locator("h1")).to_have_text("L’événement est terminé")
    recording = page.get_by_role("link", name="Voir l’enregistrement")
    expect(recording).to_have_attribute("href", RECORDING)
    db.session.expire_all()
    assert db.session.get(Registration, person.id).join_count == 0


def test_without_javascript_the_waiting_page_refreshes_itself_to_the_meeting(
    new_page, meeting, make_registration, running_clock
):
    person = make_registration(meeting, language="en")
    page = new_page(java_script_enabled=False)
    running_clock(meeting.starts_at - timedelta(minutes=meeting.join_opens_minutes) - EARLY)

    page.goto(urlsplit(join_url(person)).path)

    expect(page.locator("h1")).to_have_text("The meeting is not open yet")
    expect(page.get_by_role("link", name="Try again")).to_be_visible()
    page.wait_for_url(meeting.online_url, timeout=15_000)
    db.session.expire_all()
    assert db.session.get(Registration, person.id).join_count == 1


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_join_pages_have_no_serious_accessibility_violations(
    new_page, axe, meeting, make_registration, frozen_clock, lang
):
    person = make_registration(meeting, language=lang)
    link = urlsplit(join_url(person)).path
    page = new_page(locale=BROWSER_LOCALES[lang])

    def waiting():
        frozen_clock.set(meeting.starts_at - timedelta(hours=2))
        page.goto(link)
        expect(page.locator("[data-countdown]")).to_be_visible()

    def over():
        frozen_clock.set(meeting.ends_at + timedelta(days=1))
        page.goto(link)
        expect(page.locator("a.join-recording")).to_be_visible()

    check_all(axe, page, [("waiting", waiting), ("over", over)])
